import pytest

from cpms.access.tests.factories import make_administrator
from cpms.test import add_authenticator, sign_in, signin_in_progress

pytestmark = pytest.mark.django_db
VALIDATION_QUEUE = "/access/validation/"


def test_it_lets_a_two_factor_session_in(client):
    admin = make_administrator()
    sign_in(client, admin, methods=("pwd", "otp"))
    assert client.get(VALIDATION_QUEUE).status_code == 200


def test_it_asks_a_password_only_session_for_its_second_factor(client):
    admin = make_administrator()
    add_authenticator(admin)
    sign_in(client, admin, methods=("pwd",))
    response = client.get(VALIDATION_QUEUE)
    assert response.url == "/login/method/?reverify=1"
    assert signin_in_progress(client).next_url == VALIDATION_QUEUE


def test_it_asks_an_account_without_second_factor_to_set_one_up(client):
    admin = make_administrator()
    sign_in(client, admin, methods=("pwd",))
    response = client.get(VALIDATION_QUEUE, follow=True)
    assert response.redirect_chain[-1][0] == "/account/"
    assert "set up a second factor" in response.content.decode()
