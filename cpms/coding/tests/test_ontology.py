from cpms.coding.ontology import hpo_folder, ontology
from cpms.coding.sources import HPO_FILES


def test_it_decompresses_the_release_once_into_the_var_folder(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    folder = hpo_folder()
    assert folder == tmp_path / "hpo" / "2025-01-16"
    assert sorted(p.name for p in folder.iterdir()) == sorted(HPO_FILES)
    modified = (folder / "hp.obo").stat().st_mtime_ns
    assert hpo_folder() == folder
    assert (folder / "hp.obo").stat().st_mtime_ns == modified
    assert not [p for p in folder.parent.iterdir() if p.name.startswith(".staging-")]


def test_it_gives_hpo3_built_from_the_same_release(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    seizure = ontology().get_hpo_object("HP:0001250")
    assert seizure.name == "Seizure"
    focal = ontology().get_hpo_object("HP:0007359")
    assert 0 < seizure.similarity_score(focal) <= 1
