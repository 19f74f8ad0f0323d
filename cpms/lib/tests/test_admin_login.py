"""/admin/login/: staff enter the admin through CPMS Login with two factors, and never loop."""

import pytest
from django.test import Client

from cpms.test import add_authenticator, make_user, sign_in, signin_in_progress

pytestmark = pytest.mark.django_db


def staff(username: str, email: str):
    return make_user(username, email, "Ada", "Admin", is_staff=True, is_superuser=True)


def test_it_sends_anonymous_visitors_to_sign_in_and_then_to_the_admin(client):
    response = client.get("/admin/")
    assert response.url == "/admin/login/?next=/admin/"
    response = client.get(response.url)
    assert response.url == "/login/?next=/admin/"


def test_it_lets_staff_verified_with_two_factors_through_instead_of_signing_in_again(client):
    user = staff("nadmin01", "ada@example.org")
    add_authenticator(user)
    sign_in(client, user)
    response = client.get("/admin/login/?next=/admin/identity/user/")
    assert response.status_code == 302
    assert response.url == "/admin/identity/user/"
    assert client.get("/admin/login/").url == "/admin/"


def test_it_asks_staff_signed_in_with_a_password_only_for_their_second_factor(client):
    user = staff("nadmin02", "ada@example.org")
    add_authenticator(user)
    sign_in(client, user, methods=("pwd",))
    response = client.get("/admin/login/?next=/admin/")
    assert response.url.startswith("/login/method/?reverify=1")
    assert signin_in_progress(client).next_url == "/admin/login/?next=/admin/"


def test_it_asks_staff_without_a_second_factor_to_set_one_up(client):
    sign_in(client, staff("nadmin03", "ada@example.org"), methods=("pwd",))
    response = client.get("/admin/login/?next=/admin/", follow=True)
    assert response.redirect_chain[-1][0] == "/account/"
    assert "set up a second factor" in response.content.decode()


def test_it_refuses_people_who_are_not_staff(client):
    user = make_user("nplain01", "pat@example.org", "Pat", "Plain")
    add_authenticator(user)
    sign_in(client, user)
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 403
    assert "You are not allowed to do this" in response.content.decode()


def test_it_ignores_a_next_address_on_another_site(client):
    user = staff("nadmin04", "ada@example.org")
    add_authenticator(user)
    sign_in(client, user)
    assert client.get("/admin/login/?next=https://evil.example/").url == "/admin/"
    assert Client().get("/admin/login/?next=//evil.example/").url == "/login/?next=/admin/"
