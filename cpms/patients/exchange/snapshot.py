"""A case read once into plain data, for both exports: a fixed number of queries, whatever its size."""

from dataclasses import dataclass, field

from cpms.coding.models import Gene, Release

from ..models import Case, Patient


@dataclass(frozen=True)
class Diagnosis:
    system: str  # cpms.coding System: orpha or icd10
    code: str
    label: str
    certainty: str
    is_main: bool


@dataclass(frozen=True)
class Phenotype:
    code: str
    label: str
    excluded: bool
    onset: str


@dataclass(frozen=True)
class Variant:
    gene_symbol: str
    ncbi_gene_id: int | None
    hgvs: str
    zygosity: str
    acmg_class: str


@dataclass
class CaseSnapshot:
    pseudonym: str
    sex_at_birth: str
    vital_status: str
    onset: str = ""
    undiagnosed: bool = False
    diagnoses: list[Diagnosis] = field(default_factory=list)
    phenotypes: list[Phenotype] = field(default_factory=list)
    variants: list[Variant] = field(default_factory=list)
    releases: dict[str, str] = field(default_factory=dict)  # system → version loaded

    @property
    def codes(self) -> list[tuple[str, str]]:
        """Every (system, code) of the terminologies that the export will carry."""
        codes = [(d.system, d.code) for d in self.diagnoses] + [("hpo", p.code) for p in self.phenotypes]
        onsets = {p.onset for p in self.phenotypes if p.onset} | ({self.onset} if self.onset else set())
        return codes + [("hpo", onset) for onset in sorted(onsets)]


def case_of(patient: Patient) -> Case | None:
    try:
        return patient.case
    except Case.DoesNotExist:
        return None


def snapshot_of(patient: Patient) -> CaseSnapshot:
    """Patient (already read through its scope) → the exportable part of its case."""
    snapshot = CaseSnapshot(
        pseudonym=patient.pseudonym, sex_at_birth=patient.sex_at_birth, vital_status=patient.vital_status
    )
    snapshot.releases = dict(Release.objects.values_list("system", "version"))
    case = case_of(patient)
    if case is None:
        return snapshot
    snapshot.onset, snapshot.undiagnosed = case.onset, case.undiagnosed
    diagnoses = case.diagnoses.select_related("concept").order_by("-is_main", "concept__system", "id")
    snapshot.diagnoses = [
        Diagnosis(d.concept.system, d.concept.code, d.concept.label, d.certainty, d.is_main)
        for d in diagnoses
    ]
    phenotypes = case.phenotypes.select_related("concept").order_by("id")
    snapshot.phenotypes = [
        Phenotype(p.concept.code, p.concept.label, p.excluded, p.onset) for p in phenotypes
    ]
    variants = list(case.variants.order_by("id"))
    gene_ids = (
        dict(
            Gene.objects.filter(symbol__in={v.gene_symbol.upper() for v in variants}).values_list(
                "symbol", "ncbi_id"
            )
        )
        if variants
        else {}
    )
    snapshot.variants = [
        Variant(v.gene_symbol, gene_ids.get(v.gene_symbol.upper()), v.hgvs, v.zygosity, v.acmg_class)
        for v in variants
    ]
    return snapshot
