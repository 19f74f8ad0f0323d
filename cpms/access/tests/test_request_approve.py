from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from cpms.access.actions.validation import do_approve_access_request
from cpms.access.models import AccessRequest, Grant
from cpms.access.queries.grants import has_active_grant
from cpms.access.tests.factories import (
    make_administrator,
    make_coordinator,
    make_grant,
    make_request,
)
from cpms.audit.models import AuditEvent
from cpms.test import sign_in

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def url(access_request) -> str:
    return reverse("access:request-approve", args=[access_request.pk])


def approve(client, access_request, note="", capture=None):
    with capture(execute=True):
        return client.post(url(access_request), {"approve-note": note})


def test_it_asks_anonymous_users_to_sign_in(client, pending):
    response = client.post(url(pending))
    assert response.status_code == 302
    assert response.url.startswith(reverse("identity:login"))
    pending.refresh_from_db()
    assert pending.status == AccessRequest.Status.PENDING


def test_it_only_accepts_post(client, coordinator, pending):
    sign_in(client, coordinator)
    assert client.get(url(pending)).status_code == 405


def test_it_approves_and_tells_the_requester(
    client, coordinator, pending, alice, rnd, django_capture_on_commit_callbacks
):
    sign_in(client, coordinator)
    response = approve(client, pending, "Welcome!", django_capture_on_commit_callbacks)
    assert response.status_code == 302
    assert response.url == reverse("access:validation-queue")
    pending.refresh_from_db()
    assert pending.status == AccessRequest.Status.APPROVED
    assert pending.decided_by == coordinator and pending.decided_at is not None
    assert pending.decision_note == "Welcome!"
    grant = Grant.objects.get(request=pending)
    assert (grant.user, grant.application, grant.organisation, grant.ern) == (
        alice,
        rnd.application,
        rnd.hcp,
        rnd.ern,
    )
    assert grant.profile.code == "hp" and grant.approved_by == coordinator and grant.expires_at is None
    assert has_active_grant(alice)
    event = AuditEvent.objects.get(action="access.request.approved")
    assert event.actor_id == coordinator.pk and event.target_id == str(pending.pk)
    assert event.data["grant"] == grant.pk
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["alice@example.org"]
    assert "approved" in message.subject
    assert "DE22 - University Hospital and Faculty of Medicine Tubingen" in message.body
    assert "Welcome!" in message.body


def test_it_gives_guests_access_for_90_days_in_their_language(
    client, coordinator, charlie, rnd, django_capture_on_commit_callbacks
):
    guest_request = make_request(charlie, rnd.guest, "hp")
    sign_in(client, coordinator)
    with time_machine.travel(NOW, tick=False):
        approve(client, guest_request, capture=django_capture_on_commit_callbacks)
    grant = Grant.objects.get(request=guest_request)
    assert grant.expires_at == NOW + timedelta(days=90)
    body = mail.outbox[0].body
    assert "31 mai 2026" in body  # charlie reads e-mail in French: the date is French
    with time_machine.travel(NOW + timedelta(days=89), tick=False):
        assert has_active_grant(charlie)
    with time_machine.travel(NOW + timedelta(days=90, seconds=1), tick=False):
        assert not has_active_grant(charlie)


def test_it_refuses_a_coordinator_of_another_ern(client, charlie, nmd, pending):
    make_coordinator(charlie, nmd.hcp)
    sign_in(client, charlie)
    assert client.post(url(pending)).status_code == 404
    pending.refresh_from_db()
    assert pending.status == AccessRequest.Status.PENDING
    assert not Grant.objects.filter(request=pending).exists()


def test_it_refuses_people_who_validate_nothing_and_missing_requests(client, alice, charlie, pending):
    sign_in(client, charlie)
    assert client.post(url(pending)).status_code == 404
    sign_in(client, alice)  # the requester
    assert client.post(url(pending)).status_code == 404
    assert client.post(reverse("access:request-approve", args=[99999])).status_code == 404
    assert not Grant.objects.exists()


def test_it_refuses_a_coordinator_whose_grant_was_revoked(client, coordinator, pending):
    sign_in(client, coordinator)
    coordinator.grants.filter(profile__code="coordinator").update(revoked_at=timezone.now())
    assert client.post(url(pending)).status_code == 404
    assert not Grant.objects.filter(request=pending).exists()


def test_it_refuses_a_coordinator_whose_hp_grant_was_revoked(client, coordinator, pending):
    sign_in(client, coordinator)
    coordinator.grants.filter(profile__code="hp").update(revoked_at=timezone.now())
    assert client.post(url(pending)).status_code == 404
    with pytest.raises(PermissionDenied):
        do_approve_access_request(acting_user=coordinator, access_request=pending)
    assert not Grant.objects.filter(request=pending).exists()


def test_it_lets_administrators_approve_any_request(client, charlie, nmd, django_capture_on_commit_callbacks):
    admin = make_administrator()
    request_nmd = make_request(charlie, nmd.hcp, "researcher")
    sign_in(client, admin)
    approve(client, request_nmd, capture=django_capture_on_commit_callbacks)
    assert Grant.objects.get(request=request_nmd).approved_by == admin


def test_it_refuses_my_own_request(client, coordinator, rnd, django_capture_on_commit_callbacks):
    own = make_request(coordinator, rnd.guest, "researcher")
    sign_in(client, coordinator)
    response = approve(client, own, capture=django_capture_on_commit_callbacks)
    assert response.status_code == 302
    assert response.url == reverse("access:validation-detail", args=[own.pk])
    page = client.get(response.url).content.decode()
    assert "Nobody decides their own request" in page
    own.refresh_from_db()
    assert own.status == AccessRequest.Status.PENDING
    assert not Grant.objects.filter(request=own).exists()
    assert mail.outbox == []


@pytest.mark.parametrize("status", ["approved", "rejected", "withdrawn"])
def test_it_changes_nothing_on_a_decided_request(client, coordinator, alice, rnd, status):
    decided = make_request(alice, rnd.hcp, status=status)
    sign_in(client, coordinator)
    response = client.post(url(decided), follow=True)
    assert "nothing was changed" in response.content.decode()
    decided.refresh_from_db()
    assert decided.status == status and decided.decided_by is None
    assert not Grant.objects.filter(request=decided).exists()


def test_it_approves_only_once(client, coordinator, pending, django_capture_on_commit_callbacks):
    sign_in(client, coordinator)
    approve(client, pending, capture=django_capture_on_commit_callbacks)
    response = approve(client, pending, capture=django_capture_on_commit_callbacks)
    assert response.url == reverse("access:validation-detail", args=[pending.pk])
    assert Grant.objects.filter(request=pending).count() == 1
    assert len(mail.outbox) == 1


@pytest.mark.parametrize("profile_code", ["coordinator", "dispatcher"])
def test_it_requires_an_hp_grant_in_the_same_ern(
    client, coordinator, alice, rnd, nmd, profile_code, django_capture_on_commit_callbacks
):
    asked = make_request(alice, rnd.hcp, profile_code)
    sign_in(client, coordinator)
    make_grant(alice, nmd.hcp, "hp")  # HP in another ERN does not count
    make_grant(alice, rnd.hcp, "hp", revoked_at=timezone.now())  # nor a revoked one
    make_grant(alice, rnd.guest, "hp", expires_at=timezone.now() - timedelta(days=1))  # nor an expired one
    response = approve(client, asked, capture=django_capture_on_commit_callbacks)
    assert response.url == reverse("access:validation-detail", args=[asked.pk])
    page = client.get(response.url).content.decode()
    assert "needs an active HP access in ERN-RND - Neurological Diseases" in page
    assert not Grant.objects.filter(request=asked).exists()
    make_grant(alice, rnd.guest, "hp")
    approve(client, asked, capture=django_capture_on_commit_callbacks)
    assert Grant.objects.get(request=asked).profile.code == profile_code


def test_it_refuses_to_grant_the_same_access_twice(client, coordinator, alice, rnd, pending):
    make_grant(alice, rnd.hcp, "hp")
    sign_in(client, coordinator)
    response = client.post(url(pending), follow=True)
    assert "already holds this access" in response.content.decode()
    assert not Grant.objects.filter(request=pending).exists()


def test_it_refuses_a_note_too_long(client, coordinator, pending):
    sign_in(client, coordinator)
    response = client.post(url(pending), {"approve-note": "x" * 2001})
    assert response.status_code == 400
    assert "at most 2000 characters" in response.content.decode()
    pending.refresh_from_db()
    assert pending.status == AccessRequest.Status.PENDING


def test_the_action_rechecks_permissions(charlie, nmd, rnd, pending):
    make_coordinator(charlie, nmd.hcp)
    with pytest.raises(PermissionDenied):
        do_approve_access_request(acting_user=charlie, access_request=pending)
    admin = make_administrator()
    own = make_request(admin, rnd.guest)
    with pytest.raises(ValidationError, match="their own request"):
        do_approve_access_request(acting_user=admin, access_request=own)
