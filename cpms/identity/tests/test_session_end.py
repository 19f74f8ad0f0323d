import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse

from cpms.audit.models import AuditEvent
from cpms.identity.models import UserSession
from cpms.test import sign_in

pytestmark = pytest.mark.django_db

MY_ACCOUNT = reverse("identity:my-account")
END_OTHERS = reverse("identity:sessions-end-others")


def end_url(login_session: UserSession) -> str:
    return reverse("identity:session-end", args=[login_session.pk])


def second_browser(user) -> tuple[Client, UserSession]:
    browser = sign_in(Client(), user)
    return browser, UserSession.objects.get(session_key=browser.session.session_key)


def is_signed_out(browser: Client) -> bool:
    response = browser.get(MY_ACCOUNT)
    return response.status_code == 302 and response.url.startswith(reverse("identity:login"))


def test_it_asks_anonymous_users_to_sign_in(client, alice):
    _, login_session = second_browser(alice)
    for url in (end_url(login_session), END_OTHERS):
        response = client.post(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("identity:login"))
    assert UserSession.objects.get(pk=login_session.pk).ended_at is None


def test_it_accepts_only_post(client, alice):
    sign_in(client, alice)
    _, login_session = second_browser(alice)
    assert client.get(end_url(login_session)).status_code == 405
    assert client.get(END_OTHERS).status_code == 405


def test_it_ends_another_session_of_mine(client, alice):
    sign_in(client, alice)
    phone, login_session = second_browser(alice)
    response = client.post(end_url(login_session), follow=True)
    assert response.redirect_chain[-1][0] == reverse("identity:sessions")
    assert "The session was ended." in response.content.decode()
    login_session.refresh_from_db()
    assert login_session.ended_at is not None
    assert not Session.objects.filter(session_key=login_session.session_key).exists()
    assert is_signed_out(phone)
    assert not is_signed_out(client)
    event = AuditEvent.objects.get(action="identity.session.ended")
    assert event.actor_id == alice.pk and event.target_id == str(login_session.pk)


def test_it_refuses_someone_elses_session(client, alice, bob):
    sign_in(client, alice)
    bobs_phone, bobs_session = second_browser(bob)
    assert client.post(end_url(bobs_session)).status_code == 404
    bobs_session.refresh_from_db()
    assert bobs_session.ended_at is None
    assert not is_signed_out(bobs_phone)
    assert not AuditEvent.objects.filter(action="identity.session.ended").exists()


def test_it_answers_404_for_a_missing_or_ended_session(client, alice):
    sign_in(client, alice)
    _, login_session = second_browser(alice)
    assert client.post(end_url(login_session)).status_code == 302
    assert client.post(end_url(login_session)).status_code == 404  # replay
    assert client.post(reverse("identity:session-end", args=[999999])).status_code == 404


def test_it_signs_me_out_when_i_end_this_session(client, alice):
    sign_in(client, alice)
    key = client.session.session_key
    current = UserSession.objects.get(session_key=key)
    response = client.post(end_url(current), follow=True)
    assert response.redirect_chain[-1][0] == reverse("identity:login")
    assert "You are signed out." in response.content.decode()
    assert not Session.objects.filter(session_key=key).exists()
    assert is_signed_out(client)


def test_it_ends_all_my_other_sessions_and_keeps_this_one(client, alice, bob):
    sign_in(client, alice)
    browsers = [second_browser(alice) for _ in range(3)]
    bobs_phone, _ = second_browser(bob)
    response = client.post(END_OTHERS, follow=True)
    assert "All your other sessions were ended." in response.content.decode()
    assert all(is_signed_out(browser) for browser, _ in browsers)
    assert not is_signed_out(client)
    assert not is_signed_out(bobs_phone)
    assert [row.current for row in response.context["rows"]] == [True]
    assert AuditEvent.objects.filter(action="identity.session.ended", actor_id=alice.pk).count() == 3


def test_it_says_when_there_were_no_other_sessions(client, alice):
    sign_in(client, alice)
    response = client.post(END_OTHERS, follow=True)
    assert "You had no other sessions." in response.content.decode()
    assert not is_signed_out(client)
