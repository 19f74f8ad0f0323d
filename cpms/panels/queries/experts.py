"""The experts directory: people who hold an HP grant in force in CPMS, with where they work, the
thematic areas they follow, their expert groups and how many panels they lead or are members of.

Only counts of panels, never a panel or a patient: anyone signed in to CPMS may read the
directory. Lists are paged by position (keyset on the user id) with a fixed number of queries.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from cpms.access.models import Grant, OrganisationNode
from cpms.access.queries.grants import COORDINATOR, HP
from cpms.access.queries.scopes import access_for
from cpms.clinical.models import ErnPreference, ThematicArea

from ..models import ExpertGroup, Membership

User = get_user_model()
APPLICATION = "cpms"
PAGE_SIZE = 25
MAX_CURSOR = 2**63 - 1


def hp_grants() -> QuerySet[Grant]:
    """HP grants in force in CPMS (guests' included: they are experts a panel may invite)."""
    return Grant.objects.active(timezone.now()).filter(application__code=APPLICATION, profile__code=HP)


def experts() -> QuerySet:
    """Users with an HP grant in force in CPMS."""
    return User.objects.filter(is_active=True).filter(Exists(hp_grants().filter(user=OuterRef("pk"))))


def is_expert(user_id: int) -> bool:
    return hp_grants().filter(user_id=user_id, user__is_active=True).exists()


@dataclass
class Place:
    """Where an expert holds HP: the ERN and the centre (or guest access)."""

    ern: OrganisationNode
    organisation: OrganisationNode

    @property
    def is_guest(self) -> bool:
        return self.organisation.is_guest


@dataclass
class Expert:
    user: object
    places: list[Place] = field(default_factory=list)
    areas: list[ThematicArea] = field(default_factory=list)
    groups: list[ExpertGroup] = field(default_factory=list)
    panels_as_lead: int = 0
    panels_as_member: int = 0

    @property
    def is_guest_only(self) -> bool:
        return bool(self.places) and all(place.is_guest for place in self.places)


@dataclass
class ExpertPage:
    rows: list[Expert]
    next_cursor: str = ""
    previous_cursor: str = ""

    @property
    def has_next(self) -> bool:
        return bool(self.next_cursor)

    @property
    def has_previous(self) -> bool:
        return bool(self.previous_cursor)

    @property
    def has_other_pages(self) -> bool:
        return self.has_next or self.has_previous


def places_of(user_ids) -> dict[int, list[Place]]:
    """user id → their HP places, ERN then centre (one query)."""
    found: dict[int, list[Place]] = defaultdict(list)
    grants = hp_grants().filter(user_id__in=list(user_ids)).select_related("ern", "organisation")
    seen = set()
    for grant in grants.order_by("ern__code", "organisation__code"):
        if (grant.user_id, grant.organisation_id) not in seen:
            seen.add((grant.user_id, grant.organisation_id))
            found[grant.user_id].append(Place(grant.ern, grant.organisation))
    return found


def areas_of(user_ids, ern_id: int | None = None) -> dict[int, list[ThematicArea]]:
    """user id → the thematic areas they follow (in one ERN, if given); two queries.

    The areas (reference data, a few hundred rows) are read once and shared, rather than built once
    per follower: 300 experts of an ERN follow the same few areas.
    """
    through = ErnPreference.thematic_areas.through
    rows = through.objects.filter(ernpreference__user_id__in=list(user_ids))
    if ern_id is not None:
        rows = rows.filter(ernpreference__ern_id=ern_id)
    pairs = list(rows.values_list("ernpreference__user_id", "thematicarea_id"))
    areas = ThematicArea.objects.select_related("ern").in_bulk()
    found: dict[int, list[ThematicArea]] = defaultdict(list)
    for user_id, area_id in pairs:
        found[user_id].append(areas[area_id])
    for followed in found.values():
        followed.sort(key=lambda area: (area.ern.code, area.name))
    return found


def groups_of(user_ids) -> dict[int, list[ExpertGroup]]:
    through = ExpertGroup.members.through
    rows = through.objects.filter(user_id__in=list(user_ids)).select_related("expertgroup__ern")
    found: dict[int, list[ExpertGroup]] = defaultdict(list)
    for row in rows.order_by("expertgroup__name"):
        found[row.user_id].append(row.expertgroup)
    return found


def panel_counts_of(user_ids) -> dict[int, tuple[int, int]]:
    """user id → (panels led, panels joined as a member), from accepted memberships; one query."""
    rows = (
        Membership.objects.filter(user_id__in=list(user_ids), status=Membership.Status.ACCEPTED)
        .values("user_id")
        .annotate(
            led=Count("id", filter=Q(role=Membership.Role.LEAD)),
            joined=Count("id", filter=Q(role=Membership.Role.MEMBER)),
        )
    )
    return {row["user_id"]: (row["led"], row["joined"]) for row in rows}


def describe_experts(users: list) -> list[Expert]:
    """The users as directory rows: 4 queries whatever their number."""
    ids = [user.pk for user in users]
    places, areas, groups, counts = places_of(ids), areas_of(ids), groups_of(ids), panel_counts_of(ids)
    return [
        Expert(
            user,
            places.get(user.pk, []),
            areas.get(user.pk, []),
            groups.get(user.pk, []),
            *counts.get(user.pk, (0, 0)),
        )
        for user in users
    ]


@dataclass(frozen=True)
class ExpertFilter:
    """The directory's filters, already validated (ids of existing rows, or None)."""

    name: str = ""
    ern_id: int | None = None
    centre_id: int | None = None
    area_id: int | None = None
    group_id: int | None = None


def filter_experts(queryset: QuerySet, filters: ExpertFilter) -> QuerySet:
    grants = hp_grants().filter(user=OuterRef("pk"))
    if filters.ern_id:
        queryset = queryset.filter(Exists(grants.filter(ern_id=filters.ern_id)))
    if filters.centre_id:
        queryset = queryset.filter(Exists(grants.filter(organisation_id=filters.centre_id)))
    if filters.area_id:
        preferences = ErnPreference.objects.filter(user=OuterRef("pk"), thematic_areas=filters.area_id)
        queryset = queryset.filter(Exists(preferences))
    if filters.group_id:
        queryset = queryset.filter(expert_groups=filters.group_id)
    for word in filters.name.split()[:5]:
        queryset = queryset.filter(
            Q(first_name__icontains=word) | Q(last_name__icontains=word) | Q(email__iexact=word)
        )
    return queryset


def parse_position(value) -> int | None:
    if isinstance(value, str) and value.isdigit() and len(value) < 20 and 0 < int(value) <= MAX_CURSOR:
        return int(value)
    return None


def list_experts(filters: ExpertFilter, *, after: str = "", before: str = "", size=PAGE_SIZE) -> ExpertPage:
    """One page of the directory, by user id (5 queries: the page, then describe_experts)."""
    queryset = filter_experts(experts(), filters)
    if (position := parse_position(after)) is not None:
        found = list(queryset.filter(pk__gt=position).order_by("pk")[: size + 1])
        more_after, more_before = len(found) > size, True
        found = found[:size]
    elif (position := parse_position(before)) is not None:
        found = list(queryset.filter(pk__lt=position).order_by("-pk")[: size + 1])
        more_after, more_before = True, len(found) > size
        found = found[:size][::-1]
    else:
        found = list(queryset.order_by("pk")[: size + 1])
        more_after, more_before = len(found) > size, False
        found = found[:size]
    if not found:
        return ExpertPage(rows=[])
    return ExpertPage(
        rows=describe_experts(found),
        next_cursor=str(found[-1].pk) if more_after else "",
        previous_cursor=str(found[0].pk) if more_before else "",
    )


def get_expert(user_id: int) -> Expert:
    """One expert of the directory; 404 for anyone who holds no HP grant in force."""
    user = experts().filter(pk=user_id).first()
    if user is None:
        raise Http404
    return describe_experts([user])[0]


# -- expert groups


def list_expert_groups(ern_id: int | None = None) -> list[ExpertGroup]:
    groups = ExpertGroup.objects.select_related("ern", "thematic_area").annotate(size=Count("members"))
    if ern_id:
        groups = groups.filter(ern_id=ern_id)
    return list(groups.order_by("ern__code", "name"))


def coordinated_ern_ids(request) -> list[int]:
    return access_for(request).ern_ids(APPLICATION, profiles=(COORDINATOR,))


def get_expert_group(group_id) -> ExpertGroup:
    """Any group (everyone in CPMS sees them); 404 when missing."""
    try:
        return ExpertGroup.objects.select_related("ern", "thematic_area").get(pk=group_id)
    except (ExpertGroup.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def group_members(group: ExpertGroup) -> list[Expert]:
    return describe_experts(list(group.members.order_by("last_name", "first_name", "pk")))


def ern_choices() -> QuerySet[OrganisationNode]:
    return OrganisationNode.objects.filter(kind=OrganisationNode.Kind.ERN, application__code=APPLICATION)
