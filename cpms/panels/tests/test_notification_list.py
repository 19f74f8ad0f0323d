import re

import pytest
from django.urls import reverse

from cpms.test import sign_in

from ..models import Notification, Urgency
from ..notifications import notify
from ..queries.notifications import PAGE_SIZE
from .factories import make_panel

URL = reverse("panels:notification-list")
# Session and user, the gate (grants, profile and navigation centres in one), the header's unread count, and
# the page: its count, its keys, its rows with their panel, patient, ERN and actor.
QUERIES = 7


def test_it_sends_anonymous_visitors_to_sign_in(client, world):
    response = client.get(URL)
    assert response.status_code == 302 and response.url.startswith(reverse("identity:login"))


def test_it_says_what_will_appear_when_there_is_nothing_yet(client, world):
    sign_in(client, world.expert)
    page = client.get(URL).content.decode()
    assert "No notifications yet" in page
    assert reverse("clinical:dashboard") in page
    assert reverse("panels:notification-settings") in page
    assert "Mark all as read" not in page


def test_it_lists_the_users_notifications_newest_first_each_linking_to_open_it(client, world):
    notify([world.expert], Notification.Kind.INVITED, world.panel, actor=world.enrolling)
    notify([world.expert], Notification.Kind.CONTRIBUTION, world.panel, actor=world.guest_member)
    notify([world.guest_member], Notification.Kind.MENTIONED, world.panel, actor=world.enrolling)
    sign_in(client, world.expert)
    page = client.get(URL).content.decode()
    contributed, invited = page.index("Gustav Berg contributed to panel"), page.index("invited you to panel")
    assert contributed < invited
    assert "mentioned you" not in page  # someone else's
    assert world.patient.pseudonym in page and world.panel.reference in page
    opened = {int(pk) for pk in re.findall(r"/cpms/notifications/(\d+)/", page)}
    assert opened == set(Notification.objects.filter(recipient=world.expert).values_list("pk", flat=True))
    assert page.count(">Unread<") == 2


def test_it_marks_urgent_and_read_ones(client, world):
    urgent = make_panel(world.patient, world.enrolling, urgency=Urgency.URGENT)
    [read] = notify([world.expert], Notification.Kind.INVITED, world.panel, actor=world.enrolling)
    Notification.objects.filter(pk=read.pk).update(read_at=read.created_at)
    notify([world.expert], Notification.Kind.INVITED, urgent, actor=world.enrolling)
    sign_in(client, world.expert)
    page = client.get(URL).content.decode()
    assert page.count(">Urgent<") == 1 and page.count(">Unread<") == 1
    assert page.index(">Urgent<") < page.index(world.panel.reference)  # the urgent one is the newest


def test_it_pages_by_position(client, world):
    for _ in range(PAGE_SIZE + 3):
        notify([world.expert], Notification.Kind.CONTRIBUTION, world.panel, actor=world.guest_member)
    sign_in(client, world.expert)
    first = client.get(URL).content.decode()
    assert first.count("contributed to panel") == PAGE_SIZE
    after = re.search(r'href="\?after=([\d-]+)"', first).group(1)
    second = client.get(URL, {"after": after}).content.decode()
    assert second.count("contributed to panel") == 3
    assert 'rel="prev"' in second


@pytest.mark.parametrize("cursor", ["nonsense", "9" * 80, "1-0", "-1-5"])
def test_a_hostile_cursor_is_the_first_page(client, world, cursor):
    notify([world.expert], Notification.Kind.CONTRIBUTION, world.panel, actor=world.guest_member)
    sign_in(client, world.expert)
    response = client.get(URL, {"after": cursor, "before": cursor})
    assert response.status_code == 200
    assert b"contributed to panel" in response.content


def test_it_costs_the_same_queries_for_one_row_or_a_full_page(client, world, django_assert_num_queries):
    notify([world.expert], Notification.Kind.CONTRIBUTION, world.panel, actor=world.guest_member)
    sign_in(client, world.expert)
    with django_assert_num_queries(QUERIES):
        client.get(URL)
    for _ in range(PAGE_SIZE):
        notify([world.expert], Notification.Kind.INVITED, world.panel, actor=world.enrolling)
    with django_assert_num_queries(QUERIES):
        client.get(URL)
