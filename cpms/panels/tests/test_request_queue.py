import datetime

import pytest
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from cpms.access.queries.scopes import access_of
from cpms.patients.tests.factories import make_patient
from cpms.test import sign_in

from ..models import PanelStatus, Urgency
from ..queries.requests import QueueCursor, page_of_requests
from .factories import make_panel
from .requests_helpers import draft, submitted, with_areas

URL = reverse("panels:request-queue")
# Session and user, the gate (grants, profile and navigation centres in one), the user's ERNs, their thematic
# areas, the count, the page (with ERN, area, centre and pseudonym), the header's unread notifications.
QUERIES = 8
IDENTITY = ("Mathilde", "Grünwald", "TUE-4471-93")


@pytest.fixture
def world(world):
    return with_areas(world)


def ago(hours: int) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(hours=hours)


def test_it_sends_anonymous_visitors_to_sign_in(client, world):
    response = client.get(URL)
    assert response.status_code == 302 and response.url.startswith(reverse("identity:login"))


@pytest.mark.parametrize("role", ["enrolling", "expert", "guest", "researcher", "other_centre"])
def test_it_is_404_for_people_who_triage_nothing(client, world, role):
    sign_in(client, getattr(world, role))
    assert client.get(URL).status_code == 404


@pytest.mark.parametrize("role", ["triager", "dispatcher"])
def test_it_lists_the_submitted_requests_urgent_first_then_the_oldest(client, world, role):
    old = submitted(world, submitted_at=ago(48))
    new = submitted(world, submitted_at=ago(1))
    urgent = submitted(world, urgency=Urgency.URGENT, submitted_at=ago(2))
    draft(world)
    make_panel(world.patient, world.enrolling, status=PanelStatus.RETURNED)
    sign_in(client, getattr(world, role))
    response = client.get(URL)
    assert response.status_code == 200
    assert [panel.pk for panel in response.context["page"]] == [urgent.pk, old.pk, new.pk]
    body = response.content.decode()
    assert world.patient.pseudonym in body and "DE22" in body and urgent.reference in body
    assert not [value for value in IDENTITY if value in body]


def test_it_shows_its_ern_only(client, world):
    nmd_patient = make_patient(world.nmd.hcp, hospital_number="ESS-1")
    other = submitted(world, patient=nmd_patient)
    mine = submitted(world)
    sign_in(client, world.triager)
    assert [panel.pk for panel in client.get(URL).context["page"]] == [mine.pk]
    sign_in(client, world.other_ern)
    assert [panel.pk for panel in client.get(URL).context["page"]] == [other.pk]


def test_it_filters_by_ern_and_thematic_area(client, world):
    ataxia = submitted(world, thematic_area=world.ataxia)
    submitted(world, thematic_area=world.ftd)
    sign_in(client, world.triager)
    page = client.get(URL, {"area": world.ataxia.pk}).context["page"]
    assert [panel.pk for panel in page] == [ataxia.pk]
    assert len(client.get(URL, {"ern": world.rnd.ern.pk}).context["page"]) == 2
    # Another ERN's id, or nonsense: an error on the filter, the whole queue, never a 500.
    for value in (world.nmd.ern.pk, "nonsense", "9" * 30):
        response = client.get(URL, {"ern": value, "area": value})
        assert response.status_code == 200 and len(response.context["page"]) == 2


def test_its_empty_states_offer_a_next_action(client, world):
    sign_in(client, world.triager)
    response = client.get(URL)
    assert b"No request waits for triage" in response.content
    assert reverse("clinical:dashboard").encode() in response.content
    response = client.get(URL, {"area": world.ftd.pk})
    assert b"No request matches these filters" in response.content


def test_it_pages_by_position_in_the_queue_order(world):
    same_time = ago(5)
    panels = [
        submitted(world, urgency=Urgency.URGENT, submitted_at=ago(1)),
        submitted(world, urgency=Urgency.URGENT, submitted_at=same_time),
        submitted(world, urgency=Urgency.URGENT, submitted_at=same_time),
        submitted(world, submitted_at=ago(9)),
        submitted(world, submitted_at=ago(3)),
    ]
    expected = [panels[1].pk, panels[2].pk, panels[0].pk, panels[3].pk, panels[4].pk]
    access = access_of(world.triager)
    seen, cursor = [], ""
    while True:
        page = page_of_requests(access, after=cursor, size=2)
        seen += [panel.pk for panel in page]
        if not page.has_next:
            break
        cursor = page.next_cursor
    assert seen == expected
    back = page_of_requests(access, before=page.previous_cursor, size=2)
    assert [panel.pk for panel in back] == expected[2:4]


@pytest.mark.parametrize("cursor", ["", "2-1-1", "1-x-1", "1-1", "1-" + "9" * 40 + "-1", "0-1-0", "é"])
def test_a_hostile_cursor_is_the_first_page(client, world, cursor):
    assert QueueCursor.parse(cursor) is None
    submitted(world)
    sign_in(client, world.triager)
    response = client.get(URL, {"after": cursor, "before": cursor})
    assert response.status_code == 200 and len(response.context["page"]) == 1


def test_its_queries_do_not_grow_with_the_rows(client, world, django_assert_num_queries):
    submitted(world)
    sign_in(client, world.triager)
    client.get(URL)
    with django_assert_num_queries(QUERIES):
        client.get(URL)
    for hours in range(30):
        submitted(world, thematic_area=world.ataxia, submitted_at=ago(hours))
    with django_assert_num_queries(QUERIES):
        response = client.get(URL)
    assert len(response.context["page"]) == 25 and response.context["page"].has_next
    with django_assert_num_queries(QUERIES):
        client.get(URL, {"after": response.context["page"].next_cursor})


def test_the_query_needs_a_triager(world):
    with pytest.raises(Http404):
        page_of_requests(access_of(world.expert))
