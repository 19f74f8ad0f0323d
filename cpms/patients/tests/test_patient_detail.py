from django.urls import reverse

from cpms.audit.models import AuditEvent
from cpms.test import sign_in

from .factories import make_patient


def url(patient):
    return reverse("patients:patient-detail", args=[patient.pseudonym])


def test_it_sends_anonymous_visitors_to_sign_in(client, world):
    response = client.get(url(world.patient))
    assert response.status_code == 302 and response.url.startswith(reverse("identity:login"))


def test_it_answers_404_to_an_hp_of_another_centre_as_for_no_patient(client, world):
    sign_in(client, world.other_centre)
    assert client.get(url(world.patient)).status_code == 404
    assert client.get("/cpms/patients/CPMS-NOPATIENT1/").status_code == 404
    assert not AuditEvent.objects.filter(action="patients.patient.viewed").exists()


def test_it_shows_the_identity_inside_the_enrolling_centre(client, world):
    sign_in(client, world.enrolling)
    page = client.get(url(world.patient)).content.decode()
    assert "Mathilde" in page and "GRÜNWALD" in page and "TUE-4471-93" in page
    assert world.patient.pseudonym in page
    assert "Care: Given" in page


def test_it_audits_the_read_with_who_and_what(client, world):
    sign_in(client, world.enrolling)
    client.get(url(world.patient), REMOTE_ADDR="192.0.2.7")
    event = AuditEvent.objects.get(action="patients.patient.viewed")
    assert event.actor_id == world.enrolling.pk
    assert event.target_id == str(world.patient.pk)
    assert event.data == {"pseudonym": world.patient.pseudonym, "what": "patients:patient-detail"}


def test_it_answers_404_for_a_removed_patient(client, world):
    from django.utils import timezone

    world.patient.removed_at = timezone.now()
    world.patient.save()
    sign_in(client, world.enrolling)
    assert client.get(url(world.patient)).status_code == 404


def test_it_makes_the_same_queries_at_two_sizes(client, world, django_assert_num_queries):
    sign_in(client, world.enrolling)
    client.get(url(world.patient))
    # session, user, the gate (grants, profile and navigation centres in one), patient, audit event, the
    # header's unread notifications
    with django_assert_num_queries(6):
        client.get(url(world.patient))
    for n in range(20):
        make_patient(world.de22, hospital_number=f"D{n}")
    with django_assert_num_queries(6):
        client.get(url(world.patient))
