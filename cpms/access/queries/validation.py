"""Reads for validators (coordinators of an ERN, administrators), with the permission check built in.

A coordinator sees the requests and grants of the ERNs in which they hold an active Coordinator
grant; an administrator sees everything. Anyone else sees nothing: a request or grant they may
not handle is a 404, exactly like a missing one.
"""

from django.db.models import Q, QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from ..models import GUEST_GRANT_LIFETIME, AccessProfile, AccessRequest, Grant, OrganisationNode
from .pages import KeysetPage, keyset_page
from .scopes import Access

REQUEST_RELATED = ("requester", "application", "organisation__parent", "ern", "profile__requires")
GRANT_RELATED = ("user", "application", "organisation__parent", "ern", "profile")
PAGE_SIZE = 25


def pending_request_count(access: Access) -> int:
    """How many requests wait for this user's decision (0, without a query, for a non-validator)."""
    pending = access.validator_scope(AccessRequest.objects.filter(status=AccessRequest.Status.PENDING))
    return pending.count() if access.is_validator else 0


# -- What the desk's tables show of each row, as plain values: the template only prints them (a dict
# lookup per cell instead of attribute chains, properties and filters on eight related objects).


class Labels(dict):
    """Node id → its label, each computed once per page (the rows share a few centres and ERNs)."""

    def of(self, node: OrganisationNode | None) -> str | None:
        if node is None:
            return None
        if (label := self.get(node.pk)) is None:
            label = self[node.pk] = node.label
        return label


def person_columns(person) -> dict:
    full_name = person.get_full_name()
    return {"name": full_name or person.username, "full_name": full_name, "email": person.email}


def place_columns(row, labels: Labels) -> dict:
    """The organisation, its ERN and parent (None without one), the profile and, outside CPMS, the
    application's name (None in CPMS)."""
    return {
        "organisation": labels.of(row.organisation),
        "ern": labels.of(row.ern),
        "parent": labels.of(row.organisation.parent),
        "profile": row.profile.display_name,
        "application": row.application.name if row.application.code != "cpms" else None,
    }


def dated(value, date_format_name: str) -> dict:
    """A date as the `date` filter shows it (in the current time zone), and its ISO form."""
    if value is None:
        return {"iso": "", "shown": ""}
    local = timezone.template_localtime(value)
    return {"iso": date_format(local, "c"), "shown": date_format(local, date_format_name)}


def request_rows(requests: list[AccessRequest]) -> list[dict]:
    """The queue's columns of each request (with requester, application, organisation__parent, ern
    and profile loaded)."""
    labels = Labels()
    return [
        {
            "pk": request.pk,
            **person_columns(request.requester),
            **place_columns(request, labels),
            "created": dated(request.created_at, "DATETIME_FORMAT"),
            "status": request.get_status_display(),
            "is_pending": request.status == AccessRequest.Status.PENDING,
            "url": reverse("access:validation-detail", args=[request.pk]),
        }
        for request in requests
    ]


def grant_rows(grants: list[Grant], user_id: int) -> list[dict]:
    """The grants tables' columns of each grant (with user, application, organisation__parent, ern
    and profile loaded); `is_own`: the viewer's own grant, which they cannot revoke or renew."""
    labels = Labels()
    return [
        {
            "pk": grant.pk,
            **person_columns(grant.user),
            **place_columns(grant, labels),
            "created": dated(grant.created_at, "DATE_FORMAT"),
            "expires": dated(grant.expires_at, "DATE_FORMAT"),
            "is_guest": grant.organisation.is_guest,
            "is_own": grant.user_id == user_id,
            "revoke_url": reverse("access:grant-revoke", args=[grant.pk]),
            "renew_url": reverse("access:grant-renew", args=[grant.pk]),
        }
        for grant in grants
    ]


# -- The queue


def validator_erns(access: Access) -> QuerySet[OrganisationNode]:
    """The ERNs a validator can filter on."""
    if not access.is_administrator:
        return access.coordinated_erns()
    erns = OrganisationNode.objects.filter(kind=OrganisationNode.Kind.ERN).select_related("application")
    return erns.order_by("application__position", "code")


def profile_choices() -> list[tuple[str, str]]:
    """Distinct profiles by code, in catalogue order: ("hp", "HP"), ("coordinator", "Coordinator") …"""
    seen: dict[str, str] = {}
    for code, name in AccessProfile.objects.order_by("position", "name").values_list("code", "name"):
        seen.setdefault(code, name)
    return list(seen.items())


def search_filter(search: str, prefix: str) -> Q:
    condition = Q()
    for word in search.split()[:5]:
        condition &= (
            Q(**{f"{prefix}__first_name__icontains": word})
            | Q(**{f"{prefix}__last_name__icontains": word})
            | Q(**{f"{prefix}__email__icontains": word})
            | Q(**{f"{prefix}__username__iexact": word})
        )
    return condition


def list_requests_for_validator(
    access: Access,
    *,
    status: str = "",
    ern: OrganisationNode | None = None,
    profile: str = "",
    search: str = "",
) -> QuerySet[AccessRequest]:
    """The validation queue, newest first (rows without their related objects: see the page). Empty
    `status` means every status."""
    requests = access.validator_scope(AccessRequest.objects.all())
    if status:
        requests = requests.filter(status=status)
    if ern is not None:
        requests = requests.filter(ern=ern)
    if profile:
        requests = requests.filter(profile__code=profile)
    if search:
        requests = requests.filter(search_filter(search, "requester"))
    return requests.order_by("-created_at", "-id")


def page_of_requests_for_validator(
    access: Access, *, after: str = "", before: str = "", size: int = PAGE_SIZE, **filters
) -> KeysetPage:
    """One page of the queue, by position (newest first): 3 queries (count, ids, rows)."""
    requests = list_requests_for_validator(access, **filters)
    return keyset_page(requests, related=REQUEST_RELATED, after=after, before=before, size=size)


def get_request_for_validator(access: Access, pk: int) -> AccessRequest:
    """The request, if the user may decide it; Http404 whether it is missing or not theirs."""
    access_request = (
        access.validator_scope(AccessRequest.objects.all())
        .select_related(*REQUEST_RELATED, "decided_by")
        .filter(pk=pk)
        .first()
    )
    if access_request is None:
        raise Http404
    return access_request


def requester_context(access_request: AccessRequest) -> dict:
    """What a validator needs besides the request: the requester's grants and other requests."""
    requester_id, application_id = access_request.requester_id, access_request.application_id
    grants = list(
        Grant.objects.active()
        .filter(user_id=requester_id, application_id=application_id)
        .select_related("organisation__parent", "ern", "profile")
        .order_by("ern__code", "organisation__code", "profile__position")
    )
    other_requests = list(
        AccessRequest.objects.filter(requester_id=requester_id, application_id=application_id)
        .exclude(pk=access_request.pk)
        .select_related("organisation__parent", "ern", "profile")
        .order_by("-created_at", "-id")[:50]
    )
    required = access_request.profile.requires
    missing_prerequisite = required is not None and not any(
        grant.profile_id == required.pk and grant.ern_id == access_request.ern_id for grant in grants
    )
    return {"grants": grants, "other_requests": other_requests, "missing_prerequisite": missing_prerequisite}


# -- Grants


def list_grants_for_manager(
    access: Access, *, ern: OrganisationNode | None = None, profile: str = "", search: str = ""
) -> QuerySet[Grant]:
    """Active grants in the ERNs the user coordinates (all for administrators), newest first."""
    grants = access.validator_scope(Grant.objects.active())
    if ern is not None:
        grants = grants.filter(ern=ern)
    if profile:
        grants = grants.filter(profile__code=profile)
    if search:
        grants = grants.filter(search_filter(search, "user"))
    return grants.order_by("-created_at", "-id")


def page_of_grants_for_manager(
    access: Access, *, after: str = "", before: str = "", size: int = PAGE_SIZE, **filters
) -> KeysetPage:
    """One page of the active grants, newest first: 3 queries (count, ids, rows)."""
    grants = list_grants_for_manager(access, **filters)
    return keyset_page(grants, related=GRANT_RELATED, after=after, before=before, size=size)


def list_expired_guest_grants_for_manager(
    access: Access, now=None, *, within=GUEST_GRANT_LIFETIME
) -> QuerySet[Grant]:
    """Guest grants that expired (not revoked) lately in the ERNs the user manages: they can be renewed."""
    now = now or timezone.now()
    expired = Grant.objects.filter(revoked_at=None, expires_at__lte=now, expires_at__gt=now - within)
    return access.validator_scope(expired).select_related(*GRANT_RELATED).order_by("-expires_at", "id")


def get_grant_for_manager(access: Access, pk: int) -> Grant:
    """A grant that is not revoked (it may have expired), if the user may manage it; else Http404."""
    grant = (
        access.validator_scope(Grant.objects.filter(revoked_at=None))
        .select_related(*GRANT_RELATED)
        .filter(pk=pk)
        .first()
    )
    if grant is None:
        raise Http404
    return grant


def dependent_grants(grant: Grant) -> list[Grant]:
    """The user's active grants that need this one (Coordinator and Dispatcher need HP in the ERN).

    None when the user holds the same profile elsewhere in the ERN (another HP grant still counts).
    """
    same_profile = Grant.objects.active().filter(
        user_id=grant.user_id, ern_id=grant.ern_id, profile_id=grant.profile_id
    )
    if same_profile.exclude(pk=grant.pk).exists():
        return []
    return list(
        Grant.objects.active()
        .filter(user_id=grant.user_id, ern_id=grant.ern_id, profile__requires_id=grant.profile_id)
        .exclude(pk=grant.pk)
        .select_related("organisation", "profile")
    )
