"""The API's lists, made of the pages' own scopes (never a second set of rules).

- patients: `patients.queries.patients_of` (the user's HP centres, enrolled patients), optionally one
  centre (`get_centre_for_user`: 404 unless theirs) and consents in force;
- panels: the panels `panels.queries.panel_access` lets the user read the case of (requester at an
  HP centre, accepted member, or triage of the ERN from submission on), as one queryset;
- meetings: `meetings.listing.meetings_of` (organised, or invited with the invitation in force).

Details go through the pages' get_*_for_user functions, which audit the read.
"""

from django.db.models import Q, QuerySet

from cpms.access.queries.pages import KeysetPage, cursor_of, parse_cursor
from cpms.access.queries.scopes import access_for
from cpms.meetings.listing import ORGANISER, meetings_of
from cpms.panels.models import Contribution, Membership, Panel, PanelStatus
from cpms.panels.queries import HIDDEN_FROM_TRIAGE, triage_ern_ids
from cpms.panels.queries.dashboards import requested_by
from cpms.patients.models.patient import ConsentStatus, Patient
from cpms.patients.queries import LIST_FIELDS, get_centre_for_user, hp_centre_ids, parse_position, patients_of

CONSENTS = ("care_consent", "registries_consent", "research_contact_consent")
PANEL_RELATED = ("patient", "ern", "thematic_area", "centre", "requester", "lead")


def page_by_id(queryset: QuerySet, *, after: str = "", before: str = "", size: int) -> KeysetPage:
    """Newest first by id (the patients' list order, on the (centre, -id) index); 1 query."""
    return newest_first(
        queryset,
        ("id",),
        after=_as_key(parse_position(after)),
        before=_as_key(parse_position(before)),
        cursor=lambda row: str(row.pk),
        size=size,
    )


def page_by_created(queryset: QuerySet, *, after: str = "", before: str = "", size: int) -> KeysetPage:
    """Newest first by (created_at, id), the in-house cursor (cpms.access.queries.pages); 1 query."""
    return newest_first(
        queryset,
        ("created_at", "id"),
        after=parse_cursor(after),
        before=parse_cursor(before),
        cursor=cursor_of,
        size=size,
    )


def _as_key(position: int | None) -> tuple | None:
    return None if position is None else (position,)


def newest_first(
    queryset: QuerySet, fields: tuple[str, ...], *, after, before, cursor, size: int
) -> KeysetPage:
    """The page of `queryset`, newest first by `fields`, after or before a key (a tuple of their values);
    no count, so that a list costs one query whatever its size."""
    newest = [f"-{field}" for field in fields]
    if after is not None:
        found = list(queryset.filter(beyond(fields, after, "lt")).order_by(*newest)[: size + 1])
        more_after, more_before = len(found) > size, True
        found = found[:size]
    elif before is not None:
        found = list(queryset.filter(beyond(fields, before, "gt")).order_by(*fields)[: size + 1])
        more_after, more_before = True, len(found) > size
        found = found[:size][::-1]
    else:
        found = list(queryset.order_by(*newest)[: size + 1])
        more_after, more_before = len(found) > size, False
        found = found[:size]
    return KeysetPage(
        rows=found,
        total=len(found),
        next_cursor=cursor(found[-1]) if found and more_after else "",
        previous_cursor=cursor(found[0]) if found and more_before else "",
    )


def beyond(fields: tuple[str, ...], key: tuple, lookup: str) -> Q:
    """Rows past `key` in the order of `fields` ("lt": older, "gt": newer), compared field by field."""
    condition = Q()
    for index, field in enumerate(fields):
        condition |= Q(
            **dict(zip(fields[:index], key[:index], strict=True)), **{f"{field}__{lookup}": key[index]}
        )
    return condition


def list_patients(request, *, centre_id=None, consents=None, after="", before="", size=25) -> KeysetPage:
    """The user's patients (a list never shows identifying fields): 1 query, 2 with a centre."""
    patients: QuerySet[Patient] = patients_of(request)
    if centre_id is not None:
        patients = patients.filter(centre_id=get_centre_for_user(request, centre_id).pk)
    for name, value in (consents or {}).items():
        if name in CONSENTS and value in ConsentStatus.values:
            patients = patients.filter(**{name: value})
    centre_fields = ("centre__kind", "centre__code", "centre__name")  # its label
    patients = patients.select_related("centre").only(*LIST_FIELDS, *centre_fields)
    return page_by_id(patients, after=after, before=before, size=size)


def readable_panels(request) -> QuerySet[Panel]:
    """The panels whose case the user may read (PanelAccess.may_read_case), in SQL."""
    user = request.user
    access = access_for(request)
    own = requested_by(user, hp_centre_ids(access), PanelStatus.values).values("pk")
    places = Membership.objects.filter(user=user, status=Membership.Status.ACCEPTED).values("panel_id")
    shown = Q(pk__in=places) | Q(ern_id__in=triage_ern_ids(access))
    return Panel.objects.unscoped().filter(Q(pk__in=own) | (shown & ~Q(status__in=HIDDEN_FROM_TRIAGE)))


def list_panels(request, *, status="", urgency="", after="", before="", size=25) -> KeysetPage:
    """Newest first, by (created_at, id): 1 query."""
    panels = readable_panels(request)
    if status:
        panels = panels.filter(status=status)
    if urgency:
        panels = panels.filter(urgency=urgency)
    panels = panels.select_related(*PANEL_RELATED)
    return page_by_created(panels, after=after, before=before, size=size)


def list_contributions(panel: Panel, *, after="", before="", size=25) -> KeysetPage:
    """The thread of a panel the caller may read, newest first (the `panels_thread` index)."""
    thread = Contribution.objects.filter(panel=panel).select_related("author")
    return page_by_created(thread, after=after, before=before, size=size)


def list_meetings(request, *, after="", before="", size=25) -> KeysetPage:
    meetings = meetings_of(request.user).select_related("ern", "organiser")
    page = page_by_created(meetings, after=after, before=before, size=size)
    for meeting in page.rows:
        if meeting.organiser_id == request.user.pk:
            meeting.my_response = ORGANISER
    return page
