"""The header's notifications place: the unread count on CPMS pages, for verified CPMS users only."""

import re

from django.test import RequestFactory
from django.urls import reverse

from cpms.test import sign_in

from ..context_processors import notifications
from ..models import Notification
from ..notifications import notify

LIST = reverse("panels:notification-list")
DASHBOARD = reverse("clinical:dashboard")


def badge_on(client, url: str) -> str | None:
    """The header's unread count on the page at `url` ("0": the place without a number; None: no place)."""
    response = client.get(url)
    assert response.status_code == 200
    page = response.content.decode()
    found = re.search(rf'href="{LIST}">Notifications(?: <span class="badge[^"]*">(\d+))?', page)
    return None if found is None else (found.group(1) or "0")


def test_it_shows_how_many_are_unread_and_links_to_the_list(client, world):
    [unread] = notify([world.expert], Notification.Kind.INVITED, world.panel, actor=world.enrolling)
    [read] = notify([world.expert], Notification.Kind.CONTRIBUTION, world.panel, actor=world.enrolling)
    notify([world.guest_member], Notification.Kind.CONTRIBUTION, world.panel, actor=world.enrolling)
    Notification.objects.filter(pk=read.pk).update(read_at=read.created_at)
    sign_in(client, world.expert)
    assert badge_on(client, DASHBOARD) == "1"
    client.get(reverse("panels:notification-open", args=[unread.pk]))
    assert badge_on(client, DASHBOARD) == "0"


def test_with_nothing_unread_the_place_is_there_without_a_number(client, world):
    sign_in(client, world.expert)
    assert badge_on(client, DASHBOARD) == "0"


def test_anonymous_visitors_and_pages_outside_cpms_have_none(client, world):
    assert badge_on(client, "/") is None
    sign_in(client, world.expert)
    assert badge_on(client, reverse("identity:my-account")) is None
    assert badge_on(client, reverse("access:my-requests")) is None


def test_someone_signed_in_without_a_second_factor_has_none(client, world):
    sign_in(client, world.expert, methods=("pwd",))
    assert badge_on(client, reverse("clinical:second-factor-required")) is None


def test_someone_without_a_cpms_grant_has_none(client, world):
    world.expert.grants.all().delete()
    sign_in(client, world.expert)
    assert badge_on(client, reverse("clinical:no-access")) is None


def test_it_reads_nothing_until_the_header_asks(world, django_assert_num_queries):
    request = RequestFactory().get(DASHBOARD)
    request.user = world.expert
    with django_assert_num_queries(0):
        notifications(request)
