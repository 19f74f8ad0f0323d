import time

import pytest
from django.core import mail

from cpms.audit.models import AuditEvent
from cpms.test import sign_in

from .soft_authenticator import save_key

pytestmark = pytest.mark.django_db


def url(key) -> str:
    return f"/account/keys/{key.pk}/rename/"


def test_it_sends_anonymous_visitors_to_login(client, alice):
    _, key = save_key(alice)
    response = client.get(url(key))
    assert response.status_code == 302 and response.url.startswith("/login/?next=")


def test_it_hides_someone_elses_key(client, alice, bob):
    _, key = save_key(bob, "Bob's key")
    sign_in(client, alice)
    assert client.get(url(key)).status_code == 404
    assert client.post(url(key), {"name": "Mine now"}).status_code == 404
    key.refresh_from_db()
    assert key.name == "Bob's key"


def test_it_asks_for_a_fresh_verification_first(client, alice):
    _, key = save_key(alice)
    sign_in(client, alice)
    session = client.session
    session["verified.at"] = time.time() - 3600
    session.save()
    assert client.get(url(key)).url == "/login/method/?reverify=1"


def test_it_shows_the_current_name(client, alice):
    _, key = save_key(alice, "Laptop")
    response = sign_in(client, alice).get(url(key))
    assert response.status_code == 200
    assert 'value="Laptop"' in response.content.decode()


def test_it_renames(client, alice, django_capture_on_commit_callbacks):
    _, key = save_key(alice, "Laptop")
    sign_in(client, alice)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url(key), {"name": "Work laptop"})
    assert response.status_code == 302 and response.url == "/account/keys/"
    key.refresh_from_db()
    assert key.name == "Work laptop"
    assert AuditEvent.objects.filter(action="identity.security_key.renamed", target_id=str(key.pk)).exists()
    assert len(mail.outbox) == 1


def test_it_keeps_the_same_name_in_another_case(client, alice):
    _, key = save_key(alice, "Laptop")
    assert sign_in(client, alice).post(url(key), {"name": "laptop"}).status_code == 302
    key.refresh_from_db()
    assert key.name == "laptop"


@pytest.mark.parametrize(
    ("name", "message"),
    [("", "required"), ("  ", "required"), ("x" * 61, "at most 60"), ("Phone", "already have a key")],
)
def test_it_explains_a_bad_name(client, alice, name, message):
    _, key = save_key(alice, "Laptop")
    save_key(alice, "Phone")
    response = sign_in(client, alice).post(url(key), {"name": name})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert 'aria-invalid="true"' in response.content.decode()
    key.refresh_from_db()
    assert key.name == "Laptop"
    assert not AuditEvent.objects.filter(action="identity.security_key.renamed").exists()
