import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from cpms.audit.models import AuditEvent
from cpms.identity.actions import recovery
from cpms.identity.actions.recovery import do_generate_recovery_codes, do_use_recovery_code
from cpms.identity.models import RecoveryCode, UserSession
from cpms.test import start_signin

pytestmark = pytest.mark.django_db

URL = "/login/recovery/"


@pytest.fixture
def codes(bob):
    return do_generate_recovery_codes(acting_user=bob)


def test_it_sends_anyone_without_a_password_step_back_to_login(client, bob, codes):
    assert client.get(URL).url == "/login/"
    assert client.post(URL, {"code": codes[0]}).url == "/login/"
    client.post("/login/", {"identifier": bob.email})
    assert client.post(URL, {"code": codes[0]}).url == "/login/"
    assert not bob.recovery_codes.exclude(used_at=None).exists()


def test_it_shows_the_form(client, bob, codes):
    start_signin(client, bob)
    response = client.get(URL)
    assert response.status_code == 200
    assert "Use a recovery code" in response.content.decode()


def test_it_signs_in_with_a_recovery_code(client, bob, codes, django_capture_on_commit_callbacks):
    start_signin(client, bob)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL, {"code": codes[3]}, follow=True)
    assert response.redirect_chain == [("/account/", 302)]
    assert int(client.session["_auth_user_id"]) == bob.pk
    assert client.session["verified.methods"] == ["pwd", "kba"]
    assert UserSession.objects.get(session_key=client.session.session_key).methods == ["pwd", "kba"]
    assert "9 unused recovery codes left" in response.content.decode()
    assert bob.recovery_codes.exclude(used_at=None).count() == 1
    event = AuditEvent.objects.get(action="identity.recovery_code.used")
    assert event.actor_id == bob.pk and event.data == {"remaining": 9}
    assert any("9" in m.body and "recovery code" in m.body for m in mail.outbox if m.to == [bob.email])


@pytest.mark.parametrize(
    "transform", [str.upper, lambda c: c.replace("-", " "), lambda c: f"  {c.replace('-', '')} "]
)
def test_it_forgives_case_and_spacing(client, bob, codes, transform):
    start_signin(client, bob)
    assert client.post(URL, {"code": transform(codes[0])}).url == "/account/"


def test_each_code_works_once(client, bob, codes):
    start_signin(client, bob)
    assert client.post(URL, {"code": codes[0]}).url == "/account/"
    client.post("/logout/")
    start_signin(client, bob)
    response = client.post(URL, {"code": codes[0]})
    assert response.status_code == 200
    assert "used already" in " ".join(response.context["form"].errors["code"])
    assert "_auth_user_id" not in client.session
    assert client.post(URL, {"code": codes[1]}).url == "/account/"
    assert bob.recovery_codes.filter(used_at=None).count() == 8


def test_a_used_code_is_spent_even_in_a_race(bob, codes):
    assert do_use_recovery_code(user=bob, code=codes[0]) == 9
    assert do_use_recovery_code(user=bob, code=codes[0]) is None


@pytest.mark.parametrize("code", ["", "nope", "aaaa-bbbb-cccc", "0000-1111-iiii", "x" * 31])
def test_it_refuses_a_wrong_code(client, bob, codes, code):
    start_signin(client, bob)
    response = client.post(URL, {"code": code})
    assert response.status_code == 200
    assert response.context["form"].errors
    assert "_auth_user_id" not in client.session
    assert not bob.recovery_codes.exclude(used_at=None).exists()


def test_it_refuses_someone_elses_code(client, alice, bob, codes):
    from cpms.test import add_authenticator

    add_authenticator(alice)
    alice_codes = do_generate_recovery_codes(acting_user=alice)
    start_signin(client, bob)
    assert client.post(URL, {"code": alice_codes[0]}).status_code == 200
    assert "_auth_user_id" not in client.session
    assert not RecoveryCode.objects.exclude(used_at=None).exists()


def test_it_counts_a_wrong_code_as_a_failure(client, bob, codes):
    start_signin(client, bob)
    client.post(URL, {"code": "aaaa-bbbb-cccc"})
    event = AuditEvent.objects.get(action="identity.signin.code_failed")
    assert event.data == {"method": "recovery"}


def test_it_slows_down_code_guessing(client, bob, codes):
    with time_machine.travel(timezone.now(), tick=False) as clock:
        start_signin(client, bob)
        for _ in range(4):
            client.post(URL, {"code": "aaaa-bbbb-cccc"})
        response = client.post(URL, {"code": codes[0]})
        assert "Too many failed attempts" in response.content.decode()
        assert not bob.recovery_codes.exclude(used_at=None).exists()  # not spent while locked out
        clock.shift(31)
        assert client.post(URL, {"code": codes[0]}).url == "/account/"


def test_it_shares_the_lock_out_with_app_codes(client, bob, codes):
    start_signin(client, bob)
    for _ in range(4):
        client.post("/login/app/", {"code": "000000"})
    assert "Too many failed attempts" in client.post(URL, {"code": codes[0]}).content.decode()


def test_it_spends_a_code_once_even_when_two_requests_race(bob, codes, monkeypatch):
    check = recovery.matches

    def check_while_the_other_request_spends_it(user, value, hashed):
        matches = check(user, value, hashed)
        if matches:
            RecoveryCode.objects.filter(code_hash=hashed).update(used_at=timezone.now())
        return matches

    monkeypatch.setattr(recovery, "matches", check_while_the_other_request_spends_it)
    assert do_use_recovery_code(user=bob, code=codes[0]) is None
    assert not AuditEvent.objects.filter(action="identity.recovery_code.used").exists()
