"""My meetings: the upcoming and the past (by position), each in the user's time zone, with the
agenda's panel references and the user's answer; an empty state with the next step."""

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cpms.test import sign_in

from ..listing import PAST_PAGE_SIZE, cursor_of
from ..models import Invitation, Meeting
from .factories import invite, make_meeting

URL = "/cpms/meetings/"
# Session and user, the gate, the header's unread notifications; the upcoming meetings and their
# agenda; the page of past meetings and theirs.
QUERIES = 8


def page(user, query: str = "") -> str:
    response = sign_in(Client(), user).get(URL + query)
    assert response.status_code == 200
    return response.content.decode()


def section(html: str, heading_id: str) -> str:
    return html.split(f'id="{heading_id}"', 1)[1].split("<h2", 1)[0]


def past_meeting(world, days_ago: int, **extra) -> Meeting:
    return make_meeting(
        world.enrolling, panels=[world.panel], starts_at=timezone.now() - timedelta(days=days_ago), **extra
    )


def test_it_is_the_meetings_entry_of_the_navigation():
    assert reverse("meetings:meeting-list") == URL


def test_it_sends_anonymous_visitors_to_sign_in(client, world):
    response = client.get(URL)
    assert response.status_code == 302 and response.url.startswith(reverse("identity:login"))


def test_it_shows_the_invitee_the_meeting_in_their_time_zone_with_the_agenda_and_their_answer(world):
    world.expert.time_zone = "America/New_York"
    world.expert.save()
    upcoming = section(page(world.expert), "upcoming-heading")
    assert world.meeting.title in upcoming and world.meeting.reference in upcoming
    assert world.panel.reference in upcoming
    assert "No answer yet" in upcoming
    # 15:00 in Berlin is 09:00 in New York
    assert (
        f"{world.meeting.starts_at.astimezone(ZoneInfo('America/New_York')):%d %B %Y}, 09:00".lstrip("0")
        in upcoming
    )
    assert f'href="/cpms/meetings/{world.meeting.pk}/"' in upcoming


def test_it_shows_the_organiser_as_the_organiser_and_an_answer_as_given(world):
    assert "You organise it" in section(page(world.enrolling), "upcoming-heading")
    Invitation.objects.filter(meeting=world.meeting, user=world.guest_member).update(response="declined")
    assert "Declined" in section(page(world.guest_member), "upcoming-heading")


def test_it_never_shows_someone_elses_meeting(world):
    for outsider in (world.invited, world.guest, world.triager, world.other_ern):
        html = page(outsider)
        assert world.meeting.title not in html
        assert "No upcoming meetings" in html and 'href="/cpms/panels/"' in html


def test_a_removed_invitee_and_a_former_panel_member_lose_the_meeting(world):
    Invitation.objects.filter(meeting=world.meeting, user=world.outsider_invited).update(
        removed_at=timezone.now()
    )
    world.panel.memberships.filter(user=world.expert).update(status="removed")
    assert world.meeting.title not in page(world.outsider_invited)
    assert world.meeting.title not in page(world.expert)
    assert world.meeting.title in page(world.guest_member)


def test_a_cancelled_meeting_is_marked(world):
    Meeting.objects.unscoped().filter(pk=world.meeting.pk).update(status=Meeting.Status.CANCELLED)
    assert "Cancelled" in section(page(world.expert), "upcoming-heading")


def test_a_meeting_under_way_is_upcoming_and_one_over_is_past(world):
    now = timezone.now()
    under_way = make_meeting(world.enrolling, title="Under way", starts_at=now - timedelta(minutes=30))
    over = make_meeting(world.enrolling, title="Over", starts_at=now - timedelta(hours=2))
    html = page(world.enrolling)
    assert under_way.title in section(html, "upcoming-heading")
    assert over.title in section(html, "past-heading")
    assert over.title not in section(html, "upcoming-heading")


def test_the_past_goes_by_pages_newest_first(world):
    meetings = [
        past_meeting(world, days, title=f"Past board {days:02d}") for days in range(1, PAST_PAGE_SIZE + 3)
    ]
    first = section(page(world.expert), "past-heading")
    assert "Past board 01" in first and f"Past board {PAST_PAGE_SIZE:02d}" in first
    assert f"Past board {PAST_PAGE_SIZE + 1:02d}" not in first
    assert first.index("Past board 01") < first.index("Past board 02")
    cursor = cursor_of(meetings[PAST_PAGE_SIZE - 1])
    assert f"after={cursor}" in first
    second = section(page(world.expert, f"?after={cursor}"), "past-heading")
    assert f"Past board {PAST_PAGE_SIZE + 1:02d}" in second and "Past board 01" not in second
    assert f"before={cursor_of(meetings[PAST_PAGE_SIZE])}" in second


@pytest.mark.parametrize("cursor", ["x", "12-", "-3", "9" * 50, "1-99999999999999999999", "１-1"])
def test_a_broken_cursor_is_the_first_page(world, cursor):
    past_meeting(world, 2, title="Long ago")
    assert "Long ago" in section(page(world.expert, f"?after={cursor}"), "past-heading")


def test_a_cursor_past_the_end_offers_the_way_back(world):
    html = section(page(world.expert, "?after=1000-1"), "past-heading")
    assert "Back to the first page" in html


def test_its_queries_are_a_fixed_few(world, django_assert_num_queries):
    past_meeting(world, 10)
    client = sign_in(Client(), world.expert)
    client.get(URL)
    with django_assert_num_queries(QUERIES):
        client.get(URL)
    for days in range(1, 5):
        past_meeting(world, days)
        other = make_meeting(world.triager, starts_at=timezone.now() + timedelta(days=days))
        invite(other, world.expert)
    with django_assert_num_queries(QUERIES):
        html = client.get(URL).content.decode()
    assert html.count('class="list-group-item"') == 10  # the meeting of the world, 5 past, 4 more ahead
