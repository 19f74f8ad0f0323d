"""`manage.py rotate_oidc_key`: ID tokens signed before a rotation still verify; new ones use the new key."""

from datetime import timedelta
from io import StringIO

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.urls import reverse
from joserfc.errors import JoseError

from cpms.lib import keys
from cpms.test import sign_in

from .oidc_helpers import POST_LOGOUT_URI, make_service, tokens_for, verified_claims

pytestmark = pytest.mark.django_db


def use_keys(settings, key_dir) -> None:
    """What a restart after the rotation does: read the keys again."""
    found = keys.signing_keys(key_dir=key_dir)
    settings.OAUTH2_PROVIDER = {
        **settings.OAUTH2_PROVIDER,
        "OIDC_RSA_PRIVATE_KEY": found.active,
        "OIDC_RSA_PRIVATE_KEYS_INACTIVE": found.inactive,
    }


def kid_of(client, id_token: str) -> str:
    from joserfc import jws

    return jws.extract_compact(id_token.encode()).protected["kid"]


def published_kids(client) -> list[str]:
    return [key["kid"] for key in client.get(reverse("oauth2_provider:jwks-info")).json()["keys"]]


def rotate(*args) -> str:
    out = StringIO()
    call_command("rotate_oidc_key", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def key_dir(settings, tmp_path):
    settings.OIDC_KEY_DIR = tmp_path / "oidc"
    use_keys(settings, settings.OIDC_KEY_DIR)
    return settings.OIDC_KEY_DIR


def test_it_keeps_old_tokens_verifiable_and_signs_new_ones_with_the_new_key(client, settings, key_dir, bob):
    sign_in(client, bob)
    service = make_service(trusted=True)
    before = tokens_for(client, service)["id_token"]
    old_kid = kid_of(client, before)
    assert published_kids(client) == [old_kid]

    output = rotate()
    assert "Retired the signing key" in output and "Restart the server" in output
    use_keys(settings, key_dir)

    after = tokens_for(client, service)["id_token"]
    new_kid = kid_of(client, after)
    assert new_kid != old_kid
    assert published_kids(client) == [new_kid, old_kid]
    assert verified_claims(client, before)["sub"] == verified_claims(client, after)["sub"]

    # A service may still name the old ID token when it signs the user out.
    response = client.get(
        reverse("oauth2_provider:rp-initiated-logout"),
        {"id_token_hint": before, "post_logout_redirect_uri": POST_LOGOUT_URI},
    )
    assert response.status_code == 302 and response.url == POST_LOGOUT_URI


def test_it_prunes_only_keys_older_than_the_longest_token_lifetime(client, settings, key_dir, bob):
    sign_in(client, bob)
    service = make_service(trusted=True)
    before = tokens_for(client, service)["id_token"]
    rotate()
    assert "0 retired key(s) deleted" in rotate("--prune")
    use_keys(settings, key_dir)
    assert len(published_kids(client)) == 2
    with time_machine.travel(timedelta(hours=1, minutes=1)):
        output = rotate("--prune")
    assert "1 retired key(s) deleted" in output and "0 still published" in output
    use_keys(settings, key_dir)
    assert len(published_kids(client)) == 1
    with pytest.raises(JoseError):
        verified_claims(client, before)


def test_it_writes_keys_readable_by_their_owner_only(key_dir):
    rotate()
    for path in [key_dir / "active.pem", *(key_dir / "inactive").glob("*.pem")]:
        assert path.stat().st_mode & 0o077 == 0


def test_it_refuses_to_rotate_keys_that_come_from_the_environment(settings):
    settings.EMBEDDED = False
    with pytest.raises(CommandError, match="OIDC_RSA_PRIVATE_KEY"):
        rotate()
