import datetime

import pytest
from django.test import Client
from django.urls import reverse

from cpms.test import sign_in

from ..models import PanelStatus, Urgency
from .factories import make_panel

# Session, user, the gate (grants, profile and navigation centres in one), the ERN, the counts, the areas, the
# late panels, the header's unread notifications.
QUERIES = 8


def url(world) -> str:
    return reverse("panels:ern-dashboard", args=[world.panel.ern_id])


def page_of(user, world) -> str:
    response = sign_in(Client(), user).get(url(world))
    assert response.status_code == 200
    return response.content.decode()


def test_it_sends_anonymous_visitors_to_sign_in(client, world):
    response = client.get(url(world))
    assert response.status_code == 302 and response.url.startswith(reverse("identity:login"))


@pytest.mark.parametrize(
    "role", ("enrolling", "expert", "guest_member", "other_centre", "other_ern", "researcher")
)
def test_it_is_for_the_erns_coordinators_and_dispatchers_only(world, role):
    assert sign_in(Client(), getattr(world, role)).get(url(world)).status_code == 404


def test_it_answers_404_for_an_ern_that_is_not_theirs(world):
    client = sign_in(Client(), world.triager)
    assert client.get(reverse("panels:ern-dashboard", args=[world.panel.centre_id])).status_code == 404
    assert client.get(reverse("panels:ern-dashboard", args=[10**9])).status_code == 404


@pytest.mark.parametrize("role", ("triager", "dispatcher"))
def test_it_counts_the_requests_for_assistance(world, role):
    make_panel(world.patient, world.enrolling, status=PanelStatus.SUBMITTED)
    make_panel(world.patient, world.enrolling, status=PanelStatus.SUBMITTED, urgency=Urgency.URGENT)
    make_panel(world.patient, world.enrolling, status=PanelStatus.DRAFT)
    page = page_of(getattr(world, role), world)
    assert "2 requests wait for triage." in page and "1 urgent" in page


def test_it_shows_the_open_panels_by_thematic_area(world):
    from cpms.clinical.models import ThematicArea

    area = ThematicArea.objects.create(ern_id=world.panel.ern_id, code="ataxia", name="Ataxia")
    make_panel(world.patient, world.enrolling, thematic_area=area, urgency=Urgency.URGENT)
    make_panel(world.patient, world.enrolling, thematic_area=area)
    make_panel(world.patient, world.enrolling, status=PanelStatus.CLOSED, thematic_area=area)
    page = page_of(world.triager, world)
    table = page.split('id="areas-heading"', 1)[1].split("</table>", 1)[0]
    assert (
        '<th scope="row" class="fw-normal">Ataxia</th><td class="text-end">2</td><td class="text-end">1</td>'
        in table
    )
    assert 'No thematic area</th><td class="text-end">1</td>' in table  # world.panel
    assert '<td class="text-end fw-bold">3</td>' in table


def test_it_lists_the_panels_past_their_wished_date(world):
    late = make_panel(world.patient, world.enrolling, wished_answer_date=datetime.date(2020, 1, 1))
    on_time = make_panel(world.patient, world.enrolling, wished_answer_date=datetime.date(2999, 1, 1))
    closed = make_panel(
        world.patient,
        world.enrolling,
        status=PanelStatus.CLOSED,
        wished_answer_date=datetime.date(2020, 1, 1),
    )
    section = page_of(world.triager, world).split('id="late-heading"', 1)[1]
    assert late.reference in section
    assert on_time.reference not in section and closed.reference not in section


def test_its_queries_are_a_fixed_few_whatever_the_rows(world, django_assert_num_queries):
    client = sign_in(Client(), world.triager)
    client.get(url(world))
    with django_assert_num_queries(QUERIES):
        client.get(url(world))
    for index in range(20):
        make_panel(
            world.patient,
            world.enrolling,
            status=(PanelStatus.SUBMITTED, PanelStatus.OPEN)[index % 2],
            wished_answer_date=datetime.date(2020, 1, 1 + index),
        )
    with django_assert_num_queries(QUERIES):
        assert client.get(url(world)).status_code == 200
