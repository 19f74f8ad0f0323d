"""Dates and times in the user's language and time zone, on a 24-hour clock, on pages and in e-mails."""

from datetime import UTC, datetime

import pytest
import time_machine
from django.core import mail

from cpms.identity.actions.recovery import do_generate_recovery_codes
from cpms.test import sign_in

pytestmark = pytest.mark.django_db

AT_19_46_UTC = datetime(2026, 12, 1, 19, 46, tzinfo=UTC)  # 20:46 in Brussels, 04:46 the next day in Tokyo


@time_machine.travel(AT_19_46_UTC, tick=False)
@pytest.mark.parametrize(
    ("language", "expected"), [("en", "1 December 2026, 20:46"), ("fr", "1 décembre 2026 à 20:46")]
)
def test_a_page_shows_times_in_my_language_and_time_zone(client, alice, language, expected):
    sign_in(client, alice, methods=("pwd",))
    page = client.get("/account/sessions/", HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert expected in page


@time_machine.travel(AT_19_46_UTC, tick=False)
def test_a_page_shows_times_in_the_time_zone_i_chose(client, alice):
    alice.time_zone = "Asia/Tokyo"
    alice.save()
    sign_in(client, alice, methods=("pwd",))
    page = client.get("/account/sessions/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "2 December 2026, 04:46" in page
    assert "20:46" not in page and " PM" not in page


@time_machine.travel(AT_19_46_UTC, tick=False)
@pytest.mark.parametrize(
    ("language", "expected"),
    [("en", "When: 1 December 2026, 20:46"), ("fr", "Date\xa0: 1 décembre 2026 à 20:46")],
)
def test_an_email_is_in_my_email_language_and_time_zone(
    alice, language, expected, django_capture_on_commit_callbacks
):
    alice.email_language = language
    alice.save()
    with django_capture_on_commit_callbacks(execute=True):
        do_generate_recovery_codes(acting_user=alice)
    assert expected in mail.outbox[-1].body


@time_machine.travel(AT_19_46_UTC, tick=False)
def test_an_email_is_in_my_time_zone_whatever_the_page_s(client, alice, django_capture_on_commit_callbacks):
    alice.time_zone = "America/New_York"
    alice.save()
    sign_in(client, alice)
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/account/recovery-codes/", HTTP_ACCEPT_LANGUAGE="fr")
    assert "When: 1 December 2026, 14:46" in mail.outbox[-1].body
