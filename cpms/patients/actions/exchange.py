"""Writes of the exchange: an export offered (audited), a case filled from a file."""

import json
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from cpms.audit.record import record

from ..exchange import fhir, phenopacket
from ..exchange.importing import Plan, plan
from ..exchange.prefill import Prefill
from ..exchange.snapshot import snapshot_of
from ..exchange.validation import check_bundle, check_phenopacket
from ..models import Case, CaseDiagnosis, CasePhenotype, CaseVariant, Patient

PHENOPACKET = "phenopacket"
FHIR = "fhir"


@dataclass(frozen=True)
class ExportFile:
    name: str
    content_type: str
    text: str


def build_export(patient: Patient, export_format: str, *, created_by: str) -> ExportFile:
    """The export of the patient's case, checked; ExportInvalid (with the problems) if it fails."""
    snapshot = snapshot_of(patient)
    created = timezone.now()
    if export_format == PHENOPACKET:
        text = phenopacket.to_json(
            phenopacket.to_phenopacket(snapshot, created_by=created_by, created=created)
        )
        check_phenopacket(text, snapshot)
        return ExportFile(f"{patient.pseudonym}.phenopacket.json", "application/json", text)
    text = fhir_json(fhir.to_bundle(snapshot, created=created))
    check_bundle(text, snapshot)
    return ExportFile(f"{patient.pseudonym}.fhir.json", "application/fhir+json", text)


def fhir_json(bundle: dict) -> str:
    return json.dumps(bundle, indent=2, ensure_ascii=False)


def do_export_case(*, acting_user, patient: Patient, export_format: str) -> ExportFile:
    """Build and check the export, then record that it left; nothing is recorded if the check fails."""
    created_by = f"CPMS, {patient.centre.code}"
    export = build_export(patient, export_format, created_by=created_by)
    record(acting_user, "patients.case.exported", patient, {"format": export_format})
    return export


@transaction.atomic
def do_prefill_case_from_file(*, acting_user, patient: Patient, prefill: Prefill) -> Plan:
    """Add what the file brings and the case lacks (see importing.py for the merge); audited."""
    Patient.objects.unscoped().select_for_update().filter(pk=patient.pk).first()  # one import at a time
    case, _created = Case.objects.unscoped().get_or_create(patient=patient)
    planned = plan(patient, prefill)  # again, inside the lock: the case may have changed since the preview
    CaseDiagnosis.objects.unscoped().bulk_create(
        CaseDiagnosis(case=case, concept_id=d["concept_id"], certainty=d["certainty"], is_main=d["is_main"])
        for d in planned.diagnoses
    )
    CasePhenotype.objects.unscoped().bulk_create(
        CasePhenotype(case=case, concept_id=p["concept_id"], excluded=p["excluded"], onset=p["onset"])
        for p in planned.phenotypes
    )
    CaseVariant.objects.unscoped().bulk_create(
        [
            CaseVariant(
                case=case,
                gene_symbol=v["gene_symbol"],
                hgvs=v["hgvs"],
                zygosity=v["zygosity"],
                acmg_class=v["acmg_class"],
            )
            for v in planned.variants
        ]
    )
    if planned.onset:
        case.onset = planned.onset
    case.updated_at, case.updated_by = timezone.now(), acting_user
    case.save(update_fields=["onset", "updated_at", "updated_by"])
    record(
        acting_user,
        "patients.case.prefilled_from_file",
        patient,
        {
            "format": prefill.format,
            "diagnoses": len(planned.diagnoses),
            "phenotypes": len(planned.phenotypes),
            "variants": len(planned.variants),
            "onset": planned.onset,
            "unknown": len(planned.unknown_codes) + len(planned.foreign_codes),
        },
    )
    return planned
