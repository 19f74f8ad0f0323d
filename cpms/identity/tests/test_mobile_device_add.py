import re
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, unquote, urlparse

import pyotp
import pytest
import time_machine
from django.core import mail

from cpms.audit.models import AuditEvent
from cpms.identity.actions.recovery import do_generate_recovery_codes
from cpms.identity.actions.totp import matching_step, verify_totp
from cpms.identity.models import TotpDevice, UserSession
from cpms.test import sign_in

pytestmark = pytest.mark.django_db

NOW = datetime(2030, 1, 15, 9, 0, 10, tzinfo=UTC)
URL = "/account/devices/add/"


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def start(client, name="Work phone"):
    response = client.post(URL, {"action": "start", "name": name})
    assert response.status_code == 302 and response.url == URL
    return TotpDevice.objects.get(confirmed=False)


def code_now(device):
    return pyotp.TOTP(device.secret).now()


def test_it_asks_anonymous_users_to_sign_in(client):
    for method in (client.get, client.post):
        assert method(URL).url.startswith("/login/?next=")
    assert not TotpDevice.objects.exists()


def test_it_needs_a_recent_verification(client, alice):
    sign_in(client, alice, methods=("pwd",))
    session = client.session
    session["verified.at"] = 0
    session.save()
    response = client.post(URL, {"action": "start", "name": "Work phone"})
    assert response.url == "/login/method/?reverify=1"
    assert not TotpDevice.objects.exists()


def test_it_asks_for_a_name_first(client, alice):
    sign_in(client, alice, methods=("pwd",))
    response = client.get(URL)
    assert response.status_code == 200
    assert response.context["step"] == "name"
    assert "<svg" not in response.content.decode()


def test_it_shows_a_qr_code_and_the_key_of_an_unconfirmed_app(client, alice, clock):
    sign_in(client, alice, methods=("pwd",))
    device = start(client)
    assert device.user == alice and device.name == "Work phone" and not device.confirmed
    assert re.fullmatch(r"[A-Z2-7]{32}", device.secret)
    response = client.get(URL)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    page = response.content.decode()
    assert '<svg role="img"' in page
    assert "<title>QR code for your authenticator app</title>" in page
    assert "Can't scan?" not in page and "Can&#x27;t scan?" not in page  # the key is shown, no detour
    grouped = " ".join(device.secret[i : i + 4] for i in range(0, 32, 4))
    assert grouped in page
    assert response.context["secret"] == grouped


def test_the_qr_code_carries_the_provisioning_uri(alice, clock):
    from cpms.identity.actions.totp import provisioning_uri

    device = TotpDevice.objects.create(user=alice, name="x", secret=pyotp.random_base32())
    uri = urlparse(provisioning_uri(device, alice))
    assert uri.scheme == "otpauth" and uri.netloc == "totp"
    assert unquote(uri.path) == "/CPMS Login:alice@example.org"
    query = parse_qs(uri.query)
    assert query["secret"] == [device.secret]
    assert query["issuer"] == ["CPMS Login"]


def test_it_confirms_the_app_with_a_valid_code(client, alice, clock, django_capture_on_commit_callbacks):
    sign_in(client, alice, methods=("pwd",))
    device = start(client)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL, {"action": "confirm", "code": code_now(device)}, follow=True)
    assert response.redirect_chain == [("/account/devices/", 302)]
    device.refresh_from_db()
    assert device.confirmed
    page = response.content.decode()
    assert "Work phone" in page
    assert "is ready" in page
    assert 'href="/account/recovery-codes/"' in page and "Generate recovery codes" in page
    event = AuditEvent.objects.get(action="identity.totp.added")
    assert (event.actor_id, event.target_id) == (alice.pk, str(device.pk))
    assert "secret" not in str(event.data).lower()
    assert len(mail.outbox) == 1 and "Work phone" in mail.outbox[0].body
    assert device.secret not in mail.outbox[0].body
    assert "totp.pending_id" not in client.session


def test_the_confirmation_code_cannot_sign_in_again(client, alice, clock):
    sign_in(client, alice, methods=("pwd",))
    device = start(client)
    code = code_now(device)
    client.post(URL, {"action": "confirm", "code": code})
    assert verify_totp(alice, code) is None


def test_it_offers_no_recovery_codes_to_someone_who_has_them(client, alice, clock):
    do_generate_recovery_codes(acting_user=alice)
    sign_in(client, alice, methods=("pwd",))
    device = start(client)
    response = client.post(URL, {"action": "confirm", "code": code_now(device)}, follow=True)
    assert "Generate recovery codes" not in response.content.decode()


@pytest.mark.parametrize("code", ["000000", "12345", "abcdef", ""])
def test_it_refuses_a_wrong_code(client, alice, clock, code):
    sign_in(client, alice, methods=("pwd",))
    device = start(client)
    while code.isdigit() and matching_step(device.secret, code) is not None:
        code = f"{int(code) + 1:06d}"  # one chance in a million, but a test must not flake
    response = client.post(URL, {"action": "confirm", "code": code})
    assert response.status_code == 200
    assert response.context["form"].errors["code"]
    assert response.context["step"] == "confirm"
    assert "<svg" in response.content.decode()
    device.refresh_from_db()
    assert not device.confirmed
    assert not AuditEvent.objects.filter(action="identity.totp.added").exists()


def test_it_accepts_a_code_one_step_late(client, alice, clock):
    sign_in(client, alice, methods=("pwd",))
    device = start(client)
    code = pyotp.TOTP(device.secret).at(NOW - timedelta(seconds=30))
    assert client.post(URL, {"action": "confirm", "code": code}).status_code == 302


def test_an_unconfirmed_app_expires_after_a_day(client, alice, clock):
    sign_in(client, alice, methods=("pwd",))
    device = start(client)
    clock.shift(timedelta(days=1, seconds=1))
    sign_in(client, alice, methods=("pwd",))  # a fresh verification, a day later
    session = client.session
    session["totp.pending_id"] = device.pk
    session.save()
    assert client.get(URL).context["step"] == "name"
    response = client.post(URL, {"action": "confirm", "code": code_now(device)}, follow=True)
    assert "not confirmed within a day" in response.content.decode()
    device.refresh_from_db()
    assert not device.confirmed


def test_starting_again_replaces_the_unfinished_app(client, alice, clock):
    sign_in(client, alice, methods=("pwd",))
    first = start(client, "First")
    second = start(client, "Second")
    assert not TotpDevice.objects.filter(pk=first.pk).exists()
    assert second.secret != first.secret
    response = client.post(URL, {"action": "confirm", "code": code_now(second)})
    assert response.status_code == 302


def test_it_cancels_the_unfinished_app(client, alice):
    sign_in(client, alice, methods=("pwd",))
    start(client)
    assert client.post(URL, {"action": "cancel"}).url == "/account/devices/"
    assert not TotpDevice.objects.exists()


def test_it_cannot_confirm_someone_elses_unfinished_app(client, alice, bob, clock):
    theirs = TotpDevice.objects.create(user=bob, name="Bob's new", secret=pyotp.random_base32())
    sign_in(client, alice, methods=("pwd",))
    session = client.session
    session["totp.pending_id"] = theirs.pk
    session.save()
    response = client.get(URL)
    assert response.context["step"] == "name"
    assert theirs.secret not in response.content.decode()
    client.post(URL, {"action": "confirm", "code": code_now(theirs)})
    theirs.refresh_from_db()
    assert not theirs.confirmed


@pytest.mark.parametrize(
    ("name", "message"), [("", "required"), ("x" * 61, "at most 60"), ("MY PHONE", "already")]
)
def test_it_explains_a_bad_name(client, bob, name, message):
    sign_in(client, bob)
    response = client.post(URL, {"action": "start", "name": name})
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors["name"])
    assert not TotpDevice.objects.filter(confirmed=False).exists()


def test_it_asks_a_password_only_session_for_the_accounts_second_factor(client, bob):
    """Else a stolen password alone could add the thief's own app to an account with two factors."""
    sign_in(client, bob, methods=("pwd",))
    response = client.post(URL, {"action": "start", "name": "Thief's phone"})
    assert response.url == "/login/method/?reverify=1"
    assert not TotpDevice.objects.filter(confirmed=False).exists()
    assert client.get(response.url).url == "/login/app/"  # straight to the second factor, no password alone


def test_it_lets_the_session_in_after_the_second_factor(client, bob, clock):
    sign_in(client, bob, methods=("pwd",))
    client.get(URL)
    client.get("/login/method/?reverify=1")
    response = client.post("/login/app/", {"code": code_now(bob.totp_devices.get())})
    assert response.url == URL
    assert client.get(URL).status_code == 200


def test_it_opens_the_app_on_the_phone_that_holds_it(client, alice, clock):
    sign_in(client, alice, methods=("pwd",))
    device = start(client)
    page = client.get(URL).content.decode()
    link = re.search(r'href="(otpauth://[^"]+)"', page).group(1).replace("&amp;", "&")
    assert "Open in authenticator app" in page
    assert parse_qs(urlparse(link).query)["secret"] == [device.secret]


def test_on_the_way_into_cpms_it_goes_on_to_cpms(client, alice, clock):
    """A password-only account sent here by the CPMS gate goes on to CPMS, verified with two factors."""
    sign_in(client, alice, methods=("pwd",))
    old_key = client.session.session_key
    assert client.get(URL + "?next=/cpms/").status_code == 200
    device = start(client)
    response = client.post(URL, {"action": "confirm", "code": code_now(device)})
    assert response.status_code == 302 and response.url == "/cpms/"
    session = client.session
    assert session["verified.methods"] == ["pwd", "otp"]
    assert session.session_key != old_key  # a new session id, as at every sign-in
    assert UserSession.objects.get(session_key=session.session_key).methods == ["pwd", "otp"]
    assert "setup.next" not in session


@pytest.mark.parametrize("next_url", ["https://evil.example/", "//evil.example/", "javascript:alert(1)"])
def test_it_never_goes_on_to_another_site(client, alice, clock, next_url):
    sign_in(client, alice, methods=("pwd",))
    client.get(URL, {"next": next_url})
    device = start(client)
    response = client.post(URL, {"action": "confirm", "code": code_now(device)})
    assert response.url == "/account/devices/"


def test_from_my_account_the_session_stays_as_it_was_verified(client, alice, clock):
    sign_in(client, alice, methods=("pwd",))
    device = start(client)
    client.post(URL, {"action": "confirm", "code": code_now(device)})
    assert client.session["verified.methods"] == ["pwd"]
