import pytest
from django.test import Client
from django.urls import reverse

from cpms.patients.tests.factories import in_cpms, make_patient
from cpms.test import make_user, sign_in

from ..models import PanelStatus, Urgency
from .factories import make_panel

# Session, user, the gate (grants, profile and navigation centres in one), the centre, the count, the
# patients, their panels, the header's unread notifications.
QUERIES = 8


def colleague(world):
    """Another HP of DE22, on none of the panels."""
    return in_cpms(make_user("njonas01", "jonas@example.org", "Jonas", "Braun"), world.de22)


def url(world) -> str:
    return reverse("panels:centre-panels", args=[world.de22.pk])


def page_of(user, world, params=None) -> str:
    response = sign_in(Client(), user).get(url(world), params or {})
    assert response.status_code == 200
    return response.content.decode()


def test_it_sends_anonymous_visitors_to_sign_in(client, world):
    response = client.get(url(world))
    assert response.status_code == 302 and response.url.startswith(reverse("identity:login"))


@pytest.mark.parametrize("role", ("expert", "triager", "guest", "other_ern", "researcher", "other_centre"))
def test_it_is_for_the_hps_of_the_centre_only(world, role):
    assert sign_in(Client(), getattr(world, role)).get(url(world)).status_code == 404


def test_it_shows_the_patients_with_panels_and_their_panels(world):
    urgent = make_panel(world.patient, world.enrolling, urgency=Urgency.URGENT, status=PanelStatus.SUBMITTED)
    page = page_of(world.enrolling, world)
    assert world.patient.pseudonym in page and "1 patient with panels" in page
    assert page.index(urgent.reference) < page.index(world.panel.reference)
    assert "Submitted" in page and "Urgent" in page and "Mathilde" not in page


def test_it_hides_other_peoples_drafts(world):
    draft = make_panel(world.patient, world.enrolling, status=PanelStatus.DRAFT)
    assert draft.reference in page_of(world.enrolling, world)
    assert draft.reference not in page_of(colleague(world), world)


def test_it_links_only_the_panels_one_is_on(world):
    page = page_of(colleague(world), world)
    assert world.panel.reference in page
    assert reverse("panels:panel-detail", args=[world.panel.pk]) not in page
    assert reverse("panels:panel-detail", args=[world.panel.pk]) in page_of(world.enrolling, world)


def test_it_has_an_empty_state(world):
    world.panel.delete()
    page = page_of(world.enrolling, world)
    assert "No panels at this centre yet" in page and 'class="cpms-empty-state"' in page


def test_it_pages_by_position(world):
    patients = [
        make_patient(world.de22, enrolled_by=world.enrolling, hospital_number=f"TUE-{n}") for n in range(30)
    ]
    for patient in patients:
        make_panel(patient, world.enrolling)
    first = page_of(world.enrolling, world)
    assert "31 patients with panels" in first and patients[-1].pseudonym in first
    assert world.patient.pseudonym not in first
    after = first.split('rel="next" href="?after=', 1)[1].split('"', 1)[0]
    second = page_of(world.enrolling, world, {"after": after})
    assert world.patient.pseudonym in second and patients[-1].pseudonym not in second
    assert patients[-1].pseudonym in page_of(world.enrolling, world, {"after": "not-a-cursor"})


def test_the_centres_patient_list_links_to_it(world):
    response = sign_in(Client(), world.enrolling).get(
        reverse("patients:centre-patient-list", args=[world.de22.pk])
    )
    assert url(world) in response.content.decode()


def test_its_queries_are_a_fixed_few_whatever_the_rows(world, django_assert_num_queries):
    client = sign_in(Client(), world.enrolling)
    client.get(url(world))
    with django_assert_num_queries(QUERIES):
        client.get(url(world))
    for n in range(10):
        patient = make_patient(world.de22, enrolled_by=world.enrolling, hospital_number=f"TUE-{n}")
        make_panel(patient, world.enrolling)
        make_panel(patient, world.enrolling, status=PanelStatus.CLOSED)
    with django_assert_num_queries(QUERIES):
        assert client.get(url(world)).status_code == 200
