import shutil
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import F

from cpms.access.models import AccessProfile, Application, OrganisationNode
from cpms.access.reference_data import ReferenceDataError, load, read
from cpms.access.tests.factories import make_request, make_tree

pytestmark = pytest.mark.django_db

Kind = OrganisationNode.Kind
DATA_DIR = settings.BASE_DIR / "data"

SEED_ERNS = [
    "BOND - Bone Disorders",
    "COVID-19",
    "CRANIO - Craniofacial anomalies and ear, nose and throat disorders",
    "ERKNet - Kidney Diseases",
    "ERN-EYE - Eye Diseases",
    "ERN-LUNG - Respiratory Diseases",
    "ERN-RND - Neurological Diseases",
    "ERN-SKIN - Skin Disorders",
    "ERNICA - Inherited and Congenital Anomalies",
    "EURACAN - Adult Cancers",
    "EURO-NMD - Neuromuscular Diseases",
    "Endo-ERN - Endocrine Conditions",
]
SEED_GERMANY_RND = [
    "0000 Guest Access",
    "DE03 - Klinikum der Universität München",
    "DE05 - Medizinische Hochschule Hannover",
    "DE22 - University Hospital and Faculty of Medicine Tubingen",
    "DE27 - Universitätsklinikum Würzburg",
    "DE29 - RWTH Aachen University Hospital",
    "DE30 - Universitätsklinikum Bonn",
    "DE36 - Universitätsklinikum Ulm",
    "DE42 - Universitätsklinikum Schleswig-Holstein",
    "DE47 - Katholisches Klinikum Bochum; St. Josef-Hospital; "
    "Universitätsklinikum der Ruhr-Universität Bochum",
]


def run(*args) -> str:
    out = StringIO()
    call_command("load_reference_data", *args, stdout=out)
    return out.getvalue()


def node(application: str, *codes: str) -> OrganisationNode:
    parent = None
    for code in codes:
        parent = OrganisationNode.objects.get(application__code=application, parent=parent, code=code)
    return parent


def row_counts() -> tuple[int, int, int]:
    return Application.objects.count(), AccessProfile.objects.count(), OrganisationNode.objects.count()


def test_it_loads_the_catalogue_with_cpms_first():
    output = run()
    assert "Applications: 19 created, 0 updated, 0 unchanged." in output
    applications = list(Application.objects.all())
    assert [a.code for a in applications[:2]] == ["cpms", "ecp"]
    cpms = applications[0]
    assert (cpms.name, cpms.description) == (
        "CPMS",
        "Clinical Patient Management System for the European Reference Networks",
    )
    assert applications[1].name == "European Reference Networks"
    names = {a.name: a.is_requestable for a in applications}
    assert names["AAC - Food Fraud"] is False
    assert names["Cosmetic Products Notification Portal (readonly)"] is False
    assert [a.code for a in applications if a.is_requestable] == ["cpms", "ecp"]


def test_it_loads_the_profiles_of_the_seed():
    run()
    for code in ("cpms", "ecp"):
        profiles = list(AccessProfile.objects.filter(application__code=code).select_related("requires"))
        assert [(p.name, p.description, p.requires and p.requires.code) for p in profiles] == [
            ("Coordinator", "handles requests for assistance from ERN and has access to KPIs", "hp"),
            ("Dispatcher", "handles requests for assistance on behalf of Coordinator", "hp"),
            ("HP", "healthcare professional available to participate in or lead panels", None),
            (
                "Researcher",
                "can create or consult queries or reports on the anonymised data from the ERN",
                None,
            ),
        ]
        assert all(p.requires is None or p.requires.application_id == p.application_id for p in profiles)


def test_it_builds_the_tree_of_the_seed():
    run()
    erns = OrganisationNode.objects.filter(application__code="cpms", parent=None)
    assert erns.count() == 25
    assert all(e.kind == Kind.ERN and e.ern_id == e.pk for e in erns)
    assert sorted(e.label for e in erns)[:12] == SEED_ERNS
    rnd = node("cpms", "ERN-RND")
    assert rnd.label == "ERN-RND - Neurological Diseases"
    assert node("cpms", "COVID-19").label == "COVID-19"

    countries = list(rnd.children.order_by("name"))
    assert len(countries) == 30
    assert [c.label for c in countries[:6]] == [
        "Austria",
        "Belgium",
        "Bulgaria",
        "Croatia",
        "Cyprus",
        "Czech Republic",
    ]

    germany = node("cpms", "ERN-RND", "DE")
    assert germany.label == "Germany"
    assert [n.label for n in germany.children.all()] == SEED_GERMANY_RND
    de22 = node("cpms", "ERN-RND", "DE", "DE22")
    assert (de22.kind, de22.ern_id, de22.city) == (Kind.INSTITUTION, rnd.pk, "Tübingen")
    assert de22.label == "DE22 - University Hospital and Faculty of Medicine Tubingen"
    guest = node("cpms", "ERN-RND", "DE", "0000")
    assert guest.is_guest and guest.label == "0000 Guest Access"


def test_it_puts_a_guest_under_every_country_of_every_ern_of_both_applications():
    run()
    for code in ("cpms", "ecp"):
        nodes = OrganisationNode.objects.filter(application__code=code)
        assert nodes.filter(kind=Kind.COUNTRY).count() == 25 * 30
        assert nodes.filter(kind=Kind.INSTITUTION, code="0000", name="Guest Access").count() == 25 * 30
        assert not nodes.filter(ern=None).exists()
        # Every node's `ern` is the root above it.
        mismatched = nodes.filter(kind=Kind.COUNTRY).exclude(ern=F("parent"))
        assert not mismatched.exists()
        assert not nodes.filter(kind=Kind.INSTITUTION).exclude(ern=F("parent__parent")).exists()
    assert not OrganisationNode.objects.exclude(application__code__in=["cpms", "ecp"]).exists()


def test_it_gives_a_hospital_the_same_code_in_every_ern():
    run()
    hcps = OrganisationNode.objects.filter(application__code="cpms", kind=Kind.INSTITUTION).exclude(
        code="0000"
    )
    names = {}
    for hcp in hcps.select_related("parent"):
        assert hcp.code.startswith(hcp.parent.code)
        assert names.setdefault(hcp.code, hcp.name) == hcp.name
    assert 150 <= hcps.count() <= 300
    assert node("cpms", "EpiCARE", "DE", "DE22").name == node("cpms", "ERN-EYE", "DE", "DE22").name


def test_it_changes_nothing_the_second_time(django_assert_max_num_queries):
    first = load()
    assert first.updated == 0
    assert first.organisations.created == 2 * (25 + 25 * 30 + 25 * 30 + len(read().hcps))
    counts = row_counts()
    with django_assert_max_num_queries(8):
        second = load()
    assert (second.created, second.updated) == (0, 0)
    assert second.organisations.unchanged == first.organisations.created
    assert row_counts() == counts
    assert "Organisations: 0 created, 0 updated" in run()


def test_it_takes_a_bounded_number_of_queries(django_assert_max_num_queries):
    with django_assert_max_num_queries(60):
        load()


def test_it_restores_edited_rows_and_leaves_unknown_rows_alone():
    load()
    de22 = node("cpms", "ERN-RND", "DE", "DE22")
    OrganisationNode.objects.filter(pk=de22.pk).update(name="Renamed", city="")
    AccessProfile.objects.filter(application__code="cpms", code="coordinator").update(requires=None)
    Application.objects.filter(code="aac").update(is_requestable=True)
    extra = OrganisationNode.objects.create(
        application=de22.application,
        parent=de22.parent,
        ern=de22.ern,
        kind=Kind.INSTITUTION,
        code="DE99",
        name="Left",
    )

    summary = load()

    assert (summary.applications.updated, summary.profiles.updated, summary.organisations.updated) == (
        1,
        1,
        1,
    )
    assert summary.created == 0
    de22.refresh_from_db()
    assert (de22.name, de22.city) == ("University Hospital and Faculty of Medicine Tubingen", "Tübingen")
    assert AccessProfile.objects.get(application__code="cpms", code="coordinator").requires.code == "hp"
    assert Application.objects.get(code="aac").is_requestable is False
    assert OrganisationNode.objects.filter(pk=extra.pk).exists()


def test_it_keeps_existing_nodes_that_requests_point_to(alice):
    tree = make_tree()  # ERN-RND / Germany / DE22 and guest, built before the files are loaded
    request = make_request(alice, tree.hcp)
    load()
    request.refresh_from_db()
    assert request.organisation == node("cpms", "ERN-RND", "DE", "DE22")
    assert request.organisation.city == "Tübingen"
    assert node("cpms", "ERN-RND", "DE", "0000").pk == tree.guest.pk


# -- malformed files ---------------------------------------------------------------------------


@pytest.fixture
def data_dir(tmp_path):
    target = tmp_path / "data"
    shutil.copytree(DATA_DIR, target)
    return target


def append(path, line: str) -> int:
    """Add a row; return its line number."""
    text = path.read_text(encoding="utf-8")
    if not text.endswith("\n"):
        text += "\n"
    path.write_text(text + line + "\n", encoding="utf-8")
    return len((text + line).splitlines())


def replace(path, old: str, new: str) -> int:
    """Replace the first occurrence of old; return its line number."""
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return text[: text.index(old)].count("\n") + 1


def breakage(case, data_dir):
    """Break one file; return (file name, line, expected reason)."""
    if case == "missing column":
        line = replace(data_dir / "hcps.csv", "ern,country,code,name,city", "ern,country,code,name,town")
        return "hcps.csv", line, "missing column 'city'"
    if case == "extra column":
        line = replace(data_dir / "countries.csv", "code,name\n", "code,name,capital\n")
        return "countries.csv", line, "unexpected column 'capital'"
    if case == "wrong number of fields":
        line = append(data_dir / "countries.csv", "XX,Nowhere,extra")
        return "countries.csv", line, "3 fields, expected 2"
    if case == "unknown ERN":
        line = append(data_dir / "hcps.csv", "ERN-XYZ,DE,DE98,Somewhere,Berlin")
        return "hcps.csv", line, "unknown ERN 'ERN-XYZ'"
    if case == "unknown country":
        line = append(data_dir / "hcps.csv", "ERN-RND,UK,UK01,Somewhere,London")
        return "hcps.csv", line, "unknown country 'UK'"
    if case == "unknown application":
        line = append(data_dir / "profiles.csv", "cmps,hp,HP,typo in the application,,50")
        return "profiles.csv", line, "unknown application 'cmps'"
    if case == "unknown required profile":
        line = append(data_dir / "profiles.csv", "cpms,lead,Lead,leads panels,chief,50")
        return "profiles.csv", line, "requires unknown profile 'chief'"
    if case == "requires cycle":  # coordinator (line 2) requires hp, which now requires coordinator
        replace(data_dir / "profiles.csv", "in or lead panels,,30", "in or lead panels,coordinator,30")
        return "profiles.csv", 2, "profile 'coordinator' requires itself, through 'hp'"
    if case == "duplicate":
        line = append(data_dir / "countries.csv", "DE,Deutschland")
        return "countries.csv", line, "duplicate country 'DE' (first on line 12)"
    if case == "same code, other hospital":
        line = append(data_dir / "hcps.csv", "ERN-LUNG,DE,DE22,Another hospital,Tübingen")
        return "hcps.csv", line, "code 'DE22' is 'University Hospital and Faculty of Medicine Tubingen'"
    if case == "bad code":
        line = append(data_dir / "hcps.csv", "ERN-RND,FR,DE98,Somewhere,Paris")
        return "hcps.csv", line, "code 'DE98' does not match FR and 2 or 3 digits"
    if case == "bad application code":
        line = append(data_dir / "applications.csv", "New App,New,,false,300")
        return "applications.csv", line, "code 'New App' does not match"
    if case == "bad flag":
        line = append(data_dir / "applications.csv", "new-app,New,,maybe,300")
        return "applications.csv", line, "requestable 'maybe' is not true or false"
    if case == "bad position":
        line = append(data_dir / "applications.csv", "new-app,New,,false,first")
        return "applications.csv", line, "position 'first' is not a whole number"
    if case == "empty required field":
        line = append(data_dir / "hcps.csv", "ERN-RND,DE,DE98,,Berlin")
        return "hcps.csv", line, "empty name"
    if case == "requestable without profiles":
        line = append(data_dir / "applications.csv", "new-app,New,,true,300")
        return "applications.csv", line, "application 'new-app' is requestable but has no profile"
    if case == "not UTF-8":
        path = data_dir / "hcps.csv"
        line = append(path, "ERN-RND,DE,DE98,Universit\u00e4t,Berlin")
        path.write_bytes(
            path.read_bytes().replace("Universit\u00e4t,Berlin".encode(), b"Universit\xe4t,Berlin")
        )
        return "hcps.csv", line, "not valid UTF-8"
    raise AssertionError(case)


CASES = [
    "missing column",
    "extra column",
    "wrong number of fields",
    "unknown ERN",
    "unknown country",
    "unknown application",
    "unknown required profile",
    "requires cycle",
    "duplicate",
    "same code, other hospital",
    "bad code",
    "bad application code",
    "bad flag",
    "bad position",
    "empty required field",
    "requestable without profiles",
    "not UTF-8",
]


@pytest.mark.parametrize("case", CASES)
def test_it_refuses_a_malformed_file_and_writes_nothing(case, data_dir):
    name, line, reason = breakage(case, data_dir)
    with pytest.raises(CommandError) as excinfo:
        run("--data-dir", str(data_dir))
    message = str(excinfo.value)
    assert message.startswith(f"{data_dir / name}, line {line}: ")
    assert reason in message
    assert excinfo.value.returncode == 1
    assert row_counts() == (0, 0, 0)


def test_it_leaves_loaded_data_untouched_when_a_file_is_broken(data_dir):
    load()
    counts = row_counts()
    (data_dir / "erns.csv").write_text(
        (data_dir / "erns.csv").read_text(encoding="utf-8").replace("Bone Disorders", "Bones"),
        encoding="utf-8",
    )
    append(data_dir / "hcps.csv", "ERN-XYZ,DE,DE98,Somewhere,Berlin")
    with pytest.raises(ReferenceDataError):
        load(data_dir)
    assert row_counts() == counts
    assert node("cpms", "BOND").name == "Bone Disorders"


def test_it_names_a_missing_file(data_dir):
    (data_dir / "erns.csv").unlink()
    with pytest.raises(CommandError, match=r"erns\.csv: file not found"):
        run("--data-dir", str(data_dir))


def test_it_shows_paths_relative_to_the_working_directory(monkeypatch, data_dir):
    monkeypatch.chdir(data_dir.parent)
    error = ReferenceDataError(data_dir / "hcps.csv", 12, "unknown ERN 'ERN-XYZ'")
    assert str(error) == "data/hcps.csv, line 12: unknown ERN 'ERN-XYZ'"


@pytest.mark.django_db
def test_it_fills_the_search_column_without_accents():
    call_command("load_reference_data", verbosity=0)
    de03 = OrganisationNode.objects.filter(code="DE03").first()
    assert de03.search_name == "de03 klinikum der universitat munchen munchen"
    assert OrganisationNode.objects.filter(kind="country", name="Germany").first().search_name == "germany"
