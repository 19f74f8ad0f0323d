"""The shell of every page (header, footer, side navigation) is drawn once for each user, language
and set of entries, then reused: what is reused must never carry another request's token, path or
person (cpms/styleguide/fragments.py)."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from cpms.test import add_authenticator, make_coordinator_of, make_user, sign_in

from .factories import complete_profile

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
NEXT = re.compile(r'name="next" value="([^"]*)"')


def test_each_user_sees_their_own_name_and_entries(client, bob_in_cpms, rnd):
    carol = make_user("carol", "carol@example.org", "Carol", "Keller")
    make_coordinator_of(carol, rnd)
    add_authenticator(carol)
    complete_profile(carol)
    bobs_page = sign_in(client, bob_in_cpms.user).get("/cpms/").content.decode()
    carols_page = sign_in(Client(), carol).get("/cpms/").content.decode()
    assert "Bob" in bobs_page and "Carol Keller" not in bobs_page
    assert "Carol Keller" in carols_page and bob_in_cpms.user.get_full_name() not in carols_page
    assert "Requests for assistance" in carols_page and "Requests for assistance" not in bobs_page


def test_the_current_page_and_the_language_follow_each_request(client, bob_in_cpms):
    sign_in(client, bob_in_cpms.user)
    client.get("/cpms/")
    preferences = client.get("/cpms/preferences/").content.decode()
    assert 'href="/cpms/preferences/" aria-current="page">ERN Preferences<' in preferences
    assert 'aria-current="page">Dashboard<' not in preferences
    assert "Sign out" in client.get("/cpms/").content.decode()
    client.post(reverse("set_language"), {"language": "fr", "next": "/cpms/"})
    page = client.get("/cpms/").content.decode()
    assert "Se déconnecter" in page and "Sign out" not in page


def test_the_forms_carry_this_requests_path_escaped(client, bob_in_cpms):
    sign_in(client, bob_in_cpms.user)
    client.get("/cpms/")
    page = client.get("/cpms/?tab=1&x=%22%3E").content.decode()
    assert set(NEXT.findall(page)) == {"/cpms/?tab=1&amp;x=%22%3E"}
    assert set(NEXT.findall(client.get("/cpms/preferences/").content.decode())) == {"/cpms/preferences/"}


def test_the_forms_carry_this_sessions_csrf_token(bob_in_cpms):
    first, second = (sign_in(Client(enforce_csrf_checks=True), bob_in_cpms.user) for _ in range(2))
    first_tokens = TOKEN.findall(first.get("/cpms/").content.decode())
    second_tokens = TOKEN.findall(second.get("/cpms/").content.decode())
    assert len(first_tokens) == len(second_tokens) == 3  # language (header, footer) and sign out
    # A token kept from the other session's page would be refused (403).
    sign_out = reverse("identity:logout")
    assert second.post(sign_out, {"csrfmiddlewaretoken": second_tokens[1]}).status_code == 302
    assert first.post(sign_out, {"csrfmiddlewaretoken": first_tokens[1]}).status_code == 302
