"""An export is checked before it is offered: re-parsed strictly by the packages' own parsers, its
required fields present, every HPO / ORPHA / ICD-10 code known to the loaded releases, and (for a
phenopacket) a metaData resource for every prefix it uses. Problems are sentences for the page."""

import json

from django.db.models import Q
from django.utils.translation import gettext as _
from fhirclient.models.bundle import Bundle
from fhirclient.models.fhirabstractbase import FHIRValidationError
from google.protobuf import json_format
from phenopackets import Phenopacket

from cpms.coding.models import Concept

from .phenopacket import split_curie
from .snapshot import CaseSnapshot
from .vocabulary import SYSTEM_OF_FHIR

RESOURCE_FIELDS = ("id", "name", "url", "version", "namespace_prefix", "iri_prefix")
SYSTEM_NAMES = {"hpo": "HPO", "orpha": "ORPHA", "icd10": "ICD-10"}


class ExportInvalid(Exception):
    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


def unknown_codes(codes: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The (system, code) pairs that the loaded releases do not hold, or hold as obsolete."""
    if not codes:
        return []
    wanted = Q()
    for system in {system for system, _code in codes}:
        wanted |= Q(system=system, code__in={code for s, code in codes if s == system})
    known = set(Concept.objects.filter(wanted, is_obsolete=False).values_list("system", "code"))
    return sorted(set(codes) - known)


def terminology_problems(codes: list[tuple[str, str]], releases: dict[str, str]) -> list[str]:
    problems = [
        _("No %(system)s release is loaded.") % {"system": SYSTEM_NAMES[system]}
        for system in sorted({system for system, _code in codes})
        if not releases.get(system)
    ]
    problems += [
        _("%(code)s is not in the loaded %(system)s release (or is obsolete there).")
        % {"code": code, "system": SYSTEM_NAMES[system]}
        for system, code in unknown_codes(codes)
    ]
    return problems


def codes_in_phenopacket(packet: Phenopacket) -> list[tuple[str, str]]:
    """Every HPO / ORPHA / ICD-10 code the file itself carries, read back from the parsed file."""
    ids = [f.type.id for f in packet.phenotypic_features] + [
        f.onset.ontology_class.id for f in packet.phenotypic_features
    ]
    ids += [d.term.id for d in packet.diseases] + [d.onset.ontology_class.id for d in packet.diseases]
    ids += [i.diagnosis.disease.id for i in packet.interpretations]
    return sorted({code for code in map(split_curie, ids) if code})


def codes_in_bundle(bundle: Bundle) -> list[tuple[str, str]]:
    codings = []
    for entry in bundle.entry or []:
        resource = entry.resource
        codings += getattr(getattr(resource, "code", None), "coding", None) or []
        for component in getattr(resource, "component", None) or []:
            codings += component.valueCodeableConcept.coding or [] if component.valueCodeableConcept else []
    found = set()
    for coding in codings:
        system = SYSTEM_OF_FHIR.get(coding.system or "")
        if system and coding.code:
            found.add((system, f"ORPHA:{coding.code}" if system == "orpha" else coding.code))
    return sorted(found)


def used_prefixes(phenopacket: Phenopacket) -> set[str]:
    ids = [f.type.id for f in phenopacket.phenotypic_features]
    ids += [f.onset.ontology_class.id for f in phenopacket.phenotypic_features]
    ids += [d.term.id for d in phenopacket.diseases] + [
        d.onset.ontology_class.id for d in phenopacket.diseases
    ]
    for interpretation in phenopacket.interpretations:
        ids.append(interpretation.diagnosis.disease.id)
        for genomic in interpretation.diagnosis.genomic_interpretations:
            descriptor = genomic.variant_interpretation.variation_descriptor
            ids += [descriptor.allelic_state.id, descriptor.gene_context.value_id]
    return {term.split(":", 1)[0] for term in ids if ":" in term}


def phenopacket_problems(text: str) -> tuple[list[str], list[tuple[str, str]]]:
    try:
        phenopacket = json_format.Parse(text, Phenopacket())
    except json_format.ParseError as error:
        return [_("The phenopacket does not parse: %(error)s") % {"error": error}], []
    problems = []
    if not phenopacket.id or not phenopacket.subject.id:
        problems.append(_("The phenopacket has no id or no subject."))
    meta = phenopacket.meta_data
    if not (meta.HasField("created") and meta.created_by and meta.phenopacket_schema_version == "2.0"):
        problems.append(_("The phenopacket's metaData lacks created, createdBy or the schema version 2.0."))
    resources = {r.namespace_prefix: r for r in meta.resources}
    for prefix in sorted(used_prefixes(phenopacket)):
        resource = resources.get(prefix)
        if resource is None:
            problems.append(_("No metaData resource for the prefix %(prefix)s.") % {"prefix": prefix})
        elif not all(getattr(resource, name) for name in RESOURCE_FIELDS):
            problems.append(_("The metaData resource for %(prefix)s is incomplete.") % {"prefix": prefix})
    for feature in phenopacket.phenotypic_features:
        if not feature.type.id or not feature.type.label:
            problems.append(_("A phenotypic feature has no term."))
    for genomic in (g for i in phenopacket.interpretations for g in i.diagnosis.genomic_interpretations):
        descriptor = genomic.variant_interpretation.variation_descriptor
        if not descriptor.id or not descriptor.expressions or not descriptor.gene_context.symbol:
            problems.append(_("A variant has no id, no HGVS expression or no gene."))
    return problems, codes_in_phenopacket(phenopacket)


def bundle_problems(text: str) -> tuple[list[str], list[tuple[str, str]]]:
    try:
        data = json.loads(text)
        bundle = Bundle(data, strict=True)
    except (ValueError, FHIRValidationError) as error:
        return [_("The FHIR Bundle does not parse: %(error)s") % {"error": error}], []
    problems = []
    if bundle.type != "collection":
        problems.append(_("The FHIR Bundle is not a collection."))
    patients = [e.resource for e in bundle.entry or [] if e.resource.resource_type == "Patient"]
    if len(patients) != 1 or len(patients[0].identifier or []) != 1:
        problems.append(_("The FHIR Bundle must hold one Patient with the pseudonym as its only identifier."))
    for entry in bundle.entry or []:
        resource = entry.resource
        if resource.resource_type in ("Condition", "Observation") and not (
            resource.code and resource.subject
        ):
            problems.append(_("A %(type)s has no code or no subject.") % {"type": resource.resource_type})
    return problems, codes_in_bundle(bundle)


def check_phenopacket(text: str, snapshot: CaseSnapshot) -> None:
    problems, codes = phenopacket_problems(text)
    problems += terminology_problems(codes, snapshot.releases)
    if problems:
        raise ExportInvalid(problems)


def check_bundle(text: str, snapshot: CaseSnapshot) -> None:
    problems, codes = bundle_problems(text)
    problems += terminology_problems(codes, snapshot.releases)
    if problems:
        raise ExportInvalid(problems)
