"""The calendar feed's page: create it, show its address to copy, renew it (the old URL stops) and
revoke it; each step audited, never with the secret."""

import pytest
from django.test import Client
from django.urls import reverse

from cpms.audit.models import AuditEvent
from cpms.test import sign_in

from ..models import CalendarFeed

URL = "/cpms/meetings/feed/"
# Session and user, the gate, the header's unread notifications, the feed.
QUERIES = 5


def feed_path(feed: CalendarFeed) -> str:
    return reverse("meetings:feed", args=[feed.token])


def test_it_is_named():
    assert reverse("meetings:feed-settings") == URL


def test_it_sends_anonymous_visitors_to_sign_in(client, world):
    for response in (client.get(URL), client.post(URL, {"step": "create"})):
        assert response.status_code == 302 and response.url.startswith(reverse("identity:login"))
    assert not CalendarFeed.objects.exists()


def test_it_offers_to_create_one_then_shows_its_address(world):
    client = sign_in(Client(), world.expert)
    assert "Create my calendar feed" in client.get(URL).content.decode()
    response = client.post(URL, {"step": "create"}, follow=True)
    feed = CalendarFeed.objects.get(user=world.expert)
    html = response.content.decode()
    assert "Your calendar feed is ready" in html
    assert f'value="http://testserver{feed_path(feed)}"' in html or feed_path(feed) in html
    assert 'data-copy-target="feed-url"' in html and "identity/copy-text.js" in html
    assert len(feed.token) == 43 and feed.token not in feed.token_index
    [event] = AuditEvent.objects.filter(action="meetings.feed.created")
    assert event.actor_id == world.expert.pk and feed.token not in str(event.data)
    client.post(URL, {"step": "create"})  # twice: still the one feed, the same address
    assert CalendarFeed.objects.get(user=world.expert).token == feed.token


def test_renewing_gives_a_new_address_and_the_old_one_stops(world):
    client = sign_in(Client(), world.expert)
    client.post(URL, {"step": "create"})
    old = CalendarFeed.objects.get(user=world.expert)
    assert Client().get(feed_path(old)).status_code == 200
    response = client.post(URL, {"step": "renew"}, follow=True)
    assert "the old one no longer works" in response.content.decode()
    new = CalendarFeed.objects.get(user=world.expert)
    assert new.token != old.token and new.token_index != old.token_index
    assert Client().get(feed_path(old)).status_code == 404
    assert Client().get(feed_path(new)).status_code == 200
    assert AuditEvent.objects.filter(action="meetings.feed.renewed", actor_id=world.expert.pk).count() == 1


def test_revoking_turns_it_off(world):
    client = sign_in(Client(), world.expert)
    client.post(URL, {"step": "create"})
    feed = CalendarFeed.objects.get(user=world.expert)
    response = client.post(URL, {"step": "revoke"}, follow=True)
    assert "Your calendar feed is turned off" in response.content.decode()
    assert not CalendarFeed.objects.exists()
    assert Client().get(feed_path(feed)).status_code == 404
    assert AuditEvent.objects.filter(action="meetings.feed.revoked", actor_id=world.expert.pk).count() == 1
    response = client.post(URL, {"step": "revoke"}, follow=True)  # nothing left to revoke: said, not a 500
    assert "You have no calendar feed" in response.content.decode()


def test_someone_sees_and_changes_only_their_own_feed(world):
    sign_in(Client(), world.expert).post(URL, {"step": "create"})
    feed = CalendarFeed.objects.get(user=world.expert)
    other = sign_in(Client(), world.guest_member)
    html = other.get(URL).content.decode()
    assert feed.token not in html and "Create my calendar feed" in html
    other.post(URL, {"step": "revoke"})
    other.post(URL, {"step": "renew"})
    assert CalendarFeed.objects.get(user=world.expert).token == feed.token


@pytest.mark.parametrize("data", [{}, {"step": "delete"}, {"step": "x" * 5000}])
def test_an_unknown_step_is_refused_with_a_message(world, data):
    response = sign_in(Client(), world.expert).post(URL, data)
    assert response.status_code == 400 and "Please choose one of the buttons." in response.content.decode()
    assert not CalendarFeed.objects.exists()


def test_its_queries_are_a_fixed_few(world, django_assert_num_queries):
    client = sign_in(Client(), world.expert)
    client.post(URL, {"step": "create"})
    client.get(URL)
    with django_assert_num_queries(QUERIES):
        assert client.get(URL).status_code == 200
