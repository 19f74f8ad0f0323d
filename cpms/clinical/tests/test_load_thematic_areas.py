import csv
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from cpms.access.models import OrganisationNode
from cpms.access.tests.factories import make_application, make_tree
from cpms.clinical.models import ThematicArea

pytestmark = pytest.mark.django_db

DATA = Path(settings.BASE_DIR) / "data"


@pytest.fixture
def all_erns(db):
    """Every ERN of data/erns.csv in CPMS, as load_reference_data makes them."""
    application = make_application()
    with open(DATA / "erns.csv", newline="", encoding="utf-8") as handle:
        codes = [row["code"] for row in csv.DictReader(handle)]
    for code in codes:
        make_tree(application, ern_code=code, ern_name=code)
    return codes


def write(tmp_path, text: str) -> str:
    path = tmp_path / "areas.csv"
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_it_loads_areas_for_every_ern(all_erns, capsys):
    call_command("load_thematic_areas")
    counts = {code: ThematicArea.objects.filter(ern__code=code).count() for code in all_erns}
    assert counts["COVID-19"] == 1
    assert all(3 <= count <= 8 for code, count in counts.items() if code != "COVID-19"), counts
    assert ThematicArea.objects.filter(
        ern__code="ERN-RND", name="Ataxias and hereditary spastic paraplegias"
    ).exists()
    assert "created" in capsys.readouterr().out


def test_it_changes_nothing_the_second_time(all_erns, capsys):
    call_command("load_thematic_areas")
    before = list(ThematicArea.objects.order_by("pk").values_list("pk", "ern_id", "code", "name"))
    capsys.readouterr()
    call_command("load_thematic_areas")
    assert list(ThematicArea.objects.order_by("pk").values_list("pk", "ern_id", "code", "name")) == before
    assert f"0 created, 0 updated, {len(before)} unchanged" in capsys.readouterr().out


def test_it_updates_a_renamed_area(rnd, tmp_path):
    call_command("load_thematic_areas", file=write(tmp_path, "ern,code,name\nERN-RND,ftd,FTD\n"))
    call_command(
        "load_thematic_areas", file=write(tmp_path, "ern,code,name\nERN-RND,ftd,Frontotemporal dementia\n")
    )
    assert ThematicArea.objects.get().name == "Frontotemporal dementia"


def test_it_uses_the_cpms_erns_only(rnd, tmp_path):
    make_tree(make_application("ecp", "European Reference Networks"), ern_code="ONLY-ECP")
    with pytest.raises(CommandError, match="unknown ERN 'ONLY-ECP'"):
        call_command("load_thematic_areas", file=write(tmp_path, "ern,code,name\nONLY-ECP,x,X\n"))


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("ern,code,name\nERN-RND,ftd,FTD\nERN-XYZ,a,A\n", "line 3: unknown ERN 'ERN-XYZ'"),
        ("ern,title,code\nERN-RND,FTD,ftd\n", "line 1: missing column 'name'"),
        ("ern,code,name,extra\nERN-RND,ftd,FTD,x\n", "line 1: unexpected column 'extra'"),
        ("ern,code,name\nERN-RND,f t d,FTD\n", "line 2: code 'f t d' does not match letters, digits"),
        ("ern,code,name\nERN-RND,ftd\n", "line 2: 2 fields, expected 3"),
        ("ern,code,name\nERN-RND,ftd,FTD,extra\n", "line 2: 4 fields, expected 3"),
        ("ern,code,name\nERN-RND,ftd,\n", "line 2: empty name"),
        (
            "ern,code,name\nERN-RND,ftd,FTD\nERN-RND,ftd,Again\n",
            "line 3: duplicate code 'ftd' in ERN 'ERN-RND'",
        ),
        ("ern,code,name\nERN-RND," + "x" * 41 + ",X\n", "line 2: code is longer than 40"),
    ],
)
def test_it_refuses_a_malformed_file_with_the_line_and_reason(rnd, tmp_path, text, reason):
    path = write(tmp_path, text)
    with pytest.raises(CommandError, match=re.escape(f"{path}, ") + reason):
        call_command("load_thematic_areas", file=path)
    assert not ThematicArea.objects.exists()


def test_it_takes_the_columns_in_any_order(rnd, tmp_path):
    call_command("load_thematic_areas", file=write(tmp_path, "name,ern,code\nFTD,ERN-RND,ftd\n"))
    assert ThematicArea.objects.get().code == "ftd"


def test_it_refuses_a_missing_file(rnd, tmp_path):
    with pytest.raises(CommandError, match="missing.csv: file not found"):
        call_command("load_thematic_areas", file=str(tmp_path / "missing.csv"))


def test_it_needs_the_erns_first(db):
    assert not OrganisationNode.objects.exists()
    with pytest.raises(CommandError, match="line 2: unknown ERN 'BOND' \\(load the ERNs first"):
        call_command("load_thematic_areas")


def test_it_runs_after_load_reference_data(db):
    call_command("load_reference_data")
    call_command("load_thematic_areas")
    erns = OrganisationNode.objects.filter(application__code="cpms", kind=OrganisationNode.Kind.ERN)
    assert erns.count() == 25
    assert not erns.filter(thematic_areas=None).exists(), "every ERN has thematic areas"
