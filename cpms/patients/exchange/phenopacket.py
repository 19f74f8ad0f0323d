"""A case as a GA4GH Phenopacket v2, and a Phenopacket read back into a Prefill.

Diseases carry every diagnosis (excluded ones with `excluded`); each diagnosis that is not excluded
also has an interpretation, SOLVED when confirmed and IN_PROGRESS when suspected, so that the
certainty travels; the variants are the genomic interpretations of the main (else first) one, or of
an UNSOLVED interpretation without a disease when the case has none. The subject is the pseudonym
and sex at birth: no date of birth, no age, no time of last encounter (together they identify).
"""

from google.protobuf import json_format
from google.protobuf.message import Message
from google.protobuf.timestamp_pb2 import Timestamp
from phenopackets import (
    AcmgPathogenicityClassification,
    Diagnosis,
    Disease,
    Expression,
    GeneDescriptor,
    GenomicInterpretation,
    Individual,
    Interpretation,
    MetaData,
    OntologyClass,
    Phenopacket,
    PhenotypicFeature,
    Resource,
    TimeElement,
    VariantInterpretation,
    VariationDescriptor,
    VitalStatus,
)

from .prefill import Prefill
from .snapshot import CaseSnapshot
from .vocabulary import (
    FIXED_VERSIONS,
    ONSET_LABELS,
    PREFIX_OF_SYSTEM,
    RESOURCES,
    SYSTEM_OF_PREFIX,
    ZYGOSITY_LABELS,
)

SCHEMA_VERSION = "2.0"
SEX = {"female": "FEMALE", "male": "MALE", "undetermined": "OTHER_SEX", "unknown": "UNKNOWN_SEX"}
VITAL = {"alive": "ALIVE", "dead": "DECEASED"}


def curie(system: str, code: str) -> str:
    """ "ORPHA:558" and "HP:0001250" are CURIEs already; an ICD-10 code gets its prefix."""
    return code if system != "icd10" else f"ICD10:{code}"


def onset_element(code: str) -> TimeElement:
    return TimeElement(ontology_class=OntologyClass(id=code, label=ONSET_LABELS.get(code, code)))


def disease_of(diagnosis, case_onset: str) -> Disease:
    disease = Disease(
        term=OntologyClass(id=curie(diagnosis.system, diagnosis.code), label=diagnosis.label),
        excluded=diagnosis.certainty == "excluded",
    )
    if case_onset and not disease.excluded:
        disease.onset.CopyFrom(onset_element(case_onset))
    return disease


def feature_of(phenotype) -> PhenotypicFeature:
    feature = PhenotypicFeature(
        type=OntologyClass(id=phenotype.code, label=phenotype.label), excluded=phenotype.excluded
    )
    if phenotype.onset:
        feature.onset.CopyFrom(onset_element(phenotype.onset))
    return feature


def genomic_interpretation_of(pseudonym: str, number: int, variant) -> GenomicInterpretation:
    gene_id = f"NCBIGene:{variant.ncbi_gene_id}" if variant.ncbi_gene_id else variant.gene_symbol
    descriptor = VariationDescriptor(
        id=f"variant-{number}",
        gene_context=GeneDescriptor(value_id=gene_id, symbol=variant.gene_symbol),
        expressions=[Expression(syntax="hgvs", value=variant.hgvs)],
    )
    if variant.zygosity:
        descriptor.allelic_state.CopyFrom(
            OntologyClass(id=variant.zygosity, label=ZYGOSITY_LABELS[variant.zygosity])
        )
    interpretation = VariantInterpretation(variation_descriptor=descriptor)
    if variant.acmg_class:
        interpretation.acmg_pathogenicity_classification = variant.acmg_class
    return GenomicInterpretation(
        subject_or_biosample_id=pseudonym,
        interpretation_status="CANDIDATE",
        variant_interpretation=interpretation,
    )


def interpretations_of(snapshot: CaseSnapshot) -> list[Interpretation]:
    genomic = [
        genomic_interpretation_of(snapshot.pseudonym, n, v) for n, v in enumerate(snapshot.variants, 1)
    ]
    standing = [d for d in snapshot.diagnoses if d.certainty != "excluded"]
    interpretations = []
    for number, diagnosis in enumerate(standing, 1):
        interpretation = Interpretation(
            id=f"{snapshot.pseudonym}-{number}",
            progress_status="SOLVED" if diagnosis.certainty == "confirmed" else "IN_PROGRESS",
            diagnosis=Diagnosis(
                disease=OntologyClass(id=curie(diagnosis.system, diagnosis.code), label=diagnosis.label),
                genomic_interpretations=genomic if number == 1 else [],
            ),
        )
        interpretations.append(interpretation)
    if genomic and not standing:
        interpretations.append(
            Interpretation(
                id=f"{snapshot.pseudonym}-1",
                progress_status="UNSOLVED",
                diagnosis=Diagnosis(genomic_interpretations=genomic),
            )
        )
    return interpretations


def prefixes_used(snapshot: CaseSnapshot) -> list[str]:
    prefixes = {PREFIX_OF_SYSTEM[system] for system, _code in snapshot.codes}
    if any(v.zygosity for v in snapshot.variants):
        prefixes.add("GENO")
    if any(v.ncbi_gene_id for v in snapshot.variants):
        prefixes.add("NCBIGene")
    return sorted(prefixes)


def resource_of(prefix: str, snapshot: CaseSnapshot) -> Resource:
    resource = RESOURCES[prefix]
    version = snapshot.releases.get(SYSTEM_OF_PREFIX.get(prefix, ""), "") or FIXED_VERSIONS.get(prefix, "")
    return Resource(
        id=resource.id,
        name=resource.name,
        url=resource.url,
        version=version,
        namespace_prefix=resource.namespace_prefix,
        iri_prefix=resource.iri_prefix,
    )


def to_phenopacket(snapshot: CaseSnapshot, *, created_by: str, created) -> Phenopacket:
    created_at = Timestamp()
    created_at.FromDatetime(created)
    subject = Individual(id=snapshot.pseudonym, sex=SEX.get(snapshot.sex_at_birth, "UNKNOWN_SEX"))
    if snapshot.vital_status in VITAL:
        subject.vital_status.CopyFrom(VitalStatus(status=VITAL[snapshot.vital_status]))
    return Phenopacket(
        id=snapshot.pseudonym,
        subject=subject,
        phenotypic_features=[feature_of(p) for p in snapshot.phenotypes],
        diseases=[disease_of(d, snapshot.onset) for d in snapshot.diagnoses],
        interpretations=interpretations_of(snapshot),
        meta_data=MetaData(
            created=created_at,
            created_by=created_by,
            phenopacket_schema_version=SCHEMA_VERSION,
            resources=[resource_of(prefix, snapshot) for prefix in prefixes_used(snapshot)],
        ),
    )


def to_json(phenopacket: Phenopacket) -> str:
    return json_format.MessageToJson(phenopacket, indent=2)


# -- reading a phenopacket back

# What CPMS reads, per message type; everything else set in the file is listed as not kept.
READ_FIELDS = {
    "Phenopacket": {"id", "subject", "phenotypic_features", "diseases", "interpretations", "meta_data"},
    "Individual": {"id"},  # sex and vital status belong to the enrolment, not to the case
    "PhenotypicFeature": {"type", "excluded", "onset"},
    "Disease": {"term", "excluded", "onset"},
    "Interpretation": {"id", "progress_status", "diagnosis"},
    "Diagnosis": {"disease", "genomic_interpretations"},
    "GenomicInterpretation": {"subject_or_biosample_id", "interpretation_status", "variant_interpretation"},
    "VariantInterpretation": {"acmg_pathogenicity_classification", "variation_descriptor"},
    "VariationDescriptor": {"id", "gene_context", "expressions", "allelic_state"},
    "TimeElement": {"ontology_class"},
}
MAX_LISTED = 200


def not_kept_fields(message: Message, path: str, found: list[str]) -> None:
    """Every field set in `message` that CPMS does not read, as a path; read messages are walked."""
    read = READ_FIELDS.get(message.DESCRIPTOR.name)
    for descriptor, value in message.ListFields():
        where = f"{path}.{descriptor.json_name}" if path else descriptor.json_name
        if read is None or descriptor.name not in read:
            repeated = descriptor.is_repeated
            found.append(f"{where} ({len(value)})" if repeated else where)
        elif descriptor.message_type is not None and descriptor.message_type.name in READ_FIELDS:
            items = value if descriptor.is_repeated else [value]
            for number, item in enumerate(items):
                suffix = f"[{number}]" if descriptor.is_repeated else ""
                not_kept_fields(item, where + suffix, found)
        if len(found) > MAX_LISTED:
            return


def split_curie(term_id: str) -> tuple[str, str] | None:
    """ "ORPHA:558" → ("orpha", "ORPHA:558"); "ICD10:G40.3" → ("icd10", "G40.3"); other prefixes → None."""
    prefix, _, local = term_id.strip().partition(":")
    system = SYSTEM_OF_PREFIX.get(prefix.upper())
    if system is None or not local:
        return None
    return system, (local if system == "icd10" else f"{PREFIX_OF_SYSTEM[system]}:{local}")


def onset_code(element: TimeElement) -> str:
    code = element.ontology_class.id if element.HasField("ontology_class") else ""
    return code if code in ONSET_LABELS else ""


def certainties(phenopacket: Phenopacket) -> dict[str, str]:
    """Disease id → suspected, for the diseases of interpretations still in progress."""
    found = {}
    for interpretation in phenopacket.interpretations:
        term = interpretation.diagnosis.disease.id
        if term and interpretation.progress_status in (
            Interpretation.IN_PROGRESS,
            Interpretation.UNKNOWN_PROGRESS,
        ):
            found.setdefault(term, "suspected")
        elif term:
            found[term] = "confirmed"
    return found


def read_diseases(phenopacket: Phenopacket, prefill: Prefill) -> None:
    certainty_of = certainties(phenopacket)
    for disease in phenopacket.diseases:
        term = split_curie(disease.term.id)
        if term is None:
            prefill.foreign_codes.append(f"{disease.term.id} {disease.term.label}".strip())
            continue
        certainty = "excluded" if disease.excluded else certainty_of.get(disease.term.id, "confirmed")
        prefill.diagnoses.append(
            {"system": term[0], "code": term[1], "label": disease.term.label, "certainty": certainty}
        )
        if not disease.excluded and not prefill.onset and disease.HasField("onset"):
            prefill.onset = onset_code(disease.onset)


def read_features(phenopacket: Phenopacket, prefill: Prefill) -> None:
    for feature in phenopacket.phenotypic_features:
        term = split_curie(feature.type.id)
        if term is None or term[0] != "hpo":
            prefill.foreign_codes.append(f"{feature.type.id} {feature.type.label}".strip())
            continue
        onset = onset_code(feature.onset) if feature.HasField("onset") else ""
        prefill.phenotypes.append(
            {"code": term[1], "label": feature.type.label, "excluded": feature.excluded, "onset": onset}
        )


def hgvs_of(descriptor: VariationDescriptor) -> str:
    for expression in descriptor.expressions:
        if expression.syntax.lower().startswith("hgvs"):
            return expression.value.strip()
    return ""


def read_variants(phenopacket: Phenopacket, prefill: Prefill) -> None:
    for interpretation in phenopacket.interpretations:
        for genomic in interpretation.diagnosis.genomic_interpretations:
            variant = genomic.variant_interpretation
            descriptor = variant.variation_descriptor
            acmg = AcmgPathogenicityClassification.Name(variant.acmg_pathogenicity_classification)
            prefill.variants.append(
                {
                    "gene_symbol": descriptor.gene_context.symbol.strip(),
                    "hgvs": hgvs_of(descriptor),
                    "zygosity": descriptor.allelic_state.id
                    if descriptor.allelic_state.id in ZYGOSITY_LABELS
                    else "",
                    "acmg_class": "" if acmg == "NOT_PROVIDED" else acmg,
                }
            )


def read_phenopacket(data: dict) -> Prefill:
    """A parsed JSON object → what it brings; json_format.ParseError when it is not a Phenopacket."""
    phenopacket = json_format.ParseDict(data, Phenopacket(), max_recursion_depth=40)
    prefill = Prefill(format="phenopacket")
    read_diseases(phenopacket, prefill)
    read_features(phenopacket, prefill)
    read_variants(phenopacket, prefill)
    not_kept_fields(phenopacket, "", prefill.not_kept)
    return prefill
