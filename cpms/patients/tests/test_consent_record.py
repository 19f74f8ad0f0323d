from django.urls import reverse

from cpms.audit.models import AuditEvent
from cpms.test import sign_in

from ..documents import read_document
from ..models import Patient
from ..queries import may_open_panel, patients_of, with_research_consent
from .factories import PDF_BYTES, make_patient, pdf_upload


def url(patient):
    return reverse("patients:consent-record", args=[patient.pseudonym])


def test_it_sends_anonymous_visitors_to_sign_in(client, world):
    assert client.get(url(world.patient)).url.startswith(reverse("identity:login"))


def test_it_answers_404_to_an_hp_of_another_centre(client, world):
    sign_in(client, world.other_centre)
    assert client.get(url(world.patient)).status_code == 404
    answer = {"kind": "care", "status": "withdrawn", "date": "2026-11-30"}
    assert client.post(url(world.patient), answer).status_code == 404
    assert Patient.objects.at_centres([world.de22.pk]).get().care_consent == "given"


def test_it_shows_the_consents_and_their_history(client, world):
    sign_in(client, world.enrolling)
    page = client.get(url(world.patient)).content.decode()
    assert "Consent history" in page and "Consent for care" in page
    assert "data-cpms-file-upload" in page


def test_it_records_a_consent_with_its_signed_form(client, world):
    sign_in(client, world.enrolling)
    answer = {"kind": "registries", "status": "given", "date": "2026-11-30", "consent_form": pdf_upload()}
    assert client.post(url(world.patient), answer).status_code == 302
    patient = Patient.objects.at_centres([world.de22.pk]).get()
    assert patient.registries_consent == "given"
    consent = patient.consents.get(kind="registries")
    assert consent.recorded_by == world.enrolling and read_document(consent.form) == PDF_BYTES
    event = AuditEvent.objects.get(action="patients.consent.recorded")
    assert event.data["registries_consent"] == {"old": "not_asked", "new": "given"}


def test_a_withdrawal_counts_from_the_next_request(client, rf, world):
    world.patient.registries_consent = "given"
    world.patient.save()
    sign_in(client, world.enrolling)
    client.post(url(world.patient), {"kind": "registries", "status": "withdrawn", "date": "2026-11-30"})
    client.post(url(world.patient), {"kind": "care", "status": "withdrawn", "date": "2026-11-30"})
    request = rf.get("/")
    request.user = world.enrolling
    assert not with_research_consent(patients_of(request)).exists()
    assert not may_open_panel(patients_of(request).get())


def test_it_refuses_a_date_in_the_future_and_a_wrong_status(client, world):
    sign_in(client, world.enrolling)
    response = client.post(url(world.patient), {"kind": "care", "status": "maybe", "date": "2999-01-01"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Enter a date in the past or today." in page and "Select a valid choice." in page


def test_it_offers_the_signed_form_for_download_audited(client, world):
    sign_in(client, world.enrolling)
    client.post(
        url(world.patient),
        {
            "kind": "care",
            "status": "given",
            "date": "2026-11-30",
            "consent_form": pdf_upload("Mathilde Grünwald.pdf"),
        },
    )
    consent = world.patient.consents.exclude(form=None).get()
    download = reverse("patients:consent-form-download", args=[world.patient.pseudonym, consent.form_id])
    assert download in client.get(url(world.patient)).content.decode()
    response = client.get(download)
    assert response.content == PDF_BYTES and response["Content-Type"] == "application/pdf"
    assert "Grünwald" not in response["Content-Disposition"]
    assert AuditEvent.objects.filter(action="patients.document.downloaded").count() == 1


def test_it_answers_404_for_a_form_of_another_patient(client, world):
    other = make_patient(world.de22, hospital_number="X1")
    sign_in(client, world.enrolling)
    client.post(
        url(other), {"kind": "care", "status": "given", "date": "2026-11-30", "consent_form": pdf_upload()}
    )
    document = other.consents.exclude(form=None).get().form_id
    wrong = reverse("patients:consent-form-download", args=[world.patient.pseudonym, document])
    assert client.get(wrong).status_code == 404


def test_it_makes_the_same_queries_at_two_sizes(client, world, django_assert_num_queries):
    sign_in(client, world.enrolling)
    client.get(url(world.patient))
    # session, user, the gate (grants, profile and navigation centres in one), patient, audit event, consents,
    # the header's unread notifications
    with django_assert_num_queries(7):
        client.get(url(world.patient))
    for _ in range(10):
        client.post(
            url(world.patient),
            {"kind": "care", "status": "given", "date": "2026-11-30", "consent_form": pdf_upload()},
        )
    with django_assert_num_queries(7):
        client.get(url(world.patient))
