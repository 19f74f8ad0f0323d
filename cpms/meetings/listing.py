"""Reads of a user's own meetings: "My meetings" (upcoming and past), the month calendar, the
iCalendar feed, the dashboard's next meetings, and a panel's meetings on the panel's page.

A user's meetings are those they organise and those they are invited to with the invitation in
force: not taken off the meeting, and, for an invitation that came with a panel (`via_panel`), only
while they are still an accepted member of that panel (the rule of queries.invitation_in_force, in
SQL). Nothing else is listed, so nobody sees another person's meetings here; each meeting's page
checks again (queries.get_meeting_for_user).

Every function reads a fixed number of queries, whatever the number of meetings (pinned in tests).
"""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cpms.access.queries.pages import EPOCH, MICROSECOND
from cpms.lib.sql import compiled_once
from cpms.panels.models import Membership, Panel

from .models import AgendaItem, Invitation, Meeting

# A meeting that started less than this long ago may still be under way: the lists tell by its end.
LONGEST_MEETING = timedelta(hours=24)
UPCOMING_MAX = 50
PAST_PAGE_SIZE = 20
DASHBOARD_MAX = 5
FEED_PAST = timedelta(days=90)
FEED_MAX = 500
PANEL_UPCOMING_MAX = 10
PANEL_NOTES_MAX = 20
MAX_CURSOR_LENGTH = 40

ORGANISER = "organiser"


def invitations_in_force(user) -> QuerySet:
    """The user's invitations that hold: not removed, and their panel membership (if any) accepted."""
    member = Membership.objects.filter(
        panel_id=OuterRef("via_panel_id"), user=user, status=Membership.Status.ACCEPTED
    )
    return Invitation.objects.filter(user=user, removed_at__isnull=True).filter(
        Q(via_panel__isnull=True) | Exists(member)
    )


def meetings_of(user) -> QuerySet:
    """The user's meetings (organised or invited in force), each with `my_response`: the answer to
    their invitation, or "organiser"."""
    in_force = invitations_in_force(user).filter(meeting_id=OuterRef("pk"))
    return (
        Meeting.objects.unscoped()
        .filter(Q(organiser=user) | Exists(in_force))
        .annotate(my_response=Subquery(in_force.values("response")[:1]))
    )


def with_agenda(queryset: QuerySet) -> QuerySet:
    """The agenda (its panel references) in one more query."""
    items = AgendaItem.objects.select_related("panel").only(
        "id", "meeting_id", "position", "title", "panel_id", "panel__id"
    )
    return queryset.prefetch_related(Prefetch("agenda_items", queryset=items))


def response_of(meeting: Meeting, user) -> str:
    return ORGANISER if meeting.organiser_id == user.pk else (meeting.my_response or "")


def answer_label(answer: str) -> str:
    if answer == ORGANISER:
        return _("You organise it")
    return Invitation.Response(answer).label if answer in Invitation.Response.values else ""


def decorate(meetings, user) -> list[Meeting]:
    """Each meeting with `my_answer` (a Response value or "organiser") and its label."""
    for meeting in meetings:
        meeting.my_answer = response_of(meeting, user)
        meeting.my_answer_label = answer_label(meeting.my_answer)
    return list(meetings)


def is_over(meeting: Meeting, now: datetime) -> bool:
    """Ended by the clock (or started more than LONGEST_MEETING ago)."""
    return meeting.ends_at <= now or meeting.starts_at <= now - LONGEST_MEETING


# -- "My meetings": upcoming, and the past by position


@dataclass
class PastPage:
    """A page of past meetings, newest first, found by its position (`<µs since 1970>-<id>`)."""

    rows: list = field(default_factory=list)
    next_cursor: str = ""
    previous_cursor: str = ""
    lost: bool = False  # a cursor past either end: offer the way back to the first page

    def __iter__(self):
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)

    @property
    def has_next(self) -> bool:
        return bool(self.next_cursor)

    @property
    def has_previous(self) -> bool:
        return bool(self.previous_cursor)

    @property
    def has_other_pages(self) -> bool:
        return self.has_next or self.has_previous

    @property
    def total(self) -> int:
        """For components/_pagination.html: "Back to the first page" when a cursor led nowhere."""
        return len(self.rows) or int(self.lost)


def cursor_of(meeting: Meeting) -> str:
    return f"{(meeting.starts_at - EPOCH) // MICROSECOND}-{meeting.pk}"


def parse_cursor(value) -> tuple[datetime, int] | None:
    """`(starts_at, id)` from a cursor of the URL; None for anything that is not one."""
    if not isinstance(value, str) or len(value) > MAX_CURSOR_LENGTH or not value.isascii():
        return None
    micros, _, pk = value.partition("-")
    if not (micros.isdigit() and pk.isdigit()) or not 0 < int(pk) < 2**63:
        return None
    try:
        return EPOCH + int(micros) * MICROSECOND, int(pk)
    except OverflowError:
        return None


def upcoming_meetings(user, *, now=None, limit: int = UPCOMING_MAX) -> list[Meeting]:
    """The user's meetings not over yet (under way first, then by start), with their agenda: 2 queries."""
    now = now or timezone.now()
    rows = with_agenda(meetings_of(user).filter(starts_at__gt=now - LONGEST_MEETING)).order_by(
        "starts_at", "pk"
    )
    return decorate([m for m in rows[: limit + 20] if not is_over(m, now)][:limit], user)


def past_meetings(
    user, *, after: str = "", before: str = "", now=None, size: int = PAST_PAGE_SIZE
) -> PastPage:
    """A page of the user's meetings that are over, newest first, with their agenda: 2 queries."""
    now = now or timezone.now()
    started = with_agenda(meetings_of(user).filter(starts_at__lte=now))
    if (position := parse_cursor(after)) is not None:
        starts_at, pk = position
        older = Q(starts_at__lt=starts_at) | Q(starts_at=starts_at, pk__lt=pk)
        found = list(started.filter(older).order_by("-starts_at", "-pk")[: size + 1])
        more_after, more_before = len(found) > size, True
        found = found[:size]
    elif (position := parse_cursor(before)) is not None:
        starts_at, pk = position
        newer = Q(starts_at__gt=starts_at) | Q(starts_at=starts_at, pk__gt=pk)
        found = list(started.filter(newer).order_by("starts_at", "pk")[: size + 1])
        more_after, more_before = True, len(found) > size
        found = found[:size][::-1]
    else:
        found = list(started.order_by("-starts_at", "-pk")[: size + 1])
        more_after, more_before = len(found) > size, False
        found = found[:size]
    if not found:
        return PastPage(lost=bool(after or before))
    # The positions are those of the rows read; a meeting still under way is shown with the upcoming.
    return PastPage(
        rows=decorate([m for m in found if is_over(m, now)], user),
        next_cursor=cursor_of(found[-1]) if more_after else "",
        previous_cursor=cursor_of(found[0]) if more_before else "",
    )


def _next_meetings_query(user_id: int, started_after: datetime) -> QuerySet:
    answered = invitations_in_force(user_id).filter(meeting_id=OuterRef("pk"))
    not_declined = answered.exclude(response=Invitation.Response.DECLINED)
    return (
        Meeting.objects.unscoped()
        .filter(Q(organiser_id=user_id) | Exists(not_declined))
        .filter(status=Meeting.Status.SCHEDULED, starts_at__gt=started_after)
        .annotate(my_response=Subquery(answered.values("response")[:1]))
        .order_by("starts_at", "pk")
    )[: DASHBOARD_MAX + 10]


# On every dashboard: its SQL is built once (building it took 5 ms, running it 0.1).
_next_meetings = compiled_once(_next_meetings_query)


def next_meetings(user, *, now=None) -> list[Meeting]:
    """The dashboard's next meetings: scheduled, not over, not declined; one query (no agenda)."""
    now = now or timezone.now()
    rows = _next_meetings(user.pk, now - LONGEST_MEETING)
    return decorate([m for m in rows if not is_over(m, now)][:DASHBOARD_MAX], user)


# -- the month calendar


@dataclass
class Day:
    date: date
    in_month: bool
    is_today: bool
    meetings: list = field(default_factory=list)


@dataclass
class Month:
    first: date
    weeks: list[list[Day]]
    previous: date
    next: date
    weekdays: list[date]  # a week of dates, for the column headers
    count: int


def first_of(year: int, month: int) -> date:
    return date(year, month, 1)


def add_months(first: date, months: int) -> date:
    index = first.year * 12 + first.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def month_of(user, year: int, month: int, *, first_weekday: int = 0, today=None) -> Month:
    """The month's grid in the current time zone (the user's): whole weeks from `first_weekday`
    (0 = Monday), each day with the user's meetings that start on it. One query."""
    zone = timezone.get_current_timezone()
    today = today or timezone.localdate()
    first = first_of(year, month)
    following = add_months(first, 1)
    start = first - timedelta(days=(first.weekday() - first_weekday) % 7)
    end = following + timedelta(days=(first_weekday - following.weekday()) % 7)
    since = datetime(start.year, start.month, start.day, tzinfo=zone)
    until = datetime(end.year, end.month, end.day, tzinfo=zone)
    rows = meetings_of(user).filter(starts_at__gte=since, starts_at__lt=until).order_by("starts_at", "pk")
    by_day: dict[date, list[Meeting]] = {}
    for meeting in decorate(rows, user):
        by_day.setdefault(timezone.localtime(meeting.starts_at, zone).date(), []).append(meeting)
    days = [start + timedelta(days=offset) for offset in range((end - start).days)]
    weeks = [
        [Day(day, day.month == month, day == today, by_day.get(day, [])) for day in days[week : week + 7]]
        for week in range(0, len(days), 7)
    ]
    count = sum(len(meetings) for day, meetings in by_day.items() if day.month == month and day.year == year)
    return Month(first, weeks, add_months(first, -1), following, days[:7], count)


# -- the iCalendar feed


def feed_meetings(user, *, now=None) -> list[Meeting]:
    """What the user's feed lists: their meetings from 90 days ago on, cancelled ones included,
    with the agenda: 2 queries."""
    now = now or timezone.now()
    rows = with_agenda(meetings_of(user).filter(starts_at__gte=now - FEED_PAST)).order_by("starts_at", "pk")
    return list(rows[:FEED_MAX])


# -- a panel's meetings, on the panel's page


@dataclass
class PanelMeetings:
    upcoming: list = field(default_factory=list)
    notes: list = field(default_factory=list)  # agenda items of past meetings with notes

    @property
    def is_empty(self) -> bool:
        return not self.upcoming and not self.notes


def panel_meetings(panel: Panel, user, *, ern_ids=(), now=None) -> PanelMeetings:
    """The panel's upcoming meetings and the notes filed from its past ones (the agenda item's and the
    meeting's), each marked `may_open` when the user may open the meeting's page: 2 queries.

    For the panel's page, shown to those who may read the case (the caller checks).
    """
    now = now or timezone.now()
    mine = invitations_in_force(user).filter(meeting_id=OuterRef("meeting_id"))
    items = (
        AgendaItem.objects.filter(panel=panel)
        .select_related("meeting")
        .annotate(invited=Exists(mine))
        .order_by("meeting__starts_at", "meeting_id", "position", "pk")
    )
    upcoming = list(
        items.filter(meeting__status=Meeting.Status.SCHEDULED, meeting__starts_at__gt=now - LONGEST_MEETING)[
            : PANEL_UPCOMING_MAX + 10
        ]
    )
    upcoming = [item for item in upcoming if not is_over(item.meeting, now)][:PANEL_UPCOMING_MAX]
    with_notes = items.filter(meeting__starts_at__lte=now).filter(~Q(notes="") | ~Q(meeting__notes=""))
    notes = list(
        with_notes.order_by("-meeting__starts_at", "-meeting_id", "position", "pk")[:PANEL_NOTES_MAX]
    )
    for item in [*upcoming, *notes]:
        meeting = item.meeting
        item.may_open = item.invited or meeting.organiser_id == user.pk or meeting.ern_id in ern_ids
    return PanelMeetings(upcoming, notes)
