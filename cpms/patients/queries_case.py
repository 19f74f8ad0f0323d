"""Reads of a patient's case (the consultation form), with the permission check built in, audited.

The patient comes from `queries.find_patient_for_user` (404 whether missing or not the user's); the
case's rows are read through that patient. Every read of the case is recorded in the audit trail
(`patients.case.viewed`, with the section read).
"""

from django.db.models import Prefetch
from django.http import Http404

from cpms.audit.record import record

from .documents import read_document
from .models import Case, CaseAttachment, CaseDiagnosis, CaseDraft, CasePhenotype, CaseVariant, Patient
from .queries import find_patient_for_user


def rows_of_case():
    """The prefetches that read every row of every section in one query per kind of row."""
    # .unscoped(): the case was reached through a patient read in the user's scope.
    return (
        Prefetch(
            "diagnoses",
            CaseDiagnosis.objects.unscoped().select_related("concept").order_by("-is_main", "id"),
        ),
        Prefetch("phenotypes", CasePhenotype.objects.unscoped().select_related("concept").order_by("id")),
        Prefetch("variants", CaseVariant.objects.unscoped().order_by("id")),
        Prefetch("attachments", CaseAttachment.objects.unscoped().select_related("document").order_by("id")),
    )


def case_with_rows(patient: Patient) -> Case:
    """The patient's case with all its rows (a new, unsaved case when nothing was recorded yet)."""
    case = (
        Case.objects.unscoped()
        .filter(patient=patient)
        .select_related("updated_by")
        .prefetch_related(*rows_of_case())
        .first()
    )
    if case is None:
        case = Case(patient=patient)
    case.patient = patient
    return case


def get_case_for_user(request, pseudonym: str, *, section: str = "") -> Case:
    """The case of one of the user's patients, with every row, in a number of queries that does not
    grow with the rows; 404 otherwise. Records that the user read it (the whole case, or `section`)."""
    patient = find_patient_for_user(request, pseudonym)
    case = case_with_rows(patient)
    record(request.user, "patients.case.viewed", patient, {"section": section or "all"})
    return case


def get_patient_for_case_write(request, pseudonym: str) -> Patient:
    """The patient whose case the user is about to change; 404 otherwise (the write is audited)."""
    return find_patient_for_user(request, pseudonym)


def draft_of(patient: Patient, section: str, user) -> CaseDraft | None:
    """The user's own unsaved draft of this section, if there is one."""
    return patient.case_drafts.filter(section=section, user=user).first()


def get_attachment_for_user(request, pseudonym: str, attachment_id: int) -> CaseAttachment:
    """An attachment of the case of one of the user's patients; 404 otherwise."""
    patient = find_patient_for_user(request, pseudonym)
    attachment = (
        CaseAttachment.objects.unscoped()
        .filter(case__patient=patient, pk=attachment_id)
        .select_related("document")
        .first()
    )
    if attachment is None:
        raise Http404
    attachment.document.patient = patient
    return attachment


def read_attachment_for_user(request, pseudonym: str, attachment_id: int) -> tuple[CaseAttachment, bytes]:
    """The attachment and its decrypted bytes; the download is recorded."""
    attachment = get_attachment_for_user(request, pseudonym, attachment_id)
    data = read_document(attachment.document)
    record(
        request.user,
        "patients.case.attachment_downloaded",
        attachment.document.patient,
        {"attachment": attachment.pk},
    )
    return attachment, data


def case_version(patient: Patient) -> str:
    """When the case was last saved (ISO 8601), "" before its first save: what a draft is based on."""
    saved = Case.objects.unscoped().filter(patient=patient).values_list("updated_at", flat=True).first()
    return saved.isoformat() if saved else ""
