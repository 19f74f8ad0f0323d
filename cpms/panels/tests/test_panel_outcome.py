import pytest

from cpms.audit.models import AuditEvent
from cpms.test import sign_in

from ..actions.outcome import do_submit_outcome
from ..models import OutcomeVersion, PanelStatus
from .outcome_helpers import (
    FINDINGS,
    RECOMMENDATIONS,
    contribute,
    draft,
    remove,
    signed,
    store_in,
    submitted,
    url,
)

READERS = ("enrolling", "expert", "guest_member", "triager", "dispatcher")
OUTSIDE = ("other_centre", "guest", "researcher", "other_ern")
# Session and user, the gate (grants, profile and navigation centres in one), the panel, the membership, the
# audit row, the versions, the change requests, the signoffs, the signers, the unread notifications.
QUERIES = 11


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    store_in(settings, tmp_path)


def post_draft(client, panel, **changes):
    data = {"findings": FINDINGS, "recommendations": RECOMMENDATIONS, "treatment_plan": "", "follow_up": ""}
    return client.post(url("panel-outcome", panel), {**data, **changes}, follow=True)


def test_it_sends_anonymous_visitors_to_sign_in(client, world):
    response = client.get(url("panel-outcome", world.panel))
    assert response.status_code == 302 and "/login" in response.url


@pytest.mark.parametrize("role", READERS)
def test_it_shows_the_outcome_to_the_people_who_read_the_case(client, world, role):
    draft(world.panel, world.enrolling)
    sign_in(client, getattr(world, role))
    response = client.get(url("panel-outcome", world.panel))
    assert response.status_code == 200
    assert FINDINGS.encode() in response.content


@pytest.mark.parametrize("role", OUTSIDE)
def test_it_answers_404_off_the_panel(client, world, role):
    sign_in(client, getattr(world, role))
    assert client.get(url("panel-outcome", world.panel)).status_code == 404
    assert post_draft(client, world.panel).status_code == 404


def test_an_invitee_sees_the_invitation_only(client, world):
    sign_in(client, world.invited)
    assert client.get(url("panel-outcome", world.panel)).status_code == 403


def test_a_removed_member_loses_it(client, world):
    remove(world.panel, world.expert)
    sign_in(client, world.expert)
    assert client.get(url("panel-outcome", world.panel)).status_code == 404


def test_the_lead_drafts_in_versions(client, world):
    sign_in(client, world.enrolling)
    response = post_draft(client, world.panel)
    assert "Version 1 of the outcome saved." in response.content.decode()
    post_draft(client, world.panel, follow_up="See again in six months.")
    versions = list(OutcomeVersion.objects.filter(panel=world.panel).order_by("number"))
    assert [v.number for v in versions] == [1, 2]
    assert versions[1].follow_up == "See again in six months." and versions[0].follow_up == ""
    event = AuditEvent.objects.filter(action="panels.outcome.drafted").order_by("-id").first()
    assert event.data["version"] == 2 and event.data["changed"] == ["follow_up"]
    page = client.get(url("panel-outcome", world.panel)).content.decode()
    assert "What changed in version 2" in page


def test_saving_the_same_text_makes_no_version(client, world):
    sign_in(client, world.enrolling)
    post_draft(client, world.panel)
    response = post_draft(client, world.panel)
    assert "Nothing changed since version 1: no new version was made." in response.content.decode()
    assert OutcomeVersion.objects.filter(panel=world.panel).count() == 1


@pytest.mark.parametrize("role", ("expert", "guest_member", "triager"))
def test_only_the_lead_drafts(client, world, role):
    sign_in(client, getattr(world, role))
    assert post_draft(client, world.panel).status_code == 403
    assert not OutcomeVersion.objects.exists()


def test_an_empty_or_hostile_post_says_what_is_missing(client, world):
    sign_in(client, world.enrolling)
    response = client.post(url("panel-outcome", world.panel), {"findings": "x" * 30000})
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    assert not OutcomeVersion.objects.exists()


@pytest.mark.parametrize("status", (PanelStatus.CLOSED, PanelStatus.ARCHIVED))
def test_only_an_open_panel_is_drafted(client, world, status):
    world.panel.status = status
    world.panel.save()
    sign_in(client, world.enrolling)
    response = post_draft(client, world.panel)
    assert (
        f"This panel is {world.panel.get_status_display()}: it cannot do that now."
        in response.content.decode()
    )
    assert not OutcomeVersion.objects.exists()


def test_a_signed_outcome_is_not_drafted_again(client, world):
    signed(world)
    sign_in(client, world.enrolling)
    response = post_draft(client, world.panel, findings="Something else.")
    assert "The outcome is signed: it cannot change any more." in response.content.decode()


def test_it_audits_each_read(client, world):
    sign_in(client, world.expert)
    client.get(url("panel-outcome", world.panel))
    event = AuditEvent.objects.get(action="panels.panel.viewed")
    assert event.data == {"pseudonym": world.patient.pseudonym, "what": "panels:panel-outcome"}


def test_its_queries_are_a_fixed_few(client, world, django_assert_num_queries):
    submitted(world, world.expert)
    sign_in(client, world.expert)
    client.get(url("panel-outcome", world.panel))
    draft(world.panel, world.enrolling, follow_up="In a year.")
    contribute(world.panel, world.guest_member)
    do_submit_outcome(acting_user=world.enrolling, panel=world.panel)
    with django_assert_num_queries(QUERIES):
        response = client.get(url("panel-outcome", world.panel))
    assert response.status_code == 200
