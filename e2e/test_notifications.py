"""The header's notifications in a browser: the count, the list, opening one, mark all read, the
settings; every page axe-clean, the empty state included."""

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect

from cpms.panels.models import Notification, NotificationSettings, Urgency
from cpms.panels.notifications import notify
from cpms.panels.tests.factories import make_panel, make_panel_world
from cpms.test import sign_in

from .conftest import accessibility_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_expert_reads_their_notifications_and_chooses_a_digest(page, site):
    world = make_panel_world()
    urgent = make_panel(world.patient, world.enrolling, urgency=Urgency.URGENT)
    notify([world.expert], Notification.Kind.CONTRIBUTION, world.panel, actor=world.guest_member)
    notify([world.expert], Notification.Kind.INVITED, urgent, actor=world.enrolling)
    cookie = sign_in(Client(), world.expert).cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": site}])

    page.goto("/cpms/")
    header = page.locator("header").get_by_role("link", name="Notifications")
    expect(header).to_contain_text("2")
    header.click()
    expect(page.get_by_role("heading", name="Notifications")).to_be_visible()
    assert accessibility_violations(page) == []
    page.get_by_role("link", name=f"Gustav Berg contributed to panel {world.panel.reference}").click()
    expect(page).to_have_url(f"{site}/cpms/panels/{world.panel.pk}/")
    expect(page.locator("header").get_by_role("link", name="Notifications")).to_contain_text("1")

    page.goto("/cpms/notifications/")
    page.get_by_role("button", name="Mark all as read").click()
    expect(page.get_by_text("Every notification is marked as read.")).to_be_visible()
    assert not Notification.objects.filter(recipient=world.expert, read_at=None).exists()

    page.get_by_role("link", name="Notification settings").click()
    assert accessibility_violations(page) == []
    page.get_by_label("A daily digest").check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Your notification settings are saved.")).to_be_visible()
    assert NotificationSettings.objects.get(user=world.expert).email == NotificationSettings.Email.DIGEST

    Notification.objects.filter(recipient=world.expert).delete()
    page.goto("/cpms/notifications/")
    expect(page.get_by_text("No notifications yet")).to_be_visible()
    assert accessibility_violations(page) == []
