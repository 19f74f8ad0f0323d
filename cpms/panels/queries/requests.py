"""Reads of requests for assistance: the ERNs and thematic areas a request may go to, the requests
queue of coordinators and dispatchers, the HPs who may lead a panel, the triage thread, and the case
as a panel shares it.

The queue answers 404 to users who triage nothing (no Coordinator or Dispatcher grant in force): it
is not a page for them. One panel's pages start from `find_panel_for_user` / `get_panel_for_user`
(cpms/panels/queries/__init__.py), which answer 404 to anyone not on the panel.
"""

from dataclasses import dataclass, field
from datetime import datetime

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet
from django.http import Http404
from django.template.defaultfilters import filesizeformat

from cpms.access.models import GUEST_CODE, OrganisationNode
from cpms.access.queries.grants import HP, effective_grants
from cpms.access.queries.pages import EPOCH, MICROSECOND, KeysetPage
from cpms.access.queries.scopes import Access
from cpms.clinical.models import ThematicArea
from cpms.patients.forms.case import SECTIONS
from cpms.patients.models import Case, Patient
from cpms.patients.queries_case import rows_of_case
from cpms.patients.views.case import summary_rows

from ..models import Panel, PanelStatus, TriageNote, Urgency
from . import APPLICATION, TRIAGE_PROFILES, triage_ern_ids

PAGE_SIZE = 25
COUNT_LIMIT = 1000
MAX_LEADS = 500
# What a line of the queue shows: never an identifying field of the patient.
QUEUE_FIELDS = (
    "id",
    "urgency",
    "status",
    "submitted_at",
    "wished_answer_date",
    "created_at",
    "ern__id",
    "ern__code",
    "thematic_area__id",
    "thematic_area__name",
    "centre__id",
    "centre__code",
    "centre__name",
    "patient__id",
    "patient__pseudonym",
)


# -- where a request may go


def list_erns() -> list[OrganisationNode]:
    """The ERNs of the CPMS tree, by code (one query)."""
    erns = OrganisationNode.objects.filter(
        application__code=APPLICATION, kind=OrganisationNode.Kind.ERN, parent=None
    )
    return list(erns.order_by("code"))


def thematic_areas_of(erns) -> list[ThematicArea]:
    """The thematic areas of these ERNs, by ERN then name (one query)."""
    areas = ThematicArea.objects.filter(ern__in=[ern.pk for ern in erns]).select_related("ern")
    return list(areas.order_by("ern__code", "name"))


# -- who is told, who may lead


def triager_ids(ern_id: int) -> list[int]:
    """The coordinators and dispatchers (grants in force) of an ERN: whom a new request is told to."""
    grants = effective_grants().filter(
        application__code=APPLICATION, ern_id=ern_id, profile__code__in=TRIAGE_PROFILES
    )
    return sorted(set(grants.values_list("user_id", flat=True)))


def lead_choices(panel: Panel) -> list:
    """The HPs (HP grant in force at a centre of the panel's ERN, not a guest access) who may lead it."""
    grants = (
        effective_grants()
        .filter(application__code=APPLICATION, ern_id=panel.ern_id, profile__code=HP)
        .exclude(organisation__code=GUEST_CODE)
    )
    users = get_user_model().objects.filter(pk__in=grants.values("user_id"), is_active=True)
    return list(users.order_by("last_name", "first_name", "id")[:MAX_LEADS])


# -- the requests queue


@dataclass(frozen=True)
class QueueCursor:
    urgent: bool
    submitted_at: datetime
    pk: int

    @classmethod
    def of(cls, panel: Panel) -> str:
        micros = (panel.submitted_at - EPOCH) // MICROSECOND
        return f"{int(panel.is_urgent)}-{micros}-{panel.pk}"

    @classmethod
    def parse(cls, value) -> "QueueCursor | None":
        """The position of a cursor from the URL; None (the first page) for anything else."""
        if not isinstance(value, str) or len(value) > 44 or not value.isascii():
            return None
        parts = value.split("-")
        if len(parts) != 3 or not all(part.isdigit() for part in parts) or parts[0] not in ("0", "1"):
            return None
        if not 0 < int(parts[2]) < 2**63:
            return None
        try:
            return cls(parts[0] == "1", EPOCH + int(parts[1]) * MICROSECOND, int(parts[2]))
        except OverflowError:
            return None

    @property
    def urgency(self) -> str:
        return Urgency.URGENT if self.urgent else Urgency.ROUTINE

    def later(self) -> Q:
        """The requests after this one: urgent before routine, then the oldest submission first."""
        same = Q(urgency=self.urgency)
        return (
            Q(urgency__lt=self.urgency)
            | (same & Q(submitted_at__gt=self.submitted_at))
            | (same & Q(submitted_at=self.submitted_at, pk__gt=self.pk))
        )

    def earlier(self) -> Q:
        same = Q(urgency=self.urgency)
        return (
            Q(urgency__gt=self.urgency)
            | (same & Q(submitted_at__lt=self.submitted_at))
            | (same & Q(submitted_at=self.submitted_at, pk__lt=self.pk))
        )


QUEUE_ORDER = ("-urgency", "submitted_at", "id")  # "urgent" sorts after "routine": urgent first
REVERSED_ORDER = ("urgency", "-submitted_at", "-id")


@dataclass
class RequestPage(KeysetPage):
    """A page of the requests queue, whose count stops at COUNT_LIMIT."""

    filtered: bool = field(default=False)

    @property
    def total_is_capped(self) -> bool:
        return self.total > COUNT_LIMIT

    @property
    def count_limit(self) -> int:
        return COUNT_LIMIT


def require_triager(access: Access) -> list[int]:
    """The ERNs the user triages; 404 for a user who triages none (the queue is not for them)."""
    ern_ids = triage_ern_ids(access)
    if not ern_ids:
        raise Http404
    return ern_ids


def submitted_requests(ern_ids: list[int], *, ern_id=None, area_id=None) -> QuerySet[Panel]:
    if ern_id is not None:
        ern_ids = [ern_id] if ern_id in ern_ids else []
    panels = Panel.objects.in_erns(ern_ids).filter(status=PanelStatus.SUBMITTED)
    if area_id is not None:
        panels = panels.filter(thematic_area_id=area_id)
    return panels


def page_of_requests(
    access: Access, *, ern_id=None, area_id=None, after: str = "", before: str = "", size: int = PAGE_SIZE
) -> RequestPage:
    """The submitted requests of the user's ERNs, urgent first, then the oldest submission first;
    2 queries (the count, the page with its ERN, area, centre and pseudonym), whatever the rows."""
    panels = submitted_requests(require_triager(access), ern_id=ern_id, area_id=area_id)
    filtered = ern_id is not None or area_id is not None
    total = panels.order_by()[: COUNT_LIMIT + 1].count()
    if not total:
        return RequestPage(filtered=filtered)
    rows = panels.select_related("ern", "thematic_area", "centre", "patient").only(*QUEUE_FIELDS)
    if (position := QueueCursor.parse(after)) is not None:
        found = list(rows.filter(position.later()).order_by(*QUEUE_ORDER)[: size + 1])
        more_after, more_before = len(found) > size, True
        found = found[:size]
    elif (position := QueueCursor.parse(before)) is not None:
        found = list(rows.filter(position.earlier()).order_by(*REVERSED_ORDER)[: size + 1])
        more_after, more_before = True, len(found) > size
        found = found[:size][::-1]
    else:
        found = list(rows.order_by(*QUEUE_ORDER)[: size + 1])
        more_after, more_before = len(found) > size, False
        found = found[:size]
    return RequestPage(
        rows=found,
        total=total,
        next_cursor=QueueCursor.of(found[-1]) if more_after and found else "",
        previous_cursor=QueueCursor.of(found[0]) if more_before and found else "",
        filtered=filtered,
    )


# -- one panel: its triage thread, and the case it shares


def triage_thread(panel: Panel) -> list[TriageNote]:
    """The steps of the triage, oldest first, with their authors and where a forward went (one query)."""
    notes = panel.triage_notes.select_related("author", "from_ern", "to_ern", "from_area", "to_area")
    return list(notes.order_by("created_at", "id"))


def shared_section_titles(panel: Panel) -> list[str]:
    return [SECTIONS[slug].title for slug in SECTIONS if slug in panel.shared_sections]


@dataclass(frozen=True)
class SharedSection:
    slug: str
    title: str
    rows: list  # (key, value, detail) for the check-answers component


def attachment_rows(case: Case) -> list[tuple]:
    """An attachment by its description or kind and size: its file name may name the patient."""
    return [
        (a.description or a.document.get_kind_display(), filesizeformat(a.document.size), "")
        for a in case.attachments.all()
    ]


def shared_case(panel: Panel) -> list[SharedSection] | None:
    """The sections of the case that the panel shares, in the form's order, with their rows; None when
    the patient has no case yet. Never an identifying field: the case holds none (see patients'
    models/case.py), and attachments are named by their description, not their file name. A fixed
    number of queries (the case, one per kind of row)."""
    case = (
        Case.objects.unscoped().filter(patient_id=panel.patient_id).prefetch_related(*rows_of_case()).first()
    )
    if case is None:
        return None
    sections = []
    for slug, section in SECTIONS.items():
        if slug not in panel.shared_sections:
            continue
        rows = attachment_rows(case) if slug == "attachments" else summary_rows(case, slug)
        sections.append(SharedSection(slug, section.title, rows))
    return sections


# -- a patient's panels, on the case page of the enrolling centre


def panels_of_patient(patient: Patient, user) -> list[Panel]:
    """The patient's panels, newest first (others' drafts left out); one query. The caller reached
    the patient through its centre's scope."""
    panels = (
        Panel.objects.unscoped()
        .filter(patient_id=patient.pk)
        .exclude(Q(status=PanelStatus.DRAFT) & ~Q(requester_id=user.pk))
        .select_related("ern", "thematic_area")
    )
    return list(panels.order_by("-created_at", "-id")[:50])
