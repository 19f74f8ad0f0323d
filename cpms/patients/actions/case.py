"""Every write to a patient's case: a section saved, a draft kept or discarded, an attachment added
or removed. Each is atomic and audited.

The trail records coded values in full (`{"field": {"old": …, "new": …}}`) and free text by its
length only: the trail outlives the erasure of a patient, and free text may name them.
"""

from django.db import transaction
from django.utils import timezone

from cpms.audit.record import changes, record

from ..documents import erase_document, store_document
from ..models import (
    Case,
    CaseAttachment,
    CaseDiagnosis,
    CaseDraft,
    CasePhenotype,
    CaseVariant,
    Document,
    Patient,
)

FREE_TEXT = {"clinical_history", "family_history", "investigations", "treatment"}
MAX_DRAFT_CHARACTERS = 200_000


def locked_case(patient: Patient) -> Case:
    """The patient's case, created on its first save; the patient row is locked so that two first
    saves at once make one case."""
    Patient.objects.unscoped().select_for_update().filter(pk=patient.pk).first()
    case, _created = Case.objects.unscoped().get_or_create(patient=patient)
    case.patient = patient
    return case


def audited_value(name: str, value):
    if name in FREE_TEXT:
        return len(value or "")
    return value


def touch(case: Case, acting_user) -> None:
    case.updated_at = timezone.now()
    case.updated_by = acting_user


def discard_draft(case: Case, section: str, acting_user) -> None:
    case.patient.case_drafts.filter(section=section, user=acting_user).delete()


@transaction.atomic
def do_save_case_fields(*, acting_user, patient: Patient, section: str, values: dict) -> Case:
    """A section made of the case's own fields (status and onset, clinical history …)."""
    case = locked_case(patient)
    old = {name: audited_value(name, getattr(case, name)) for name in values}
    for name, value in values.items():
        setattr(case, name, "" if value is None and name in FREE_TEXT else value)
    new = {name: audited_value(name, getattr(case, name)) for name in values}
    touch(case, acting_user)
    case.save()
    discard_draft(case, section, acting_user)
    record(
        acting_user, "patients.case.saved", patient, {"section": section, **changes(old, new, list(values))}
    )
    return case


def diagnosis_lines(rows) -> list[str]:
    return sorted(
        f"{row['concept'].code} {row['certainty']}{' main' if row['is_main'] else ''}" for row in rows
    )


@transaction.atomic
def do_save_case_diagnoses(*, acting_user, patient: Patient, undiagnosed: bool, rows: list[dict]) -> Case:
    """The diagnoses (ORPHA and ICD-10 concepts with their certainty, one main) replace the old ones."""
    case = locked_case(patient)
    before = [
        {"concept": d.concept, "certainty": d.certainty, "is_main": d.is_main}
        for d in case.diagnoses.select_related("concept")
    ]
    old = {"undiagnosed": case.undiagnosed, "diagnoses": diagnosis_lines(before)}
    case.diagnoses.all().delete()
    CaseDiagnosis.objects.unscoped().bulk_create(CaseDiagnosis(case=case, **row) for row in rows)
    case.undiagnosed = undiagnosed
    touch(case, acting_user)
    case.save()
    discard_draft(case, "diagnosis", acting_user)
    new = {"undiagnosed": undiagnosed, "diagnoses": diagnosis_lines(rows)}
    record(
        acting_user,
        "patients.case.saved",
        patient,
        {"section": "diagnosis", **changes(old, new, ["undiagnosed", "diagnoses"])},
    )
    return case


def phenotype_lines(rows) -> list[str]:
    return sorted(
        f"{row['concept'].code} {'excluded' if row['excluded'] else 'observed'}"
        f"{' ' + row['onset'] if row['onset'] else ''}"
        for row in rows
    )


@transaction.atomic
def do_save_case_phenotypes(*, acting_user, patient: Patient, rows: list[dict]) -> Case:
    """The HPO terms, observed or excluded, with their onset, replace the old ones."""
    case = locked_case(patient)
    before = [
        {"concept": p.concept, "excluded": p.excluded, "onset": p.onset}
        for p in case.phenotypes.select_related("concept")
    ]
    case.phenotypes.all().delete()
    CasePhenotype.objects.unscoped().bulk_create(CasePhenotype(case=case, **row) for row in rows)
    touch(case, acting_user)
    case.save()
    discard_draft(case, "phenotype", acting_user)
    old, new = {"phenotypes": phenotype_lines(before)}, {"phenotypes": phenotype_lines(rows)}
    record(
        acting_user,
        "patients.case.saved",
        patient,
        {"section": "phenotype", **changes(old, new, ["phenotypes"])},
    )
    return case


def variant_lines(rows) -> list[str]:
    return sorted(
        " ".join(filter(None, [row["gene_symbol"], row["hgvs"], row["zygosity"], row["acmg_class"]]))
        for row in rows
    )


@transaction.atomic
def do_save_case_variants(*, acting_user, patient: Patient, rows: list[dict]) -> Case:
    """The variants (gene, HGVS, zygosity, ACMG class) replace the old ones. A gene the loaded data
    does not know is kept: the view warns, it does not refuse."""
    case = locked_case(patient)
    before = list(case.variants.values("gene_symbol", "hgvs", "zygosity", "acmg_class"))
    case.variants.all().delete()
    CaseVariant.objects.unscoped().bulk_create(CaseVariant(case=case, **row) for row in rows)
    touch(case, acting_user)
    case.save()
    discard_draft(case, "genetics", acting_user)
    old, new = {"variants": variant_lines(before)}, {"variants": variant_lines(rows)}
    record(
        acting_user,
        "patients.case.saved",
        patient,
        {"section": "genetics", **changes(old, new, ["variants"])},
    )
    return case


@transaction.atomic
def do_save_case_draft(
    *, acting_user, patient: Patient, section: str, data: dict[str, list[str]]
) -> CaseDraft:
    """What the user typed and has not saved: kept for them alone until they save or discard it.
    The trail says that a draft was kept, not what it says (it is not validated)."""
    draft = patient.case_drafts.filter(section=section, user=acting_user).select_for_update().first()
    if draft is None:
        draft = CaseDraft(patient=patient, section=section, user=acting_user)
    draft.data = data
    draft.saved_at = timezone.now()
    draft.save()
    record(acting_user, "patients.case.draft_saved", patient, {"section": section})
    return draft


@transaction.atomic
def do_discard_case_draft(*, acting_user, patient: Patient, section: str) -> None:
    deleted, _counts = patient.case_drafts.filter(section=section, user=acting_user).delete()
    if deleted:
        record(acting_user, "patients.case.draft_discarded", patient, {"section": section})


@transaction.atomic
def do_add_case_attachment(*, acting_user, patient: Patient, upload, description: str) -> CaseAttachment:
    """The file (already checked: FileCheck) is stored encrypted and attached to the case."""
    case = locked_case(patient)
    document = store_document(
        patient=patient, upload=upload, kind=Document.Kind.ATTACHMENT, uploaded_by=acting_user
    )
    attachment = CaseAttachment(case=case, document=document, description=description)
    attachment.save()
    touch(case, acting_user)
    case.save(update_fields=["updated_at", "updated_by"])
    record(
        acting_user,
        "patients.case.attachment_added",
        patient,
        {
            "attachment": attachment.pk,
            "content_type": document.content_type,
            "size": document.size,
            "sha256": document.sha256,
        },
    )
    return attachment


@transaction.atomic
def do_remove_case_attachment(*, acting_user, patient: Patient, attachment: CaseAttachment) -> None:
    """The attachment and its stored bytes are erased; the trail keeps its fingerprint."""
    case = locked_case(patient)
    document = attachment.document
    record(
        acting_user,
        "patients.case.attachment_removed",
        patient,
        {"attachment": attachment.pk, "sha256": document.sha256},
    )
    erase_document(document)  # the attachment row goes with its document (on_delete=CASCADE)
    touch(case, acting_user)
    case.save(update_fields=["updated_at", "updated_by"])
