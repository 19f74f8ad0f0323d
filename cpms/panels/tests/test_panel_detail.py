import pytest
from django.urls import reverse
from django.utils import timezone

from cpms.access.models import Grant
from cpms.audit.models import AuditEvent
from cpms.test import sign_in

from ..models import Membership, PanelStatus
from .factories import make_panel

INSIDE = ("enrolling", "expert", "guest_member", "invited", "triager", "dispatcher")
# Session and user, the gate (grants, profile and navigation centres in one), the header's unread
# notifications, the panel, the membership, the audit row, the triage thread; the panel's meetings
# (upcoming, and the notes of past ones: cpms/meetings/templatetags/meetings_panel.py).
QUERIES = 10
OUTSIDE = ("other_centre", "guest", "researcher", "other_ern")


def url(panel) -> str:
    return reverse("panels:panel-detail", args=[panel.pk])


def test_it_sends_anonymous_visitors_to_sign_in(client, world):
    response = client.get(url(world.panel))
    assert response.status_code == 302 and response.url.startswith(reverse("identity:login"))


@pytest.mark.parametrize("role", INSIDE)
def test_it_shows_the_panel_to_the_people_on_it(client, world, role):
    sign_in(client, getattr(world, role))
    response = client.get(url(world.panel))
    assert response.status_code == 200
    assert world.patient.pseudonym.encode() in response.content
    assert b"Is this an early-onset SCA?" in response.content


@pytest.mark.parametrize("role", OUTSIDE)
def test_it_answers_404_to_everyone_else(client, world, role):
    sign_in(client, getattr(world, role))
    assert client.get(url(world.panel)).status_code == 404


def test_it_answers_404_for_a_missing_panel(client, world):
    sign_in(client, world.enrolling)
    assert client.get(reverse("panels:panel-detail", args=[world.panel.pk + 1000])).status_code == 404


@pytest.mark.parametrize("status", [Membership.Status.REMOVED, Membership.Status.DECLINED])
def test_a_member_who_left_loses_access_on_the_next_request(client, world, status):
    sign_in(client, world.expert)
    assert client.get(url(world.panel)).status_code == 200
    Membership.objects.filter(panel=world.panel, user=world.expert).update(status=status)
    assert client.get(url(world.panel)).status_code == 404


def test_a_draft_is_its_requesters_alone(client, world):
    draft = make_panel(world.patient, world.enrolling, status=PanelStatus.DRAFT)
    sign_in(client, world.triager)
    assert client.get(url(draft)).status_code == 404
    sign_in(client, world.enrolling)
    assert client.get(url(draft)).status_code == 200


def test_the_requester_loses_it_with_their_hp_grant(client, world):
    sign_in(client, world.enrolling)
    Grant.objects.filter(user=world.enrolling).update(revoked_at=timezone.now())
    response = client.get(url(world.panel))
    assert response.status_code == 302 and response.url == reverse("clinical:no-access")


def test_it_audits_each_read(client, world):
    sign_in(client, world.expert)
    client.get(url(world.panel))
    event = AuditEvent.objects.get(action="panels.panel.viewed")
    assert event.actor_id == world.expert.pk
    assert event.data == {"pseudonym": world.patient.pseudonym, "what": "panels:panel-detail"}


def test_its_queries_are_a_fixed_few(client, world, django_assert_num_queries):
    sign_in(client, world.expert)
    client.get(url(world.panel))
    make_panel(world.patient, world.enrolling)
    with django_assert_num_queries(QUERIES):
        client.get(url(world.panel))


def test_it_shows_how_long_each_step_took(client, world):
    panel = world.panel
    panel.submitted_at = timezone.now() - timezone.timedelta(days=5)
    panel.accepted_at = panel.submitted_at + timezone.timedelta(days=1)
    panel.first_contribution_at = panel.accepted_at + timezone.timedelta(days=2)
    panel.save()
    sign_in(client, world.expert)
    page = client.get(url(panel)).content.decode()
    assert "1\xa0day after submission" in page and "2\xa0days after acceptance" in page


def test_it_offers_the_archive_of_a_closed_panel_to_its_lead_and_the_erns_coordinators(client, world):
    Panel = type(world.panel)
    Panel.objects.unscoped().filter(pk=world.panel.pk).update(status=PanelStatus.CLOSED)
    archive = reverse("panels:panel-archive", args=[world.panel.pk])
    for role, offered in (("enrolling", True), ("triager", True), ("expert", False)):
        sign_in(client, getattr(world, role))
        assert (archive in client.get(url(world.panel)).content.decode()) is offered, role
