import pytest
from django.urls import reverse

from cpms.test import sign_in

pytestmark = pytest.mark.django_db
URL = reverse("identity:account-details")


def test_it_asks_anonymous_users_to_sign_in(client):
    assert client.get(URL).url.startswith(reverse("identity:login"))


def test_it_shows_the_details_and_how_this_session_verified_in_words(client, bob):
    sign_in(client, bob, methods=("pwd", "otp"))
    page = client.get(URL).content.decode()
    assert "bob@example.org" in page and "nbob0002" in page
    assert "Password + Authenticator app" in page
    assert "pwd" not in page
