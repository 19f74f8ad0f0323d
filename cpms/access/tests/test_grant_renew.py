from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from cpms.access.queries.grants import has_active_grant
from cpms.access.tests.factories import make_administrator, make_coordinator, make_grant
from cpms.audit.models import AuditEvent
from cpms.test import sign_in

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def url(grant) -> str:
    return reverse("access:grant-renew", args=[grant.pk])


@pytest.fixture
def guest_grant(charlie, rnd):
    return make_grant(charlie, rnd.guest, "hp", expires_at=NOW + timedelta(days=5))


def test_it_asks_anonymous_users_to_sign_in(client, guest_grant):
    response = client.post(url(guest_grant))
    assert response.status_code == 302
    assert response.url.startswith(reverse("identity:login"))


def test_it_only_accepts_post(client, coordinator, guest_grant):
    sign_in(client, coordinator)
    assert client.get(url(guest_grant)).status_code == 405


def test_it_extends_guest_access_by_90_days_from_now(client, coordinator, guest_grant):
    with time_machine.travel(NOW, tick=False):
        sign_in(client, coordinator)
        response = client.post(url(guest_grant))
    assert response.status_code == 302
    assert response.url == reverse("access:grants-manage")
    guest_grant.refresh_from_db()
    assert guest_grant.expires_at == NOW + timedelta(days=90)
    event = AuditEvent.objects.get(action="access.grant.renewed")
    assert event.actor_id == coordinator.pk and event.target_id == str(guest_grant.pk)
    assert event.data["expires_at"].startswith("2026-05-31")
    with time_machine.travel(NOW, tick=False):
        assert "renewed until" in client.get(reverse("access:grants-manage")).content.decode()


def test_it_tells_the_guest_the_new_date_in_their_language(
    client, coordinator, guest_grant, django_capture_on_commit_callbacks
):
    with time_machine.travel(NOW, tick=False):
        sign_in(client, coordinator)
        with django_capture_on_commit_callbacks(execute=True):
            client.post(url(guest_grant))
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["charlie@example.org"]  # Charlie reads his e-mails in French
    assert "CPMS" in message.subject
    assert "31 mai 2026" in message.body


def test_it_brings_back_an_expired_guest_grant(client, coordinator, guest_grant, charlie):
    later = NOW + timedelta(days=10)
    with time_machine.travel(later, tick=False):
        assert not has_active_grant(charlie)
        sign_in(client, coordinator)
        client.post(url(guest_grant))
        assert has_active_grant(charlie)
    guest_grant.refresh_from_db()
    assert guest_grant.expires_at == later + timedelta(days=90)


def test_it_does_not_renew_access_that_never_expires(client, coordinator, charlie, rnd):
    grant = make_grant(charlie, rnd.hcp, "hp")
    sign_in(client, coordinator)
    response = client.post(url(grant), follow=True)
    assert "Only guest access expires" in response.content.decode()
    grant.refresh_from_db()
    assert grant.expires_at is None
    assert not AuditEvent.objects.filter(action="access.grant.renewed").exists()


def test_it_does_not_let_me_renew_my_own_guest_access(client, coordinator, rnd):
    own = make_grant(coordinator, rnd.guest, "researcher", expires_at=NOW + timedelta(days=5))
    sign_in(client, coordinator)
    response = client.post(url(own), follow=True)
    assert "Nobody revokes or renews their own access" in response.content.decode()
    own.refresh_from_db()
    assert own.expires_at == NOW + timedelta(days=5)


def test_it_refuses_a_coordinator_of_another_ern_and_non_validators(client, alice, charlie, nmd, guest_grant):
    make_coordinator(alice, nmd.hcp)
    sign_in(client, alice)
    assert client.post(url(guest_grant)).status_code == 404
    sign_in(client, charlie)  # the holder
    assert client.post(url(guest_grant)).status_code == 404
    assert client.post(reverse("access:grant-renew", args=[99999])).status_code == 404
    guest_grant.refresh_from_db()
    assert guest_grant.expires_at == NOW + timedelta(days=5)


def test_it_does_not_renew_a_revoked_grant(client, coordinator, guest_grant):
    guest_grant.revoked_at = NOW
    guest_grant.save()
    sign_in(client, coordinator)
    assert client.post(url(guest_grant)).status_code == 404


def test_it_lets_administrators_renew_any_guest_grant(client, alice, nmd):
    admin = make_administrator()
    grant = make_grant(alice, nmd.guest, "hp", expires_at=NOW + timedelta(days=1))
    with time_machine.travel(NOW, tick=False):
        sign_in(client, admin)
        client.post(url(grant))
    grant.refresh_from_db()
    assert grant.expires_at == NOW + timedelta(days=90)
