"""The meetings' section of the CPMS dashboard: "Your next meetings", one query."""

from datetime import timedelta

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cpms.test import sign_in

from ..listing import DASHBOARD_MAX
from ..models import Invitation, Meeting
from .factories import invite, make_meeting

URL = "/cpms/"


def section(user) -> str:
    response = sign_in(Client(), user).get(URL)
    assert response.status_code == 200
    return response.content.decode().split('id="next-meetings"', 1)[1].split("</section>", 1)[0]


def test_it_lists_the_next_meetings_with_a_link_to_my_meetings(world):
    html = section(world.expert)
    assert world.meeting.title in html and f'href="/cpms/meetings/{world.meeting.pk}/"' in html
    assert 'href="/cpms/meetings/"' in html and "No answer yet" in html


def test_it_leaves_out_declined_cancelled_and_past_meetings_and_others_meetings(world):
    Invitation.objects.filter(meeting=world.meeting, user=world.expert).update(response="declined")
    cancelled = make_meeting(world.enrolling, panels=[world.panel], title="Called off")
    Meeting.objects.unscoped().filter(pk=cancelled.pk).update(status=Meeting.Status.CANCELLED)
    make_meeting(
        world.enrolling, panels=[world.panel], title="Long ago", starts_at=timezone.now() - timedelta(days=2)
    )
    html = section(world.expert)
    assert world.meeting.title not in html and "Called off" not in html and "Long ago" not in html
    assert "No meetings ahead" in html
    assert "No meetings ahead" in section(world.invited)
    assert world.meeting.title in section(world.enrolling)


def test_it_shows_the_first_few_in_order(world):
    for days in range(DASHBOARD_MAX + 2, 1, -1):
        invite(
            make_meeting(
                world.triager,
                title=f"Board in {days:02d} days",
                starts_at=timezone.now() + timedelta(days=days),
            ),
            world.expert,
        )
    html = section(world.expert)
    assert html.count('class="list-group-item"') == DASHBOARD_MAX
    assert html.index(world.meeting.title) < html.index("Board in 02 days") < html.index("Board in 03 days")


def test_it_reads_one_query_whatever_the_number_of_meetings(world, django_assert_num_queries):
    client = sign_in(Client(), world.expert)
    client.get(URL)
    with CaptureQueriesContext(connection) as before:
        client.get(URL)
    for days in range(2, 6):
        invite(make_meeting(world.triager, starts_at=timezone.now() + timedelta(days=days)), world.expert)
    with django_assert_num_queries(len(before)):
        client.get(URL)
    mine = [q["sql"] for q in before.captured_queries if '"meetings_meeting"' in q["sql"]]
    assert len(mine) == 1
