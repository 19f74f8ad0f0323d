"""The panels' section of the CPMS dashboard: counts of My panels, each a link to its list."""

from django.test import Client

from cpms.test import sign_in

from ..models import Contribution, Membership, PanelStatus, Urgency
from ..queries.dashboards import PanelCounts
from .dashboards_helpers import contribute, sign, submit_outcome
from .factories import add_member, make_panel

URL = "/cpms/"


def page_of(user) -> str:
    response = sign_in(Client(), user).get(URL)
    assert response.status_code == 200
    return response.content.decode().split('id="my-panels"', 1)[1]


def test_it_counts_the_invitations(world):
    section = page_of(world.invited)
    assert "1 invitation to answer</a>" in section and 'href="/cpms/panels/#my-invitations"' in section


def test_it_counts_the_tasks(world):
    make_panel(world.patient, world.enrolling, status=PanelStatus.RETURNED)
    contribute(world.panel, world.expert, kind=Contribution.Kind.INFORMATION_REQUEST)
    assert "2 questions to answer" in page_of(world.enrolling)
    assert "1 panel as panel lead" in page_of(world.enrolling)
    contribute(world.panel, world.expert)
    submit_outcome(world.panel)
    assert "1 outcome to sign" in page_of(world.expert)
    make_panel(world.patient, world.enrolling, status=PanelStatus.SUBMITTED)
    assert "1 request for assistance to triage" in page_of(world.triager)


def test_it_keeps_the_empty_state_for_someone_with_no_panel(world):
    section = page_of(world.other_centre)
    assert "No panels or invitations yet" in section and "Open My panels" not in section


def counts_and_lists(user):
    """The dashboard's counts (its hand-written query) and My panels' lists (their querysets)."""
    client = sign_in(Client(), user)
    dashboard, mine = client.get(URL), client.get("/cpms/panels/")
    counts = next(s.context["counts"] for s in dashboard.context["sections"] if "counts" in s.context)
    return counts, mine.context["mine"]


def test_it_counts_what_my_panels_lists_for_everyone(world):
    """The counts are SQL of their own: they must say what the lists hold, state by state."""
    for urgency in (Urgency.URGENT, Urgency.ROUTINE):
        for status in (PanelStatus.DRAFT, PanelStatus.SUBMITTED, PanelStatus.RETURNED, PanelStatus.CLOSED):
            make_panel(world.patient, world.enrolling, status=status, urgency=urgency)
        panel = make_panel(world.patient, world.enrolling, urgency=urgency, lead=world.expert)
        add_member(panel, world.invited)
        add_member(panel, world.guest_member, status=Membership.Status.INVITED)
        add_member(panel, world.triager, status=Membership.Status.REMOVED)
        contribute(panel, world.invited)
        asked = contribute(panel, world.invited, kind=Contribution.Kind.INFORMATION_REQUEST)
        contribute(panel, world.enrolling, kind=Contribution.Kind.INFORMATION_ANSWER, answers=asked)
        contribute(panel, world.expert, kind=Contribution.Kind.INFORMATION_REQUEST)
        first = submit_outcome(panel)
        sign(first, world.invited)
        submit_outcome(panel, number=2)
    archived = make_panel(world.patient, world.enrolling, status=PanelStatus.ARCHIVED)
    add_member(archived, world.expert)
    for name in ("enrolling", "expert", "invited", "guest_member", "triager", "dispatcher", "other_centre"):
        counts, mine = counts_and_lists(getattr(world, name))
        totals = PanelCounts(
            as_lead=mine.as_lead.total,
            as_member=mine.as_member.total,
            requests=mine.requests.total,
            invitations=mine.invitations.total,
            to_answer=mine.returned.total + mine.information_requests.total,
            to_sign=mine.to_sign.total,
            to_triage=mine.to_triage.total,
        )
        assert counts == totals, name
    counts, _ = counts_and_lists(world.enrolling)
    assert (counts.requests, counts.to_answer, counts.as_lead) == (4, 4, 3)
    assert counts_and_lists(world.invited)[0].to_sign == 2  # version 2, on each of the two panels
