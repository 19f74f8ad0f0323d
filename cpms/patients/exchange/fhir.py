"""A case as a FHIR R4 Bundle (collection), and a Bundle read back into a Prefill.

Patient: the pseudonym as its only identifier, and gender (sex at birth); nothing else of the person.
Condition per ORPHA / ICD-10 code, its certainty as verificationStatus (suspected → provisional,
excluded → refuted), the main diagnosis first, the case's onset as the onsetString (HPO's label of
the onset term) of each diagnosis not refuted, as Phenopackets put it on each disease. Observation
per HPO term as the Phenomics Exchange IG does it: the term as the code, LOINC Present / Absent as
the value, NEG as the interpretation of an excluded one, the onset as a component. A genomic
Observation per variant (LOINC 69548-6) with the HGVS, gene, allelic state and ACMG class as components.
"""

import uuid

from fhirclient.models.bundle import Bundle
from fhirclient.models.condition import Condition
from fhirclient.models.observation import Observation

from .prefill import Prefill
from .snapshot import CaseSnapshot
from .vocabulary import (
    ABSENT,
    ACMG_COMPONENT,
    ACMG_OF_LOINC,
    CATEGORY_SYSTEM,
    CERTAINTY_OF_VERIFICATION,
    FHIR_GENDER_OF_SEX,
    FHIR_SYSTEM_OF,
    GENE_COMPONENT,
    HGVS_COMPONENT,
    HGVS_SYSTEM,
    HPO_SYSTEM,
    INTERPRETATION_SYSTEM,
    LOINC,
    LOINC_OF_ACMG,
    LOINC_OF_ZYGOSITY,
    NCBI_GENE_SYSTEM,
    ONSET_COMPONENT,
    ONSET_LABELS,
    PRESENT,
    PSEUDONYM_SYSTEM,
    SYSTEM_OF_FHIR,
    VARIANT_ASSESSMENT,
    VERIFICATION_OF_CERTAINTY,
    VERIFICATION_SYSTEM,
    ZYGOSITY_COMPONENT,
    ZYGOSITY_OF_LOINC,
)


def coding(system: str, code: str, display: str = "", version: str = "") -> dict:
    found = {"system": system, "code": code}
    if version:
        found["version"] = version
    if display:
        found["display"] = display
    return found


def concept(*codings: dict, text: str = "") -> dict:
    found = {"coding": list(codings)} if codings else {}
    if text:
        found["text"] = text
    return found


def fhir_code(system: str, code: str) -> str:
    """FHIR's Orphanet system takes the number alone ("558"); HPO keeps its CURIE."""
    return code.removeprefix("ORPHA:") if system == "orpha" else code


class BundleWriter:
    def __init__(self, snapshot: CaseSnapshot, *, namespace: uuid.UUID):
        self.snapshot = snapshot
        self.namespace = namespace  # ids are stable for one export, never derived from identity
        self.entries: list[dict] = []
        self.patient_url = self.url("patient")

    def url(self, name: str) -> str:
        return f"urn:uuid:{uuid.uuid5(self.namespace, name)}"

    def add(self, name: str, resource: dict) -> None:
        full_url = self.url(name)
        resource["id"] = full_url.removeprefix("urn:uuid:")
        self.entries.append({"fullUrl": full_url, "resource": resource})

    def subject(self) -> dict:
        return {"reference": self.patient_url}

    def patient(self) -> None:
        self.add(
            "patient",
            {
                "resourceType": "Patient",
                "identifier": [{"system": PSEUDONYM_SYSTEM, "value": self.snapshot.pseudonym}],
                "gender": FHIR_GENDER_OF_SEX.get(self.snapshot.sex_at_birth, "unknown"),
            },
        )

    def condition(self, number: int, diagnosis) -> None:
        version = self.snapshot.releases.get(diagnosis.system, "")
        status = VERIFICATION_OF_CERTAINTY[diagnosis.certainty]
        self.add(
            f"condition-{number}",
            {
                "resourceType": "Condition",
                "verificationStatus": concept(coding(VERIFICATION_SYSTEM, status)),
                "code": concept(
                    coding(
                        FHIR_SYSTEM_OF[diagnosis.system],
                        fhir_code(diagnosis.system, diagnosis.code),
                        diagnosis.label,
                        version,
                    ),
                    text=diagnosis.label,
                ),
                "subject": self.subject(),
                **self.onset_of(status),
            },
        )

    def onset_of(self, verification: str) -> dict:
        if not self.snapshot.onset or verification == "refuted":
            return {}
        return {"onsetString": ONSET_LABELS[self.snapshot.onset]}

    def phenotype(self, number: int, phenotype) -> None:
        answer = ABSENT if phenotype.excluded else PRESENT
        observation = {
            "resourceType": "Observation",
            "status": "final",
            "code": concept(
                coding(HPO_SYSTEM, phenotype.code, phenotype.label, self.snapshot.releases.get("hpo", ""))
            ),
            "subject": self.subject(),
            "valueCodeableConcept": concept(coding(LOINC, *answer)),
        }
        if phenotype.excluded:
            observation["interpretation"] = [concept(coding(INTERPRETATION_SYSTEM, "NEG", "Negative"))]
        if phenotype.onset:
            observation["component"] = [
                {
                    "code": concept(coding(HPO_SYSTEM, *ONSET_COMPONENT)),
                    "valueCodeableConcept": concept(
                        coding(HPO_SYSTEM, phenotype.onset, ONSET_LABELS[phenotype.onset])
                    ),
                }
            ]
        self.add(f"phenotype-{number}", observation)

    def variant(self, number: int, variant) -> None:
        gene = (
            concept(
                coding(NCBI_GENE_SYSTEM, str(variant.ncbi_gene_id), variant.gene_symbol),
                text=variant.gene_symbol,
            )
            if variant.ncbi_gene_id
            else concept(text=variant.gene_symbol)
        )
        components = [
            {
                "code": concept(coding(LOINC, *HGVS_COMPONENT)),
                "valueCodeableConcept": concept(coding(HGVS_SYSTEM, variant.hgvs)),
            },
            {"code": concept(coding(LOINC, *GENE_COMPONENT)), "valueCodeableConcept": gene},
        ]
        if variant.zygosity:
            components.append(
                {
                    "code": concept(coding(LOINC, *ZYGOSITY_COMPONENT)),
                    "valueCodeableConcept": concept(coding(LOINC, *LOINC_OF_ZYGOSITY[variant.zygosity])),
                }
            )
        if variant.acmg_class:
            components.append(
                {
                    "code": concept(coding(LOINC, *ACMG_COMPONENT)),
                    "valueCodeableConcept": concept(coding(LOINC, *LOINC_OF_ACMG[variant.acmg_class])),
                }
            )
        self.add(
            f"variant-{number}",
            {
                "resourceType": "Observation",
                "status": "final",
                "category": [concept(coding(CATEGORY_SYSTEM, "laboratory", "Laboratory"))],
                "code": concept(coding(LOINC, *VARIANT_ASSESSMENT)),
                "subject": self.subject(),
                "valueCodeableConcept": concept(coding(LOINC, *PRESENT)),
                "component": components,
            },
        )

    def bundle(self, created) -> dict:
        self.patient()
        for number, diagnosis in enumerate(self.snapshot.diagnoses, 1):
            self.condition(number, diagnosis)
        for number, phenotype in enumerate(self.snapshot.phenotypes, 1):
            self.phenotype(number, phenotype)
        for number, variant in enumerate(self.snapshot.variants, 1):
            self.variant(number, variant)
        return {
            "resourceType": "Bundle",
            "id": str(self.namespace),
            "type": "collection",
            "timestamp": created.isoformat(timespec="seconds"),
            "entry": self.entries,
        }


def to_bundle(snapshot: CaseSnapshot, *, created) -> dict:
    return BundleWriter(snapshot, namespace=uuid.uuid4()).bundle(created)


# -- reading a bundle back

READ_KEYS = {
    "Patient": {"resourceType", "id", "meta", "identifier", "text"},
    "Condition": {
        "resourceType",
        "id",
        "meta",
        "text",
        "code",
        "verificationStatus",
        "subject",
        "onsetString",
    },
    "Observation": {
        "resourceType",
        "id",
        "meta",
        "text",
        "status",
        "code",
        "subject",
        "valueCodeableConcept",
        "interpretation",
        "component",
        "category",
    },
}
MAX_LISTED = 200
ONSET_OF_LABEL = {label.lower(): code for code, label in ONSET_LABELS.items()}


def codings_of(codeable) -> list:
    return list(getattr(codeable, "coding", None) or [])


def has_code(codeable, system: str, code: str) -> bool:
    return any(c.system == system and c.code == code for c in codings_of(codeable))


def read_condition(condition: Condition, prefill: Prefill) -> None:
    status = next(
        (c.code for c in codings_of(condition.verificationStatus) if c.system == VERIFICATION_SYSTEM), ""
    )
    certainty = CERTAINTY_OF_VERIFICATION.get(status or "confirmed")
    if certainty is None:  # entered-in-error: not a diagnosis at all
        prefill.not_kept.append(f"Condition (verificationStatus {status})")
        return
    read_any = False
    for item in codings_of(condition.code):
        system = SYSTEM_OF_FHIR.get(item.system or "")
        if system in ("orpha", "icd10") and item.code:
            code = f"ORPHA:{item.code.removeprefix('ORPHA:')}" if system == "orpha" else item.code.strip()
            prefill.diagnoses.append(
                {"system": system, "code": code, "label": item.display or "", "certainty": certainty}
            )
            read_any = True
            break  # one diagnosis per Condition: other codings are translations of it
    if read_any and not prefill.onset:
        prefill.onset = ONSET_OF_LABEL.get((condition.onsetString or "").strip().lower(), "")
    if not read_any and codings_of(condition.code):
        prefill.foreign_codes.extend(
            f"{c.system or '?'}|{c.code or '?'} {c.display or ''}".strip() for c in codings_of(condition.code)
        )
    elif not read_any:
        prefill.not_kept.append("Condition (no code)")


def component_value(observation: Observation, code: tuple[str, str]):
    for component in observation.component or []:
        if has_code(component.code, LOINC, code[0]) or has_code(component.code, HPO_SYSTEM, code[0]):
            return component.valueCodeableConcept
    return None


def read_variant(observation: Observation, prefill: Prefill) -> None:
    hgvs = component_value(observation, HGVS_COMPONENT)
    gene = component_value(observation, GENE_COMPONENT)
    zygosity = component_value(observation, ZYGOSITY_COMPONENT)
    acmg = component_value(observation, ACMG_COMPONENT)
    hgvs_text = next((c.code for c in codings_of(hgvs) if c.code), getattr(hgvs, "text", None) or "")
    gene_text = getattr(gene, "text", None) or next((c.display or c.code for c in codings_of(gene)), "") or ""
    prefill.variants.append(
        {
            "gene_symbol": gene_text.strip(),
            "hgvs": hgvs_text.strip(),
            "zygosity": next(
                (ZYGOSITY_OF_LOINC[c.code] for c in codings_of(zygosity) if c.code in ZYGOSITY_OF_LOINC), ""
            ),
            "acmg_class": next(
                (ACMG_OF_LOINC[c.code] for c in codings_of(acmg) if c.code in ACMG_OF_LOINC), ""
            ),
        }
    )


def read_phenotype(observation: Observation, prefill: Prefill) -> bool:
    term = next((c for c in codings_of(observation.code) if c.system == HPO_SYSTEM and c.code), None)
    if term is None:
        return False
    excluded = has_code(observation.valueCodeableConcept, LOINC, ABSENT[0]) or any(
        has_code(i, INTERPRETATION_SYSTEM, "NEG") for i in observation.interpretation or []
    )
    if observation.valueBoolean is False:
        excluded = True
    onset = component_value(observation, ONSET_COMPONENT)
    onset_code = next((c.code for c in codings_of(onset) if c.code in ONSET_LABELS), "")
    prefill.phenotypes.append(
        {"code": term.code.strip(), "label": term.display or "", "excluded": excluded, "onset": onset_code}
    )
    return True


def read_observation(observation: Observation, prefill: Prefill) -> None:
    if has_code(observation.code, LOINC, VARIANT_ASSESSMENT[0]):
        read_variant(observation, prefill)
    elif not read_phenotype(observation, prefill):
        codes = ", ".join(f"{c.system or '?'}|{c.code or '?'}" for c in codings_of(observation.code))
        prefill.not_kept.append(f"Observation ({codes or 'no code'})")


def list_not_kept(resource: dict, prefill: Prefill) -> None:
    kind = resource.get("resourceType", "?")
    read = READ_KEYS.get(kind)
    if read is None:
        prefill.not_kept.append(kind)
        return
    prefill.not_kept.extend(f"{kind}.{key}" for key in resource if key not in read)


def read_bundle(data: dict) -> Prefill:
    """A parsed JSON object → what it brings; FHIRValidationError (or ValueError…) when it is not one."""
    bundle = Bundle(data, strict=True)
    prefill = Prefill(format="fhir")
    for raw, entry in zip(data.get("entry") or [], bundle.entry or [], strict=False):
        resource = entry.resource
        if isinstance(resource, Condition):
            read_condition(resource, prefill)
        elif isinstance(resource, Observation):
            read_observation(resource, prefill)
        list_not_kept(raw.get("resource") or {}, prefill)
        if len(prefill.not_kept) > MAX_LISTED:
            break
    prefill.not_kept = sorted(set(prefill.not_kept), key=prefill.not_kept.index)
    return prefill
