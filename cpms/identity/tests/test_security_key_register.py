import time
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cpms.audit.models import AuditEvent
from cpms.identity.models import SecurityKey
from cpms.test import sign_in

from .soft_authenticator import ORIGIN, SoftAuthenticator, b64, post_json, save_key

pytestmark = pytest.mark.django_db

OPTIONS_URL = "/account/keys/add/options/"
URL = "/account/keys/add/register/"


def options_for(client, name="Laptop") -> dict:
    response = post_json(client, OPTIONS_URL, {"name": name})
    assert response.status_code == 200, response.content
    return response.json()


def test_it_sends_anonymous_visitors_to_login(client):
    response = post_json(client, URL, {"name": "Laptop", "credential": {}})
    assert response.status_code == 302 and response.url.startswith("/login/?next=")


def test_it_verifies_and_saves_the_key(client, alice, django_capture_on_commit_callbacks):
    sign_in(client, alice)
    authenticator = SoftAuthenticator(transports=["usb", "nfc"])
    credential = authenticator.create(options_for(client), origin=ORIGIN)
    with django_capture_on_commit_callbacks(execute=True):
        response = post_json(client, URL, {"name": "  Laptop ", "credential": credential})
    assert response.status_code == 200, response.content
    assert response.json() == {"redirect": "/account/keys/"}
    key = SecurityKey.objects.get(user=alice)
    assert key.name == "Laptop"
    assert bytes(key.credential_id) == authenticator.credential_id
    assert bytes(key.public_key) == authenticator.cose_public_key()
    assert key.sign_count == 0 and key.transports == ["nfc", "usb"]
    event = AuditEvent.objects.get(action="identity.security_key.added")
    assert event.actor_id == alice.pk and event.target_id == str(key.pk) and event.data["name"] == "Laptop"
    assert len(mail.outbox) == 1 and "“Laptop” was added" in mail.outbox[0].body
    assert "Your security key “Laptop” was added." in client.get("/account/keys/").content.decode()


def test_it_uses_each_challenge_once(client, alice):
    sign_in(client, alice)
    credential = SoftAuthenticator().create(options_for(client), origin=ORIGIN)
    assert post_json(client, URL, {"name": "Laptop", "credential": credential}).status_code == 200
    replay = post_json(client, URL, {"name": "Laptop 2", "credential": credential})
    assert replay.status_code == 400
    assert "expired or was already used" in replay.json()["error"]
    assert SecurityKey.objects.filter(user=alice).count() == 1


def test_it_consumes_the_challenge_even_when_verification_fails(client, alice):
    sign_in(client, alice)
    authenticator = SoftAuthenticator()
    options = options_for(client)
    bad = authenticator.create(options, origin="https://evil.example")
    assert post_json(client, URL, {"name": "Laptop", "credential": bad}).status_code == 400
    good = authenticator.create(options, origin=ORIGIN)
    response = post_json(client, URL, {"name": "Laptop", "credential": good})
    assert response.status_code == 400 and "expired or was already used" in response.json()["error"]
    assert not SecurityKey.objects.exists()


def test_it_refuses_an_expired_challenge(client, alice):
    sign_in(client, alice)
    credential = SoftAuthenticator().create(options_for(client), origin=ORIGIN)
    with time_machine.travel(timedelta(minutes=5, seconds=5)):
        session = client.session  # keep the session alive and freshly verified
        session["verified.at"] = session["session.seen_at"] = time.time()
        session.save()
        response = post_json(client, URL, {"name": "Laptop", "credential": credential})
    assert response.status_code == 400 and "expired" in response.json()["error"]
    assert not SecurityKey.objects.exists()


def test_it_refuses_an_answer_to_another_challenge(client, alice):
    sign_in(client, alice)
    options = options_for(client)
    credential = SoftAuthenticator().create({**options, "challenge": "AAAAAAAAAAAAAAAAAAAAAA"}, origin=ORIGIN)
    response = post_json(client, URL, {"name": "Laptop", "credential": credential})
    assert response.status_code == 400 and "could not be verified" in response.json()["error"]


def test_it_refuses_another_relying_party(client, alice):
    sign_in(client, alice)
    options = options_for(client)
    credential = SoftAuthenticator().create({**options, "rp": {"id": "evil.example"}}, origin=ORIGIN)
    assert post_json(client, URL, {"name": "Laptop", "credential": credential}).status_code == 400


def test_it_refuses_a_key_already_registered(client, alice, bob):
    authenticator, _ = save_key(bob, "Bob's key")
    sign_in(client, alice)
    credential = authenticator.create(options_for(client), origin=ORIGIN)
    response = post_json(client, URL, {"name": "Laptop", "credential": credential})
    assert response.status_code == 400
    assert response.json()["error"] == "This security key is already registered."
    assert not SecurityKey.objects.filter(user=alice).exists()


def test_it_refuses_a_name_taken_since_the_options_were_given(client, alice):
    sign_in(client, alice)
    credential = SoftAuthenticator().create(options_for(client), origin=ORIGIN)
    save_key(alice, "Laptop")
    response = post_json(client, URL, {"name": "laptop", "credential": credential})
    assert response.status_code == 400 and response.json()["field"] == "name"


@pytest.mark.parametrize(
    "body",
    [b"nope", b"[]", b'{"name": "Laptop"}', b'{"credential": {}}', b'{"name": "Laptop", "credential": "x"}'],
)
def test_it_answers_bad_json_with_a_400(client, alice, body):
    sign_in(client, alice)
    options_for(client)
    response = post_json(client, URL, raw=body)
    assert response.status_code == 400 and "not understood" in response.json()["error"]


GARBLED_CREDENTIALS = st.dictionaries(
    st.sampled_from(["id", "rawId", "type", "response", "authenticatorAttachment"]),
    st.one_of(
        st.text(max_size=20),
        st.integers(),
        st.none(),
        st.dictionaries(
            st.sampled_from(["clientDataJSON", "attestationObject", "transports"]),
            st.one_of(
                st.text(max_size=40),
                st.binary(max_size=120).map(b64),
                st.integers(),
                st.lists(st.text(max_size=5), max_size=3),
            ),
        ),
        st.binary(max_size=32).map(b64),
    ),
)


def test_it_never_fails_on_a_garbled_credential(client, alice):
    sign_in(client, alice)

    @settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(credential=GARBLED_CREDENTIALS)
    def check(credential):
        options_for(client)
        response = post_json(client, URL, {"name": "Laptop", "credential": credential})
        assert response.status_code == 400 and response.json()["error"]

    check()


def test_it_accepts_only_post(client, alice):
    assert sign_in(client, alice).get(URL).status_code == 405


def test_on_the_way_into_cpms_it_goes_on_to_cpms(client, alice):
    sign_in(client, alice, methods=("pwd",))
    assert client.get("/account/keys/add/?next=/cpms/preferences/").status_code == 200
    credential = SoftAuthenticator().create(options_for(client), origin=ORIGIN)
    response = post_json(client, URL, {"name": "Laptop", "credential": credential})
    assert response.json() == {"redirect": "/cpms/preferences/"}
    assert client.session["verified.methods"] == ["pwd", "hwk"]
