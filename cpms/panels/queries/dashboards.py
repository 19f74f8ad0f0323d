"""The panel dashboards: mine (my panels, invitations and tasks), an ERN's, a centre's.

Each list is read once, with its total counted up to COUNT_LIMIT + 1 (`first_of`): a fixed number of
queries whatever the number of panels, each choosing its first rows before joining what they show.
Urgent first everywhere: `URGENT_FIRST` sorts "urgent" before "routine".

Who sees what: my lists are built from my own rows (my memberships, my requests at the centres where
I hold HP, the ERNs I coordinate or dispatch); an ERN's dashboard is for its coordinators and
dispatchers, a centre's for its HPs; anyone else gets 404. The lists show the pseudonym, the panel's
reference and state, never an identifying field, and are not audited as reads of a case (as the
centre's patient list is not): opening a panel is.
"""

from dataclasses import dataclass, field

from django.core.exceptions import EmptyResultSet
from django.db.models import (
    BooleanField,
    Count,
    Exists,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.expressions import RawSQL
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext

from cpms.access.models import OrganisationNode
from cpms.access.queries.scopes import access_for
from cpms.clinical.models import ThematicArea
from cpms.patients.models import Patient
from cpms.patients.queries import get_centre_for_user, hp_centre_ids, parse_position

from ..models import Contribution, Membership, OutcomeVersion, Panel, PanelStatus, Signoff, Urgency
from . import triage_ern_ids
from .dashboard_counts import count_lists

LIST_SIZE = 10
CENTRE_PAGE_SIZE = 25
COUNT_LIMIT = 1000
# "urgent" > "routine": a descending sort on the value puts urgent panels first (and keeps the
# queue's index (ern, status, urgency, submitted_at) usable).
URGENT_FIRST = F("urgency").desc()
ACTIVE = (PanelStatus.OPEN, PanelStatus.CLOSED)
STILL_TO_ANSWER = (PanelStatus.SUBMITTED, PanelStatus.RETURNED, PanelStatus.OPEN)
PANEL_RELATED = ("patient", "ern", "thematic_area", "lead")
# My panels' rows name no lead: one join fewer to plan on each of its lists.
MY_RELATED = ("patient", "ern", "thematic_area")
# What a dashboard row shows: the patient's pseudonym only (the encrypted identity is not even read).
PANEL_FIELDS = (
    "id",
    "status",
    "urgency",
    "wished_answer_date",
    "updated_at",
    "submitted_at",
    "requester_id",
    "centre_id",
    "patient__pseudonym",
    "ern__code",
    "thematic_area__name",
    "lead__first_name",
    "lead__last_name",
)


def panel_fields(prefix: str = "", related=PANEL_RELATED) -> list[str]:
    fields = [name for name in PANEL_FIELDS if "lead" in related or not name.startswith("lead__")]
    return [f"{prefix}{name}" for name in fields]


class AmongIds(Func):
    """`column IN (subquery)`, that PostgreSQL reads from the subquery's side: `column = ANY(ARRAY(subquery))`
    runs the subquery once and looks its ids up one by one in the column's index, where `IN` lets the
    planner hash-join the subquery against a scan of every candidate row (every active panel, at
    20,000 panels 14,290 index entries for a member of 178 panels, twice: the rows and their count)."""

    output_field = BooleanField()
    arg_joiner = " IN "
    template = "%(expressions)s"

    def __init__(self, column: str, ids: QuerySet):
        super().__init__(F(column), Subquery(ids.order_by()))

    def as_postgresql(self, compiler, connection, **extra_context):
        return self.as_sql(
            compiler, connection, arg_joiner=" = ANY(ARRAY", template="%(expressions)s)", **extra_context
        )


@dataclass
class FirstRows:
    """The first rows of a list and how many there are in all."""

    rows: list = field(default_factory=list)
    total: int = 0

    def __iter__(self):
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)

    @property
    def more(self) -> int:
        return shown(self.total) - len(self.rows)

    @property
    def is_capped(self) -> bool:
        return self.total > COUNT_LIMIT

    @property
    def label(self) -> str:
        """The total as a badge shows it: "1000+" past the cap."""
        return f"{COUNT_LIMIT}+" if self.is_capped else str(self.total)


def first_of(queryset: QuerySet, size: int = LIST_SIZE) -> FirstRows:
    """The first `size` rows and the total (counted up to COUNT_LIMIT + 1), in one query.

    The rows are chosen first, on the bare filter and its order (an index or a top-N sort of the
    matching rows, without the joins of the rows), and only those `size` rows are then joined to what
    they show: joining first would join every matching row (every patient, every lead) before the
    limit. The total is an uncorrelated subquery, evaluated once and capped."""
    first_ids = Subquery(queryset.select_related(None).values("pk")[:size])
    rows = queryset.model._base_manager.filter(pk__in=first_ids).order_by(*queryset.query.order_by)
    rows.query.select_related = queryset.query.select_related
    rows.query.deferred_loading = queryset.query.deferred_loading
    rows = list(rows.annotate(rows_in_all=count_of(queryset)))
    return FirstRows(rows, rows[0].rows_in_all if rows else 0)


def count_of(queryset: QuerySet, cap: int = COUNT_LIMIT) -> RawSQL:
    """`SELECT COUNT(*)` of at most `cap + 1` rows of `queryset`, as a scalar subquery: to count several
    lists in one round trip, without counting thousands of rows on every request (see `shown`)."""
    capped = queryset.order_by().select_related(None).values("pk")[: cap + 1]
    try:
        sql, params = capped.query.sql_with_params()
    except EmptyResultSet:  # a filter on an empty list (no HP centre, no ERN): nothing to count
        return RawSQL("SELECT 0", [], output_field=IntegerField())  # noqa: S611
    # The SQL is Django's own compilation of the queryset, its values bound as parameters.
    return RawSQL(f"SELECT COUNT(*) FROM ({sql}) AS capped", params, output_field=IntegerField())  # noqa: S608,S611


def shown(count: int) -> int:
    """A capped count as the page says it: at most COUNT_LIMIT."""
    return min(count, COUNT_LIMIT)


# -- my lists (each a queryset, so that the page reads its first rows and the summary counts them)


def requested_by(user, centre_ids, statuses) -> QuerySet[Panel]:
    """The user's requests in these states, at the centres where they still hold HP."""
    return Panel.objects.unscoped().filter(requester=user, centre_id__in=centre_ids, status__in=statuses)


def invitations_of(user) -> QuerySet[Membership]:
    return Membership.objects.filter(
        user=user, status=Membership.Status.INVITED, panel__status=PanelStatus.OPEN
    )


def information_requests_to(user, centre_ids) -> QuerySet[Contribution]:
    """Requests for more information on the user's panels (as requester) that nobody answered yet."""
    answered = Contribution.objects.filter(answers=OuterRef("pk"))
    return Contribution.objects.filter(
        kind=Contribution.Kind.INFORMATION_REQUEST,
        panel__requester=user,
        panel__centre_id__in=centre_ids,
        panel__status=PanelStatus.OPEN,
    ).filter(~Exists(answered))


def outcomes_to_sign_by(user) -> QuerySet[OutcomeVersion]:
    """The outcome versions waiting for the user's signature: the last version submitted of an open
    panel on which the user is a member who contributed, drafted by someone else, not yet answered."""
    contributed = Contribution.objects.filter(
        panel=OuterRef("panel"), author=user, kind=Contribution.Kind.CONTRIBUTION
    )
    answered = Signoff.objects.filter(version=OuterRef("pk"), user=user)
    replaced = OutcomeVersion.objects.filter(
        panel=OuterRef("panel"), number__gt=OuterRef("number"), submitted_at__isnull=False
    )
    accepted = Membership.objects.filter(user=user, status=Membership.Status.ACCEPTED)
    return (
        OutcomeVersion.objects.filter(AmongIds("panel_id", accepted.values("panel_id")))
        .filter(submitted_at__isnull=False, signed_at=None, panel__status=PanelStatus.OPEN)
        .exclude(author=user)
        .filter(Exists(contributed), ~Exists(answered), ~Exists(replaced))
    )


def to_triage_in(ern_ids) -> QuerySet[Panel]:
    """The submitted requests for assistance of these ERNs: urgent first, then the oldest."""
    return (
        Panel.objects.in_erns(ern_ids)
        .filter(status=PanelStatus.SUBMITTED)
        .order_by(URGENT_FIRST, "submitted_at", "id")
    )


def with_rows(queryset: QuerySet[Panel], related=PANEL_RELATED) -> QuerySet[Panel]:
    return queryset.select_related(*related).only(*panel_fields(related=related))


def newest_first(queryset: QuerySet[Panel], related=MY_RELATED) -> QuerySet[Panel]:
    return with_rows(queryset, related).order_by(URGENT_FIRST, "-updated_at", "-id")


def places_in_order(user, role: str) -> QuerySet[Panel]:
    """The open or closed panels the user holds an accepted place of this role on, urgent then newest
    first. The places are a subquery on the memberships' index, not a list; the panels a user leads
    are also theirs as `lead` (set with the lead's place, which cannot be removed), so that list is
    read in order from the panels_led_in_order index and its first rows stop the scan. The panels a
    user joined are looked up by id from their places (`AmongIds`), never searched for among every
    active panel."""
    places = Membership.objects.filter(user=user, status=Membership.Status.ACCEPTED, role=role)
    panels = Panel.objects.unscoped().filter(status__in=ACTIVE)
    if role == Membership.Role.LEAD:
        panels = panels.filter(lead=user).filter(Exists(places.filter(panel=OuterRef("pk"))))
    else:
        panels = panels.filter(AmongIds("pk", places.values("panel_id")))
    return newest_first(panels)


@dataclass
class MyPanels:
    as_lead: FirstRows
    as_member: FirstRows
    requests: FirstRows  # drafts and submitted requests, waiting for me or for triage
    invitations: FirstRows
    returned: FirstRows  # to answer: my requests returned with a question
    information_requests: FirstRows  # to answer: more information asked of me
    to_sign: FirstRows
    to_triage: FirstRows
    triage_erns: list = field(default_factory=list)  # the ERNs whose dashboard I may open

    @property
    def task_count(self) -> int:
        return sum(
            rows.total for rows in (self.returned, self.information_requests, self.to_sign, self.to_triage)
        )

    @property
    def is_empty(self) -> bool:
        lists = (self.as_lead, self.as_member, self.requests, self.invitations)
        return not self.task_count and not any(rows.total for rows in lists)


def my_panels(request, size: int = LIST_SIZE) -> MyPanels:
    """The signed-in user's dashboard: 7 queries (9 for a coordinator or dispatcher), whatever the
    number of panels, memberships or contributions."""
    user = request.user
    access = access_for(request)
    centre_ids = hp_centre_ids(access)
    ern_ids = triage_ern_ids(access)
    to_triage = FirstRows()
    erns = []
    if ern_ids:
        to_triage = first_of(with_rows(to_triage_in(ern_ids), MY_RELATED), size)
        erns = list(OrganisationNode.objects.filter(pk__in=ern_ids).order_by("code"))
    related = [f"panel__{name}" for name in MY_RELATED]
    fields = panel_fields("panel__", MY_RELATED)
    invitations = (
        invitations_of(user)
        .select_related("invited_by", *related)
        .only("invited_at", "invited_by__first_name", "invited_by__last_name", *fields)
        .order_by(F("panel__urgency").desc(), "-invited_at", "-id")
    )
    information = (
        information_requests_to(user, centre_ids)
        .select_related("author", *related)
        .only("created_at", "author__first_name", "author__last_name", *fields)
    )
    to_sign = outcomes_to_sign_by(user).select_related(*related).only("number", "submitted_at", *fields)
    return MyPanels(
        as_lead=first_of(places_in_order(user, Membership.Role.LEAD), size),
        as_member=first_of(places_in_order(user, Membership.Role.MEMBER), size),
        requests=first_of(
            newest_first(requested_by(user, centre_ids, (PanelStatus.DRAFT, PanelStatus.SUBMITTED))), size
        ),
        invitations=first_of(invitations, size),
        returned=first_of(newest_first(requested_by(user, centre_ids, (PanelStatus.RETURNED,))), size),
        information_requests=first_of(
            information.order_by(F("panel__urgency").desc(), "created_at", "id"), size
        ),
        to_sign=first_of(to_sign.order_by(F("panel__urgency").desc(), "submitted_at", "id"), size),
        to_triage=to_triage,
        triage_erns=erns,
    )


@dataclass(frozen=True)
class PanelCounts:
    as_lead: int = 0
    as_member: int = 0
    requests: int = 0
    invitations: int = 0
    to_answer: int = 0
    to_sign: int = 0
    to_triage: int = 0

    @property
    def is_empty(self) -> bool:
        return not any(vars(self).values())


def panel_counts(request) -> PanelCounts:
    """How many of each list, for the CPMS dashboard's summary: one query (`count_lists`), each count
    stopping at COUNT_LIMIT + 1 as the lists' totals do."""
    access = access_for(request)
    counts = count_lists(request.user.pk, hp_centre_ids(access), triage_ern_ids(access), COUNT_LIMIT)
    return PanelCounts(
        as_lead=counts["as_lead"],
        as_member=counts["as_member"],
        requests=counts["requests"],
        invitations=counts["invitations"],
        to_answer=counts["returned"] + counts["information_requests"],
        to_sign=counts["to_sign"],
        to_triage=counts["to_triage"],
    )


# -- an ERN's dashboard


def get_ern_for_triager(request, ern_id: int) -> OrganisationNode:
    """An ERN the user coordinates or dispatches; 404 for any other."""
    if ern_id not in triage_ern_ids(access_for(request)):
        raise Http404
    try:
        return OrganisationNode.objects.get(pk=ern_id, kind=OrganisationNode.Kind.ERN)
    except OrganisationNode.DoesNotExist:
        raise Http404 from None


@dataclass
class AreaRow:
    name: str  # the thematic area in the current language, or "" for panels without one
    open: int
    urgent: int


@dataclass
class ErnDashboard:
    requests: int  # submitted, waiting for triage
    urgent_requests: int
    open_panels: int
    by_area: list[AreaRow]
    past_wished_date: FirstRows


def ern_dashboard(ern: OrganisationNode, size: int = LIST_SIZE) -> ErnDashboard:
    """Three queries: the counts, the open panels by thematic area, the panels past their wished date."""
    ern_panels = Panel.objects.in_erns([ern.pk])
    submitted = Q(status=PanelStatus.SUBMITTED)
    counts = ern_panels.filter(status__in=(PanelStatus.SUBMITTED, PanelStatus.OPEN)).aggregate(
        requests=Count("pk", filter=submitted),
        urgent=Count("pk", filter=submitted & Q(urgency=Urgency.URGENT)),
        open=Count("pk", filter=Q(status=PanelStatus.OPEN)),
    )
    areas = (
        ern_panels.filter(status=PanelStatus.OPEN)
        .values("thematic_area")
        .annotate(open=Count("pk"), urgent=Count("pk", filter=Q(urgency=Urgency.URGENT)))
        .annotate(
            area_name=Subquery(ThematicArea.objects.filter(pk=OuterRef("thematic_area")).values("name"))
        )
        .order_by("-open", "area_name")
    )
    late = with_rows(
        ern_panels.filter(status__in=STILL_TO_ANSWER, wished_answer_date__lt=timezone.localdate())
    ).order_by(URGENT_FIRST, "wished_answer_date", "id")
    return ErnDashboard(
        requests=counts["requests"],
        urgent_requests=counts["urgent"],
        open_panels=counts["open"],
        by_area=[AreaRow(area_label(row["area_name"]), row["open"], row["urgent"]) for row in areas],
        past_wished_date=first_of(late, size),
    )


def area_label(name: str | None) -> str:
    return gettext(name) if name else ""


# -- a centre's dashboard: its patients with panels, and their panels


@dataclass
class CentrePatientRow:
    patient: Patient
    panels: list[Panel]


@dataclass
class CentrePanelsPage:
    rows: list[CentrePatientRow] = field(default_factory=list)
    total: int = 0
    next_cursor: str = ""
    previous_cursor: str = ""

    def __iter__(self):
        return iter(self.rows)

    @property
    def has_next(self) -> bool:
        return bool(self.next_cursor)

    @property
    def has_previous(self) -> bool:
        return bool(self.previous_cursor)

    def has_other_pages(self) -> bool:
        return self.has_next or self.has_previous

    @property
    def total_is_capped(self) -> bool:
        return self.total > COUNT_LIMIT


def visible_centre_panels(user, centre_id: int) -> QuerySet[Panel]:
    """The panels requested at the centre, less other people's drafts (a draft is its requester's)."""
    return (
        Panel.objects.unscoped()
        .filter(centre_id=centre_id)
        .exclude(Q(status=PanelStatus.DRAFT) & ~Q(requester=user))
    )


def page_of_centre_panels(
    request, centre_id: int, *, after: str = "", before: str = "", size: int = CENTRE_PAGE_SIZE
) -> tuple[OrganisationNode, CentrePanelsPage]:
    """The centre (404 unless the user is HP there) and a page of its patients with panels, newest
    patient first, by position (`id`): 3 queries (count, the patients, their panels) at any depth."""
    centre = get_centre_for_user(request, centre_id)
    user = request.user
    with_panels = Exists(visible_centre_panels(user, centre.pk).filter(patient=OuterRef("pk")))
    patients = (
        Patient.objects.at_centres([centre.pk])
        .filter(removed_at=None)
        .filter(with_panels)
        .only("pseudonym", "centre_id", "year_of_birth", "sex_at_birth")
    )
    total = patients.order_by()[: COUNT_LIMIT + 1].count()
    if not total:
        return centre, CentrePanelsPage()
    if (position := parse_position(after)) is not None:
        found = list(patients.filter(pk__lt=position).order_by("-id")[: size + 1])
        more_after, more_before = len(found) > size, True
        found = found[:size]
    elif (position := parse_position(before)) is not None:
        found = list(patients.filter(pk__gt=position).order_by("id")[: size + 1])
        more_after, more_before = True, len(found) > size
        found = found[:size][::-1]
    else:
        found = list(patients.order_by("-id")[: size + 1])
        more_after, more_before = len(found) > size, False
        found = found[:size]
    if not found:
        return centre, CentrePanelsPage(total=total)
    on_it = Membership.objects.filter(
        panel=OuterRef("pk"),
        user=user,
        status__in=(Membership.Status.ACCEPTED, Membership.Status.INVITED),
    )
    panel_rows = (
        visible_centre_panels(user, centre.pk)
        .filter(patient_id__in=[patient.pk for patient in found])
        .annotate(is_mine=Exists(on_it))
        .select_related("ern", "thematic_area", "lead")
        .only("patient_id", "lead_id", *(name for name in PANEL_FIELDS if not name.startswith("patient__")))
        .order_by(URGENT_FIRST, "-updated_at", "-id")
    )
    by_patient: dict[int, list[Panel]] = {}
    for panel in panel_rows:
        by_patient.setdefault(panel.patient_id, []).append(panel)
    page = CentrePanelsPage(
        rows=[CentrePatientRow(patient, by_patient.get(patient.pk, [])) for patient in found],
        total=total,
        next_cursor=str(found[-1].pk) if more_after else "",
        previous_cursor=str(found[0].pk) if more_before else "",
    )
    return centre, page
