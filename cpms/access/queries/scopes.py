"""A user's access, resolved once per request: the grants in force, and what they let the user see.

Every page that checks access (the CPMS gate, the dashboard, the validation desk, and the patient
and panel pages to come) asks `access_for(request)`: one query on the first call of a request,
none after. The scopes are plain id lists, so the lists a page shows filter with
`ern_id__in=[…]` on an index, never with a subquery over the grants table.

Writes re-check with `access_of(user)`, which always reads the database (a page's access may be a
few milliseconds old when an action locks its row).

The query is hand-written SQL (`grants_in_force_sql`): it runs on every request, and building it
with the ORM cost more than running it. An app's gate may add columns to it (`access_with`) to read
what it needs of the same rows in the same query.
"""

from dataclasses import dataclass
from datetime import datetime
from functools import cache, cached_property
from typing import NamedTuple

from django.db import connection
from django.db.models import Q, QuerySet
from django.utils import timezone

from cpms.lib.sql import converter, table

from ..models import AccessProfile, Application, Grant, OrganisationNode
from .grants import COORDINATOR, is_administrator

REQUEST_ATTRIBUTE = "_cpms_access"


class GrantInForce(NamedTuple):
    """One grant in force, as plain values: what access checks and scoped lists need."""

    grant_id: int
    application_id: int
    application_code: str
    organisation_id: int
    ern_id: int
    profile_id: int
    profile_code: str
    requires_id: int | None
    expires_at: datetime | None


SCOPE_COLUMNS = len(GrantInForce._fields)


@cache
def grants_in_force_sql(columns: str = "", joins: str = "") -> str:
    """The user's active grants (not revoked, not expired), one row each as GrantInForce's fields,
    then `columns` (", o.code, …") from the grant `g` and what `joins` adds. Parameters: the user's
    id, now. Whether a prerequisite is in force too is in_force()'s job."""
    # Only table names and the callers' constant fragments are formatted in; values are parameters.
    return (
        "SELECT g.id, g.application_id, a.code, g.organisation_id, g.ern_id, g.profile_id, p.code,"  # noqa: S608
        f" p.requires_id, g.expires_at{columns}"
        f" FROM {table(Grant)} g"
        f" INNER JOIN {table(Application)} a ON a.id = g.application_id"
        f" INNER JOIN {table(AccessProfile)} p ON p.id = g.profile_id{joins}"
        " WHERE g.user_id = %s AND g.revoked_at IS NULL AND (g.expires_at IS NULL OR g.expires_at > %s)"
        " ORDER BY g.id"
    )


@dataclass(frozen=True)
class Access:
    """The grants in force of one user (every application) and the scopes they give."""

    user_id: int | None
    is_administrator: bool
    grants: tuple[GrantInForce, ...]

    def in_application(self, application_code: str = "cpms") -> list[GrantInForce]:
        return [grant for grant in self.grants if grant.application_code == application_code]

    def has_grant(self, application_code: str = "cpms") -> bool:
        return any(grant.application_code == application_code for grant in self.grants)

    def grant_ids(self, application_code: str = "cpms") -> list[int]:
        return sorted(grant.grant_id for grant in self.in_application(application_code))

    def organisation_ids(self, application_code: str = "cpms") -> list[int]:
        """The organisations (centres) where the user holds a grant in force."""
        return sorted({grant.organisation_id for grant in self.in_application(application_code)})

    def ern_ids(self, application_code: str = "cpms", profiles: tuple[str, ...] = ()) -> list[int]:
        """The ERNs where the user holds a grant in force (of one of these profiles, if given)."""
        return sorted(
            {
                grant.ern_id
                for grant in self.in_application(application_code)
                if not profiles or grant.profile_code in profiles
            }
        )

    # -- validators: coordinators of an ERN and administrators

    @cached_property
    def coordinated(self) -> dict[int, list[int]]:
        """Application id → the ERN ids where the user is a coordinator in force."""
        scopes: dict[int, set[int]] = {}
        for grant in self.grants:
            if grant.profile_code == COORDINATOR:
                scopes.setdefault(grant.application_id, set()).add(grant.ern_id)
        return {application_id: sorted(erns) for application_id, erns in scopes.items()}

    @property
    def is_validator(self) -> bool:
        return self.is_administrator or bool(self.coordinated)

    def can_validate(self, ern_id: int, application_id: int) -> bool:
        """May the user decide requests and manage grants of this ERN in this application?"""
        return self.is_administrator or ern_id in self.coordinated.get(application_id, ())

    def coordinated_erns(self) -> QuerySet[OrganisationNode]:
        """The ERN nodes the user coordinates, by application then code (one query when listed)."""
        ern_ids = [ern_id for erns in self.coordinated.values() for ern_id in erns]
        erns = OrganisationNode.objects.filter(pk__in=ern_ids).select_related("application")
        return erns.order_by("application__position", "code")

    def validator_scope(self, queryset: QuerySet) -> QuerySet:
        """Requests or grants (both have `ern` and `application`) the user may handle.

        Everything for an administrator; for a coordinator, those of the ERN *and* application of
        one of their Coordinator grants; none (no query at all) for anyone else.
        """
        if self.is_administrator:
            return queryset
        if not self.coordinated:
            return queryset.none()
        condition = Q()
        for application_id, ern_ids in self.coordinated.items():
            condition |= Q(application_id=application_id, ern_id__in=ern_ids)
        return queryset.filter(condition)


NO_ACCESS = Access(user_id=None, is_administrator=False, grants=())


def in_force(active: list[GrantInForce]) -> tuple[GrantInForce, ...]:
    """The active grants whose prerequisite is active too (effective_grants() says the same in SQL).

    Coordinator and Dispatcher need HP in the same ERN: without it they do not count.
    """
    held = {(grant.ern_id, grant.profile_id) for grant in active}
    return tuple(
        grant for grant in active if grant.requires_id is None or (grant.ern_id, grant.requires_id) in held
    )


def access_of(user) -> Access:
    """The user's access, read now: one short query (none for an anonymous user)."""
    return access_with(user)[0]


def access_with(user, columns: str = "", joins: str = "") -> tuple[Access, list[tuple]]:
    """access_of(user), and the extra `columns` of each active grant's row (grants_in_force_sql):
    still one query. The rows are those of every active grant, in force or not."""
    if not user.is_authenticated:
        return NO_ACCESS, []
    with connection.cursor() as cursor:
        cursor.execute(grants_in_force_sql(columns, joins), [user.pk, _now_for_sql()])
        rows = cursor.fetchall()
    expires_at = _expires_at_converter()
    active = [GrantInForce(*row[: SCOPE_COLUMNS - 1], expires_at(row[SCOPE_COLUMNS - 1])) for row in rows]
    access = Access(user_id=user.pk, is_administrator=is_administrator(user), grants=in_force(active))
    return access, [row[SCOPE_COLUMNS:] for row in rows]


def _now_for_sql():
    return connection.ops.adapt_datetimefield_value(timezone.now())


@cache
def _expires_at_converter():
    return converter(Grant._meta.get_field("expires_at"))


def keep_for_request(request, access: Access) -> None:
    """A gate that read the access itself (access_with) keeps it for the rest of the request."""
    setattr(request, REQUEST_ATTRIBUTE, access)


def access_for(request) -> Access:
    """The signed-in user's access, computed on the first call of a request and kept for the rest."""
    user = request.user
    user_id = user.pk if user.is_authenticated else None
    access = getattr(request, REQUEST_ATTRIBUTE, None)
    if access is None or access.user_id != user_id:  # a sign-in or sign-out during the request
        access = access_of(user)
        setattr(request, REQUEST_ATTRIBUTE, access)
    return access
