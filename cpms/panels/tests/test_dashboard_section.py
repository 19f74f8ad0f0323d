"""The panels' section of the CPMS dashboard: counts of My panels, each a link to its list."""

from django.test import Client

from cpms.test import sign_in

from ..models import Contribution, PanelStatus
from .dashboards_helpers import contribute, submit_outcome
from .factories import make_panel

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
