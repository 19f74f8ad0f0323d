import time

import pytest
from django.contrib.staticfiles import finders

from cpms.test import sign_in, signin_in_progress

pytestmark = pytest.mark.django_db

URL = "/account/keys/add/"


def test_it_sends_anonymous_visitors_to_login(client):
    assert client.get(URL).url == "/login/?next=/account/keys/add/"


def test_it_asks_for_a_fresh_verification_first(client, alice):
    sign_in(client, alice)
    session = client.session
    session["verified.at"] = time.time() - 3600
    session.save()
    response = client.get(URL)
    assert response.status_code == 302
    assert response.url == "/login/method/?reverify=1"
    assert signin_in_progress(client).next_url == URL


def test_it_shows_a_labelled_name_field_and_a_live_region(client, alice):
    response = sign_in(client, alice).get(URL)
    assert response.status_code == 200
    page = response.content.decode()
    assert '<label class="form-label" for="id_name">Name of the key</label>' in page
    assert 'maxlength="60"' in page
    assert 'id="webauthn-status"' in page and 'aria-live="polite"' in page
    assert 'data-options-url="/account/keys/add/options/"' in page
    assert 'data-register-url="/account/keys/add/register/"' in page
    assert "already registered" in page and "cancelled" in page and "cannot use security keys" in page


def test_it_loads_scripts_that_exist(client, alice):
    page = sign_in(client, alice).get(URL).content.decode()
    for path in ["vendor/simplewebauthn/index.umd.min.js", "identity/webauthn.js"]:
        assert f'src="/static/{path}"' in page
        assert finders.find(path), path


def test_it_accepts_only_get(client, alice):
    assert sign_in(client, alice).post(URL, {"name": "Laptop"}).status_code == 405
