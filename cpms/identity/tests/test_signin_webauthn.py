import pytest

from cpms.test import PASSWORD

from .soft_authenticator import at_key_step, save_key

pytestmark = pytest.mark.django_db

URL = "/login/key/"


def test_it_is_offered_and_comes_after_the_password(client, alice):
    save_key(alice)
    at_key_step(client, alice, PASSWORD)
    assert "Security Key or Trusted Platform" in client.get("/login/method/").content.decode()
    response = client.get(URL)
    assert response.status_code == 200
    page = response.content.decode()
    assert '<h1 class="h3">Security Key or Trusted Platform</h1>' in page
    assert alice.email in page
    assert "Use my security key" in page
    assert 'data-options-url="/login/key/options/"' in page and 'data-verify-url="/login/key/verify/"' in page
    assert 'aria-live="polite"' in page
    assert 'href="/login/method/"' in page


def test_it_is_not_offered_without_a_key(client, bob):
    client.post("/login/", {"identifier": bob.email})
    client.post("/login/password/", {"password": PASSWORD})
    assert "Security Key or Trusted Platform" not in client.get("/login/method/").content.decode()


def test_it_sends_anyone_without_a_password_step_back_to_login(client, alice):
    save_key(alice)
    assert client.get(URL).url == "/login/"
    client.post("/login/", {"identifier": alice.email})
    assert client.get(URL).url == "/login/"
    client.post("/login/password/", {"password": "wrong password"})
    assert client.get(URL).url == "/login/"


def test_it_accepts_only_get(client, alice):
    save_key(alice)
    at_key_step(client, alice, PASSWORD)
    assert client.post(URL).status_code == 405
