from django.urls import reverse

from cpms.audit.models import AuditEvent
from cpms.test import sign_in

from .factories import make_patient


def url(centre, **query):
    base = reverse("patients:centre-patient-list", kwargs={"centre": centre.pk})
    return base + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def test_it_sends_anonymous_visitors_to_sign_in(client, world):
    response = client.get(url(world.de22))
    assert response.status_code == 302
    assert response.url.startswith(reverse("identity:login"))


def test_it_answers_404_to_an_hp_of_another_centre(client, world):
    sign_in(client, world.other_centre)
    assert client.get(url(world.de22)).status_code == 404


def test_it_answers_404_to_a_researcher_of_the_centre(client, world):
    sign_in(client, world.researcher)
    assert client.get(url(world.de22)).status_code == 404


def test_it_answers_404_for_the_guest_access_node(client, world):
    sign_in(client, world.guest)
    assert client.get(url(world.rnd.guest)).status_code == 404


def test_it_lists_the_centres_patients_by_pseudonym_without_identity(client, world):
    sign_in(client, world.enrolling)
    page = client.get(url(world.de22)).content.decode()
    assert world.patient.pseudonym in page
    assert "1987" in page
    assert "Female" in page
    assert "Grünwald" not in page and "TUE-4471-93" not in page
    assert "Enrol patient" in page
    assert "Care: Given" in page and "Registries: Not recorded" in page


def test_it_shows_the_empty_state_with_the_next_action(client, world):
    sign_in(client, world.other_centre)
    page = client.get(url(world.de05)).content.decode()
    assert "No patients yet" in page
    assert reverse("patients:patient-enrol", kwargs={"centre": world.de05.pk}) in page


def test_it_finds_a_patient_by_exact_hospital_number(client, world):
    other = make_patient(world.de22, given_names="Jakob", hospital_number="TUE-1000-01")
    sign_in(client, world.enrolling)
    page = client.get(url(world.de22, q="tue-1000-01")).content.decode()
    assert other.pseudonym in page
    assert world.patient.pseudonym not in page


def test_it_finds_a_patient_by_pseudonym(client, world):
    make_patient(world.de22, hospital_number="TUE-1000-02")
    sign_in(client, world.enrolling)
    page = client.get(url(world.de22, q=world.patient.pseudonym.lower())).content.decode()
    assert world.patient.pseudonym in page
    assert "Showing 1 of 1 patient" in page


def test_it_finds_no_patient_by_part_of_a_hospital_number(client, world):
    sign_in(client, world.enrolling)
    page = client.get(url(world.de22, q="TUE-4471")).content.decode()
    assert "No patient found" in page


def test_it_never_finds_a_hospital_number_of_another_centre(client, world):
    make_patient(world.de05, hospital_number="BONN-77")
    sign_in(client, world.enrolling)
    assert "No patient found" in client.get(url(world.de22, q="BONN-77")).content.decode()


def test_it_pages_by_position(client, world):
    patients = [make_patient(world.de22, hospital_number=f"H{n}") for n in range(26)]
    sign_in(client, world.enrolling)
    first = client.get(url(world.de22)).content.decode()
    assert patients[-1].pseudonym in first and world.patient.pseudonym not in first
    second = client.get(url(world.de22, after=patients[1].pk)).content.decode()
    assert world.patient.pseudonym in second and patients[0].pseudonym in second


def test_it_ignores_a_hostile_position(client, world):
    sign_in(client, world.enrolling)
    for value in ("x", "-1", "9" * 40, "%00"):
        assert client.get(url(world.de22, after=value)).status_code == 200


def test_it_reads_no_patient_so_audits_none(client, world):
    sign_in(client, world.enrolling)
    client.get(url(world.de22))
    assert not AuditEvent.objects.filter(action="patients.patient.viewed").exists()


def test_it_reads_the_same_queries_for_one_patient_and_for_many(client, world, django_assert_num_queries):
    sign_in(client, world.enrolling)
    client.get(url(world.de22))  # warm the session
    # session, user, the gate (grants, profile and navigation centres in one), centre, count, page with main
    # diagnoses, the header's unread notifications
    with django_assert_num_queries(7):
        client.get(url(world.de22))
    for n in range(30):
        make_patient(world.de22, hospital_number=f"N{n}")
    with django_assert_num_queries(7):
        client.get(url(world.de22))


def test_it_counts_up_to_a_limit(client, world, monkeypatch):
    from cpms.patients import queries

    monkeypatch.setattr(queries, "COUNT_LIMIT", 3)
    for n in range(4):
        make_patient(world.de22, hospital_number=f"L{n}")
    sign_in(client, world.enrolling)
    assert "Showing 5 of more than 3 patients" in client.get(url(world.de22)).content.decode()


def test_it_shows_the_main_diagnosis_of_the_case(client, world):
    from cpms.coding.models import Concept

    from ..models import Case, CaseDiagnosis

    case = Case(patient=world.patient)
    case.save()
    huntington = Concept.objects.create(system="orpha", code="ORPHA:399", label="Huntington disease")
    other = Concept.objects.create(system="orpha", code="ORPHA:98", label="Other disease")
    CaseDiagnosis(case=case, concept=other, certainty="suspected").save()
    CaseDiagnosis(case=case, concept=huntington, certainty="confirmed", is_main=True).save()
    sign_in(client, world.enrolling)
    page = client.get(url(world.de22)).content.decode()
    assert "Huntington disease" in page and "ORPHA:399" in page
    assert "Other disease" not in page
