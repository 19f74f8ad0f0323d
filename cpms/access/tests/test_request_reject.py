import pytest
from django.core import mail
from django.urls import reverse

from cpms.access.models import AccessRequest, Grant
from cpms.access.tests.factories import make_administrator, make_coordinator, make_request
from cpms.audit.models import AuditEvent
from cpms.test import sign_in

pytestmark = pytest.mark.django_db

REASON = "Please request access at the hospital where you work."


def url(access_request) -> str:
    return reverse("access:request-reject", args=[access_request.pk])


@pytest.fixture
def pending(charlie, rnd):
    return make_request(charlie, rnd.hcp, "hp")


def reject(client, access_request, reason, capture):
    with capture(execute=True):
        return client.post(url(access_request), {"reject-reason": reason})


def test_it_asks_anonymous_users_to_sign_in(client, pending):
    response = client.post(url(pending), {"reject-reason": REASON})
    assert response.status_code == 302
    assert response.url.startswith(reverse("identity:login"))
    pending.refresh_from_db()
    assert pending.status == AccessRequest.Status.PENDING


def test_it_only_accepts_post(client, coordinator, pending):
    sign_in(client, coordinator)
    assert client.get(url(pending)).status_code == 405


def test_it_rejects_with_a_reason_and_tells_the_requester(
    client, coordinator, pending, django_capture_on_commit_callbacks
):
    sign_in(client, coordinator)
    response = reject(client, pending, f"  {REASON}  ", django_capture_on_commit_callbacks)
    assert response.status_code == 302
    assert response.url == reverse("access:validation-queue")
    pending.refresh_from_db()
    assert pending.status == AccessRequest.Status.REJECTED
    assert pending.decided_by == coordinator and pending.decided_at is not None
    assert pending.decision_note == REASON
    assert not Grant.objects.filter(request=pending).exists()
    event = AuditEvent.objects.get(action="access.request.rejected")
    assert event.actor_id == coordinator.pk and event.target_id == str(pending.pk)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["charlie@example.org"]
    assert REASON in message.body
    assert "DE22" in message.body


@pytest.mark.parametrize("reason", ["", "   \n  ", "x" * 2001])
def test_it_requires_a_reason_of_reasonable_length(
    client, coordinator, pending, reason, django_capture_on_commit_callbacks
):
    sign_in(client, coordinator)
    response = reject(client, pending, reason, django_capture_on_commit_callbacks)
    assert response.status_code == 400
    page = response.content.decode()
    assert "Give a reason" in page or "at most 2000 characters" in page
    assert 'aria-invalid="true"' in page
    pending.refresh_from_db()
    assert pending.status == AccessRequest.Status.PENDING
    assert mail.outbox == []


def test_it_refuses_a_coordinator_of_another_ern(client, charlie, nmd, alice, rnd):
    access_request = make_request(alice, rnd.hcp)
    make_coordinator(charlie, nmd.hcp)
    sign_in(client, charlie)
    assert client.post(url(access_request), {"reject-reason": REASON}).status_code == 404
    access_request.refresh_from_db()
    assert access_request.status == AccessRequest.Status.PENDING


def test_it_refuses_people_who_validate_nothing(client, alice, pending):
    sign_in(client, alice)
    assert client.post(url(pending), {"reject-reason": REASON}).status_code == 404
    assert client.post(reverse("access:request-reject", args=[99999])).status_code == 404


def test_it_refuses_my_own_request(client, rnd, django_capture_on_commit_callbacks):
    admin = make_administrator()
    own = make_request(admin, rnd.hcp)
    sign_in(client, admin)
    response = reject(client, own, REASON, django_capture_on_commit_callbacks)
    assert response.url == reverse("access:validation-detail", args=[own.pk])
    assert "Nobody decides their own request" in client.get(response.url).content.decode()
    own.refresh_from_db()
    assert own.status == AccessRequest.Status.PENDING


def test_it_lets_administrators_reject_any_request(client, alice, nmd, django_capture_on_commit_callbacks):
    admin = make_administrator()
    access_request = make_request(alice, nmd.hcp)
    sign_in(client, admin)
    reject(client, access_request, REASON, django_capture_on_commit_callbacks)
    access_request.refresh_from_db()
    assert access_request.status == AccessRequest.Status.REJECTED and access_request.decided_by == admin


def test_it_changes_nothing_on_a_withdrawn_request(client, coordinator, alice, rnd):
    withdrawn = make_request(alice, rnd.hcp, status=AccessRequest.Status.WITHDRAWN)
    sign_in(client, coordinator)
    response = client.post(url(withdrawn), {"reject-reason": REASON}, follow=True)
    assert "already withdrawn: nothing was changed" in response.content.decode()
    withdrawn.refresh_from_db()
    assert withdrawn.status == AccessRequest.Status.WITHDRAWN and withdrawn.decision_note == ""
