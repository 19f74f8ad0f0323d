"""Pages for a signed-in user are never stored by the browser or a proxy (Cache-Control: no-store)."""

import pytest
from django.urls import reverse

from cpms.test import PASSWORD, sign_in

pytestmark = pytest.mark.django_db


def no_store(response) -> bool:
    return "no-store" in response.get("Cache-Control", "")


@pytest.mark.parametrize(
    "url_name", ["identity:my-account", "identity:account-details", "identity:sessions", "home"]
)
def test_every_page_of_a_signed_in_user_is_not_stored(client, bob, url_name):
    sign_in(client, bob)
    response = client.get(reverse(url_name))
    assert response.status_code == 200
    assert no_store(response)
    assert "private" in response["Cache-Control"]


def test_a_redirect_of_a_signed_in_user_is_not_stored_either(client, bob):
    sign_in(client, bob)
    assert no_store(client.get("/account/password/"))  # to verify again (bob's verification is fresh)


def test_the_page_that_signs_in_is_not_stored(client, alice):
    client.post(reverse("identity:login"), {"identifier": alice.email})
    client.post(reverse("identity:signin-method"), {"method": "password"})
    response = client.post(reverse("identity:signin-password"), {"password": PASSWORD})
    assert response.status_code == 302 and no_store(response)


def test_public_pages_for_anonymous_visitors_may_be_stored(client):
    for url in (reverse("home"), reverse("identity:privacy-statement")):
        response = client.get(url)
        assert response.status_code == 200
        assert not no_store(response), url
