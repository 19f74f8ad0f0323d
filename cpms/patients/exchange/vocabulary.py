"""The codes and systems the exports speak, and how CPMS's own choices map onto them."""

from dataclasses import dataclass

# Prefixes of the CURIEs in a phenopacket, per CPMS terminology (cpms.coding.models.System).
PREFIX_OF_SYSTEM = {"hpo": "HP", "orpha": "ORPHA", "icd10": "ICD10"}
SYSTEM_OF_PREFIX = {prefix: system for system, prefix in PREFIX_OF_SYSTEM.items()}


@dataclass(frozen=True)
class Resource:
    id: str
    name: str
    url: str
    namespace_prefix: str
    iri_prefix: str


RESOURCES = {
    "HP": Resource(
        "hp",
        "human phenotype ontology",
        "http://purl.obolibrary.org/obo/hp.owl",
        "HP",
        "http://purl.obolibrary.org/obo/HP_",
    ),
    "ORPHA": Resource(
        "ordo",
        "Orphanet Rare Disease Ontology",
        "http://www.orpha.net/ontology/orphanet.owl",
        "ORPHA",
        "http://www.orpha.net/ORDO/Orphanet_",
    ),
    "ICD10": Resource(
        "icd10",
        "WHO International Classification of Diseases, 10th revision",
        "https://icd.who.int/browse10/",
        "ICD10",
        "https://icd.who.int/browse10/2019/en#/",
    ),
    "GENO": Resource(
        "geno",
        "Genotype Ontology",
        "http://purl.obolibrary.org/obo/geno.owl",
        "GENO",
        "http://purl.obolibrary.org/obo/GENO_",
    ),
    "NCBIGene": Resource(
        "ncbigene",
        "NCBI Gene",
        "https://www.ncbi.nlm.nih.gov/gene/",
        "NCBIGene",
        "https://www.ncbi.nlm.nih.gov/gene/",
    ),
}
# No GENO or NCBI Gene release is loaded: the allelic states are the fixed list of
# cpms.patients.models.case.Zygosity, and gene ids come from the loaded HPO annotations.
FIXED_VERSIONS = {"GENO": "fixed list (CPMS zygosity choices)", "NCBIGene": "as in the HPO annotations"}

# English labels of the terms CPMS keeps as fixed choices (exports are data: never translated).
ONSET_LABELS = {
    "HP:0030674": "Antenatal onset",
    "HP:0003577": "Congenital onset",
    "HP:0003623": "Neonatal onset",
    "HP:0003593": "Infantile onset",
    "HP:0011463": "Childhood onset",
    "HP:0003621": "Juvenile onset",
    "HP:0003581": "Adult onset",
}
ZYGOSITY_LABELS = {
    "GENO:0000135": "heterozygous",
    "GENO:0000136": "homozygous",
    "GENO:0000134": "hemizygous",
    "GENO:0000402": "compound heterozygous",
    "GENO:0000137": "unspecified zygosity",
}

# -- FHIR
HPO_SYSTEM = "http://human-phenotype-ontology.org"
ORPHA_SYSTEM = "http://www.orpha.net"
ICD10_SYSTEM = "http://hl7.org/fhir/sid/icd-10"
LOINC = "http://loinc.org"
HGVS_SYSTEM = "http://varnomen.hgvs.org"
NCBI_GENE_SYSTEM = "http://www.ncbi.nlm.nih.gov/gene"
PSEUDONYM_SYSTEM = "urn:cpms:ern-pseudonym"
VERIFICATION_SYSTEM = "http://terminology.hl7.org/CodeSystem/condition-ver-status"
INTERPRETATION_SYSTEM = "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation"
CATEGORY_SYSTEM = "http://terminology.hl7.org/CodeSystem/observation-category"

FHIR_SYSTEM_OF = {"hpo": HPO_SYSTEM, "orpha": ORPHA_SYSTEM, "icd10": ICD10_SYSTEM}
SYSTEM_OF_FHIR = {url: system for system, url in FHIR_SYSTEM_OF.items()}

VERIFICATION_OF_CERTAINTY = {"confirmed": "confirmed", "suspected": "provisional", "excluded": "refuted"}
CERTAINTY_OF_VERIFICATION = {
    "confirmed": "confirmed",
    "provisional": "suspected",
    "differential": "suspected",
    "unconfirmed": "suspected",
    "refuted": "excluded",
}
FHIR_GENDER_OF_SEX = {"female": "female", "male": "male", "undetermined": "other", "unknown": "unknown"}

PRESENT = ("LA9633-4", "Present")
ABSENT = ("LA9634-2", "Absent")
ONSET_COMPONENT = ("HP:0003674", "Onset")  # HPO's own onset term as the component's code
VARIANT_ASSESSMENT = ("69548-6", "Genetic variant assessment")
HGVS_COMPONENT = ("48004-6", "DNA change (c.HGVS)")
GENE_COMPONENT = ("48018-6", "Gene studied [ID]")
ZYGOSITY_COMPONENT = ("53034-5", "Allelic state")
ACMG_COMPONENT = ("53037-8", "Genetic variation clinical significance [Imp]")

# LOINC answers (LL381-5 allelic state, LL4034-6 clinical significance) for CPMS's choices.
LOINC_OF_ZYGOSITY = {
    "GENO:0000135": ("LA6706-1", "Heterozygous"),
    "GENO:0000136": ("LA6705-3", "Homozygous"),
    "GENO:0000134": ("LA6707-9", "Hemizygous"),
    "GENO:0000402": ("LA26217-3", "Compound heterozygous"),
    "GENO:0000137": ("LA4489-6", "Unknown"),
}
ZYGOSITY_OF_LOINC = {code: zygosity for zygosity, (code, _label) in LOINC_OF_ZYGOSITY.items()}
LOINC_OF_ACMG = {
    "PATHOGENIC": ("LA6668-3", "Pathogenic"),
    "LIKELY_PATHOGENIC": ("LA26332-9", "Likely pathogenic"),
    "UNCERTAIN_SIGNIFICANCE": ("LA26333-7", "Uncertain significance"),
    "LIKELY_BENIGN": ("LA26334-5", "Likely benign"),
    "BENIGN": ("LA6675-8", "Benign"),
}
ACMG_OF_LOINC = {code: acmg for acmg, (code, _label) in LOINC_OF_ACMG.items()}
