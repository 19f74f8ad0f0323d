"""Reference data of the access-request desk, read from CSV files in ``data/``.

Files (UTF-8, a header row, no comments; the order of columns is free):

- ``applications.csv``  code,name,description,requestable,position
- ``profiles.csv``      application,code,name,description,requires,position
- ``erns.csv``          code,name,description
- ``countries.csv``     code,name
- ``hcps.csv``          ern,country,code,name,city

``read(data_dir)`` parses and validates every file before anything is written and raises
``ReferenceDataError(path, line, reason)`` on the first problem. ``load(data_dir)`` then upserts,
in one transaction:

- applications by code (name, description, is_requestable, position);
- access profiles by (application, code) (name, description, requires, position);
- for every application that has profiles in ``profiles.csv`` (CPMS and ECP), its organisation
  tree: every ERN as a root, every country under every ERN, the ERN's healthcare providers in
  that country under it, and "0000 Guest Access" under every country of every ERN; ``ern`` is set
  on every node (an ERN's ``ern`` is itself).

Loading is idempotent: a row identical to its file line is not written again, and the summary
counts what was created, updated and left unchanged. Nothing is ever deleted: rows that are no
longer in the files (an institution that left an ERN, say) are left alone, since requests and
grants may point to them; retire them in the admin.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import F

from cpms.lib.csvdata import CsvDataError, CsvFile, unique

from .models import GUEST_CODE, AccessProfile, Application, OrganisationNode

GUEST_NAME = "Guest Access"

APPLICATIONS_FILE = "applications.csv"
PROFILES_FILE = "profiles.csv"
ERNS_FILE = "erns.csv"
COUNTRIES_FILE = "countries.csv"
HCPS_FILE = "hcps.csv"

SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
ERN_CODE = re.compile(r"[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*")
COUNTRY_CODE = re.compile(r"[A-Z]{2}")
HCP_DIGITS = re.compile(r"[0-9]{2,3}")


def default_data_dir() -> Path:
    return Path(settings.BASE_DIR) / "data"


class ReferenceDataError(CsvDataError):
    """A problem in a reference data file, located by path and line (1 is the header row)."""


# -- reading -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ApplicationRow:
    line: int
    code: str
    name: str
    description: str
    requestable: bool
    position: int


@dataclass(frozen=True)
class ProfileRow:
    line: int
    application: str
    code: str
    name: str
    description: str
    requires: str
    position: int


@dataclass(frozen=True)
class ErnRow:
    line: int
    code: str
    name: str
    description: str


@dataclass(frozen=True)
class CountryRow:
    line: int
    code: str
    name: str


@dataclass(frozen=True)
class HcpRow:
    line: int
    ern: str
    country: str
    code: str
    name: str
    city: str


@dataclass
class ReferenceData:
    applications: list[ApplicationRow]
    profiles: list[ProfileRow]
    erns: list[ErnRow]
    countries: list[CountryRow]
    hcps: list[HcpRow]

    @property
    def tree_applications(self) -> list[str]:
        """Applications whose grants need an organisation: those with access profiles."""
        with_profiles = {p.application for p in self.profiles}
        return [a.code for a in self.applications if a.code in with_profiles]


def _file(data_dir: Path, name: str, columns: tuple[str, ...]) -> CsvFile:
    return CsvFile(data_dir / name, columns, error=ReferenceDataError)


def read(data_dir: Path | str | None = None) -> ReferenceData:
    """Parse and validate all files; raise ReferenceDataError on the first problem."""
    data_dir = Path(data_dir) if data_dir is not None else default_data_dir()
    applications = _read_applications(data_dir)
    profiles = _read_profiles(data_dir, applications)
    erns = _read_erns(data_dir)
    countries = _read_countries(data_dir)
    hcps = _read_hcps(data_dir, erns, countries)
    return ReferenceData(applications, profiles, erns, countries, hcps)


def _read_applications(data_dir: Path) -> list[ApplicationRow]:
    file = _file(data_dir, APPLICATIONS_FILE, ("code", "name", "description", "requestable", "position"))
    rows, seen = [], {}
    for check in file.rows():
        line = check.line
        code = check.code("code", SLUG, "a lower-case slug such as 'cpms'")
        unique(check, seen, code, f"application '{code}'")
        rows.append(
            ApplicationRow(
                line=line,
                code=code,
                name=check.text("name", max_length=120),
                description=check.text("description", max_length=10_000, required=False),
                requestable=check.flag("requestable"),
                position=check.whole_number("position", default=10 * (len(rows) + 1)),
            )
        )
    return rows


def _read_profiles(data_dir: Path, applications: list[ApplicationRow]) -> list[ProfileRow]:
    file = _file(
        data_dir, PROFILES_FILE, ("application", "code", "name", "description", "requires", "position")
    )
    known = {a.code for a in applications}
    rows, seen = [], {}
    for check in file.rows():
        line = check.line
        application = check.text("application", max_length=40)
        if application not in known:
            raise check.fail(f"unknown application '{application}'")
        code = check.code("code", SLUG, "a lower-case slug such as 'hp'")
        unique(check, seen, (application, code), f"profile '{code}' of application '{application}'")
        requires = check.text("requires", max_length=40, required=False)
        rows.append(
            ProfileRow(
                line=line,
                application=application,
                code=code,
                name=check.text("name", max_length=80),
                description=check.text("description", max_length=255),
                requires=requires,
                position=check.whole_number("position", default=10 * (len(rows) + 1)),
            )
        )
    by_key = {(p.application, p.code): p for p in rows}
    for profile in rows:
        if profile.requires and (profile.application, profile.requires) not in by_key:
            raise file.error(
                profile.line,
                f"profile '{profile.code}' requires unknown profile '{profile.requires}' "
                f"of application '{profile.application}'",
            )
        if _depth(profile, by_key) is None:
            raise file.error(
                profile.line, f"profile '{profile.code}' requires itself, through '{profile.requires}'"
            )
    with_profiles = {p.application for p in rows}
    for application in applications:
        if application.requestable and application.code not in with_profiles:
            raise ReferenceDataError(
                data_dir / APPLICATIONS_FILE,
                application.line,
                f"application '{application.code}' is requestable but has no profile in {PROFILES_FILE}",
            )
    return rows


def _depth(profile: ProfileRow, by_key: dict) -> int | None:
    """How many profiles stand before this one in its chain of `requires`; None for a cycle."""
    depth, seen, current = 0, {profile.code}, profile
    while current.requires:
        if current.requires in seen:
            return None
        seen.add(current.requires)
        current = by_key[(current.application, current.requires)]
        depth += 1
    return depth


def _read_erns(data_dir: Path) -> list[ErnRow]:
    file = _file(data_dir, ERNS_FILE, ("code", "name", "description"))
    rows, seen = [], {}
    for check in file.rows():
        line = check.line
        code = check.code("code", ERN_CODE, "letters, digits and hyphens such as 'ERN-RND'")
        unique(check, seen, code.lower(), f"ERN '{code}'")
        rows.append(
            ErnRow(
                line=line,
                code=code,
                # May be empty: "COVID-19" is shown by its code alone.
                name=check.text("name", max_length=255, required=False),
                description=check.text("description", max_length=10_000, required=False),
            )
        )
    if not rows:
        raise file.error(None, "no ERN")
    return rows


def _read_countries(data_dir: Path) -> list[CountryRow]:
    file = _file(data_dir, COUNTRIES_FILE, ("code", "name"))
    rows, seen_codes, seen_names = [], {}, {}
    for check in file.rows():
        line = check.line
        code = check.code("code", COUNTRY_CODE, "two capital letters (ISO 3166-1 alpha-2) such as 'DE'")
        unique(check, seen_codes, code, f"country '{code}'")
        name = check.text("name", max_length=255)
        unique(check, seen_names, name.lower(), f"country name '{name}'")
        rows.append(CountryRow(line=line, code=code, name=name))
    if not rows:
        raise file.error(None, "no country")
    return rows


def _read_hcps(data_dir: Path, erns: list[ErnRow], countries: list[CountryRow]) -> list[HcpRow]:
    file = _file(data_dir, HCPS_FILE, ("ern", "country", "code", "name", "city"))
    ern_codes = {e.code for e in erns}
    country_codes = {c.code for c in countries}
    rows, seen = [], {}
    name_of_code: dict[str, tuple[str, int]] = {}  # "DE22" → (name, line): one code, one hospital
    code_of_name: dict[tuple[str, str], tuple[str, int]] = {}
    for check in file.rows():
        line = check.line
        ern = check.text("ern", max_length=40)
        if ern not in ern_codes:
            raise check.fail(f"unknown ERN '{ern}'")
        country = check.text("country", max_length=2)
        if country not in country_codes:
            raise check.fail(f"unknown country '{country}'")
        code = check.text("code", max_length=40)
        if not (code.startswith(country) and HCP_DIGITS.fullmatch(code[len(country) :])):
            raise check.fail(
                f"code '{code}' does not match {country} and 2 or 3 digits, such as '{country}22'"
            )
        name = check.text("name", max_length=255)
        unique(check, seen, (ern, code), f"institution '{code}' in ERN '{ern}'")
        first_name, first_line = name_of_code.setdefault(code, (name, line))
        if first_name != name:
            raise check.fail(f"code '{code}' is '{first_name}' on line {first_line}, not '{name}'")
        first_code, first_line = code_of_name.setdefault((country, name), (code, line))
        if first_code != code:
            raise check.fail(f"'{name}' has code '{first_code}' on line {first_line}, not '{code}'")
        rows.append(
            HcpRow(
                line=line,
                ern=ern,
                country=country,
                code=code,
                name=name,
                city=check.text("city", max_length=120, required=False),
            )
        )
    return rows


# -- loading -----------------------------------------------------------------------------------


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def __str__(self) -> str:
        return f"{self.created} created, {self.updated} updated, {self.unchanged} unchanged"


@dataclass
class Summary:
    applications: Counts = field(default_factory=Counts)
    profiles: Counts = field(default_factory=Counts)
    organisations: Counts = field(default_factory=Counts)

    @property
    def created(self) -> int:
        return self.applications.created + self.profiles.created + self.organisations.created

    @property
    def updated(self) -> int:
        return self.applications.updated + self.profiles.updated + self.organisations.updated

    def lines(self) -> list[str]:
        return [
            f"Applications: {self.applications}.",
            f"Access profiles: {self.profiles}.",
            f"Organisations: {self.organisations}.",
        ]


def _assign(obj, values: dict) -> bool:
    """Set the values that differ on obj; return whether any did."""
    changed = False
    for name, value in values.items():
        if getattr(obj, name) != value:
            setattr(obj, name, value)
            changed = True
    return changed


def _upsert(existing, make: Callable, values: dict, counts: Counts, to_create: list, to_update: list):
    """The object for one file row: the existing one (updated if it differs) or a new one."""
    if existing is None:
        obj = make(**values)
        to_create.append(obj)
        counts.created += 1
        return obj
    if _assign(existing, values):
        to_update.append(existing)
        counts.updated += 1
    else:
        counts.unchanged += 1
    return existing


def _bulk_create(model, objs: list, key: Callable, queryset) -> None:
    """bulk_create, then make sure every object knows its primary key."""
    model.objects.bulk_create(objs)
    if objs and any(o.pk is None for o in objs):  # a database that cannot return ids from a bulk insert
        pks = {key(o): o.pk for o in queryset}
        for obj in objs:
            obj.pk = pks[key(obj)]


@transaction.atomic
def load(data_dir: Path | str | None = None) -> Summary:
    """Validate the files in data_dir (default: the repository's data/) and upsert them."""
    data = read(data_dir)
    summary = Summary()
    applications = _load_applications(data, summary.applications)
    _load_profiles(data, applications, summary.profiles)
    _load_trees(data, [applications[code] for code in data.tree_applications], summary.organisations)
    return summary


def _load_applications(data: ReferenceData, counts: Counts) -> dict[str, Application]:
    existing = {a.code: a for a in Application.objects.filter(code__in=[r.code for r in data.applications])}
    to_create, to_update, result = [], [], {}
    for row in data.applications:
        values = {
            "code": row.code,
            "name": row.name,
            "description": row.description,
            "is_requestable": row.requestable,
            "position": row.position,
        }
        result[row.code] = _upsert(existing.get(row.code), Application, values, counts, to_create, to_update)
    _bulk_create(
        Application,
        to_create,
        lambda a: a.code,
        Application.objects.filter(code__in=[a.code for a in to_create]),
    )
    Application.objects.bulk_update(to_update, ["name", "description", "is_requestable", "position"])
    return result


def _load_profiles(data: ReferenceData, applications: dict[str, Application], counts: Counts) -> None:
    apps = [applications[code] for code in {p.application for p in data.profiles}]
    existing = {(p.application_id, p.code): p for p in AccessProfile.objects.filter(application__in=apps)}
    by_key = {(p.application, p.code): p for p in data.profiles}
    profiles: dict[tuple[str, str], AccessProfile] = {}
    to_update = []
    # A profile is written after the one it requires, so that `requires` can point to it.
    levels: dict[int, list[ProfileRow]] = {}
    for row in data.profiles:
        levels.setdefault(_depth(row, by_key), []).append(row)
    for depth in sorted(levels):
        to_create = []
        for row in levels[depth]:
            application = applications[row.application]
            required = profiles[(row.application, row.requires)] if row.requires else None
            values = {
                "application_id": application.pk,
                "code": row.code,
                "name": row.name,
                "description": row.description,
                "requires_id": required.pk if required else None,
                "position": row.position,
            }
            profiles[(row.application, row.code)] = _upsert(
                existing.get((application.pk, row.code)), AccessProfile, values, counts, to_create, to_update
            )
        _bulk_create(
            AccessProfile,
            to_create,
            lambda p: (p.application_id, p.code),
            AccessProfile.objects.filter(application__in=apps),
        )
    AccessProfile.objects.bulk_update(to_update, ["name", "description", "requires", "position"])


def _load_trees(data: ReferenceData, applications: list[Application], counts: Counts) -> None:
    """ERN → country → institution for each application, one bulk write per level."""
    if not applications:
        return
    Kind = OrganisationNode.Kind
    nodes = OrganisationNode.objects.filter(application__in=applications)
    existing = {(n.application_id, n.parent_id, n.code): n for n in nodes}
    hcps: dict[tuple[str, str], list[HcpRow]] = {}
    for hcp in data.hcps:
        hcps.setdefault((hcp.ern, hcp.country), []).append(hcp)

    def key(node: OrganisationNode) -> tuple:
        return (node.application_id, node.parent_id, node.code)

    to_update: list[OrganisationNode] = []

    def upsert(values: dict, to_create: list) -> OrganisationNode:
        found = existing.get((values["application_id"], values["parent_id"], values["code"]))
        return _upsert(found, OrganisationNode, values, counts, to_create, to_update)

    # ERNs: roots whose `ern` is themselves.
    to_create, erns = [], []
    for application in applications:
        for row in data.erns:
            found = existing.get((application.pk, None, row.code))
            values = {
                "application_id": application.pk,
                "parent_id": None,
                "code": row.code,
                "kind": Kind.ERN,
                "name": row.name,
                "search_name": OrganisationNode.search_text_of(row.code, row.name),
                "description": row.description,
                "ern_id": found.pk if found else None,
            }
            erns.append((row, upsert(values, to_create)))
    _bulk_create(OrganisationNode, to_create, key, nodes.filter(kind=Kind.ERN, parent=None))
    if to_create:
        OrganisationNode.objects.filter(pk__in=[n.pk for n in to_create]).update(ern=F("pk"))
        for node in to_create:
            node.ern_id = node.pk

    # Countries under every ERN.
    to_create, countries = [], []
    for ern_row, ern in erns:
        for row in data.countries:
            values = {
                "application_id": ern.application_id,
                "parent_id": ern.pk,
                "code": row.code,
                "kind": Kind.COUNTRY,
                "name": row.name,
                "search_name": OrganisationNode.search_text_of("", row.name),
                "ern_id": ern.pk,
            }
            countries.append((ern_row, row, upsert(values, to_create)))
    _bulk_create(OrganisationNode, to_create, key, nodes.filter(kind=Kind.COUNTRY))

    # Institutions: "0000 Guest Access" everywhere, and the ERN's HCPs of that country.
    to_create = []
    for ern_row, country_row, country in countries:
        members = [(GUEST_CODE, GUEST_NAME, "")]
        members += [(h.code, h.name, h.city) for h in hcps.get((ern_row.code, country_row.code), ())]
        for code, name, city in members:
            values = {
                "application_id": country.application_id,
                "parent_id": country.pk,
                "code": code,
                "kind": Kind.INSTITUTION,
                "name": name,
                "search_name": OrganisationNode.search_text_of(code, name, city),
                "city": city,
                "ern_id": country.ern_id,
            }
            upsert(values, to_create)
    OrganisationNode.objects.bulk_create(to_create)

    OrganisationNode.objects.bulk_update(
        to_update, ["kind", "name", "description", "city", "ern", "search_name"]
    )
