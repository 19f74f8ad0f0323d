"""Withdraw a pending request, from My requests."""

import pytest

from cpms.access.models import AccessRequest
from cpms.access.tests.factories import make_request
from cpms.audit.models import AuditEvent
from cpms.test import sign_in

pytestmark = pytest.mark.django_db


def url(pk) -> str:
    return f"/access/my-requests/{pk}/withdraw/"


def test_it_asks_anonymous_users_to_sign_in(client, pending):
    response = client.post(url(pending.pk))
    assert response.status_code == 302
    assert response.url.startswith("/login/")
    pending.refresh_from_db()
    assert pending.status == AccessRequest.Status.PENDING


def test_it_withdraws_my_pending_request(client, alice, pending):
    sign_in(client, alice)
    response = client.post(url(pending.pk), follow=True)
    assert response.redirect_chain[-1][0] == "/access/my-requests/"
    assert "was withdrawn" in response.content.decode()
    pending.refresh_from_db()
    assert pending.status == AccessRequest.Status.WITHDRAWN
    assert pending.decided_by == alice and pending.decided_at is not None
    event = AuditEvent.objects.get(action="access.request.withdrawn")
    assert event.actor_id == alice.pk and event.target_id == str(pending.pk)
    # It can be asked for again.
    make_request(alice, pending.organisation, "hp")


def test_it_does_not_let_others_withdraw_it(client, bob, pending):
    sign_in(client, bob)
    assert client.post(url(pending.pk)).status_code == 404
    assert client.post(url(999999)).status_code == 404
    pending.refresh_from_db()
    assert pending.status == AccessRequest.Status.PENDING


def test_it_only_withdraws_pending_requests(client, alice, pending):
    pending.status = AccessRequest.Status.APPROVED
    pending.save()
    sign_in(client, alice)
    response = client.post(url(pending.pk), follow=True)
    assert "no longer waiting for validation" in response.content.decode()
    pending.refresh_from_db()
    assert pending.status == AccessRequest.Status.APPROVED
    assert not AuditEvent.objects.filter(action="access.request.withdrawn").exists()


def test_it_needs_a_post(client, alice, pending):
    sign_in(client, alice)
    assert client.get(url(pending.pk)).status_code == 405
