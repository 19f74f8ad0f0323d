import pytest

from cpms.audit.models import AuditEvent
from cpms.patients.models import Patient
from cpms.patients.models.patient import ConsentStatus
from cpms.test import sign_in

from ..models import Membership, Notification, PanelStatus
from .outcome_helpers import contribute, draft, messages_of, notified, signed, store_in, url

TWO_NEEDED = (
    "Only 1 member has contributed to the discussion: a panel closes once at least two members "
    "have contributed (panels with fewer are not counted in monitoring)."
)
NOT_SIGNED = (
    "The outcome is not signed yet: every member who contributed, and the panel lead, signs it first."
)
# Session and user, the gate (grants, profile and navigation centres in one), the panel, the membership, the
# audit row, the contributing members, the signed version, the unread notifications.
QUERIES = 9


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    store_in(settings, tmp_path)


def close(client, world):
    return client.post(url("panel-close", world.panel), follow=True)


def test_the_lead_closes_a_panel_with_two_contributors_and_a_signed_outcome(client, world):
    signed(world)
    sign_in(client, world.enrolling)
    page = client.get(url("panel-close", world.panel)).content.decode()
    assert "2 members contributed to the discussion." in page and "cannot close yet" not in page
    response = close(client, world)
    assert "The panel is closed." in messages_of(response)
    world.panel.refresh_from_db()
    assert world.panel.status == PanelStatus.CLOSED and world.panel.closed_at is not None
    assert notified(Notification.Kind.CLOSED) == {world.expert.pk, world.guest_member.pk}
    assert AuditEvent.objects.get(action="panels.panel.closed").data["contributing_members"] == 2


def test_the_page_says_why_it_cannot_close_yet(client, world):
    contribute(world.panel, world.expert, world.expert)  # two contributions, one member
    sign_in(client, world.enrolling)
    page = client.get(url("panel-close", world.panel)).content.decode()
    assert "This panel cannot close yet:" in page
    assert TWO_NEEDED in page and NOT_SIGNED in page


def test_closing_with_fewer_than_two_contributions_is_refused_with_the_message(client, world):
    contribute(world.panel, world.expert)
    sign_in(client, world.enrolling)
    response = close(client, world)
    assert f"{TWO_NEEDED} {NOT_SIGNED}" in messages_of(response)
    world.panel.refresh_from_db()
    assert world.panel.status == PanelStatus.OPEN and world.panel.closed_at is None
    assert not notified(Notification.Kind.CLOSED)


def test_a_removed_contributor_does_not_count(client, world):
    signed(world)
    Membership.objects.filter(panel=world.panel, user=world.guest_member).update(
        status=Membership.Status.REMOVED
    )
    sign_in(client, world.enrolling)
    assert TWO_NEEDED in client.get(url("panel-close", world.panel)).content.decode()


def test_two_contributors_without_a_signed_outcome_do_not_close(client, world):
    contribute(world.panel, world.expert, world.guest_member)
    draft(world.panel, world.enrolling)
    sign_in(client, world.enrolling)
    assert messages_of(close(client, world)) == [NOT_SIGNED]


@pytest.mark.parametrize("role", ("expert", "guest_member", "triager", "dispatcher", "invited"))
def test_only_the_lead_closes(client, world, role):
    signed(world)
    sign_in(client, getattr(world, role))
    assert client.get(url("panel-close", world.panel)).status_code == 403
    assert client.post(url("panel-close", world.panel)).status_code == 403
    world.panel.refresh_from_db()
    assert world.panel.status == PanelStatus.OPEN


@pytest.mark.parametrize("role", ("other_centre", "guest", "other_ern"))
def test_it_answers_404_off_the_panel(client, world, role):
    sign_in(client, getattr(world, role))
    assert client.get(url("panel-close", world.panel)).status_code == 404


def test_a_closed_panel_does_not_close_again(client, world):
    signed(world)
    sign_in(client, world.enrolling)
    close(client, world)
    assert "This panel is Closed: only an open panel closes." in messages_of(close(client, world))


def with_registries_consent(world, status=ConsentStatus.GIVEN):
    Patient.objects.unscoped().filter(pk=world.patient.pk).update(registries_consent=status)


def closed(client, world):
    signed(world)
    sign_in(client, world.enrolling)
    close(client, world)


def test_with_registries_consent_the_lead_sends_the_case_to_research(client, world):
    with_registries_consent(world)
    closed(client, world)
    assert "Send to the research store" in client.get(url("panel-close", world.panel)).content.decode()
    response = client.post(url("panel-send-to-research", world.panel), follow=True)
    assert "The anonymised case was sent to the research store." in messages_of(response)
    world.panel.refresh_from_db()
    assert world.panel.sent_to_research_at is not None
    assert (
        AuditEvent.objects.get(action="panels.panel.sent_to_research").data["reference"]
        == world.panel.reference
    )
    response = client.post(url("panel-send-to-research", world.panel), follow=True)
    assert "This case was already sent to the research store." in messages_of(response)


@pytest.mark.parametrize("status", (ConsentStatus.NOT_ASKED, ConsentStatus.WITHDRAWN))
def test_without_registries_consent_it_is_not_offered_nor_sent(client, world, status):
    with_registries_consent(world, status)
    closed(client, world)
    assert "Send to the research store" not in client.get(url("panel-close", world.panel)).content.decode()
    response = client.post(url("panel-send-to-research", world.panel), follow=True)
    assert messages_of(response) == [
        "The patient has not consented to ERN registries and databases: the case stays out of research."
    ]
    world.panel.refresh_from_db()
    assert world.panel.sent_to_research_at is None


def test_an_open_panel_is_not_sent_to_research(client, world):
    with_registries_consent(world)
    sign_in(client, world.enrolling)
    assert "Send to the research store" not in client.get(url("panel-close", world.panel)).content.decode()
    response = client.post(url("panel-send-to-research", world.panel), follow=True)
    assert "This panel is Open: it cannot do that now." in messages_of(response)


@pytest.mark.parametrize("role", ("expert", "triager"))
def test_only_the_lead_sends_to_research(client, world, role):
    with_registries_consent(world)
    closed(client, world)
    sign_in(client, getattr(world, role))
    assert client.post(url("panel-send-to-research", world.panel)).status_code == 403


def test_its_queries_are_a_fixed_few(client, world, django_assert_num_queries):
    contribute(world.panel, world.expert)
    sign_in(client, world.enrolling)
    client.get(url("panel-close", world.panel))
    contribute(world.panel, world.guest_member, world.expert)
    with django_assert_num_queries(QUERIES):
        client.get(url("panel-close", world.panel))
