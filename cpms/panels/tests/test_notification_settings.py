import re

import pytest
from django.urls import reverse

from cpms.audit.models import AuditEvent
from cpms.test import sign_in

from ..models import NotificationSettings

URL = reverse("panels:notification-settings")
Email = NotificationSettings.Email


def checked_in(page: str) -> str:
    [value] = re.findall(r'<input type="radio" name="email" value="(\w+)"[^>]* checked', page)
    return value


def test_it_sends_anonymous_visitors_to_sign_in(client, world):
    response = client.get(URL)
    assert response.status_code == 302 and response.url.startswith(reverse("identity:login"))


def test_it_offers_the_three_choices_with_now_until_one_is_made(client, world):
    sign_in(client, world.expert)
    page = client.get(URL).content.decode()
    assert [value for value in Email.values if f'value="{value}"' in page] == Email.values
    assert checked_in(page) == Email.NOW


@pytest.mark.parametrize("choice", [Email.DIGEST, Email.URGENT_ONLY])
def test_it_keeps_the_choice_and_audits_the_change(client, world, choice):
    sign_in(client, world.expert)
    response = client.post(URL, {"email": choice}, follow=True)
    assert response.redirect_chain == [(reverse("panels:notification-list"), 302)]
    assert b"Your notification settings are saved." in response.content
    assert NotificationSettings.objects.get(user=world.expert).email == choice
    event = AuditEvent.objects.get(action="panels.notifications.settings_changed")
    assert event.actor_id == world.expert.pk and event.data == {"email": {"old": "now", "new": choice}}
    assert checked_in(client.get(URL).content.decode()) == choice


def test_saving_the_same_choice_records_nothing(client, world):
    sign_in(client, world.expert)
    client.post(URL, {"email": Email.NOW})
    assert not AuditEvent.objects.filter(action="panels.notifications.settings_changed").exists()


@pytest.mark.parametrize("data", [{}, {"email": "weekly"}, {"email": "x" * 5000}])
def test_a_missing_or_hostile_choice_is_a_clear_400(client, world, data):
    sign_in(client, world.expert)
    response = client.post(URL, data)
    assert response.status_code == 400
    assert b"There is a problem" in response.content
    assert not NotificationSettings.objects.filter(user=world.expert).exists()


def test_the_list_links_here(client, world):
    sign_in(client, world.expert)
    assert URL.encode() in client.get(reverse("panels:notification-list")).content
