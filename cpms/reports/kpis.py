"""The KPIs of an ERN for a period, computed from the data on each request (never stored).

Every figure is a GROUP BY or a COUNT in the database, on the ERN's panels (`Panel.objects.in_erns`),
its centres' patients (`Patient.objects.at_centres`, on the centre index) and its grants. The panels
are read through the `panels_kpi_*` indexes, led by the ERN and covering what each figure needs, so
that a period's figures read that period's index entries and not the table. The counts per month are
scalar counts, one per month and clock field, each a range of an index (no date truncation, which
SQLite would do row by row in Python, and no row tested against every month); the percentiles of the
time to outcome are picked by ORDER BY … OFFSET at their nearest rank, so that no column of durations
is read into Python. A fixed number of queries whatever the size of the ERN (pinned in the tests;
bench/bench_reports.py).

What a panel counts for (its clock, cpms/panels/models.py):
- requested in a month: `submitted_at` in it; opened: `accepted_at`; closed: `closed_at`;
- time to outcome: from `submitted_at` to `outcome_signed_at`, for the outcomes signed in the period,
  urgent and routine apart; the median and 90th percentile by the nearest-rank method;
- per centre, country and thematic area, ORPHA codes: the panels requested in the period;
- past their wished answer date: still to answer (submitted, returned or open) today, and the outcomes
  signed in the period after it;
- contributions (opinions, not requests for information) written in the period, per member.

No identifying patient data: counts only (not even pseudonyms).
"""

import datetime
import math
from dataclasses import dataclass, field

from django.db.models import Count, Exists, FloatField, Func, IntegerField, OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext

from cpms.access.models import Grant, OrganisationNode
from cpms.access.queries.grants import COORDINATOR  # noqa: F401 - re-exported for the views
from cpms.clinical.models import ThematicArea
from cpms.clinical.queries import APPLICATION
from cpms.coding.models import Concept, System
from cpms.identity.models import UserSession
from cpms.panels.models import Contribution, Panel, Urgency
from cpms.panels.queries.dashboards import STILL_TO_ANSWER
from cpms.patients.models import CaseDiagnosis, Patient

from . import rollup
from .rollup import DURATION, DaysBetween, aware, next_month, site_time_zone

TOP_ROWS = 20  # contributors and ORPHA codes the page lists (the report files list every one)
PERCENTILES = (50, 90)


@dataclass(frozen=True)
class Period:
    """Whole months, from the first day of `first` to the last day of `last` (local time)."""

    first: datetime.date  # the 1st of the first month
    last: datetime.date  # the 1st of the last month

    @property
    def start(self) -> datetime.datetime:
        return timezone.make_aware(datetime.datetime.combine(self.first, datetime.time()))

    @property
    def end(self) -> datetime.datetime:
        """The first moment after the period."""
        return timezone.make_aware(datetime.datetime.combine(next_month(self.last), datetime.time()))

    @property
    def months(self) -> list[datetime.date]:
        months, month = [], self.first
        while month <= self.last:
            months.append(month)
            month = next_month(month)
        return months

    def within(self, name: str) -> Q:
        return Q(**{f"{name}__gte": self.start, f"{name}__lt": self.end})


def default_period(today: datetime.date | None = None, months: int = 12) -> Period:
    """The last `months` months, the current one included."""
    last = (today or timezone.localdate()).replace(day=1)
    first = last
    for _ in range(months - 1):
        first = (first - datetime.timedelta(days=1)).replace(day=1)
    return Period(first, last)


@dataclass(frozen=True)
class Filters:
    ern: OrganisationNode
    period: Period
    centre: OrganisationNode | None = None
    thematic_area: ThematicArea | None = None


@dataclass
class Row:
    """One line of a table: its label and its figures (in the order of the table's columns)."""

    label: str
    values: list = field(default_factory=list)

    @property
    def value(self):
        return self.values[0] if self.values else None


@dataclass
class Kpis:
    filters: Filters
    active_users: int
    patients_enrolled: int  # in the period
    patients_in_all: int  # enrolled by the end of the period (and not removed)
    requested: int
    opened: int
    closed: int
    monthly: list[Row]  # month label: requested, opened, closed
    time_to_outcome: list[Row]  # urgency: outcomes, median days, 90th percentile days
    by_centre: list[Row]  # centre: panels
    by_country: list[Row]
    by_area: list[Row]
    contributions: int
    contributors: int
    by_member: list[Row]  # member: contributions (every member; the page shows the first TOP_ROWS)
    closed_with_two: int
    orpha_codes: list[Row]  # "ORPHA:558 Marfan syndrome": patients
    past_wished_date: int  # still to answer today
    answered_late: int  # outcomes signed in the period after the wished date

    @property
    def closed_with_two_share(self) -> float | None:
        """The share (0–100) of the panels closed in the period with two contributions or more."""
        return round(100 * self.closed_with_two / self.closed, 1) if self.closed else None

    @property
    def contributions_per_member(self) -> float | None:
        return round(self.contributions / self.contributors, 1) if self.contributors else None

    @property
    def is_empty(self) -> bool:
        return not (self.requested or self.opened or self.closed or self.contributions)


def ern_panels(filters: Filters):
    """The ERN's panels past their draft, of the chosen centre and thematic area."""
    panels = Panel.objects.in_erns([filters.ern.pk]).filter(submitted_at__isnull=False)
    if filters.centre is not None:
        panels = panels.filter(centre_id=filters.centre.pk)
    if filters.thematic_area is not None:
        panels = panels.filter(thematic_area_id=filters.thematic_area.pk)
    return panels


MONTHLY = (("submitted_at", "requested"), ("accepted_at", "opened"), ("closed_at", "closed"))


def compute_kpis_from_scratch(filters: Filters, centre_ids: list[int]) -> Kpis:
    """Every KPI of the ERN for these filters, from the panels alone (no roll-up): what compute_kpis
    must always give (tests/test_rollup.py). Nine queries, each over every panel of the period."""
    with site_time_zone():
        return _from_scratch(filters, centre_ids)


def _from_scratch(filters: Filters, centre_ids: list[int]) -> Kpis:
    period = filters.period
    panels = ern_panels(filters)
    counts = panel_counts(filters, panels)
    monthly = [
        Row(month_label(month), [counts[f"{name}_{index}"] for _field, name in MONTHLY])
        for index, month in enumerate(period.months)
    ]
    totals = [sum(row.values[column] for row in monthly) for column in range(len(MONTHLY))]
    contribution_rows = contributions_of(panels, period)
    requested = panels.filter(period.within("submitted_at"))
    return Kpis(
        filters=filters,
        active_users=active_users(filters),
        **patient_counts(filters, centre_ids),
        requested=totals[0],
        opened=totals[1],
        closed=totals[2],
        monthly=monthly,
        time_to_outcome=time_to_outcome(filters, panels, counts),
        **places(requested),
        by_area=by_area(requested),
        contributions=sum(row.value for row in contribution_rows),
        contributors=len(contribution_rows),
        by_member=contribution_rows,
        closed_with_two=counts["closed_with_two"],
        orpha_codes=orpha_codes(requested),
        past_wished_date=counts["past_wished_date"],
        answered_late=counts["answered_late"],
    )


def panel_counts(filters: Filters, panels) -> dict[str, int]:
    """The counts of panels per month (requested, opened, closed), past their wished date, answered
    late and closed with two contributions or more: one query of scalar counts, each over the range
    of an index led by the ERN (`panels_kpi_*`), so that no panel outside it is read and no row is
    tested against every month."""
    period = filters.period
    per_month = {
        f"{name}_{index}": count_of(
            panels.filter(**{f"{field}__gte": aware(month), f"{field}__lt": aware(next_month(month))})
        )
        for field, name in MONTHLY
        for index, month in enumerate(period.months)
    }
    # The closed panels' opinions grouped by panel (a hash join and a hash aggregate over the
    # indexes), not one probe per closed panel: tens of thousands of probes cost more in time and,
    # on PostgreSQL, in the plan's estimate, which then pays for JIT compilation of the whole query.
    with_two = (
        Contribution.objects.filter(
            panel_id__in=panels.filter(period.within("closed_at")).values("pk"),
            kind=Contribution.Kind.CONTRIBUTION,
        )
        .order_by()
        .values("panel_id")
        .annotate(n=Count("*"))
        .filter(n__gte=2)
    )
    signed = panels.filter(period.within("outcome_signed_at"))
    return (
        one_row(filters)
        .annotate(
            **per_month,
            past_wished_date=count_of(
                panels.filter(status__in=STILL_TO_ANSWER, wished_answer_date__lt=timezone.localdate())
            ),
            # Signed after the end of the wished day.
            answered_late=count_of(
                signed.annotate(late_by=DaysBetween("outcome_signed_at", "wished_answer_date")).filter(
                    late_by__gte=1
                )
            ),
            **{
                f"outcomes_{urgency}": count_of(signed.filter(urgency=urgency).order_by())
                for urgency in URGENCIES
            },
            closed_with_two=count_of(Panel.objects.unscoped().filter(pk__in=with_two.values("panel_id"))),
        )
        .values(
            *per_month,
            "past_wished_date",
            "answered_late",
            *(f"outcomes_{urgency}" for urgency in URGENCIES),
            "closed_with_two",
        )
        .get()
    )


def count_of(queryset) -> Subquery:
    """`SELECT COUNT(*)` of these rows, as a scalar subquery (no GROUP BY). COUNT(*), not COUNT(id):
    the id is in no `panels_kpi_*` index on PostgreSQL (an index entry points to its row, it does not
    hold the key), so counting it would read every row from the table instead of the index alone."""
    return Subquery(
        queryset.order_by().annotate(n=CountRows()).values("n"),
        output_field=IntegerField(),
    )


class CountRows(Func):
    """`COUNT(*)` as a plain expression, so that Django adds no GROUP BY to the subquery."""

    template = "COUNT(*)"
    output_field = IntegerField()


def active_users(filters: Filters) -> int:
    """Users with a CPMS grant in force in the ERN (at the centre, if one is chosen) who signed in
    during the period (a browser session started then: cpms/identity's UserSession)."""
    from django.contrib.auth import get_user_model

    grants = Grant.objects.active().filter(
        user=OuterRef("pk"), application__code=APPLICATION, ern_id=filters.ern.pk
    )
    if filters.centre is not None:
        grants = grants.filter(organisation_id=filters.centre.pk)
    sessions = UserSession.objects.filter(user=OuterRef("pk")).filter(filters.period.within("started_at"))
    return get_user_model().objects.filter(Exists(grants), Exists(sessions), is_active=True).count()


def patient_counts(filters: Filters, centre_ids: list[int]) -> dict:
    """Counts only: the ERN's centres' patients (the scope access checked), on the centre index.
    COUNT(*) and COUNT(enrolled_at), not COUNT(id): the same rows (both are never null), counted from
    the columns the query filters on."""
    ids = [filters.centre.pk] if filters.centre is not None else centre_ids
    counts = (
        Patient.objects.at_centres(ids)
        .filter(ern_id=filters.ern.pk, removed_at=None, enrolled_at__lt=filters.period.end)
        .aggregate(
            in_period=Count("enrolled_at", filter=Q(enrolled_at__gte=filters.period.start)), in_all=Count("*")
        )
    )
    return {"patients_enrolled": counts["in_period"], "patients_in_all": counts["in_all"]}


def month_label(month: datetime.date) -> str:
    return f"{month:%Y-%m}"


URGENCIES = (Urgency.URGENT, Urgency.ROUTINE)


def time_to_outcome(filters: Filters, panels, counts: dict[str, int]) -> list[Row]:
    """Per urgency: the outcomes signed in the period, the median and 90th percentile of the days
    from the request to the outcome (nearest rank: the ⌈p·n⌉-th shortest). `counts` has the outcomes
    per urgency (panel_counts); one query picks each wanted duration by its rank (ORDER BY … OFFSET),
    from the shorter end or the longer, whichever keeps fewer rows in the database's sort (the ⌈p·n⌉-th
    shortest is the (n - ⌈p·n⌉ + 1)-th longest), on the `panels_kpi_outcomes` index."""
    signed = panels.filter(filters.period.within("outcome_signed_at")).annotate(duration=DURATION)
    picks = {}
    for urgency in URGENCIES:
        n = counts[f"outcomes_{urgency}"]
        for percentile in PERCENTILES if n else ():
            rank = nearest_rank(n, percentile)
            from_longest = n - rank < rank - 1
            order = DURATION.desc() if from_longest else DURATION.asc()
            offset = n - rank if from_longest else rank - 1
            ranked = signed.filter(urgency=urgency).order_by(order).values("duration")[offset : offset + 1]
            picks[f"{urgency}_{percentile}"] = Subquery(ranked, output_field=FloatField())
    picked = one_row(filters).annotate(**picks).values(*picks).get() if picks else {}
    labels = {Urgency.URGENT: gettext("Urgent"), Urgency.ROUTINE: gettext("Routine")}
    result = []
    for urgency in URGENCIES:
        n = counts[f"outcomes_{urgency}"]
        days = [round(picked[f"{urgency}_{p}"], 1) if n else None for p in PERCENTILES]
        result.append(Row(labels[urgency], [n, *days]))
    return result


def one_row(filters: Filters):
    """The ERN's own row, to carry scalar subqueries (one query, one row)."""
    return OrganisationNode.objects.filter(pk=filters.ern.pk)


def nearest_rank(n: int, percentile: int) -> int:
    return max(1, math.ceil(n * percentile / 100))


def places(requested) -> dict:
    """Panels requested in the period per centre and, from the same rows, per country (one query)."""
    rows = (
        requested.values("centre_id", "centre__code", "centre__name", "centre__parent__name")
        .annotate(n=Count("*"))
        .order_by("-n", "centre__code")
    )
    by_centre, countries = [], {}
    for row in rows:
        name = (
            f"{row['centre__code']} - {row['centre__name']}" if row["centre__name"] else row["centre__code"]
        )
        by_centre.append(Row(name, [row["n"]]))
        country = gettext(row["centre__parent__name"]) if row["centre__parent__name"] else gettext("Unknown")
        countries[country] = countries.get(country, 0) + row["n"]
    by_country = [
        Row(name, [n]) for name, n in sorted(countries.items(), key=lambda item: (-item[1], item[0]))
    ]
    return {"by_centre": by_centre, "by_country": by_country}


def by_area(requested) -> list[Row]:
    rows = requested.values("thematic_area_id", "thematic_area__name").annotate(n=Count("*")).order_by("-n")
    result = [
        Row(
            gettext(row["thematic_area__name"])
            if row["thematic_area__name"]
            else gettext("No thematic area"),
            [row["n"]],
        )
        for row in rows
    ]
    return sorted(result, key=lambda row: (-row.value, row.label))


def contributions_of(panels, period: Period) -> list[Row]:
    """Contributions written in the period on these panels, per author, the most first (one query)."""
    rows = (
        Contribution.objects.filter(
            panel__in=panels.values("pk"), kind=Contribution.Kind.CONTRIBUTION, created_at__gte=period.start
        )
        .filter(created_at__lt=period.end)
        .values("author_id", "author__first_name", "author__last_name")
        .annotate(n=Count("*"))
        .order_by("-n", "author__last_name", "author__first_name", "author_id")
    )
    return [
        Row(
            f"{row['author__first_name']} {row['author__last_name']}".strip() or str(row["author_id"]),
            [row["n"]],
        )
        for row in rows
    ]


def orpha_codes(requested) -> list[Row]:
    """ORPHA codes of the cases of the panels requested in the period, with how many patients (two
    queries). The diagnoses are reached through the ERN's panels, the scope access checked.

    A patient has one case and a case a concept once (patients_diagnosis_once), so the patients of a
    code are its diagnosis rows: COUNT(*) per concept, not COUNT(DISTINCT patient), which sorts the
    rows of every code again; grouped by the concept's id alone (the diagnosis index holds it), the
    codes and labels of the few concepts found read afterwards."""
    counts = dict(
        CaseDiagnosis.objects.unscoped()
        .filter(case__patient_id__in=requested.values("patient_id"))
        .order_by()
        .values("concept_id")
        .annotate(n=Count("*"))
        .values_list("concept_id", "n")
    )
    if not counts:
        return []
    concepts = Concept.objects.filter(pk__in=list(counts), system=System.ORPHA).values_list(
        "pk", "code", "label"
    )
    rows = sorted(((-counts[pk], code, label) for pk, code, label in concepts))
    return [Row(f"{code} {label}", [-n]) for n, code, label in rows]


# -- from the roll-up (cpms/reports/rollup.py)


def compute_kpis(filters: Filters, centre_ids: list[int]) -> Kpis:
    """Every KPI of the ERN for these filters; `centre_ids`: the ERN's institutions (the page has them).

    The counts per month, centre, area and urgency, the times to outcome and the opinions per member
    come from the roll-up for the months it holds and from the panels for the others (the current
    one); with a centre or an area chosen, the times to outcome and opinions per member are read
    from that centre's or area's panels. The people, patients, ORPHA codes and panels past their
    wished date are counted from the data each time. The same figures as compute_kpis_from_scratch."""
    with site_time_zone():
        return _from_rollup(filters, centre_ids)


def _from_rollup(filters: Filters, centre_ids: list[int]) -> Kpis:
    period, ern_id = filters.period, filters.ern.pk
    centre_id = filters.centre.pk if filters.centre is not None else None
    area_id = filters.thematic_area.pk if filters.thematic_area is not None else None
    details = centre_id is None and area_id is None
    rolled = rollup.rolled_months(ern_id, period.months)
    if not rolled:  # before the first roll-up: the whole period in one pass, not month by month
        return _from_scratch(filters, centre_ids)
    figures = rollup.stored_figures(
        ern_id, sorted(rolled), centre_id=centre_id, area_id=area_id, details=details
    )
    live = rollup.compute_months(ern_id, [m for m in period.months if m not in rolled], details=details)
    figures.add(live, centre_id=centre_id, area_id=area_id)

    sums = dict.fromkeys(rollup.COLUMNS, 0)
    outcomes = dict.fromkeys(URGENCIES, 0)
    per_centre, per_area = {}, {}
    for (centre, area, urgency), counts in figures.places.items():
        for column, n in counts.items():
            sums[column] += n
        if urgency in outcomes:
            outcomes[urgency] += counts["outcomes"]
        if counts["requested"]:
            per_centre[centre] = per_centre.get(centre, 0) + counts["requested"]
            per_area[area] = per_area.get(area, 0) + counts["requested"]

    panels = ern_panels(filters)
    if details:
        times = times_from_rollup(figures.days, outcomes)
        contribution_rows = contributions_from_rollup(figures.contributions)
    else:
        counts = {f"outcomes_{urgency}": n for urgency, n in outcomes.items()}
        times = time_to_outcome(filters, panels, counts)
        contribution_rows = contributions_of(panels, period)
    requested = panels.filter(period.within("submitted_at"))
    return Kpis(
        filters=filters,
        active_users=active_users(filters),
        **patient_counts(filters, centre_ids),
        requested=sums["requested"],
        opened=sums["opened"],
        closed=sums["closed"],
        monthly=[
            Row(month_label(month), list(figures.months.get(month, [0, 0, 0]))) for month in period.months
        ],
        time_to_outcome=times,
        **places_from_rollup(per_centre),
        by_area=areas_from_rollup(per_area),
        contributions=sum(row.value for row in contribution_rows),
        contributors=len(contribution_rows),
        by_member=contribution_rows,
        closed_with_two=sums["closed_with_two"],
        orpha_codes=orpha_codes(requested),
        past_wished_date=panels.filter(
            status__in=STILL_TO_ANSWER, wished_answer_date__lt=timezone.localdate()
        ).count(),
        answered_late=sums["answered_late"],
    )


def times_from_rollup(days: dict, outcomes: dict) -> list[Row]:
    """The median and 90th percentile per urgency, by the nearest rank, from the outcomes counted per
    number of days (already rounded to a tenth: rounding keeps the order, so the ⌈p·n⌉-th of the
    rounded durations is the rounded ⌈p·n⌉-th duration)."""
    labels = {Urgency.URGENT: gettext("Urgent"), Urgency.ROUTINE: gettext("Routine")}
    result = []
    for urgency in URGENCIES:
        histogram = {}
        for (of_urgency, value), n in days.items():
            if of_urgency == urgency:
                histogram[value] = histogram.get(value, 0) + n
        ordered, total = sorted(histogram.items()), sum(histogram.values())
        picked = []
        for percentile in PERCENTILES:
            if not total:
                picked.append(None)
                continue
            rank, seen = nearest_rank(total, percentile), 0
            for value, n in ordered:
                seen += n
                if seen >= rank:
                    picked.append(round(value, 1))
                    break
        result.append(Row(labels[urgency], [outcomes[urgency], *picked]))
    return result


def contributions_from_rollup(contributions: dict) -> list[Row]:
    """Opinions per author, the most first (one query for the names, when there are any)."""
    from django.contrib.auth import get_user_model

    per_author = {}
    for author_id, n in contributions.items():
        per_author[author_id] = per_author.get(author_id, 0) + n
    if not per_author:
        return []
    names = {
        pk: (first, last)
        for pk, first, last in get_user_model()
        .objects.filter(pk__in=list(per_author))
        .values_list("pk", "first_name", "last_name")
    }
    ordered = sorted(
        per_author.items(), key=lambda item: (-item[1], names[item[0]][1], names[item[0]][0], item[0])
    )
    return [Row(f"{names[pk][0]} {names[pk][1]}".strip() or str(pk), [n]) for pk, n in ordered]


def places_from_rollup(per_centre: dict) -> dict:
    """Panels requested per centre and per country (one query for the centres' names, when any)."""
    if not per_centre:
        return {"by_centre": [], "by_country": []}
    centres = {
        pk: (code, name, country)
        for pk, code, name, country in OrganisationNode.objects.filter(pk__in=list(per_centre)).values_list(
            "pk", "code", "name", "parent__name"
        )
    }
    by_centre, countries = [], {}
    for pk, n in sorted(per_centre.items(), key=lambda item: (-item[1], centres[item[0]][0])):
        code, name, country = centres[pk]
        by_centre.append(Row(f"{code} - {name}" if name else code, [n]))
        country = gettext(country) if country else gettext("Unknown")
        countries[country] = countries.get(country, 0) + n
    by_country = [
        Row(name, [n]) for name, n in sorted(countries.items(), key=lambda item: (-item[1], item[0]))
    ]
    return {"by_centre": by_centre, "by_country": by_country}


def areas_from_rollup(per_area: dict) -> list[Row]:
    names = dict(ThematicArea.objects.filter(pk__in=[pk for pk in per_area if pk]).values_list("pk", "name"))
    result = [
        Row(gettext(names[pk]) if pk and names.get(pk) else gettext("No thematic area"), [n])
        for pk, n in per_area.items()
    ]
    return sorted(result, key=lambda row: (-row.value, row.label))
