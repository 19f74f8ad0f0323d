"""The month calendar: a table of whole weeks, today marked, the user's meetings on their day in the
user's time zone, previous and next month; a month that is none gets a message and 400."""

import calendar
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cpms.test import sign_in

from .factories import invite, make_meeting

URL = "/cpms/meetings/month/"
# Session and user, the gate, the header's unread notifications, the month's meetings.
QUERIES = 5
NOW = datetime(2026, 12, 2, 9, 0, tzinfo=ZoneInfo("UTC"))


def get(user, query: str = "", status: int = 200) -> str:
    response = sign_in(Client(), user).get(URL + query)
    assert response.status_code == status
    return response.content.decode()


def test_it_is_named():
    assert reverse("meetings:meeting-month") == URL


def test_it_sends_anonymous_visitors_to_sign_in(client, world):
    response = client.get(URL)
    assert response.status_code == 302 and response.url.startswith(reverse("identity:login"))


def test_it_shows_the_month_with_today_marked_and_the_meeting_on_its_day(world):
    today = timezone.localdate()  # the users' zone is the site's default
    day = world.meeting.starts_at.astimezone(timezone.get_current_timezone()).date()
    html = get(world.expert, f"?year={day.year}&month={day.month}")
    assert f"Meetings in {day:%B %Y}" in html
    table = html.split('id="month-calendar"', 1)[1].split("</table>", 1)[0]
    assert table.count('scope="col"') == 7 and table.index(">Mon<") < table.index(">Sun<")
    weeks = len(calendar.Calendar(firstweekday=0).monthdatescalendar(day.year, day.month))
    assert table.count("<tr>") == 1 + weeks
    if (today.year, today.month) == (day.year, day.month):
        marked = table.split('aria-current="date"', 1)[1].split("</td>", 1)[0]
        assert f"{today.day} {today:%B %Y}" in marked and "Today" in marked
    cell = table.split(f"{day.day} {day:%B %Y}", 1)[1].split("</td>", 1)[0]
    assert world.meeting.title in cell and f'href="/cpms/meetings/{world.meeting.pk}/"' in cell
    assert "1 meeting, times in your time zone" in html


@time_machine.travel(NOW, tick=False)
def test_it_marks_today_and_links_the_months_around(world):
    html = get(world.expert)
    assert "Meetings in December 2026" in html
    assert "2 December 2026" in html.split('aria-current="date"', 1)[1].split("</td>", 1)[0]
    assert "?year=2026&amp;month=11" in html and "?year=2027&amp;month=1" in html
    assert html.count('aria-current="date"') == 1


@time_machine.travel(NOW, tick=False)
def test_a_meeting_falls_on_the_day_of_the_users_time_zone(world):
    late = make_meeting(
        world.enrolling,
        title="Late board",
        starts_at=datetime(2026, 12, 10, 23, 30, tzinfo=ZoneInfo("Europe/Berlin")),
    )
    invite(late, world.expert)
    world.expert.time_zone = "America/New_York"
    world.expert.save()
    html = get(world.expert)
    day = html.split("10 December 2026", 1)[1].split("</td>", 1)[0]
    assert "Late board" in day and "17:30" in day


@time_machine.travel(NOW, tick=False)
def test_it_goes_to_another_month_and_shows_no_one_elses_meetings(world):
    html = get(world.expert, "?year=2027&month=1")
    assert "Meetings in January 2027" in html and world.meeting.title not in html
    assert "No meetings this month" in html
    assert world.meeting.title not in get(world.invited)


@pytest.mark.parametrize(
    "query",
    [
        "?year=abc&month=1",
        "?year=2026&month=13",
        "?year=2026&month=0",
        "?year=99999&month=1",
        "?month=5",
        "?year=2026&month=%EF%BC%91",
        "?year=1969&month=12",
    ],
)
@time_machine.travel(NOW, tick=False)
def test_a_month_that_is_none_gets_a_message_and_the_current_month(world, query):
    html = get(world.expert, query, status=400)
    assert "Please choose a month between 1970 and 2200" in html and "Meetings in December 2026" in html


def test_its_queries_are_a_fixed_few(world, django_assert_num_queries):
    client = sign_in(Client(), world.expert)
    client.get(URL)
    with django_assert_num_queries(QUERIES):
        client.get(URL)
    for hours in range(2, 8):
        invite(
            make_meeting(world.triager, starts_at=world.meeting.starts_at + timedelta(hours=hours)),
            world.expert,
        )
    with django_assert_num_queries(QUERIES):
        client.get(URL)
