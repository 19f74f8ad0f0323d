from datetime import UTC, datetime

import pyotp
import pytest
import time_machine

from cpms.test import sign_in, signin_in_progress

pytestmark = pytest.mark.django_db

URL = "/cpms/second-factor/"
NOW = datetime(2030, 1, 15, 9, 0, 10, tzinfo=UTC)


def test_it_needs_a_signed_in_user(client):
    assert client.get(URL).url == f"/login/?next={URL}"
    assert client.post(URL).url == f"/login/?next={URL}"


def test_it_offers_to_verify_with_the_existing_factor(client, bob):
    sign_in(client, bob, methods=("pwd",))
    page = client.get(URL).content.decode()
    assert "CPMS needs two-factor verification" in page
    assert "Verify now" in page
    assert 'href="/account/devices/add/' not in page


def test_it_offers_to_set_up_a_factor_when_there_is_none(client, alice):
    sign_in(client, alice, methods=("pwd",))
    page = client.get(URL).content.decode()
    assert "Verify now" not in page
    for url in ("/account/devices/add/", "/account/phones/add/", "/account/keys/add/"):
        assert f'href="{url}?next=/cpms/"' in page  # after setting one up, on to CPMS


def test_it_starts_a_reverification_that_returns_to_cpms(client, bob):
    sign_in(client, bob, methods=("pwd",))
    response = client.post(URL, {"next": "/cpms/preferences/"})
    assert response.status_code == 302
    assert response.url == "/login/method/?reverify=1"
    assert signin_in_progress(client).user_id == bob.pk
    assert signin_in_progress(client).next_url == "/cpms/preferences/"
    page = client.get(response.url, follow=True)  # straight to the second factor: a password alone
    assert page.redirect_chain[-1][0] == "/login/app/"  # would lead back here
    assert "CPMS needs two-factor verification" in page.content.decode()


@pytest.mark.parametrize(
    "next_url", ["https://evil.example/cpms/", "//evil.example/", "/account/", "", URL, URL + "?next=/cpms/"]
)
def test_it_returns_only_to_a_cpms_page(client, bob, next_url):
    sign_in(client, bob, methods=("pwd",))
    client.post(URL, {"next": next_url})
    assert signin_in_progress(client).next_url == "/cpms/"


def test_it_does_not_start_a_verification_without_a_factor(client, alice):
    sign_in(client, alice, methods=("pwd",))
    response = client.post(URL)
    assert response.status_code == 200
    assert signin_in_progress(client) is None


def test_it_sends_a_verified_user_on(client, bob):
    sign_in(client, bob)
    assert client.get(URL + "?next=/cpms/welcome/").url == "/cpms/welcome/"
    assert client.get(URL + "?next=" + URL).url == "/cpms/"  # never to itself


def test_it_brings_the_user_to_cpms_after_the_second_factor(client, bob_in_cpms):
    bob = bob_in_cpms.user
    device = bob.totp_devices.get()
    with time_machine.travel(NOW, tick=False):
        sign_in(client, bob, methods=("pwd",))
        assert client.get("/cpms/").url == "/cpms/second-factor/?next=%2Fcpms%2F"
        assert client.post(URL, {"next": "/cpms/"}).url == "/login/method/?reverify=1"
        assert client.get("/login/method/?reverify=1").url == "/login/app/"  # straight to the second factor
        response = client.post("/login/app/", {"code": pyotp.TOTP(device.secret).at(NOW)})
        assert response.url == "/cpms/"
        assert client.get("/cpms/").status_code == 200
