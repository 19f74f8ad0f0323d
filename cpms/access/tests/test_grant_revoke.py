import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from cpms.access.models import Grant
from cpms.access.queries.grants import has_active_grant
from cpms.access.tests.factories import make_administrator, make_coordinator, make_grant
from cpms.audit.models import AuditEvent
from cpms.test import sign_in

pytestmark = pytest.mark.django_db

REASON = "Left the hospital in January."


def url(grant) -> str:
    return reverse("access:grant-revoke", args=[grant.pk])


@pytest.fixture
def grant(charlie, rnd):
    return make_grant(charlie, rnd.hcp, "hp")


def revoke(client, grant, reason, capture):
    with capture(execute=True):
        return client.post(url(grant), {"reason": reason})


def test_it_asks_anonymous_users_to_sign_in(client, grant):
    for response in (client.get(url(grant)), client.post(url(grant), {"reason": REASON})):
        assert response.status_code == 302
        assert response.url.startswith(reverse("identity:login"))
    grant.refresh_from_db()
    assert grant.revoked_at is None


def test_it_asks_for_confirmation_with_a_reason(client, coordinator, grant):
    sign_in(client, coordinator)
    response = client.get(url(grant))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Charlie Dupont" in page and "DE22 - University Hospital" in page
    assert 'name="reason"' in page and "Revoke access" in page
    grant.refresh_from_db()
    assert grant.revoked_at is None


def test_it_revokes_at_once_and_tells_the_person(
    client, coordinator, grant, charlie, django_capture_on_commit_callbacks
):
    charlie_browser = sign_in(Client(), charlie)
    assert has_active_grant(charlie)
    sign_in(client, coordinator)
    response = revoke(client, grant, REASON, django_capture_on_commit_callbacks)
    assert response.status_code == 302
    assert response.url == reverse("access:grants-manage")
    grant.refresh_from_db()
    assert grant.revoked_at is not None and grant.revoked_by == coordinator
    assert grant.revoke_reason == REASON
    # The very next check reads the grants again: no need to wait for the next sign-in.
    assert not has_active_grant(charlie)
    assert charlie_browser.session.session_key  # still signed in, but without access
    event = AuditEvent.objects.get(action="access.grant.revoked")
    assert event.actor_id == coordinator.pk and event.target_id == str(grant.pk)
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["charlie@example.org"]
    assert REASON in mail.outbox[0].body


def test_a_revoked_coordinator_is_refused_on_the_next_page(client, coordinator, charlie, rnd):
    """End to end on a page that needs a grant: the validation queue needs an active Coordinator grant."""
    make_coordinator(charlie, rnd.hcp)
    bob_browser = sign_in(Client(), coordinator)
    assert bob_browser.get(reverse("access:validation-queue")).status_code == 200
    sign_in(client, charlie)
    bobs = Grant.objects.get(user=coordinator, profile__code="coordinator")
    assert client.post(url(bobs), {"reason": REASON}).status_code == 302
    assert bob_browser.get(reverse("access:validation-queue")).status_code == 404


@pytest.mark.parametrize("reason", ["", "   ", "x" * 2001])
def test_it_requires_a_reason(client, coordinator, grant, reason, django_capture_on_commit_callbacks):
    sign_in(client, coordinator)
    response = revoke(client, grant, reason, django_capture_on_commit_callbacks)
    assert response.status_code == 400
    page = response.content.decode()
    assert "Give a reason" in page or "at most 2000 characters" in page
    grant.refresh_from_db()
    assert grant.revoked_at is None
    assert mail.outbox == []


def test_it_refuses_a_coordinator_of_another_ern(client, alice, nmd, grant):
    make_coordinator(alice, nmd.hcp)
    sign_in(client, alice)
    assert client.get(url(grant)).status_code == 404
    assert client.post(url(grant), {"reason": REASON}).status_code == 404
    grant.refresh_from_db()
    assert grant.revoked_at is None


def test_it_refuses_people_who_validate_nothing(client, charlie, grant):
    sign_in(client, charlie)  # even the holder of the grant
    assert client.get(url(grant)).status_code == 404
    assert client.post(url(grant), {"reason": REASON}).status_code == 404
    assert client.get(reverse("access:grant-revoke", args=[99999])).status_code == 404


def test_it_lets_administrators_revoke_any_grant(client, alice, nmd, django_capture_on_commit_callbacks):
    admin = make_administrator()
    grant = make_grant(alice, nmd.hcp)
    sign_in(client, admin)
    revoke(client, grant, REASON, django_capture_on_commit_callbacks)
    grant.refresh_from_db()
    assert grant.revoked_by == admin


def test_a_revoked_grant_is_gone_from_the_desk(
    client, coordinator, grant, django_capture_on_commit_callbacks
):
    sign_in(client, coordinator)
    revoke(client, grant, REASON, django_capture_on_commit_callbacks)
    assert client.get(url(grant)).status_code == 404
    assert client.post(url(grant), {"reason": "again"}).status_code == 404
    assert AuditEvent.objects.filter(action="access.grant.revoked").count() == 1


def test_it_warns_about_grants_that_need_this_one(client, coordinator, charlie, rnd, grant):
    dispatcher = make_grant(charlie, rnd.hcp, "dispatcher")
    sign_in(client, coordinator)
    response = client.get(url(grant))
    assert response.context["dependent_grants"] == [dispatcher]
    assert "consider revoking it too" in response.content.decode()
    assert "It stops working together with this one" in response.content.decode()
    make_grant(charlie, rnd.guest, "hp")  # another HP grant in the ERN still carries it
    assert client.get(url(grant)).context["dependent_grants"] == []


def test_it_does_not_let_me_revoke_my_own_access(client, coordinator):
    own = Grant.objects.get(user=coordinator, profile__code="coordinator")
    sign_in(client, coordinator)
    response = client.post(url(own), {"reason": REASON}, follow=True)
    assert "Nobody revokes or renews their own access" in response.content.decode()
    own.refresh_from_db()
    assert own.revoked_at is None
