"""What the scheduling tests share: the form's POST data, and the .ics of an e-mail."""

from datetime import date, timedelta

from django.core import mail
from django.utils import timezone
from icalendar import Calendar


def in_days(days: int) -> date:
    return timezone.now().date() + timedelta(days=days)


def meeting_data(*, panels=(), free=(), invitees=(), **fields) -> dict:
    """The form as posted: `panels` as (panel, minutes, position), `free` as (title, minutes, position)."""
    rows = [
        {"panel": panel.pk, "title": "", "minutes": minutes, "ORDER": order}
        for panel, minutes, order in panels
    ]
    rows += [
        {"panel": "", "title": title, "minutes": minutes, "ORDER": order} for title, minutes, order in free
    ]
    data = {
        "title": "RND board",
        "date": in_days(5).isoformat(),
        "time": "15:00",
        "time_zone": "Europe/Berlin",
        "duration_minutes": "60",
        "save": "1",
        "agenda-TOTAL_FORMS": str(len(rows)),
        "agenda-INITIAL_FORMS": "0",
        "agenda-MIN_NUM_FORMS": "0",
        "agenda-MAX_NUM_FORMS": "30",
        "invitees": [str(user.pk) for user in invitees],
    }
    for index, row in enumerate(rows):
        for key, value in row.items():
            data[f"agenda-{index}-{key}"] = str(value)
    data.update(fields)
    return data


def ics_of(message) -> tuple[Calendar, str]:
    """The calendar attached to an e-mail, and its Content-Type."""
    [attachment] = [part for part in message.message().walk() if part.get_content_type() == "text/calendar"]
    return Calendar.from_ical(attachment.get_payload(decode=True)), attachment["Content-Type"]


def event_of(message):
    calendar, _ = ics_of(message)
    [event] = calendar.walk("VEVENT")
    return calendar, event


def mails_to(user) -> list:
    return [message for message in mail.outbox if message.to == [user.email]]
