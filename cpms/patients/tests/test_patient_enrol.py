from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cpms.audit.models import AuditEvent
from cpms.test import sign_in

from ..documents import read_document
from ..models import Patient
from .factories import PDF_BYTES, make_patient, pdf_upload


def url(centre):
    return reverse("patients:patient-enrol", kwargs={"centre": centre.pk})


def answers(**changes):
    data = {
        "given_names": "Élodie Marie",
        "family_name": "Durand",
        "birth_date": "2011-05-20",
        "sex_at_birth": "female",
        "hospital_number": "TUE 555 01",
        "national_id": "",
        "country_of_residence": "DE",
        "vital_status": "alive",
        "care_consent": "on",
        "registries_consent": "given",
        "research_contact_consent": "refused",
        "consent_date": "2026-11-30",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def newest_patient():
    return Patient.objects.unscoped().order_by("-id").first()


def test_it_sends_anonymous_visitors_to_sign_in(client, world):
    response = client.get(url(world.de22))
    assert response.status_code == 302
    assert response.url.startswith(reverse("identity:login"))


def test_it_answers_404_to_an_hp_of_another_centre(client, world):
    sign_in(client, world.other_centre)
    assert client.get(url(world.de22)).status_code == 404
    assert client.post(url(world.de22), answers()).status_code == 404
    assert Patient.objects.unscoped().count() == 1


def test_it_answers_404_to_a_guest_at_the_guest_access(client, world):
    sign_in(client, world.guest)
    assert client.get(url(world.rnd.guest)).status_code == 404


def test_it_shows_the_form_with_the_model_consent_forms(client, world):
    sign_in(client, world.enrolling)
    page = client.get(url(world.de22)).content.decode()
    assert "Given names" in page and "Local hospital number" in page
    assert reverse("patients:model-consent-form", kwargs={"language": "fr"}) in page
    assert "data-cpms-file-upload" in page


def test_it_enrols_with_a_random_pseudonym_the_consents_and_the_signed_form(client, world):
    sign_in(client, world.enrolling)
    response = client.post(url(world.de22), {**answers(), "consent_form": pdf_upload()})
    patient = newest_patient()
    assert response.status_code == 302 and response.url == reverse(
        "patients:patient-detail", args=[patient.pseudonym]
    )
    assert patient.pseudonym.startswith("CPMS-") and "DURAND" not in patient.pseudonym
    assert (patient.given_names, patient.family_name, patient.birth_date) == (
        "Élodie Marie",
        "Durand",
        "2011-05-20",
    )
    assert patient.year_of_birth == 2011 and patient.centre == world.de22
    assert (patient.care_consent, patient.registries_consent, patient.research_contact_consent) == (
        "given",
        "given",
        "refused",
    )
    consents = list(patient.consents.order_by("kind"))
    assert [c.kind for c in consents] == ["care", "registries", "research_contact"]
    assert read_document(consents[0].form) == PDF_BYTES
    event = AuditEvent.objects.get(action="patients.patient.enrolled")
    assert event.actor_id == world.enrolling.pk and "Durand" not in str(event.data)


def test_it_refuses_to_enrol_without_consent_for_care(client, world):
    sign_in(client, world.enrolling)
    response = client.post(url(world.de22), answers(care_consent=None))
    assert response.status_code == 200
    assert "A patient is enrolled only with consent for care." in response.content.decode()
    assert Patient.objects.unscoped().count() == 1


def test_it_refuses_a_date_of_birth_in_the_future(client, world):
    sign_in(client, world.enrolling)
    page = client.post(url(world.de22), answers(birth_date="2999-01-01")).content.decode()
    assert "Enter a date in the past or today." in page


def test_it_refuses_a_signed_form_that_is_not_one(client, world):
    sign_in(client, world.enrolling)
    upload = SimpleUploadedFile("form.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    response = client.post(url(world.de22), {**answers(), "consent_form": upload})
    assert response.status_code == 200
    assert "is not a real PDF file, or it is damaged." in response.content.decode()
    assert Patient.objects.unscoped().count() == 1


def test_it_warns_of_the_same_hospital_number_and_links_to_the_record(client, world):
    sign_in(client, world.enrolling)
    page = client.post(url(world.de22), answers(hospital_number="tue-4471-93")).content.decode()
    assert "This patient may already be enrolled at your centre" in page
    assert reverse("patients:patient-detail", args=[world.patient.pseudonym]) in page
    assert Patient.objects.unscoped().count() == 1


def test_it_warns_of_the_same_names_and_date_of_birth(client, world):
    sign_in(client, world.enrolling)
    same = answers(given_names="mathilde", family_name="GRUNWALD", birth_date="1987-03-14")
    page = client.post(url(world.de22), same).content.decode()
    assert world.patient.pseudonym in page
    assert Patient.objects.unscoped().count() == 1


def test_it_enrols_anyway_once_confirmed(client, world):
    sign_in(client, world.enrolling)
    client.post(url(world.de22), answers(hospital_number="TUE-4471-93"))
    client.post(url(world.de22), answers(hospital_number="TUE-4471-93", confirm_duplicate="on"))
    assert Patient.objects.unscoped().count() == 2


def test_it_does_not_warn_of_a_patient_of_another_centre(client, world):
    sign_in(client, world.other_centre)
    response = client.post(url(world.de05), answers(hospital_number="TUE-4471-93"))
    assert response.status_code == 302


def test_it_makes_the_same_queries_at_two_sizes(client, world, django_assert_num_queries):
    sign_in(client, world.enrolling)
    client.get(url(world.de22))
    with django_assert_num_queries(6):
        client.get(url(world.de22))
    for n in range(20):
        make_patient(world.de22, hospital_number=f"Q{n}")
    with django_assert_num_queries(6):
        client.get(url(world.de22))
