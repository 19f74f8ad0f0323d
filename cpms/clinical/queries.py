"""Reads for the CPMS front door. Everything a user sees here comes from their own active grants."""

from dataclasses import dataclass, field
from datetime import datetime
from functools import cache

from django.db import connection
from django.db.models import Q
from django.utils import timezone

from cpms.access.models import AccessProfile, AccessRequest, Grant, OrganisationNode
from cpms.access.queries.scopes import Access, access_with, keep_for_request
from cpms.lib.sql import compiled_once, converter, table

from .models import ClinicianProfile, ErnPreference, ThematicArea

APPLICATION = "cpms"


@dataclass
class Centre:
    organisation: OrganisationNode
    profiles: list[AccessProfile] = field(default_factory=list)
    expires_at: datetime | None = None


@dataclass
class ErnSummary:
    ern: OrganisationNode
    centres: list[Centre] = field(default_factory=list)
    thematic_areas: list[ThematicArea] = field(default_factory=list)


@dataclass
class ErnChoices:
    ern: OrganisationNode
    areas: list[ThematicArea] = field(default_factory=list)


@dataclass(frozen=True)
class Gate:
    """What the CPMS gate reads on every request, in one query (read_gate)."""

    access: Access
    clinician_profile: ClinicianProfile | None
    # (code, name) of the organisation of each active grant, by id: the side navigation's centres.
    organisations: dict[int, tuple[str, str]]


PROFILE_FIELDS = ("id", "user_id", "job_title", "completed_at")


@cache
def _gate_columns() -> tuple[str, str]:
    columns = ", o.id, o.code, o.name, " + ", ".join(f"cp.{name}" for name in PROFILE_FIELDS)
    joins = (
        f" INNER JOIN {table(OrganisationNode)} o ON o.id = g.organisation_id"
        f" LEFT OUTER JOIN {table(ClinicianProfile)} cp ON cp.user_id = g.user_id"
    )
    return columns, joins


@cache
def _completed_at_converter():
    return converter(ClinicianProfile._meta.get_field("completed_at"))


def read_gate(request) -> Gate:
    """The user's access (kept for the request: access_for reads it from there), their first-use
    profile and their grants' organisations: one query, read again on every request, so a revoked
    or expired grant counts from the next one.

    Without an active grant there is no row, hence no profile: the gate refuses such a user anyway.
    """
    access, rows = access_with(request.user, *_gate_columns())
    keep_for_request(request, access)
    profile = None
    if rows and rows[0][3] is not None:
        profile_id, user_id, job_title, completed_at = rows[0][3:]
        values = [profile_id, user_id, job_title, _completed_at_converter()(completed_at)]
        profile = ClinicianProfile.from_db(connection.alias, PROFILE_FIELDS, values)
    organisations = {organisation_id: (code, name) for organisation_id, code, name, *_ in rows}
    return Gate(access=access, clinician_profile=profile, organisations=organisations)


def granted_erns(access: Access) -> list[OrganisationNode]:
    """The ERNs in which the user holds an active CPMS grant, in code order (one query)."""
    return list(OrganisationNode.objects.filter(pk__in=access.ern_ids(APPLICATION)).order_by("code", "id"))


def _grants_query(grant_ids: list[int]):
    return (
        Grant.objects.filter(pk__in=grant_ids)
        .select_related("organisation__parent", "ern", "profile")
        .order_by("ern__code", "organisation__code", "profile__position")
    )


def _chosen_areas_query(user_id: int):
    return (
        ErnPreference.thematic_areas.through.objects.filter(ernpreference__user_id=user_id)
        .select_related("ernpreference", "thematicarea")
        .order_by("thematicarea__name", "thematicarea_id")
    )


# On every dashboard: their SQL is built once (building it cost twenty times running it).
_grants = compiled_once(_grants_query)
_chosen_areas = compiled_once(_chosen_areas_query)


def dashboard_erns(access: Access) -> list[ErnSummary]:
    """Each ERN of the user with their centres, profiles there and chosen thematic areas (2 queries)."""
    summaries: dict[int, ErnSummary] = {}
    for grant in _grants(access.grant_ids(APPLICATION)):
        summary = summaries.setdefault(grant.ern_id, ErnSummary(ern=grant.ern))
        centre = next((c for c in summary.centres if c.organisation.pk == grant.organisation_id), None)
        if centre is None:
            centre = Centre(organisation=grant.organisation)
            summary.centres.append(centre)
        if grant.profile not in centre.profiles:
            centre.profiles.append(grant.profile)
        if grant.expires_at and (centre.expires_at is None or grant.expires_at < centre.expires_at):
            centre.expires_at = grant.expires_at
    for chosen in _chosen_areas(access.user_id):
        if summary := summaries.get(chosen.ernpreference.ern_id):
            summary.thematic_areas.append(chosen.thematicarea)
    return list(summaries.values())


def preference_choices(access: Access) -> list[ErnChoices]:
    """For each ERN of the user's active grants, the thematic areas they may choose (2 queries)."""
    choices = {ern.pk: ErnChoices(ern=ern) for ern in granted_erns(access)}
    for area in ThematicArea.objects.filter(ern_id__in=list(choices)).order_by("name"):
        choices[area.ern_id].areas.append(area)
    return list(choices.values())


def chosen_area_ids(user) -> dict[int, list[int]]:
    """The thematic areas the user has chosen, by ERN id (one query)."""
    through = ErnPreference.thematic_areas.through
    chosen: dict[int, list[int]] = {}
    rows = through.objects.filter(ernpreference__user=user).values_list(
        "ernpreference__ern_id", "thematicarea_id"
    )
    for ern_id, area_id in rows:
        chosen.setdefault(ern_id, []).append(area_id)
    return chosen


def access_history(user) -> dict:
    """Why a user is not in CPMS: pending requests, and grants that were revoked or have expired."""
    now = timezone.now()
    pending = (
        AccessRequest.objects.filter(
            requester=user, application__code=APPLICATION, status=AccessRequest.Status.PENDING
        )
        .select_related("organisation__parent", "ern", "profile")
        .order_by("-created_at")[:10]
    )
    ended = (
        Grant.objects.filter(user=user, application__code=APPLICATION)
        .filter(Q(revoked_at__isnull=False) | Q(expires_at__lte=now))
        .select_related("organisation__parent", "ern", "profile")
        .order_by("-created_at")[:10]
    )
    return {"pending_requests": list(pending), "ended_grants": list(ended)}
