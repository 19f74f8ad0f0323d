"""The KPI roll-up: each month's counts of an ERN's panels, derived from the panels and stored once
the month is over, so that the KPI page sums a few thousand rows instead of reading every panel of
its period (bench/bench_reports.py).

What a month holds (`MonthRows`): per requesting centre, thematic area and urgency, the panels
requested, opened, closed (and closed with two opinions or more), the outcomes signed (and signed
after the wished date), all by the month of their own clock field (cpms/reports/kpis.py says what
each figure counts); per urgency, the outcomes per number of days from the request (rounded to a
tenth, as shown); per author, the opinions written. The same function computes the rows of a month
to store them and of a month that is not stored (the current one, or one touched since), so that the
page's figures are the same either way; tests/test_rollup.py checks them against kpis.py's
computation from scratch.

Months are those of the site's time zone (settings.TIME_ZONE), whoever looks: an ERN's figures are
the same for each of its coordinators.

Kept in step with the data: every clock field of a panel and every opinion is written at the moment
it happens (cpms/panels/actions), so only the current month changes; the one action that changes a
past month's figures is a forward, which moves a submitted panel to another ERN or thematic area. A
forward noted after a month was rolled up makes the page compute that month from the panels again,
until the daily task (tasks.roll_up_kpis) stores it anew. `manage.py roll_up_kpis --rebuild` stores
every month from scratch.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.db.models import Count, FloatField, Func, OuterRef, Q, Subquery, Sum
from django.utils import timezone

from cpms.panels.models import Contribution, Panel, TriageNote

from .models import ContributionMonth, OutcomeDays, PanelMonth, RolledMonth

COLUMNS = ("requested", "opened", "closed", "closed_with_two", "outcomes", "answered_late")


def next_month(month: datetime.date) -> datetime.date:
    return datetime.date(month.year + month.month // 12, month.month % 12 + 1, 1)


def aware(month: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(month, datetime.time()))


def month_of(moment: datetime.datetime) -> datetime.date:
    return timezone.localtime(moment).date().replace(day=1)


def site_time_zone():
    """Months are counted in the site's time zone, not the viewer's (see the module's docstring)."""
    return timezone.override(settings.TIME_ZONE)


class DaysBetween(Func):
    """`a - b` in days, as a float, computed by the database itself (no per-row Python function on
    SQLite, where Django's own datetime arithmetic calls one): julianday() on SQLite, the epoch on
    PostgreSQL. `b` may be a date (midnight UTC)."""

    arity = 2
    output_field = FloatField()

    def as_sql(self, compiler, connection, **extra):
        return self.as_postgresql(compiler, connection, **extra)

    def as_postgresql(self, compiler, connection, **extra):
        (a, a_params), (b, b_params) = (compiler.compile(e) for e in self.source_expressions)
        return f"(EXTRACT(EPOCH FROM ({a} - {b}::timestamptz)) / 86400.0)", [*a_params, *b_params]

    def as_sqlite(self, compiler, connection, **extra):
        (a, a_params), (b, b_params) = (compiler.compile(e) for e in self.source_expressions)
        return f"(julianday({a}) - julianday({b}))", [*a_params, *b_params]


DURATION = DaysBetween("outcome_signed_at", "submitted_at")


def in_month(name: str, month: datetime.date) -> Q:
    return Q(**{f"{name}__gte": aware(month), f"{name}__lt": aware(next_month(month))})


def in_months(name: str, months) -> Q:
    """In one of these months: one range per run of consecutive months."""
    condition, months = Q(), sorted(months)
    start = previous = None
    for month in [*months, None]:
        if start is not None and month != next_month(previous):
            condition |= Q(**{f"{name}__gte": aware(start), f"{name}__lt": aware(next_month(previous))})
            start = None
        if start is None:
            start = month
        previous = month
    return condition


@dataclass
class MonthRows:
    """The figures of some months of one ERN, as the roll-up stores them (see the module)."""

    # (month, centre id, thematic area id, urgency) → {column: count}
    panels: dict = field(default_factory=lambda: defaultdict(lambda: dict.fromkeys(COLUMNS, 0)))
    days: dict = field(default_factory=lambda: defaultdict(int))  # (month, urgency, days) → outcomes
    contributions: dict = field(default_factory=lambda: defaultdict(int))  # (month, author id) → opinions

    def add(self, other: "MonthRows") -> None:
        for key, counts in other.panels.items():
            mine = self.panels[key]
            for column, n in counts.items():
                mine[column] += n
        for key, n in other.days.items():
            self.days[key] += n
        for key, n in other.contributions.items():
            self.contributions[key] += n


def ern_panels(ern_id: int):
    return Panel.objects.in_erns([ern_id]).filter(submitted_at__isnull=False)


PANEL_KEYS = ("centre_id", "thematic_area_id", "urgency")


def compute_months(ern_id: int, months, *, details: bool = True) -> MonthRows:
    """The rows of these months of the ERN, from the panels (six queries; two more with `details`:
    the times to outcome and the opinions). Call it in the site's time zone."""
    rows, months = MonthRows(), sorted(months)
    if not months:
        return rows
    panels = ern_panels(ern_id)

    def count(queryset, name: str, columns: dict[str, Q]) -> None:
        per_month = {
            # COUNT of the clock field itself (not null in its month), which the panels_kpi_* indexes hold.
            f"{column}_{index}": Count(name, filter=in_month(name, month) & condition)
            for column, condition in columns.items()
            for index, month in enumerate(months)
        }
        items = queryset.filter(in_months(name, months)).order_by().values(*PANEL_KEYS).annotate(**per_month)
        for item in items:
            for column in columns:
                for index, month in enumerate(months):
                    if n := item[f"{column}_{index}"]:
                        key = (month, item["centre_id"], item["thematic_area_id"], item["urgency"])
                        rows.panels[key][column] += n

    count(panels, "submitted_at", {"requested": Q()})
    count(panels, "accepted_at", {"opened": Q()})
    count(panels, "closed_at", {"closed": Q()})
    with_two = (
        Contribution.objects.filter(
            panel_id__in=panels.filter(in_months("closed_at", months)).values("pk"),
            kind=Contribution.Kind.CONTRIBUTION,
        )
        .order_by()
        .values("panel_id")
        .annotate(n=Count("*"))
        .filter(n__gte=2)
    )
    count(panels.filter(pk__in=with_two.values("panel_id")), "closed_at", {"closed_with_two": Q()})
    # Signed after the end of the wished day.
    late = panels.annotate(late_by=DaysBetween("outcome_signed_at", "wished_answer_date"))
    count(late, "outcome_signed_at", {"outcomes": Q(), "answered_late": Q(late_by__gte=1)})
    if details:
        signed = panels.filter(in_months("outcome_signed_at", months)).annotate(duration=DURATION)
        for signed_at, urgency, duration in signed.order_by().values_list(
            "outcome_signed_at", "urgency", "duration"
        ):
            rows.days[(month_of(signed_at), urgency, round(duration, 1))] += 1
        per_month = {
            # COUNT of created_at (never null), which the panels_kpi_opinions_written index holds.
            f"n_{index}": Count("created_at", filter=in_month("created_at", month))
            for index, month in enumerate(months)
        }
        # Each opinion's panel looked up by its key: a scalar subquery, which PostgreSQL keeps as one
        # probe per opinion of the months. Joined (or as `panel IN (every panel of the ERN)`), the
        # planner hashes every panel of the ERN for the few hundred opinions of the current month
        # (a sequential scan of 100,000 panels: 60 ms, bench/bench_reports.py); SQLite probes either way.
        of_ern = Subquery(
            Panel.objects.in_erns([ern_id])
            .filter(pk=OuterRef("panel_id"), submitted_at__isnull=False)
            .values("ern_id")
        )
        contributions = (
            # Read from the months' range of the panels_kpi_opinions_written index.
            Contribution.objects.filter(kind=Contribution.Kind.CONTRIBUTION)
            .filter(in_months("created_at", months))
            .alias(of_ern=of_ern)
            .filter(of_ern=ern_id)
            .order_by()
            .values("author_id")
            .annotate(**per_month)
        )
        for item in contributions:
            for index, month in enumerate(months):
                if n := item[f"n_{index}"]:
                    rows.contributions[(month, item["author_id"])] += n
    return rows


# -- stored months


def current_month() -> datetime.date:
    return month_of(timezone.now())


def rolled_months(ern_id: int, months) -> set[datetime.date]:
    """Those of these months whose stored rows hold: rolled up, over, and touched by no forward since
    (two queries)."""
    marks = dict(
        RolledMonth.objects.filter(ern_id=ern_id, month__in=list(months)).values_list("month", "computed_at")
    )
    since = min(marks.values(), default=timezone.now())
    forwards = (
        TriageNote.objects.filter(kind=TriageNote.Kind.FORWARDED, created_at__gte=since)
        .filter(Q(from_ern_id=ern_id) | Q(to_ern_id=ern_id))
        .values_list("created_at", "panel__submitted_at")
    )
    for noted_at, submitted_at in forwards:
        month = month_of(submitted_at)
        if month in marks and noted_at >= marks[month]:
            del marks[month]
    current = current_month()
    return {month for month in marks if month < current}


@dataclass
class Figures:
    """The sums of some months' rows that the page shows (stored rows summed in the database, the rows
    of the months not stored added to them)."""

    months: dict = field(default_factory=lambda: defaultdict(lambda: [0, 0, 0]))  # requested, opened, closed
    # (centre id, thematic area id, urgency) → {column: count}
    places: dict = field(default_factory=lambda: defaultdict(lambda: dict.fromkeys(COLUMNS, 0)))
    days: dict = field(default_factory=lambda: defaultdict(int))  # (urgency, days) → outcomes
    contributions: dict = field(default_factory=lambda: defaultdict(int))  # author id → opinions

    def add(self, rows: MonthRows, *, centre_id=None, area_id=None) -> None:
        for (month, centre, area, urgency), counts in rows.panels.items():
            if (centre_id is not None and centre != centre_id) or (area_id is not None and area != area_id):
                continue
            per_month = self.months[month]
            for index, column in enumerate(("requested", "opened", "closed")):
                per_month[index] += counts[column]
            place = self.places[(centre, area, urgency)]
            for column, n in counts.items():
                place[column] += n
        for (_month, urgency, days), n in rows.days.items():
            self.days[(urgency, days)] += n
        for (_month, author_id), n in rows.contributions.items():
            self.contributions[author_id] += n


def stored_figures(ern_id: int, months, *, centre_id=None, area_id=None, details: bool = True) -> Figures:
    """The stored rows of these months, summed (two queries; four with `details`)."""
    figures, months = Figures(), list(months)
    if not months:
        return figures
    panel_rows = PanelMonth.objects.filter(ern_id=ern_id, month__in=months)
    if centre_id is not None:
        panel_rows = panel_rows.filter(centre_id=centre_id)
    if area_id is not None:
        panel_rows = panel_rows.filter(thematic_area_id=area_id)
    sums = {column: Sum(column) for column in ("requested", "opened", "closed")}
    for month, *counts in panel_rows.order_by().values("month").annotate(**sums).values_list("month", *sums):
        figures.months[month] = counts
    sums = {column: Sum(column) for column in COLUMNS}
    for *key, requested, opened, closed, with_two, outcomes, late in (
        panel_rows.order_by().values(*PANEL_KEYS).annotate(**sums).values_list(*PANEL_KEYS, *sums)
    ):
        figures.places[tuple(key)] = dict(
            zip(COLUMNS, (requested, opened, closed, with_two, outcomes, late), strict=True)
        )
    if details:
        days = (
            OutcomeDays.objects.filter(ern_id=ern_id, month__in=months).order_by().values("urgency", "days")
        )
        for urgency, value, n in days.annotate(total=Sum("n")).values_list("urgency", "days", "total"):
            figures.days[(urgency, value)] += n
        authors = (
            ContributionMonth.objects.filter(ern_id=ern_id, month__in=months).order_by().values("author_id")
        )
        for author_id, n in authors.annotate(total=Sum("n")).values_list("author_id", "total"):
            figures.contributions[author_id] += n
    return figures


def store_months(ern_id: int, months) -> int:
    """Compute these months of the ERN from the panels and store them, replacing what was there (past
    months only: the current one changes all the time). Returns how many months were stored."""
    with site_time_zone(), transaction.atomic():
        months = sorted(month for month in set(months) if month < current_month())
        if not months:
            return 0
        computed_at = timezone.now()  # before reading: a forward after it is noticed (rolled_months)
        rows = compute_months(ern_id, months)
        PanelMonth.objects.filter(ern_id=ern_id, month__in=months).delete()
        OutcomeDays.objects.filter(ern_id=ern_id, month__in=months).delete()
        ContributionMonth.objects.filter(ern_id=ern_id, month__in=months).delete()
        RolledMonth.objects.filter(ern_id=ern_id, month__in=months).delete()
        PanelMonth.objects.bulk_create(
            (
                PanelMonth(
                    ern_id=ern_id,
                    month=month,
                    centre_id=centre,
                    thematic_area_id=area,
                    urgency=urgency,
                    **counts,
                )
                for (month, centre, area, urgency), counts in rows.panels.items()
            ),
            batch_size=1000,
        )
        OutcomeDays.objects.bulk_create(
            (
                OutcomeDays(ern_id=ern_id, month=month, urgency=urgency, days=days, n=n)
                for (month, urgency, days), n in rows.days.items()
            ),
            batch_size=1000,
        )
        ContributionMonth.objects.bulk_create(
            (
                ContributionMonth(ern_id=ern_id, month=month, author_id=author_id, n=n)
                for (month, author_id), n in rows.contributions.items()
            ),
            batch_size=1000,
        )
        RolledMonth.objects.bulk_create(
            RolledMonth(ern_id=ern_id, month=month, computed_at=computed_at) for month in months
        )
    return len(months)


def months_with_panels(ern_id: int) -> list[datetime.date]:
    """Every month from the ERN's first request to the last one over."""
    with site_time_zone():
        first = ern_panels(ern_id).order_by("submitted_at").values_list("submitted_at", flat=True).first()
        months, month, current = [], month_of(first) if first else None, current_month()
        while month is not None and month < current:
            months.append(month)
            month = next_month(month)
        return months


def months_to_roll_up(ern_id: int) -> list[datetime.date]:
    """The months over that are not stored, or were touched by a forward since they were."""
    months = months_with_panels(ern_id)
    with site_time_zone():
        rolled = rolled_months(ern_id, months)
    return [month for month in months if month not in rolled]


def roll_up(ern_id: int, *, rebuild: bool = False, chunk: int = 12) -> int:
    """Store the ERN's months that need it (every one with `rebuild`), a year at a time."""
    if rebuild:
        with transaction.atomic():
            for model in (PanelMonth, OutcomeDays, ContributionMonth, RolledMonth):
                model.objects.filter(ern_id=ern_id).delete()
    months = months_with_panels(ern_id) if rebuild else months_to_roll_up(ern_id)
    return sum(store_months(ern_id, months[start : start + chunk]) for start in range(0, len(months), chunk))
