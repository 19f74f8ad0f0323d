import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from cpms.test import sign_in

from ..models import Contribution, Membership, PanelStatus, Urgency
from .dashboards_helpers import contribute, sign, submit_outcome
from .factories import add_member, make_panel

URL = "/cpms/panels/"
# Session, user, grants, clinician profile, then one query per list
# rows to show (as lead, as member, my requests, invitations, returned, information requests, to
# sign: each one query, its places a subquery, for everyone), the navigation's centres, the header's
# unread notifications. More rows never cost one more.
QUERIES = {"enrolling": 11, "expert": 11, "invited": 11}
# A coordinator: the same lists, and the requests to triage with their ERNs.
TRIAGER_QUERIES = 13


def section(page: str, heading_id: str) -> str:
    """The text from a section's heading to the next heading of the same page."""
    after = page.split(f'id="{heading_id}"', 1)[1]
    return after.split("<h2", 1)[0].split("<h3", 1)[0]


def get(client, user) -> str:
    client = sign_in(Client(), user)
    response = client.get(URL)
    assert response.status_code == 200
    return response.content.decode()


def test_it_is_the_panels_entry_of_the_navigation():
    assert reverse("panels:my-panels") == URL


def test_it_sends_anonymous_visitors_to_sign_in(client, world):
    response = client.get(URL)
    assert response.status_code == 302 and response.url.startswith(reverse("identity:login"))


def test_it_shows_the_lead_their_panel_and_the_members_theirs(client, world):
    reference = world.panel.reference
    assert reference in section(get(client, world.enrolling), "as-lead")
    page = get(client, world.expert)
    assert reference in section(page, "as-member")
    assert reference not in section(page, "as-lead")


def test_it_shows_invitations_to_the_invited(client, world):
    page = get(client, world.invited)
    invitations = section(page, "my-invitations")
    assert world.panel.reference in invitations and "accept or decline" in invitations
    assert world.panel.reference not in section(page, "as-member")


def test_it_shows_the_triagers_the_submitted_requests_of_their_ern_urgent_first(client, world):
    routine = make_panel(world.patient, world.enrolling, status=PanelStatus.SUBMITTED)
    urgent = make_panel(world.patient, world.enrolling, status=PanelStatus.SUBMITTED, urgency=Urgency.URGENT)
    draft = make_panel(world.patient, world.enrolling, status=PanelStatus.DRAFT)
    for role in ("triager", "dispatcher"):
        to_triage = section(get(client, getattr(world, role)), "to-triage")
        assert to_triage.index(urgent.reference) < to_triage.index(routine.reference)
        assert draft.reference not in to_triage and world.panel.reference not in to_triage
    assert 'id="to-triage"' not in get(client, world.expert)


def test_it_lists_the_requesters_drafts_and_submitted_requests(client, world):
    draft = make_panel(world.patient, world.enrolling, status=PanelStatus.DRAFT)
    submitted = make_panel(world.patient, world.enrolling, status=PanelStatus.SUBMITTED)
    requests = section(get(client, world.enrolling), "my-requests")
    assert draft.reference in requests and "submit it when it is ready" in requests
    assert submitted.reference in requests


def test_it_asks_the_requester_to_answer_a_returned_request(client, world):
    returned = make_panel(world.patient, world.enrolling, status=PanelStatus.RETURNED)
    to_answer = section(get(client, world.enrolling), "to-answer")
    assert returned.reference in to_answer and "returned with a question" in to_answer


def test_it_names_each_state_in_the_users_language(client, world):
    returned = make_panel(world.patient, world.enrolling, status=PanelStatus.RETURNED)
    assert "Returned to the requester" in section(get(client, world.enrolling), "to-answer")
    with translation.override("fr"):
        assert returned.get_status_display() == "Renvoyé au demandeur"
    returned.status = "unknown"  # not a state: shown as stored, as Django's own display does
    assert returned.get_status_display() == "unknown"


def test_it_asks_the_requester_for_the_information_a_member_asked(client, world):
    asked = contribute(world.panel, world.expert, kind=Contribution.Kind.INFORMATION_REQUEST)
    to_answer = section(get(client, world.enrolling), "to-answer")
    assert world.panel.reference in to_answer and "Erik Larsen asked for more information" in to_answer
    contribute(world.panel, world.enrolling, kind=Contribution.Kind.INFORMATION_ANSWER, answers=asked)
    assert world.panel.reference not in section(get(client, world.enrolling), "to-answer")


def test_it_asks_the_members_who_contributed_to_sign_the_last_version(client, world):
    contribute(world.panel, world.expert)
    first = submit_outcome(world.panel)
    assert world.panel.reference in section(get(client, world.expert), "to-sign")
    # a member who did not contribute, and the lead who drafted it, have nothing to sign
    assert world.panel.reference not in section(get(client, world.guest_member), "to-sign")
    assert world.panel.reference not in section(get(client, world.enrolling), "to-sign")
    second = submit_outcome(world.panel, number=2)
    sign(first, world.expert)  # an answer to the replaced version does not count
    to_sign = section(get(client, world.expert), "to-sign")
    assert "Outcome version 2 is ready" in to_sign and "version 1" not in to_sign
    sign(second, world.expert)
    assert world.panel.reference not in section(get(client, world.expert), "to-sign")


def test_it_forgets_a_removed_member(client, world):
    Membership.objects.filter(panel=world.panel, user=world.expert).update(status=Membership.Status.REMOVED)
    assert world.panel.reference not in get(client, world.expert)


@pytest.mark.parametrize("role", ("other_centre", "guest", "researcher", "other_ern"))
def test_it_shows_nothing_of_other_peoples_panels(client, world, role):
    make_panel(world.patient, world.enrolling, status=PanelStatus.SUBMITTED)
    page = get(client, getattr(world, role))
    assert "No panels or invitations yet" in page and 'class="cpms-empty-state"' in page
    assert "P-0" not in page and world.patient.pseudonym not in page


def test_it_puts_urgent_panels_first(client, world):
    urgent = make_panel(world.patient, world.enrolling, urgency=Urgency.URGENT)
    later = make_panel(world.patient, world.enrolling)  # newer, but routine
    as_lead = section(get(client, world.enrolling), "as-lead")
    assert as_lead.index(urgent.reference) < as_lead.index(later.reference)


def test_it_shows_the_first_rows_and_how_many_more(client, world):
    for _ in range(12):
        make_panel(world.patient, world.enrolling)
    as_lead = section(get(client, world.enrolling), "as-lead")
    assert ">13</span>" in as_lead and "And 3 more." in as_lead


def test_it_links_the_triagers_to_their_erns_dashboard(client, world):
    page = get(client, world.triager)
    assert reverse("panels:ern-dashboard", args=[world.panel.ern_id]) in page


def many_rows(world, count: int) -> None:
    for index in range(count):
        urgency = Urgency.URGENT if index % 2 else Urgency.ROUTINE
        for status in (PanelStatus.SUBMITTED, PanelStatus.RETURNED, PanelStatus.DRAFT):
            make_panel(world.patient, world.enrolling, status=status, urgency=urgency)
        panel = make_panel(
            world.patient, world.enrolling, urgency=urgency, wished_answer_date=datetime.date(2026, 1, 1)
        )
        add_member(panel, world.expert)
        add_member(panel, world.invited, status=Membership.Status.INVITED)
        contribute(panel, world.expert)
        contribute(panel, world.expert, kind=Contribution.Kind.INFORMATION_REQUEST)
        submit_outcome(panel)


@pytest.mark.parametrize("role", ("enrolling", "expert", "invited"))
def test_its_queries_are_a_fixed_few_whatever_the_rows(client, world, role, django_assert_num_queries):
    user = getattr(world, role)
    sign_in(client, user)
    client.get(URL)
    with django_assert_num_queries(QUERIES[role]):
        client.get(URL)
    many_rows(world, 15)
    with django_assert_num_queries(QUERIES[role]):
        assert client.get(URL).status_code == 200


def test_its_queries_are_a_fixed_few_for_a_triager(client, world, django_assert_num_queries):
    sign_in(client, world.triager)
    client.get(URL)
    with django_assert_num_queries(TRIAGER_QUERIES):
        client.get(URL)
    many_rows(world, 15)
    with django_assert_num_queries(TRIAGER_QUERIES):
        page = client.get(URL).content.decode()
    assert "And 5 more." in section(page, "to-triage")
