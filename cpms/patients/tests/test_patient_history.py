from django.urls import reverse

from cpms.test import sign_in


def url(patient):
    return reverse("patients:patient-history", args=[patient.pseudonym])


def test_it_sends_anonymous_visitors_to_sign_in(client, world):
    assert client.get(url(world.patient)).url.startswith(reverse("identity:login"))


def test_it_answers_404_to_an_hp_of_another_centre(client, world):
    sign_in(client, world.other_centre)
    assert client.get(url(world.patient)).status_code == 404


def test_it_says_who_read_the_patient_when_from_where_and_what(client, world):
    sign_in(client, world.enrolling)
    client.get(reverse("patients:patient-detail", args=[world.patient.pseudonym]), REMOTE_ADDR="192.0.2.7")
    page = client.get(url(world.patient)).content.decode()
    assert "Helena Weber" in page
    assert "Patient record read" in page
    assert "192.0.2.7" in page
    assert "patients:patient-detail" in page
    assert "<time datetime=" in page


def test_it_makes_the_same_queries_however_long_the_history(client, world, django_assert_num_queries):
    sign_in(client, world.enrolling)
    client.get(url(world.patient))
    # session, user, the gate (grants, profile and navigation centres in one), patient, audit event, events,
    # their actors, the header's unread notifications
    with django_assert_num_queries(8):
        client.get(url(world.patient))
    for _ in range(10):
        client.get(url(world.patient))
    with django_assert_num_queries(8):
        client.get(url(world.patient))
