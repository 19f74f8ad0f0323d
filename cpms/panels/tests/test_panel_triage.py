import pytest
from django.urls import reverse
from django.utils import timezone

from cpms.access.models import Grant
from cpms.access.tests.factories import make_grant
from cpms.audit.models import AuditEvent
from cpms.patients.tests.factories import in_cpms
from cpms.test import make_user, sign_in

from ..models import Membership, Notification, PanelStatus, TriageNote
from .requests_helpers import draft, notified, submitted, with_areas


@pytest.fixture
def world(world):
    return with_areas(world)


def url(panel) -> str:
    return reverse("panels:panel-triage", args=[panel.pk])


def test_it_shows_the_request_and_the_three_decisions(client, world):
    panel = submitted(world)
    sign_in(client, world.dispatcher)
    response = client.get(url(panel))
    assert response.status_code == 200
    body = response.content.decode()
    assert (
        "Accept the request" in body and "Return with this question" in body and "Forward the request" in body
    )
    assert panel.question in body and world.patient.pseudonym in body
    assert "Mathilde" not in body


# -- accept


def test_accepting_opens_the_panel_led_by_the_requester(client, world):
    panel = submitted(world)
    sign_in(client, world.triager)
    response = client.post(url(panel), {"decision": "accept", "accept-lead": ""})
    assert response.status_code == 302 and response.url == reverse("panels:request-queue")
    panel.refresh_from_db()
    assert panel.status == PanelStatus.OPEN and panel.lead == world.enrolling and panel.accepted_at
    lead = Membership.objects.get(panel=panel, user=world.enrolling)
    assert (lead.role, lead.status, lead.via) == ("lead", "accepted", "lead")
    assert TriageNote.objects.filter(
        panel=panel, kind=TriageNote.Kind.ACCEPTED, author=world.triager
    ).exists()
    assert notified(Notification.Kind.ACCEPTED, panel) == {world.enrolling.pk}
    assert AuditEvent.objects.get(action="panels.panel.accepted").data["lead"] == world.enrolling.pk


def test_accepting_with_another_hp_of_the_ern_as_lead(client, world):
    panel = submitted(world)
    sign_in(client, world.triager)
    client.post(url(panel), {"decision": "accept", "accept-lead": world.expert.pk})
    panel.refresh_from_db()
    assert panel.lead == world.expert
    assert Membership.objects.get(panel=panel, user=world.expert).role == Membership.Role.LEAD
    assert notified(Notification.Kind.ACCEPTED, panel) == {world.enrolling.pk, world.expert.pk}


@pytest.mark.parametrize("who", ["guest", "other_ern", "researcher", "nobody"])
def test_the_lead_must_be_an_hp_of_the_ern(client, world, who):
    panel = submitted(world)
    lead = getattr(world, who, None)
    sign_in(client, world.triager)
    response = client.post(url(panel), {"decision": "accept", "accept-lead": lead.pk if lead else "999999"})
    assert response.status_code == 400 and "lead" in response.context["accept_form"].errors
    panel.refresh_from_db()
    assert panel.status == PanelStatus.SUBMITTED


# -- return


def test_returning_asks_the_requester_a_question(client, world):
    panel = submitted(world)
    sign_in(client, world.dispatcher)
    client.post(url(panel), {"decision": "return", "return-text": "Which variant was found?"})
    panel.refresh_from_db()
    assert panel.status == PanelStatus.RETURNED
    note = TriageNote.objects.get(panel=panel, kind=TriageNote.Kind.RETURNED)
    assert note.text == "Which variant was found?" and note.author == world.dispatcher
    assert notified(Notification.Kind.RETURNED, panel) == {world.enrolling.pk}
    assert AuditEvent.objects.filter(action="panels.panel.returned").exists()


def test_returning_needs_a_question(client, world):
    panel = submitted(world)
    sign_in(client, world.triager)
    response = client.post(url(panel), {"decision": "return", "return-text": ""})
    assert response.status_code == 400 and "text" in response.context["return_form"].errors
    panel.refresh_from_db()
    assert panel.status == PanelStatus.SUBMITTED


# -- forward


def test_forwarding_to_another_thematic_area(client, world):
    panel = submitted(world, thematic_area=world.ataxia)
    sign_in(client, world.triager)
    data = {"decision": "forward", "forward-ern": world.rnd.ern.pk, "forward-thematic_area": world.ftd.pk}
    client.post(url(panel), data)
    panel.refresh_from_db()
    assert panel.status == PanelStatus.SUBMITTED and panel.thematic_area == world.ftd
    note = TriageNote.objects.get(panel=panel, kind=TriageNote.Kind.FORWARDED)
    assert (note.from_area, note.to_area, note.from_ern, note.to_ern) == (
        world.ataxia,
        world.ftd,
        world.rnd.ern,
        world.rnd.ern,
    )
    assert notified(Notification.Kind.FORWARDED, panel) == {world.enrolling.pk, world.dispatcher.pk}
    event = AuditEvent.objects.get(action="panels.panel.forwarded")
    assert event.data["thematic_area"] == {"old": world.ataxia.pk, "new": world.ftd.pk}


def test_forwarding_to_another_ern_hands_it_over(client, world):
    panel = submitted(world)
    sign_in(client, world.triager)
    data = {
        "decision": "forward",
        "forward-ern": world.nmd.ern.pk,
        "forward-thematic_area": world.dystrophies.pk,
    }
    response = client.post(url(panel), data)
    assert response.status_code == 302
    panel.refresh_from_db()
    assert panel.ern == world.nmd.ern and panel.thematic_area == world.dystrophies
    assert notified(Notification.Kind.FORWARDED, panel) == {world.enrolling.pk, world.other_ern.pk}
    # The request is the other ERN's now: gone from this triager's reach, in the other's queue.
    assert client.get(url(panel)).status_code == 404
    sign_in(client, world.other_ern)
    assert [p.pk for p in client.get(reverse("panels:request-queue")).context["page"]] == [panel.pk]


def test_forwarding_needs_an_area_of_that_ern_and_a_change(client, world):
    panel = submitted(world, thematic_area=world.ataxia)
    sign_in(client, world.triager)
    wrong = {"decision": "forward", "forward-ern": world.nmd.ern.pk, "forward-thematic_area": world.ftd.pk}
    response = client.post(url(panel), wrong)
    assert response.status_code == 400 and "thematic_area" in response.context["forward_form"].errors
    same = {"decision": "forward", "forward-ern": world.rnd.ern.pk, "forward-thematic_area": world.ataxia.pk}
    response = client.post(url(panel), same, follow=True)
    assert b"The request is already there" in response.content
    assert not TriageNote.objects.filter(kind=TriageNote.Kind.FORWARDED).exists()


# -- who and when


@pytest.mark.parametrize("role", ["other_centre", "guest", "researcher", "other_ern"])
def test_people_outside_get_404(client, world, role):
    panel = submitted(world)
    sign_in(client, getattr(world, role))
    assert client.get(url(panel)).status_code == 404
    assert client.post(url(panel), {"decision": "accept"}).status_code == 404


def test_the_requester_does_not_triage_their_own_request(client, world):
    panel = submitted(world)
    sign_in(client, world.enrolling)
    assert client.get(url(panel)).status_code == 403
    assert client.post(url(panel), {"decision": "accept"}).status_code == 403
    panel.refresh_from_db()
    assert panel.status == PanelStatus.SUBMITTED


def test_a_member_of_an_open_panel_gets_403(client, world):
    sign_in(client, world.expert)
    assert client.post(url(world.panel), {"decision": "accept"}).status_code == 403


def test_a_draft_is_not_seen_by_triage(client, world):
    sign_in(client, world.triager)
    assert client.get(url(draft(world))).status_code == 404


@pytest.mark.parametrize("status", [PanelStatus.OPEN, PanelStatus.RETURNED, PanelStatus.CLOSED])
def test_only_a_submitted_request_is_triaged(client, world, status):
    panel = submitted(world)
    panel.status = status
    panel.save(update_fields=["status"])
    sign_in(client, world.triager)
    response = client.post(url(panel), {"decision": "return", "return-text": "?"}, follow=True)
    assert b"This request is not waiting for triage." in response.content
    panel.refresh_from_db()
    assert panel.status == status


def test_a_coordinator_whose_hp_grant_ended_triages_nothing(client, world):
    coordinator = in_cpms(make_user("ncoord02", "cora@example.org", "Cora", "Vidal"), world.de05)
    grant = make_grant(coordinator, world.de05, "coordinator")
    panel = submitted(world)
    sign_in(client, coordinator)
    assert client.get(url(panel)).status_code == 200
    Grant.objects.filter(user=coordinator).exclude(pk=grant.pk).update(revoked_at=timezone.now())
    response = client.get(url(panel))
    assert response.status_code == 302 and response.url == reverse("clinical:no-access")


def test_an_empty_or_hostile_post_is_a_400(client, world):
    panel = submitted(world)
    sign_in(client, world.triager)
    for data in ({}, {"decision": "explode"}, {"decision": "accept", "accept-lead": "<script>"}):
        assert client.post(url(panel), data).status_code == 400
    panel.refresh_from_db()
    assert panel.status == PanelStatus.SUBMITTED


def test_its_queries_are_a_fixed_few(client, world, django_assert_num_queries):
    panel = submitted(world)
    sign_in(client, world.triager)
    client.get(url(panel))
    # Session and user, the gate (grants, profile and navigation centres in one), the panel, the membership,
    # the audit row, the ERNs, the thematic areas, the HPs who may lead, the thread, the header's unread
    # notifications.
    with django_assert_num_queries(11):
        client.get(url(panel))
    for n in range(5):
        in_cpms(make_user(f"nhp{n:05d}", f"hp{n}@example.org", "Hp", f"N{n}"), world.de05)
    with django_assert_num_queries(11):
        client.get(url(panel))
