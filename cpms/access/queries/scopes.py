"""A user's access, resolved once per request: the grants in force, and what they let the user see.

Every page that checks access (the CPMS gate, the dashboard, the validation desk, and the patient
and panel pages to come) asks `access_for(request)`: one query on the first call of a request,
none after. The scopes are plain id lists, so the lists a page shows filter with
`ern_id__in=[…]` on an index, never with a subquery over the grants table.

Writes re-check with `access_of(user)`, which always reads the database (a page's access may be a
few milliseconds old when an action locks its row).
"""

from dataclasses import dataclass
from functools import cached_property

from django.db.models import Q, QuerySet

from ..models import Grant, OrganisationNode
from .grants import COORDINATOR, effective_grants, is_administrator

ACCESS_RELATED = ("application", "organisation__parent", "ern__application", "profile")
REQUEST_ATTRIBUTE = "_cpms_access"


@dataclass(frozen=True)
class Access:
    """The grants in force of one user (every application), in catalogue order, and their scopes."""

    user_id: int | None
    is_administrator: bool
    grants: tuple[Grant, ...]

    def in_application(self, application_code: str = "cpms") -> list[Grant]:
        return [grant for grant in self.grants if grant.application.code == application_code]

    def has_grant(self, application_code: str = "cpms") -> bool:
        return any(grant.application.code == application_code for grant in self.grants)

    def organisation_ids(self, application_code: str = "cpms") -> list[int]:
        """The organisations (centres) where the user holds a grant in force."""
        return sorted({grant.organisation_id for grant in self.in_application(application_code)})

    def ern_ids(self, application_code: str = "cpms", profiles: tuple[str, ...] = ()) -> list[int]:
        """The ERNs where the user holds a grant in force (of one of these profiles, if given)."""
        return sorted(
            {
                grant.ern_id
                for grant in self.in_application(application_code)
                if not profiles or grant.profile.code in profiles
            }
        )

    # -- validators: coordinators of an ERN and administrators

    @cached_property
    def coordinated(self) -> dict[int, list[int]]:
        """Application id → the ERN ids where the user is a coordinator in force."""
        scopes: dict[int, set[int]] = {}
        for grant in self.grants:
            if grant.profile.code == COORDINATOR:
                scopes.setdefault(grant.application_id, set()).add(grant.ern_id)
        return {application_id: sorted(erns) for application_id, erns in scopes.items()}

    @property
    def is_validator(self) -> bool:
        return self.is_administrator or bool(self.coordinated)

    def can_validate(self, ern_id: int, application_id: int) -> bool:
        """May the user decide requests and manage grants of this ERN in this application?"""
        return self.is_administrator or ern_id in self.coordinated.get(application_id, ())

    def coordinated_erns(self) -> list[OrganisationNode]:
        """The ERN nodes the user coordinates, by application then code (no query)."""
        erns = {grant.ern_id: grant.ern for grant in self.grants if grant.profile.code == COORDINATOR}
        return sorted(erns.values(), key=lambda ern: (ern.application.position, ern.code))

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


def access_of(user) -> Access:
    """The user's access, read now (one query; none for an anonymous user)."""
    if not user.is_authenticated:
        return NO_ACCESS
    grants = (
        effective_grants()
        .filter(user_id=user.pk)
        .select_related(*ACCESS_RELATED)
        .order_by("application__position", "ern__code", "organisation__code", "profile__position", "id")
    )
    return Access(user_id=user.pk, is_administrator=is_administrator(user), grants=tuple(grants))


def access_for(request) -> Access:
    """The signed-in user's access, computed on the first call of a request and kept for the rest."""
    user = request.user
    user_id = user.pk if user.is_authenticated else None
    access = getattr(request, REQUEST_ATTRIBUTE, None)
    if access is None or access.user_id != user_id:  # a sign-in or sign-out during the request
        access = access_of(user)
        setattr(request, REQUEST_ATTRIBUTE, access)
    return access
