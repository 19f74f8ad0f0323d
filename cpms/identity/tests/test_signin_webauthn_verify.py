from datetime import timedelta

import pytest
import time_machine
from django.core import mail

from cpms.audit.models import AuditEvent
from cpms.identity.models import SecurityKey, UserSession
from cpms.test import PASSWORD

from .soft_authenticator import ORIGIN, at_key_step, post_json, save_key

pytestmark = pytest.mark.django_db

OPTIONS_URL = "/login/key/options/"
URL = "/login/key/verify/"


def options_for(client) -> dict:
    response = post_json(client, OPTIONS_URL)
    assert response.status_code == 200, response.content
    return response.json()


def code_failures() -> int:
    return AuditEvent.objects.filter(action="identity.signin.code_failed", data__method="webauthn").count()


@pytest.fixture
def alice_key(alice):
    authenticator, key = save_key(alice, "Laptop", sign_count=7)
    return authenticator, key


def test_it_signs_in_with_the_key(client, alice, alice_key):
    authenticator, key = alice_key
    at_key_step(client, alice, PASSWORD)
    credential = authenticator.get(options_for(client), origin=ORIGIN)
    response = post_json(client, URL, {"credential": credential})
    assert response.status_code == 200, response.content
    assert response.json() == {"redirect": "/account/"}
    assert client.session["_auth_user_id"] == str(alice.pk)
    assert client.session["verified.methods"] == ["pwd", "hwk"]
    assert UserSession.objects.get(user=alice).methods == ["pwd", "hwk"]
    key.refresh_from_db()
    assert key.sign_count == 8 and key.last_used_at is not None
    assert AuditEvent.objects.filter(action="identity.signin.succeeded", actor_id=alice.pk).exists()
    assert client.get("/account/").status_code == 200


def test_it_goes_back_to_the_page_that_asked(client, alice, alice_key):
    authenticator, _ = alice_key
    client.get("/login/?next=/account/keys/")
    client.post("/login/", {"identifier": alice.email, "next": "/account/keys/"})
    client.post("/login/method/", {"method": "webauthn"})
    client.post("/login/password/", {"password": PASSWORD})
    credential = authenticator.get(options_for(client), origin=ORIGIN)
    assert post_json(client, URL, {"credential": credential}).json() == {"redirect": "/account/keys/"}


def test_it_accepts_an_authenticator_without_a_counter(client, alice):
    authenticator, key = save_key(alice, "Passkey")
    at_key_step(client, alice, PASSWORD)
    credential = authenticator.get(options_for(client), origin=ORIGIN, count=False)
    assert post_json(client, URL, {"credential": credential}).status_code == 200
    key.refresh_from_db()
    assert key.sign_count == 0


def test_it_refuses_an_old_answer_in_a_later_sign_in(client, alice, alice_key):
    authenticator, _ = alice_key
    at_key_step(client, alice, PASSWORD)
    credential = authenticator.get(options_for(client), origin=ORIGIN)
    assert post_json(client, URL, {"credential": credential}).status_code == 200
    client.post("/logout/")
    at_key_step(client, alice, PASSWORD)
    options_for(client)
    response = post_json(client, URL, {"credential": credential})
    assert response.status_code == 400 and "could not be verified" in response.json()["error"]
    assert "_auth_user_id" not in client.session
    assert code_failures() == 1


def test_it_refuses_a_replayed_answer(client, alice, alice_key):
    authenticator, _ = alice_key
    at_key_step(client, alice, PASSWORD)
    options = options_for(client)
    stale = authenticator.get(options, origin=ORIGIN, count=False)  # counter did not move: refused
    assert post_json(client, URL, {"credential": stale}).status_code == 400
    replay = post_json(client, URL, {"credential": authenticator.get(options, origin=ORIGIN)})
    assert replay.status_code == 400
    assert "expired or was already used" in replay.json()["error"]
    assert "_auth_user_id" not in client.session


def test_it_refuses_a_counter_that_went_backwards_and_says_so(
    client, alice, alice_key, django_capture_on_commit_callbacks
):
    authenticator, key = alice_key
    authenticator.sign_count = 3  # a copy of the key, behind the original
    at_key_step(client, alice, PASSWORD)
    with django_capture_on_commit_callbacks(execute=True):
        response = post_json(
            client, URL, {"credential": authenticator.get(options_for(client), origin=ORIGIN)}
        )
    assert response.status_code == 400
    assert "_auth_user_id" not in client.session
    key.refresh_from_db()
    assert key.sign_count == 7
    event = AuditEvent.objects.get(action="identity.security_key.sign_count_regressed")
    assert event.target_id == str(key.pk) and event.data == {"name": "Laptop", "stored": 7, "received": 4}
    assert code_failures() == 1
    assert any("counter went backwards" in m.body for m in mail.outbox)


def test_it_refuses_an_equal_counter(client, alice, alice_key):
    authenticator, _ = alice_key
    at_key_step(client, alice, PASSWORD)
    credential = authenticator.get(options_for(client), origin=ORIGIN, count=False)  # still 7
    assert post_json(client, URL, {"credential": credential}).status_code == 400


def test_it_refuses_a_wrong_signature_and_counts_it(client, alice, alice_key):
    authenticator, _ = alice_key
    at_key_step(client, alice, PASSWORD)
    credential = authenticator.get(options_for(client), origin=ORIGIN)
    credential["response"]["signature"] = authenticator.get(options_for(client), origin=ORIGIN)["response"][
        "signature"
    ]
    response = post_json(client, URL, {"credential": credential})
    assert response.status_code == 400 and "could not be verified" in response.json()["error"]
    assert code_failures() == 1
    assert "_auth_user_id" not in client.session


def test_it_refuses_another_origin(client, alice, alice_key):
    authenticator, _ = alice_key
    at_key_step(client, alice, PASSWORD)
    credential = authenticator.get(options_for(client), origin="https://cpms.example.evil")
    assert post_json(client, URL, {"credential": credential}).status_code == 400
    assert code_failures() == 1


def test_it_refuses_someone_elses_key(client, alice, bob, alice_key):
    bobs_authenticator, _ = save_key(bob, "Bob's key")
    at_key_step(client, alice, PASSWORD)
    credential = bobs_authenticator.get(options_for(client), origin=ORIGIN)
    response = post_json(client, URL, {"credential": credential})
    assert response.status_code == 400 and "not registered for your account" in response.json()["error"]
    assert code_failures() == 1


def test_it_refuses_an_expired_challenge(client, alice, alice_key):
    authenticator, _ = alice_key
    at_key_step(client, alice, PASSWORD)
    credential = authenticator.get(options_for(client), origin=ORIGIN)
    with time_machine.travel(timedelta(minutes=6)):
        response = post_json(client, URL, {"credential": credential})
    assert response.status_code == 400 and "expired" in response.json()["error"]


def test_it_locks_out_after_repeated_failures(client, alice, alice_key):
    authenticator, key = alice_key
    at_key_step(client, alice, PASSWORD)
    for _ in range(4):  # the free failures of "code:account"
        bad = authenticator.get(options_for(client), origin="https://evil.example")
        assert post_json(client, URL, {"credential": bad}).status_code == 400
    response = post_json(client, URL, {"credential": {}})
    assert response.status_code == 429
    assert post_json(client, OPTIONS_URL).status_code == 429
    with time_machine.travel(timedelta(hours=2)):
        good = authenticator.get(options_for(client), origin=ORIGIN)
        assert post_json(client, URL, {"credential": good}).status_code == 200


@pytest.mark.parametrize(
    "body", [b"", b"{", b"[]", b"null", b'{"credential": null}', b'{"credential": "abc"}', b"{}"]
)
def test_it_answers_bad_json_with_a_400(client, alice, alice_key, body):
    at_key_step(client, alice, PASSWORD)
    options_for(client)
    response = post_json(client, URL, raw=body)
    assert response.status_code == 400 and "not understood" in response.json()["error"]
    assert code_failures() == 0


@pytest.mark.parametrize(
    "credential",
    [
        {},
        {"id": "x", "rawId": "x"},
        {"id": "AA", "rawId": "AA", "type": "public-key", "response": {}},
        {
            "id": "AA",
            "rawId": "!!",
            "type": "public-key",
            "response": {
                "clientDataJSON": "e30",
                "authenticatorData": "AA",
                "signature": "AA",
                "userHandle": 5,
            },
        },
    ],
)
def test_it_answers_a_malformed_credential_with_a_400(client, alice, alice_key, credential):
    at_key_step(client, alice, PASSWORD)
    options_for(client)
    response = post_json(client, URL, {"credential": credential})
    assert response.status_code == 400 and response.json()["error"]


def test_it_refuses_anyone_without_a_password_step(client, alice, alice_key):
    authenticator, _ = alice_key
    response = post_json(client, URL, {"credential": {}})
    assert response.status_code == 403 and response.json()["redirect"] == "/login/"
    assert code_failures() == 0


def test_it_refuses_a_challenge_given_to_another_account(client, alice, bob, alice_key):
    authenticator, _ = alice_key
    at_key_step(client, alice, PASSWORD)
    options = options_for(client)
    save_key(bob, "Bob's key")
    at_key_step(client, bob, PASSWORD)  # same browser, now signing in as bob
    response = post_json(client, URL, {"credential": authenticator.get(options, origin=ORIGIN)})
    assert response.status_code == 400 and "expired or was already used" in response.json()["error"]


def test_it_accepts_only_post(client, alice, alice_key):
    at_key_step(client, alice, PASSWORD)
    assert client.get(URL).status_code == 405
    assert SecurityKey.objects.count() == 1
