"""Real concepts for tests, without importing everything: a few dozen codes of the shipped data,
written by the same import code as `manage.py load_terminologies`.

    from cpms.coding.testing import load_sample
    load_sample()  # or the `terminologies` pytest fixture

Reading the source files takes ~2 s, so they are read once per process and filtered.
"""

from functools import cache

from .importer import import_terminologies
from .sources import Terminologies, read_all

SAMPLE_HPO = (
    "HP:0000001",  # All
    "HP:0000118",  # Phenotypic abnormality
    "HP:0000707",  # Abnormality of the nervous system
    "HP:0012638",  # Abnormal nervous system physiology
    "HP:0001250",  # Seizure (synonyms Epilepsy, Epileptic seizure, Seizures; Fits from CPMS)
    "HP:0007359",  # Focal-onset seizure
    "HP:0002069",  # Bilateral tonic-clonic seizure
    "HP:0001263",  # Global developmental delay
    "HP:0001249",  # Intellectual disability
    "HP:0000252",  # Microcephaly
    "HP:0001252",  # Hypotonia
    "HP:0000478",  # Abnormality of the eye
    "HP:0000505",  # Visual impairment
    "HP:0001631",  # Atrial septal defect
    "HP:0004322",  # Short stature
    "HP:0002650",  # Scoliosis
    "HP:0001166",  # Arachnodactyly
    "HP:0000365",  # Hearing impairment
)
SAMPLE_ORPHA = (
    "ORPHA:558",  # Marfan syndrome
    "ORPHA:33069",  # Dravet syndrome
    "ORPHA:586",  # Cystic fibrosis
    "ORPHA:167",  # Chédiak-Higashi syndrome (accents)
    "ORPHA:98896",  # Duchenne muscular dystrophy
)
SAMPLE_ICD10 = ("G40", "G40.3", "G40.4", "G40.9", "Q87.4", "E84", "E84.0", "Q85.0", "G71.0")
SAMPLE_GENES = ("SCN1A", "FBN1", "CFTR", "NF1", "DMD")


@cache
def _source() -> Terminologies:
    return read_all(genes=set(SAMPLE_GENES))


def sample_data() -> Terminologies:
    data = _source()
    hpo = [r for r in data.hpo if r.code in SAMPLE_HPO]
    return Terminologies(
        hpo_version=data.hpo_version,
        hpo=hpo,
        orpha=[r for r in data.orpha if r.code in SAMPLE_ORPHA],
        icd10=[r for r in data.icd10 if r.code in SAMPLE_ICD10],
        annotations=[a for a in data.annotations if a[0] in SAMPLE_HPO and a[1] in SAMPLE_ORPHA],
        genes=data.genes,
    )


def load_sample() -> None:
    """Import the sample (idempotent, like the real import) into the test database."""
    import_terminologies(sample_data())
