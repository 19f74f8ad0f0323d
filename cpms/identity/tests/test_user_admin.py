"""Staff manage accounts in the Django admin: search, second factors, sessions, grants, deactivate."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from cpms.access.tests.factories import make_administrator
from cpms.audit.models import AuditEvent
from cpms.identity.models import SecurityKey, UserSession
from cpms.test import add_authenticator, add_phone, sign_in

pytestmark = pytest.mark.django_db
CHANGELIST = reverse("admin:identity_user_changelist")


@pytest.fixture
def administrator(db):
    user = make_administrator()
    add_authenticator(user)
    return user


@pytest.fixture
def admin_client(client, administrator):
    return sign_in(client, administrator)


def test_it_is_for_staff_only(client, alice, bob):
    sign_in(client, bob)
    assert client.get(CHANGELIST).url.startswith("/admin/login/")
    assert client.get(reverse("admin:identity_user_change", args=[alice.pk])).status_code == 302


def test_it_finds_accounts_and_counts_their_second_factors(admin_client, alice, bob, charlie):
    add_phone(bob)
    SecurityKey.objects.create(user=bob, name="Key", credential_id=b"id", public_key=b"pk")
    response = admin_client.get(CHANGELIST, {"q": "schmidt"})
    assert response.status_code == 200
    users = list(response.context["cl"].result_list)
    assert users == [bob]
    assert "apps: 1, phones: 1, keys: 1" in response.content.decode()
    assert list(admin_client.get(CHANGELIST, {"q": "alice@example"}).context["cl"].result_list) == [alice]


def test_it_shows_an_account_with_its_factors_sessions_and_grants(admin_client, bob):
    UserSession.objects.create(user=bob, session_key="bobs-session", ip="192.0.2.44", user_agent="Firefox")
    response = admin_client.get(reverse("admin:identity_user_change", args=[bob.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "My phone" in page  # the authenticator app
    assert "192.0.2.44" in page
    assert "bobs-session" not in page  # a session key signs in: never shown
    assert f"/admin/access/grant/?user__id__exact={bob.pk}" in page


def test_it_deactivates_accounts_and_signs_them_out(admin_client, administrator, bob, client):
    from django.test import Client

    bobs_browser = sign_in(Client(), bob)
    response = admin_client.post(
        CHANGELIST, {"action": "deactivate_users", "_selected_action": [bob.pk]}, follow=True
    )
    assert "1 accounts deactivated." in response.content.decode()
    bob.refresh_from_db()
    assert not bob.is_active
    assert not UserSession.objects.filter(user=bob, ended_at=None).exists()
    assert bobs_browser.get("/account/").status_code == 302
    event = AuditEvent.objects.get(action="identity.user.deactivated")
    assert (event.actor_id, event.target_id, event.data) == (
        administrator.pk,
        str(bob.pk),
        {"sessions_ended": 1},
    )
    admin_client.post(CHANGELIST, {"action": "reactivate_users", "_selected_action": [bob.pk]})
    bob.refresh_from_db()
    assert bob.is_active
    assert AuditEvent.objects.filter(action="identity.user.reactivated", target_id=str(bob.pk)).exists()


def test_it_ends_a_session(admin_client, administrator, bob):
    from django.test import Client

    bobs_browser = sign_in(Client(), bob)
    login_session = UserSession.objects.get(user=bob)
    admin_client.post(
        reverse("admin:identity_usersession_changelist"),
        {"action": "end_selected_sessions", "_selected_action": [login_session.pk]},
    )
    login_session.refresh_from_db()
    assert login_session.ended_at is not None
    assert bobs_browser.get("/account/").status_code == 302
    event = AuditEvent.objects.get(action="identity.session.ended_by_staff")
    assert event.actor_id == administrator.pk and event.data["user"] == bob.pk


def test_it_audits_changes_of_privileges(admin_client, administrator, bob):
    group = Group.objects.create(name="Support")
    url = reverse("admin:identity_user_change", args=[bob.pk])
    data = {
        "first_name": "Bob",
        "last_name": "Schmidt",
        "email_language": "de",
        "time_zone": "Europe/Berlin",
        "is_staff": "on",
        "groups": [group.pk],
        **{f"{prefix}-{key}": value for prefix in INLINE_PREFIXES for key, value in EMPTY_INLINE.items()},
    }
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    bob.refresh_from_db()
    assert bob.is_staff and bob.time_zone == "Europe/Berlin"
    changed = AuditEvent.objects.get(action="identity.user.changed_in_admin").data
    assert changed["is_staff"] == {"old": False, "new": True}
    assert changed["time_zone"] == {"old": "Europe/Brussels", "new": "Europe/Berlin"}
    groups = AuditEvent.objects.get(action="identity.user.groups_changed_in_admin").data
    assert groups == {"groups": ["Support"]}


def test_it_refuses_a_time_zone_that_does_not_exist(admin_client, bob):
    data = {"first_name": "Bob", "last_name": "Schmidt", "email_language": "de", "time_zone": "Nowhere/City"}
    for prefix in INLINE_PREFIXES:
        data.update({f"{prefix}-{key}": value for key, value in EMPTY_INLINE.items()})
    response = admin_client.post(reverse("admin:identity_user_change", args=[bob.pk]), data)
    assert response.status_code == 200
    assert "time_zone" in response.context["adminform"].form.errors


def test_staff_cannot_add_or_delete_accounts(admin_client, bob):
    assert admin_client.get(reverse("admin:identity_user_add")).status_code == 403
    assert admin_client.get(reverse("admin:identity_user_delete", args=[bob.pk])).status_code == 403


INLINE_PREFIXES = ["totp_devices", "phone_numbers", "security_keys", "login_sessions"]
EMPTY_INLINE = {"TOTAL_FORMS": "0", "INITIAL_FORMS": "0", "MIN_NUM_FORMS": "0", "MAX_NUM_FORMS": "1000"}


def test_the_grants_link_lists_the_grants_of_the_account(admin_client, bob):
    response = admin_client.get(reverse("admin:access_grant_changelist"), {"user__id__exact": bob.pk})
    assert response.status_code == 200
    assert response.context["cl"].result_count == 0


def test_staff_cannot_deactivate_themselves(admin_client, administrator):
    admin_client.post(CHANGELIST, {"action": "deactivate_users", "_selected_action": [administrator.pk]})
    administrator.refresh_from_db()
    assert administrator.is_active
