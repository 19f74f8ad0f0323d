import dataclasses
import io

import pytest
from django.core.management import call_command

from cpms.coding.importer import import_terminologies
from cpms.coding.models import Annotation, Concept, Gene, Hierarchy, Release, SearchTerm, Synonym
from cpms.coding.sources import Record, fingerprint
from cpms.coding.testing import SAMPLE_HPO, load_sample, sample_data

pytestmark = pytest.mark.django_db


def table_counts():
    return {
        model.__name__: model.objects.count()
        for model in (Concept, Synonym, Hierarchy, Annotation, SearchTerm, Gene, Release)
    }


def test_it_imports_terms_synonyms_hierarchy_annotations_genes_and_releases(terminologies):
    seizure = Concept.objects.get(system="hpo", code="HP:0001250")
    assert seizure.label == "Seizure"
    assert {"Epilepsy", "Epileptic seizure", "Fits"} <= set(seizure.synonyms.values_list("label", flat=True))
    assert list(seizure.parent_links.values_list("parent__code", flat=True)) == ["HP:0012638"]
    assert Concept.objects.get(code="ORPHA:558").label == "Marfan syndrome"
    assert Concept.objects.get(system="icd10", code="G40.3").label.startswith(
        "Generalized idiopathic epilepsy"
    )
    assert Annotation.objects.filter(disease_id="ORPHA:558", phenotype__code="HP:0001166").exists()
    assert Gene.objects.get(symbol="SCN1A").ncbi_id == 6323
    assert {(r.system, r.version) for r in Release.objects.all()} == {
        ("hpo", "2025-01-16"),
        ("orpha", "2025-01-16"),
        ("icd10", "2019"),
    }


def test_it_gives_the_same_rows_when_run_twice(terminologies):
    first = table_counts()
    ids = dict(Concept.objects.values_list("code", "id"))
    load_sample()
    assert table_counts() == first
    assert dict(Concept.objects.values_list("code", "id")) == ids
    assert Concept.objects.count() == len(SAMPLE_HPO) + 5 + 9


def test_it_updates_changed_labels_and_marks_vanished_concepts_obsolete(terminologies):
    data = sample_data()
    renamed = [
        dataclasses.replace(r, label="Seizure (renamed)") if r.code == "HP:0001250" else r
        for r in data.hpo
        if r.code != "HP:0001252"
    ]
    hypotonia = Concept.objects.get(code="HP:0001252")
    import_terminologies(dataclasses.replace(data, hpo=renamed))
    assert Concept.objects.get(code="HP:0001250").label == "Seizure (renamed)"
    hypotonia.refresh_from_db()
    assert hypotonia.is_obsolete  # kept, for the cases that point at it
    assert not SearchTerm.objects.filter(concept=hypotonia).exists()


def test_it_keeps_an_obsolete_term_out_of_the_search_but_in_the_table(terminologies):
    data = sample_data()
    obsolete = Record("HP:0000000", "obsolete Something", is_obsolete=True)
    import_terminologies(dataclasses.replace(data, hpo=[*data.hpo, obsolete]))
    concept = Concept.objects.get(code="HP:0000000")
    assert concept.is_obsolete
    assert not SearchTerm.objects.filter(concept=concept).exists()


def run_command(*args) -> str:
    call_command("load_terminologies", *args, stdout=(out := io.StringIO()))
    return out.getvalue()


def test_it_is_a_management_command_that_skips_files_it_has_loaded(db, monkeypatch):
    sample = dataclasses.replace(sample_data(), fingerprint="f" * 64)
    monkeypatch.setattr("cpms.coding.management.commands.load_terminologies.read_all", lambda: sample)
    monkeypatch.setattr("cpms.coding.management.commands.load_terminologies.fingerprint", lambda: "f" * 64)
    assert "hpo: 18" in run_command()
    assert Concept.objects.filter(code="HP:0001250").exists()
    assert "already loaded" in run_command()
    assert "hpo: 18" in run_command("--force")


def test_it_fingerprints_the_files_it_reads():
    assert fingerprint() == fingerprint()
    assert len(fingerprint()) == 64
