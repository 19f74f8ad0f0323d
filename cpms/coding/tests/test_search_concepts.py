import pytest

from cpms.coding.queries import search_concepts

pytestmark = pytest.mark.django_db


def codes(q, **kwargs):
    return [match.code for match in search_concepts(q, **kwargs)]


def test_it_finds_seizure_by_the_synonym_fits(terminologies):
    [match] = search_concepts("fits", systems=("hpo",))
    assert (match.code, match.label, match.synonym) == ("HP:0001250", "Seizure", "Fits")


def test_it_finds_by_code_with_or_without_prefix(terminologies):
    assert codes("HP:0001250")[0] == "HP:0001250"
    assert codes("hp:0001250")[0] == "HP:0001250"
    assert codes("0001250")[0] == "HP:0001250"
    assert codes("ORPHA:558")[0] == "ORPHA:558"
    assert codes("g40.3") == ["G40.3"]
    assert codes("G403") == ["G40.3"]


def test_it_ranks_exact_code_then_code_prefix_then_label_then_word_then_synonym(terminologies):
    assert codes("G40", systems=("icd10",)) == ["G40", "G40.3", "G40.4", "G40.9"]
    # "Seizure" (label prefix) before "Bilateral tonic-clonic seizure" and "Focal-onset seizure"
    # (a later word) before "Epilepsy"-named diagnoses … and before the synonyms "Seizures".
    assert codes("seizure", systems=("hpo",)) == ["HP:0001250", "HP:0002069", "HP:0007359"]
    found = search_concepts("epilep")
    assert [m.code for m in found][:3] == ["G40", "G40.9", "G40.3"]  # labels "Epilepsy…", then a word
    assert found[-1].code == "HP:0001250" and found[-1].synonym in {"Epilepsy", "Epileptic seizure"}


def test_it_ignores_accents_and_case(terminologies):
    assert codes("CHEDIAK") == ["ORPHA:167"]
    assert codes("chédiak-higashi") == ["ORPHA:167"]
    assert codes("SÉIZURE", systems=("hpo",))[0] == "HP:0001250"
    assert set(codes("  marfan   SYNDROME ")) == {"ORPHA:558", "Q87.4"}


def test_it_searches_only_the_systems_asked(terminologies):
    assert codes("marfan", systems=("orpha",)) == ["ORPHA:558"]
    assert set(codes("marfan", systems=("orpha", "icd10"))) == {"ORPHA:558", "Q87.4"}
    assert codes("marfan", systems=("hpo",)) == []


def test_it_finds_a_concept_once_even_when_several_keys_match(terminologies):
    found = codes("seizure")
    assert len(found) == len(set(found))


def test_it_stops_at_the_limit(terminologies):
    assert len(search_concepts("a", limit=3)) == 3


def test_it_answers_nothing_to_nothing_or_to_garbage(terminologies):
    assert search_concepts("") == []
    assert search_concepts("   ") == []
    assert search_concepts("zzzzqqq") == []
    assert search_concepts("%_'\"\\\x00" * 50) == []
    assert search_concepts("\U0010ffff") == []
    assert search_concepts("seiz\ud800") == search_concepts("seiz")
    assert codes("\x00seizure\x07", systems=("hpo",))[0] == "HP:0001250"


def test_it_reads_one_query(terminologies, django_assert_num_queries):
    with django_assert_num_queries(1):
        search_concepts("seizure", systems=("orpha", "icd10", "hpo"))


def test_it_gets_a_concept_by_its_code(terminologies):
    from cpms.coding.queries import get_concept

    assert get_concept("hpo", " HP:0001250 ").label == "Seizure"
    assert get_concept("icd10", "HP:0001250") is None
    assert get_concept("hpo", "HP:0001250\x00") is None
