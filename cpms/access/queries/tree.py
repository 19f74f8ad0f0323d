"""The catalogue and the organisation tree, as the request wizard walks them.

Every lookup is scoped to an application open to requests, so an id from another application,
or of the wrong kind, is simply not found. One level of the tree is listed at a time, searched
and paged in the database: the number of queries does not grow with the number of rows.
"""

from dataclasses import dataclass

from django.core.paginator import Page, Paginator
from django.core.validators import slug_re
from django.db.models import Case, IntegerField, Q, QuerySet, Value, When

from cpms.lib.text import folded

from ..models import GUEST_CODE, AccessRequest, Application, Grant, OrganisationNode

Kind = OrganisationNode.Kind
PER_PAGE_CHOICES = (10, 25, 50, 100)
DEFAULT_PER_PAGE = 25
MAX_SEARCH_LENGTH = 100


def as_id(value) -> int | None:
    """A database id from untrusted input ("12" → 12); None for anything else."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if 0 < value < 2**63 else None
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 18:
        number = int(value)
        return number if number > 0 else None
    return None


def requestable_applications() -> QuerySet[Application]:
    return Application.objects.filter(is_requestable=True).order_by("position", "name")


def get_requestable_application(application_id) -> Application | None:
    pk = as_id(application_id)
    return None if pk is None else requestable_applications().filter(pk=pk).first()


def get_requestable_application_by_code(code: str) -> Application | None:
    if not code or len(code) > 40 or not slug_re.match(code):
        return None
    return requestable_applications().filter(code=code).first()


def get_node(application: Application, node_id) -> OrganisationNode | None:
    """A node of this application (with its ancestors loaded), or None."""
    pk = as_id(node_id)
    if pk is None:
        return None
    return (
        OrganisationNode.objects.select_related("parent__parent")
        .filter(pk=pk, application=application)
        .first()
    )


def get_institution(application: Application, node_id) -> OrganisationNode | None:
    """An institution of this application (with its country and ERN loaded), or None."""
    pk = as_id(node_id)
    if pk is None:
        return None
    return (
        OrganisationNode.objects.select_related("parent__parent", "ern")
        .filter(pk=pk, application=application, kind=Kind.INSTITUTION, ern__isnull=False)
        .first()
    )


def get_requestable_node(node_id) -> OrganisationNode | None:
    """Any node of an application open to requests (the "Details" view), or None."""
    pk = as_id(node_id)
    if pk is None:
        return None
    return (
        OrganisationNode.objects.select_related("parent__parent", "application")
        .filter(pk=pk, application__is_requestable=True)
        .first()
    )


def clean_search(search: str | None) -> str:
    """Search text from the query string, as the database can take it (PostgreSQL refuses NUL)."""
    return (search or "").replace("\x00", "").strip()[:MAX_SEARCH_LENGTH]


def path_of(node: OrganisationNode | None) -> list[OrganisationNode]:
    """The node and its ancestors, root first (uses the parents loaded with select_related)."""
    path = []
    while node is not None:
        path.append(node)
        node = node.parent
    return path[::-1]


def level_nodes(application: Application, parent: OrganisationNode | None, search: str = "") -> QuerySet:
    """The children of `parent` (the ERNs when None), by code then name, "0000 Guest Access" first.

    Countries are shown by name only (their code is the hidden ISO code), so they sort by name,
    as in the seed: Austria, Belgium, Bulgaria, Croatia …  A search looks at every level below
    `parent` (see search_below).
    """
    search = clean_search(search)
    if search:
        return search_below(application, parent, search)
    nodes = OrganisationNode.objects.filter(application=application, parent=parent)
    nodes = nodes.only("id", "kind", "code", "name", "parent_id", "application_id")
    if parent is not None and parent.kind == Kind.ERN:
        return nodes.order_by("name", "code", "id")
    return nodes.order_by(guest_first(), "code", "name", "id")


def guest_first() -> Case:
    return Case(
        When(kind=Kind.INSTITUTION, code=GUEST_CODE, then=Value(0)),
        default=Value(1),
        output_field=IntegerField(),
    )


def search_below(application: Application, parent: OrganisationNode | None, search: str) -> QuerySet:
    """Every node below `parent` whose code or name contains `search`, accents and case ignored.

    "Tübingen" or "tubingen" typed at the top finds DE22 under ERN-RND / Germany. The typed text is
    folded like the stored `search_name`; rows without one (added by hand) match their plain code
    or name. Shallower levels first, then by code and name; parents are loaded to show the path.
    """
    nodes = OrganisationNode.objects.filter(application=application)
    if parent is None:
        pass
    elif parent.kind == Kind.ERN:
        nodes = nodes.filter(ern=parent).exclude(pk=parent.pk)
    else:
        nodes = nodes.filter(parent=parent)
    nodes = nodes.filter(
        Q(search_name__contains=folded(search)) | Q(code__icontains=search) | Q(name__icontains=search)
    )
    depth = Case(
        When(kind=Kind.ERN, then=Value(0)),
        When(kind=Kind.COUNTRY, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    return nodes.select_related("parent__parent").order_by(depth, guest_first(), "code", "name", "id")


def place_below(node: OrganisationNode, parent: OrganisationNode | None) -> str:
    """Where a search result sits under the current level: "ERN-RND - Neurological Diseases / Germany"."""
    ancestors = []
    current = node.parent
    while current is not None and (parent is None or current.pk != parent.pk):
        ancestors.append(current.label)
        current = current.parent
    return " / ".join(reversed(ancestors))


def submitted_organisation_ids(user, application: Application, organisation_ids: list[int]) -> set[int]:
    """Among these organisations, those where the user has a pending request or an active grant."""
    if not organisation_ids:
        return set()
    pending = (
        AccessRequest.objects.filter(
            requester=user,
            application=application,
            organisation_id__in=organisation_ids,
            status=AccessRequest.Status.PENDING,
        )
        .values_list("organisation_id", flat=True)
        .order_by()
    )
    granted = (
        Grant.objects.active()
        .filter(user=user, application=application, organisation_id__in=organisation_ids)
        .values_list("organisation_id", flat=True)
        .order_by()
    )
    return set(pending.union(granted))


@dataclass
class Level:
    parent: OrganisationNode | None
    path: list[OrganisationNode]
    search: str
    per_page: int
    page: Page
    submitted_ids: set[int]

    @property
    def rows(self) -> list[OrganisationNode]:
        return list(self.page.object_list)


def organisation_level(
    user, application: Application, parent: OrganisationNode | None, *, search="", page=1, per_page=None
) -> Level:
    """One page of one level of the tree: 2 queries (count, rows), 3 when it lists institutions."""
    per_page = per_page if per_page in PER_PAGE_CHOICES else DEFAULT_PER_PAGE
    search = clean_search(search)
    paginator = Paginator(level_nodes(application, parent, search), per_page)
    current = paginator.get_page(page)
    current.object_list = list(current.object_list)
    if search:
        for node in current.object_list:
            node.place = place_below(node, parent)
    institution_ids = [node.pk for node in current.object_list if node.kind == Kind.INSTITUTION]
    return Level(
        parent=parent,
        path=path_of(parent),
        search=search,
        per_page=per_page,
        page=current,
        submitted_ids=submitted_organisation_ids(user, application, institution_ids),
    )
