import base64
import hashlib
import hmac

from ..turn import ice_servers, turn_credential


def test_it_mints_a_coturn_rest_credential_that_expires(settings):
    settings.TURN_SECRET = "s3cret"
    settings.TURN_CREDENTIAL_SECONDS = 3600
    username, password = turn_credential(42, now=1_000_000)
    assert username == "1003600:42"
    expected = base64.b64encode(hmac.new(b"s3cret", b"1003600:42", hashlib.sha1).digest()).decode()
    assert password == expected
    assert turn_credential(42, now=1_000_001)[1] != password  # a new expiry, a new password


def test_it_lists_stun_then_turn_with_the_credential(settings):
    settings.STUN_URLS = ["stun:turn.example.org:3478"]
    settings.TURN_URLS = ["turn:turn.example.org:3478?transport=udp", "turns:turn.example.org:5349"]
    settings.TURN_SECRET = "s3cret"
    servers = ice_servers(7, now=0)
    assert servers[0] == {"urls": ["stun:turn.example.org:3478"]}
    assert servers[1]["urls"] == settings.TURN_URLS
    assert servers[1]["username"].endswith(":7")


def test_without_turn_configured_there_is_no_credential(settings):
    settings.STUN_URLS = []
    settings.TURN_URLS = ["turn:turn.example.org"]
    settings.TURN_SECRET = ""
    assert ice_servers(7) == []
