import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cpms.identity.models import UserSession
from cpms.test import sign_in

from .oidc_helpers import make_service, tokens_for

pytestmark = pytest.mark.django_db

URL = reverse("identity:sessions")
FIREFOX_LINUX = "Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0"
SAFARI_IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1"
)


def other_session(user, user_agent=SAFARI_IPHONE, ip="192.0.2.7", methods=("pwd", "sms")) -> UserSession:
    """A session of `user` in another browser."""
    browser = sign_in(Client(), user, methods=methods)
    login_session = UserSession.objects.get(session_key=browser.session.session_key)
    login_session.user_agent = user_agent
    login_session.ip = ip
    login_session.save()
    return login_session


def test_it_asks_anonymous_users_to_sign_in(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response.url.startswith(reverse("identity:login"))


def test_it_lists_my_sessions_with_browser_system_ip_and_methods(client, bob):
    sign_in(client, bob)
    UserSession.objects.filter(session_key=client.session.session_key).update(
        user_agent=FIREFOX_LINUX, ip="198.51.100.4"
    )
    other = other_session(bob)
    response = client.get(URL)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Firefox on Linux" in page
    assert "Mobile Safari on iOS" in page
    assert "198.51.100.4" in page and "192.0.2.7" in page
    assert "Password + Authenticator app" in page
    assert "Password + Mobile Phone + SMS" in page
    assert page.count("This session") == 1
    rows = response.context["rows"]
    assert [row.current for row in rows] == [True, False]
    assert rows[0].browser == "Firefox"
    assert reverse("identity:session-end", args=[other.pk]) in page
    assert reverse("identity:sessions-end-others") in page


def test_it_offers_no_end_button_for_this_session(client, alice):
    sign_in(client, alice, methods=("pwd",))
    response = client.get(URL)
    current = UserSession.objects.get(session_key=client.session.session_key)
    page = response.content.decode()
    assert reverse("identity:session-end", args=[current.pk]) not in page
    assert reverse("identity:sessions-end-others") not in page


def test_it_shows_unknown_for_a_missing_user_agent(client, alice):
    sign_in(client, alice)
    assert "Unknown browser on unknown system" in client.get(URL).content.decode()


def test_it_shows_no_one_elses_sessions(client, alice, bob):
    sign_in(client, alice)
    bobs = other_session(bob, user_agent=FIREFOX_LINUX, ip="203.0.113.9")
    response = client.get(URL)
    assert "203.0.113.9" not in response.content.decode()
    assert bobs.pk not in [row.session.pk for row in response.context["rows"]]


def test_it_hides_ended_and_expired_sessions(client, alice):
    sign_in(client, alice)
    ended = other_session(alice, ip="192.0.2.1")
    ended.ended_at = timezone.now()
    ended.save()
    gone = other_session(alice, ip="192.0.2.2")
    Session.objects.filter(session_key=gone.session_key).delete()
    expired = other_session(alice, ip="192.0.2.3")
    Session.objects.filter(session_key=expired.session_key).update(expire_date=timezone.now())
    alive = other_session(alice, ip="192.0.2.4")
    response = client.get(URL)
    shown = {row.session.pk for row in response.context["rows"]}
    assert alive.pk in shown
    assert not shown & {ended.pk, gone.pk, expired.pk}


def test_it_keeps_a_place_for_services_signed_in_through_this_login(client, alice):
    sign_in(client, alice)
    assert "Services signed in through this login" in client.get(URL).content.decode()


def test_it_makes_a_fixed_number_of_queries(client, alice, django_assert_num_queries):
    sign_in(client, alice)
    other_session(alice)
    # session, user, live sessions, their services (one query each, whatever their number)
    with django_assert_num_queries(4):
        assert client.get(URL).status_code == 200
    for _ in range(5):
        other_session(alice, user_agent=FIREFOX_LINUX)
    with django_assert_num_queries(4):
        response = client.get(URL)
    assert len(response.context["rows"]) == 7


def test_it_names_each_table_by_its_heading(client, bob):
    sign_in(client, bob)
    tokens_for(client, make_service(trusted=True))
    page = client.get(URL).content.decode()
    for heading in ("browsers-heading", "services-heading"):
        assert f'id="{heading}"' in page
        assert f'<table class="table align-middle cpms-table-cards" aria-labelledby="{heading}">' in page
