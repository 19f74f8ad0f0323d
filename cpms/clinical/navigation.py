"""The CPMS side navigation, from the user's grants.

An entry whose feature does not exist yet (its URL name does not resolve) is simply absent: the
patients, panels, meetings, reports and research features appear here as their URLs are added.
Computed lazily, only on the pages that draw it, from the access read once per request.
"""

from dataclasses import dataclass
from functools import cache, cached_property

from django.urls import NoReverseMatch, get_resolver, get_script_prefix, get_urlconf, reverse
from django.utils.translation import gettext_lazy as _

from cpms.access.models import GUEST_CODE, OrganisationNode
from cpms.access.queries.grants import COORDINATOR, DISPATCHER, HP, RESEARCHER
from cpms.access.queries.scopes import access_for

from .decorators import GATE_ATTRIBUTE
from .queries import APPLICATION


@dataclass(frozen=True)
class NavEntry:
    """Hashable: the entries are the key of the side navigation's kept HTML (base_cpms.html)."""

    label: str
    url: str
    current: bool = False
    children: tuple["NavEntry", ...] = ()


# (label, URL name, the profiles of which it needs one; none: anyone in CPMS). Patients has one child
# per HP centre.
SECTIONS = [
    (_("Dashboard"), "clinical:dashboard", ()),
    (_("Patients"), "patients:patient-list", (HP,)),
    (_("Panels"), "panels:my-panels", ()),
    (_("Requests for assistance"), "panels:request-queue", (COORDINATOR, DISPATCHER)),
    (_("Experts"), "panels:expert-list", ()),
    (_("Meetings"), "meetings:meeting-list", ()),
    (_("Reports"), "reports:report-list", (COORDINATOR,)),
    (_("Research"), "research:research-home", (RESEARCHER,)),
    (_("ERN Preferences"), "clinical:preferences", ()),
]


def _url(name: str, **kwargs) -> str | None:
    try:
        return reverse(name, kwargs=kwargs or None)
    except NoReverseMatch:
        return None


def _section_url(name: str) -> str | None:
    """A section's URL (or None), the same for everyone: reversed once per process for each resolver
    (a new one after clear_url_caches() or another ROOT_URLCONF) and script prefix."""
    return _cached_section_url(name, get_resolver(get_urlconf()), get_script_prefix())


@cache
def _cached_section_url(name: str, resolver, script_prefix: str) -> str | None:
    return _url(name)


def _hp_centres(request, access) -> list[tuple[int, str]]:
    """(centre id, "code - name") of the centres where the user holds HP, by code: from what the
    gate read (no query), else one query."""
    ids = {grant.organisation_id for grant in access.in_application(APPLICATION) if grant.profile_code == HP}
    gate = getattr(request, GATE_ATTRIBUTE, None)
    if gate is not None and gate.access is access:
        centres = [(pk, *gate.organisations[pk]) for pk in ids]
    else:
        centres = OrganisationNode.objects.filter(pk__in=ids).values_list("pk", "code", "name")
    # No patients at a guest access: it is not a centre.
    centres = sorted((code, pk, name) for pk, code, name in centres if code != GUEST_CODE)
    return [(pk, f"{code} - {name}") for code, pk, name in centres]


def _patients_children(request, access) -> tuple[NavEntry, ...]:
    current_path = request.path
    children = []
    for centre_id, label in _hp_centres(request, access):
        if url := _url("patients:centre-patient-list", centre=centre_id):
            children.append(NavEntry(label, url, url == current_path))
    return tuple(children)


def side_navigation(request) -> tuple[NavEntry, ...]:
    """The entries for this user, from the access already read for the request (no query of its own
    until the patients feature adds its per-centre entries)."""
    access = access_for(request)
    profiles = {grant.profile_code for grant in access.in_application(APPLICATION)}
    entries = []
    for label, name, needed in SECTIONS:
        url = _section_url(name)
        if url is None or (needed and profiles.isdisjoint(needed)):
            continue
        children = _patients_children(request, access) if name == "patients:patient-list" else ()
        entries.append(NavEntry(str(label), url, url == request.path, children))
    if request.user.is_staff:
        entries.append(NavEntry(str(_("Administration")), reverse("admin:index")))
    return tuple(entries)


class SideNavigation:
    """The side navigation of a request, computed when a template first reads `entries`."""

    def __init__(self, request):
        self.request = request

    @cached_property
    def entries(self) -> tuple[NavEntry, ...]:
        user = getattr(self.request, "user", None)
        if user is None or not user.is_authenticated:
            return ()
        return side_navigation(self.request)


def cpms_navigation(request) -> dict:
    """Context processor: `cpms_navigation`, whose entries are read only on the pages that draw them."""
    return {"cpms_navigation": SideNavigation(request)}
