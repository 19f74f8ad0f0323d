"""Manage my Security Keys and Trusted Platforms: the list page and the actions behind it."""

import pytest
from django.core import mail

from cpms.audit.models import AuditEvent
from cpms.identity.actions.security_keys import (
    MAX_KEYS_PER_USER,
    RelyingParty,
    SecurityKeyProblem,
    do_remove_security_key,
    do_rename_security_key,
    registration_options,
    user_handle,
)
from cpms.identity.models import SecurityKey
from cpms.test import sign_in

from .soft_authenticator import save_key

pytestmark = pytest.mark.django_db

URL = "/account/keys/"
RP = RelyingParty(id="localhost", name="CPMS Login", origin="http://localhost:8000")


def test_it_sends_anonymous_visitors_to_login(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response.url == "/login/?next=/account/keys/"


def test_it_lists_only_my_keys(client, alice, bob):
    save_key(alice, "Laptop")
    save_key(alice, "Blue USB key")
    save_key(bob, "Bob's phone")
    response = sign_in(client, alice).get(URL)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Laptop" in page and "Blue USB key" in page
    assert "Bob&#x27;s phone" not in page and "Bob's phone" not in page
    assert 'href="/account/keys/add/"' in page
    for key in alice.security_keys.all():
        assert f'href="/account/keys/{key.pk}/rename/"' in page
        assert f'href="/account/keys/{key.pk}/remove/"' in page


def test_it_says_when_there_is_no_key(client, alice):
    response = sign_in(client, alice).get(URL)
    assert "You have no security key or trusted platform yet." in response.content.decode()


def test_it_makes_a_fixed_number_of_queries(client, alice, django_assert_num_queries):
    sign_in(client, alice)
    for n in range(5):
        save_key(alice, f"Key {n}")
    # session, user, keys
    with django_assert_num_queries(3):
        response = client.get(URL)
    assert response.status_code == 200


def test_it_refuses_other_methods(client, alice):
    assert sign_in(client, alice).post(URL).status_code == 405


def test_it_gives_each_user_one_stable_opaque_handle(alice, bob):
    assert user_handle(alice) == user_handle(alice)
    assert user_handle(alice) != user_handle(bob)
    assert user_handle(alice) == alice.public_id.bytes  # random: tells nothing about the account


def test_it_limits_the_number_of_keys(alice):
    for n in range(MAX_KEYS_PER_USER):
        save_key(alice, f"Key {n}")
    with pytest.raises(SecurityKeyProblem, match="Remove one"):
        registration_options(user=alice, rp=RP)


def test_it_renames_with_an_audit_event_and_an_email_in_the_users_language(
    bob, django_capture_on_commit_callbacks
):
    _, key = save_key(bob, "Laptop")
    with django_capture_on_commit_callbacks(execute=True):
        do_rename_security_key(acting_user=bob, key=key, name="Work laptop")
    assert SecurityKey.objects.get(pk=key.pk).name == "Work laptop"
    event = AuditEvent.objects.get(action="identity.security_key.renamed")
    assert event.data == {"name": {"old": "Laptop", "new": "Work laptop"}}
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [bob.email]
    assert "Laptop" in mail.outbox[0].body and "Work laptop" in mail.outbox[0].body


def test_it_removes_with_an_audit_event_and_an_email(alice, django_capture_on_commit_callbacks):
    _, key = save_key(alice, "Laptop")
    key_id = key.pk
    with django_capture_on_commit_callbacks(execute=True):
        do_remove_security_key(acting_user=alice, key=key)
    assert not SecurityKey.objects.filter(pk=key_id).exists()
    event = AuditEvent.objects.get(action="identity.security_key.removed")
    assert event.target_id == str(key_id) and event.data == {"name": "Laptop"}
    assert "“Laptop” was removed" in mail.outbox[0].body
