"""The personal iCalendar feed: a secret URL per user that any calendar can subscribe to.

The secret is random (256 bits), stored encrypted (the owner sees it again on their settings page)
and found by its blind index, so that a look-up costs the same whatever the secret: an HMAC and one
indexed query. A wrong, renewed or revoked secret gets 404, as does the feed of someone who is no
longer active or has lost their CPMS access. Renewing gives a new secret (the old URL stops at
once); revoking deletes the feed. Each of the three is audited, never with the secret.

The feed is METHOD:PUBLISH: the user's meetings from 90 days ago on, each the VEVENT of
calendar.meeting_event (title, agenda by panel reference, link; cancelled ones as STATUS:CANCELLED).
Nothing identifying: no names, no e-mail addresses, no patient pseudonyms.
"""

import re
import secrets

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from cpms.access.queries.scopes import access_of
from cpms.audit.record import record
from cpms.lib.crypto import blind_index

from .calendar import meeting_event, new_calendar, to_ics
from .listing import feed_meetings
from .models import CalendarFeed

PURPOSE = "meetings.calendar_feed"
CREATED = "meetings.feed.created"
RENEWED = "meetings.feed.renewed"
REVOKED = "meetings.feed.revoked"
SECRET_BYTES = 32
# What token_urlsafe(32) gives: 43 characters of the URL-safe alphabet.
SECRET_SHAPE = re.compile(r"^[A-Za-z0-9_-]{43}$")
CALENDAR_NAME = "CPMS"


def new_secret() -> tuple[str, str]:
    secret = secrets.token_urlsafe(SECRET_BYTES)
    return secret, blind_index(secret, purpose=PURPOSE)


def feed_of(user) -> CalendarFeed | None:
    return CalendarFeed.objects.filter(user=user).first()


def feed_url(feed: CalendarFeed) -> str:
    return settings.SITE_URL.rstrip("/") + reverse("meetings:feed", args=[feed.token])


# -- the three steps of its owner (each locks the user's feed row, re-checks, writes, audits)


def do_create_calendar_feed(*, acting_user) -> CalendarFeed:
    """The user's feed; a new one unless they have one already (then it is kept as it is)."""
    with transaction.atomic():
        existing = CalendarFeed.objects.select_for_update().filter(user=acting_user).first()
        if existing is not None:
            return existing
        secret, index = new_secret()
        feed = CalendarFeed.objects.create(user=acting_user, token=secret, token_index=index)
        record(acting_user, CREATED, feed, {})
    return feed


def do_renew_calendar_feed(*, acting_user) -> CalendarFeed | None:
    """A new secret for the user's feed (the old URL stops); None when they have no feed."""
    with transaction.atomic():
        feed = CalendarFeed.objects.select_for_update().filter(user=acting_user).first()
        if feed is None:
            return None
        feed.token, feed.token_index = new_secret()
        feed.created_at = timezone.now()
        feed.last_read_at = None
        feed.save(update_fields=["token", "token_index", "created_at", "last_read_at"])
        record(acting_user, RENEWED, feed, {})
    return feed


def do_revoke_calendar_feed(*, acting_user) -> bool:
    """Delete the user's feed (its URL stops); False when there was none."""
    with transaction.atomic():
        feed = CalendarFeed.objects.select_for_update().filter(user=acting_user).first()
        if feed is None:
            return False
        record(acting_user, REVOKED, feed, {})
        feed.delete()
    return True


# -- the feed itself, for anyone holding the URL


def find_feed(secret: str) -> CalendarFeed | None:
    """The feed of this secret, if it is one and its owner may still use CPMS. Always the HMAC and
    the indexed query; then the owner's access."""
    well_formed = isinstance(secret, str) and bool(SECRET_SHAPE.match(secret))
    index = blind_index(secret if well_formed else "", purpose=PURPOSE)
    feed = CalendarFeed.objects.select_related("user").filter(token_index=index).first()
    if feed is None or not well_formed or not secrets.compare_digest(feed.token, secret):
        return None
    if not feed.user.is_active or not access_of(feed.user).has_grant("cpms"):
        return None
    return feed


def feed_ics(feed: CalendarFeed) -> bytes:
    """The user's meetings as a METHOD:PUBLISH calendar; marks the feed as read."""
    calendar = new_calendar("PUBLISH")
    calendar.add("x-wr-calname", CALENDAR_NAME)
    for meeting in feed_meetings(feed.user):
        calendar.add_component(meeting_event(meeting))
    CalendarFeed.objects.filter(pk=feed.pk).update(last_read_at=timezone.now())
    return to_ics(calendar)
