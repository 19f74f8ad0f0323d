"""The requester's side of the desk: their requests and grants, and the rules a new request must pass.

Every read is scoped to the signed-in user: someone else's request is a 404, like a missing one.
"""

from datetime import timedelta

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import AccessProfile, AccessRequest, Application, Grant, OrganisationNode
from .grants import effective_grants

REQUEST_RELATED = ("application", "organisation__parent", "ern", "profile", "decided_by")
GRANT_RELATED = ("application", "organisation__parent", "ern", "profile__requires")
RECENTLY_ENDED = timedelta(days=90)
GRANTED, REQUESTED = "granted", "requested"


def list_my_requests(user) -> QuerySet[AccessRequest]:
    """The user's requests, newest first."""
    return (
        AccessRequest.objects.filter(requester=user)
        .select_related(*REQUEST_RELATED)
        .order_by("-created_at", "-id")
    )


def get_my_request(user, pk: int) -> AccessRequest:
    """One of the user's requests; Http404 whether it is missing or someone else's."""
    access_request = list_my_requests(user).filter(pk=pk).first()
    if access_request is None:
        raise Http404
    return access_request


def list_my_active_grants(user) -> QuerySet[Grant]:
    """Active grants; `in_force` is False for one whose prerequisite (HP in the ERN) has lapsed."""
    return (
        Grant.objects.active()
        .filter(user=user)
        .annotate(in_force=Exists(effective_grants().filter(pk=OuterRef("pk"))))
        .select_related(*GRANT_RELATED)
        .order_by("application__position", "ern__code", "organisation__code", "profile__position", "id")
    )


def list_my_ended_grants(user, now=None) -> QuerySet[Grant]:
    """Grants revoked or expired in the last 90 days, most recently ended first."""
    now = now or timezone.now()
    since = now - RECENTLY_ENDED
    revoked = Q(revoked_at__gt=since)
    expired = Q(revoked_at=None, expires_at__gt=since, expires_at__lte=now)
    return (
        Grant.objects.filter(user=user)
        .filter(revoked | expired)
        .select_related(*GRANT_RELATED, "revoked_by")
        .order_by(Coalesce("revoked_at", "expires_at").desc(), "-id")
    )


def profile_statuses(user, organisation: OrganisationNode) -> dict[int, str]:
    """Profile id → "granted" (active grant) or "requested" (pending request) at this organisation."""
    pending = AccessRequest.objects.filter(
        requester=user, organisation=organisation, status=AccessRequest.Status.PENDING
    )
    statuses = dict.fromkeys(pending.values_list("profile_id", flat=True), REQUESTED)
    granted = Grant.objects.active().filter(user=user, organisation=organisation)
    statuses.update(dict.fromkeys(granted.values_list("profile_id", flat=True), GRANTED))
    return statuses


def held_or_requested_in_ern(user, ern_id: int, profile_ids: set[int]) -> set[int]:
    """Among these profiles, those the user holds (active) or has asked for (pending) in the ERN."""
    if not profile_ids:
        return set()
    granted = (
        Grant.objects.active()
        .filter(user=user, ern_id=ern_id, profile_id__in=profile_ids)
        .values_list("profile_id", flat=True)
        .order_by()
    )
    pending = (
        AccessRequest.objects.filter(
            requester=user, ern_id=ern_id, profile_id__in=profile_ids, status=AccessRequest.Status.PENDING
        )
        .values_list("profile_id", flat=True)
        .order_by()
    )
    return set(granted.union(pending))


def request_problems(
    user,
    application: Application,
    organisation: OrganisationNode,
    profiles: list[AccessProfile],
    *,
    statuses: dict[int, str] | None = None,
) -> list[str]:
    """Why these profiles cannot be requested at this organisation; empty when they can.

    `profiles` should have `requires` loaded (select_related) to name a missing prerequisite.
    """
    if (
        organisation.application_id != application.pk
        or organisation.kind != OrganisationNode.Kind.INSTITUTION
    ):
        return [_("Choose an institution of %(application)s.") % {"application": application.name}]
    if not profiles:
        return [_("Choose at least one access profile.")]
    problems = []
    for profile in profiles:
        if profile.application_id != application.pk:
            problems.append(
                _("%(application)s does not offer the profile %(profile)s.")
                % {"application": application.name, "profile": profile.display_name}
            )
    if problems:
        return problems
    statuses = profile_statuses(user, organisation) if statuses is None else statuses
    for profile in profiles:
        params = {"profile": profile.display_name, "organisation": organisation.label}
        if statuses.get(profile.pk) == GRANTED:
            problems.append(_("You already have the %(profile)s profile at %(organisation)s.") % params)
        elif statuses.get(profile.pk) == REQUESTED:
            problems.append(
                _(
                    "You already asked for the %(profile)s profile at %(organisation)s: "
                    "that request is waiting for validation."
                )
                % params
            )
    chosen = {profile.pk for profile in profiles}
    needed = {profile.requires_id for profile in profiles if profile.requires_id} - chosen
    satisfied = held_or_requested_in_ern(user, organisation.ern_id, needed)
    for profile in profiles:
        if profile.requires_id and profile.requires_id not in chosen and profile.requires_id not in satisfied:
            problems.append(
                _(
                    "The %(profile)s profile needs the %(required)s profile in the same ERN (%(ern)s), "
                    "and you have not got it or asked for it there. Tick %(required)s as well, "
                    "or request %(required)s at your institution in this ERN first."
                )
                % {
                    "profile": profile.display_name,
                    "required": profile.requires.display_name,
                    "ern": organisation.ern.label,
                }
            )
    return problems
