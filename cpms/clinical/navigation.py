"""The CPMS side navigation, from the user's grants.

An entry whose feature does not exist yet (its URL name does not resolve) is simply absent: the
patients, panels, meetings, reports and research features appear here as their URLs are added.
Computed lazily, only on the pages that draw it, with one query.
"""

from dataclasses import dataclass, field

from django.urls import NoReverseMatch, reverse
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext_lazy as _

from cpms.access.queries.grants import COORDINATOR, HP, RESEARCHER, effective_grants

from .queries import APPLICATION


@dataclass
class NavEntry:
    label: str
    url: str
    current: bool = False
    children: list["NavEntry"] = field(default_factory=list)


# (label, URL name, the profile it needs or None for anyone in CPMS). Patients has one child per HP centre.
SECTIONS = [
    (_("Dashboard"), "clinical:dashboard", None),
    (_("Patients"), "patients:patient-list", HP),
    (_("Panels"), "panels:panel-list", None),
    (_("Meetings"), "meetings:meeting-list", None),
    (_("Reports"), "reports:report-list", COORDINATOR),
    (_("Research"), "research:research-home", RESEARCHER),
    (_("ERN Preferences"), "clinical:preferences", None),
]


def _url(name: str, **kwargs) -> str | None:
    try:
        return reverse(name, kwargs=kwargs or None)
    except NoReverseMatch:
        return None


def _grants_by_profile(user) -> dict[str, list[tuple[int, str, str]]]:
    """Profile code → [(centre id, code, name)], from the user's effective CPMS grants (one query)."""
    rows = (
        effective_grants()
        .filter(user=user, application__code=APPLICATION)
        .order_by("organisation__code")
        .values_list("profile__code", "organisation_id", "organisation__code", "organisation__name")
    )
    found: dict[str, list[tuple[int, str, str]]] = {}
    for code, *centre in rows:
        found.setdefault(code, []).append(tuple(centre))
    return found


def side_navigation(user, current_path: str) -> list[NavEntry]:
    grants = _grants_by_profile(user)
    entries = []
    for label, name, profile in SECTIONS:
        url = _url(name)
        if url is None or (profile and profile not in grants):
            continue
        children = []
        if name == "patients:patient-list":
            for centre_id, code, centre_name in grants[HP]:
                child_url = _url("patients:centre-patient-list", centre=centre_id)
                if child_url:
                    children.append(NavEntry(f"{code} - {centre_name}", child_url, child_url == current_path))
        entries.append(NavEntry(str(label), url, url == current_path, children))
    if user.is_staff:
        entries.append(NavEntry(str(_("Administration")), reverse("admin:index")))
    return entries


def cpms_navigation(request) -> dict:
    """Context processor: `cpms_navigation`, evaluated only when a template iterates it."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"cpms_navigation": []}
    return {"cpms_navigation": SimpleLazyObject(lambda: side_navigation(user, request.path))}
