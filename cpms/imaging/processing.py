"""The background part of intake (the Celery task "imaging.process_upload", tasks.py).

For each received file of an upload, in the order it came, in its own transaction (the page's
progress moves file by file, and a worker that dies loses nothing done): read it back decrypted,
unpack it when it is a ZIP (intake.zip_entries, each entry a file of the upload), de-identify it
(deidentify.py), check it is this patient's, group it (Study by the new StudyInstanceUID, Series
by the new SeriesInstanceUID, Instance by the new SOPInstanceUID: a file sent twice is kept once),
store it (image_store()), and delete the waiting encrypted bytes. Then every study it touched waits
for the uploader's check (REVIEW), with its counts and burned-in risk.

Wrong patient. The reference is the patient's hospital number when the centre recorded one: a file
whose original PatientID differs from it (spaces and case aside) is refused. Without one, the
reference is the first DICOM file of the upload (in the order the files came): a file whose
PatientID (or, when both have none, PatientName) differs from it is refused. The original values
live only in memory during the run; they are never stored.
"""

import json
import logging
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from django.db import IntegrityError, transaction
from django.db.models import Count, F, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from cpms.audit.record import record
from cpms.patients.queries import fold, normalise_hospital_number

from . import intake
from .deidentify import Deidentified, DicomRefused, deidentify
from .models import Instance, Series, Study, Upload, UploadFile
from .stores import image_store

logger = logging.getLogger(__name__)
PROCESSED = "imaging.upload.processed"


@dataclass
class Reference:
    """Whose files these are: the hospital number, or the first file's PatientID/name."""

    patient_id: str = ""
    patient_name: str = ""
    from_hospital_number: bool = False
    known: bool = False

    def refusal(self, result: Deidentified) -> str:
        their_id = normalise_hospital_number(result.original_patient_id)
        their_name = fold(result.original_patient_name.replace("^", " "))
        if not self.known:
            self.patient_id, self.patient_name, self.known = their_id, their_name, True
            return ""
        if self.from_hospital_number:
            if their_id != self.patient_id:
                return _("Wrong patient: its patient ID is not this patient's hospital number.")
            return ""
        same = (
            their_id == self.patient_id if (self.patient_id or their_id) else their_name == self.patient_name
        )
        return "" if same else _("Wrong patient: it names another patient than the rest of the upload.")


def reference_for(upload: Upload) -> Reference:
    number = normalise_hospital_number(upload.patient.hospital_number or "")
    if number:
        return Reference(patient_id=number, from_hospital_number=True, known=True)
    return Reference()


def process_upload(upload_id: int) -> Upload:
    upload = Upload.objects.select_related("patient", "user").get(pk=upload_id)
    if upload.status != Upload.Status.PROCESSING:
        return upload
    language = getattr(upload.user, "email_language", "") or None
    with override(language):
        reference = reference_for(upload)
        study_ids: set[int] = set()
        pending = upload.files.filter(status=UploadFile.Status.RECEIVED).order_by("pk")
        for upload_file in list(pending):
            try:
                process_file(upload, upload_file, reference, study_ids)
            except OSError:
                raise  # the store or the disk: the task is tried again, files done are not redone
            except Exception:  # one file must not leave the upload stuck in "processing"
                logger.exception("Upload %s, file %s could not be processed", upload.pk, upload_file.pk)
                refuse(upload, upload_file, _("This file could not be processed."))
                intake.discard_file(upload.pk, upload_file.pk)
        finish(upload, study_ids)
    return upload


def process_file(upload: Upload, upload_file: UploadFile, reference: Reference, study_ids: set[int]) -> None:
    """In bounded memory: the file decrypted chunk by chunk to a temporary file, a ZIP unpacked in
    blocks to files, each de-identified from its file to a file (deidentify.py, "Bounded memory")."""
    with intake.spooled(upload.pk, upload_file.pk, upload_file.size_bytes) as (path, length):
        if length < upload_file.size_bytes:
            refuse(
                upload, upload_file, _("Part of this file was lost before it could be read: send it again.")
            )
        elif intake.kind_of(intake.head_of(path)) == "zip":
            unpack(upload, upload_file, path, reference, study_ids)
        else:
            keep(upload, upload_file, path, reference, study_ids)
    intake.discard_file(upload.pk, upload_file.pk)


def refuse(upload: Upload, upload_file: UploadFile, message: str) -> None:
    with transaction.atomic():
        UploadFile.objects.filter(pk=upload_file.pk).update(
            status=UploadFile.Status.REFUSED, refusal=str(message)[:300], temp_name=""
        )
        Upload.objects.filter(pk=upload.pk).update(
            files_done=F("files_done") + 1, files_refused=F("files_refused") + 1
        )


def unpack(upload, upload_file, path, reference, study_ids) -> None:
    try:
        entries = list(intake.zip_entries(path, intake.work_dir(upload.pk)))
    except intake.ArchiveRefused as error:
        refuse(upload, upload_file, error.message)
        return
    try:
        unpack_entries(upload, upload_file, entries, reference, study_ids)
    finally:
        for entry in entries:
            if entry.path:
                os.unlink(entry.path)


def unpack_entries(upload, upload_file, entries, reference, study_ids) -> None:
    with transaction.atomic():
        rows = []
        for index, entry in enumerate(entries):
            rows.append(
                UploadFile(
                    upload=upload,
                    client_key=f"{upload_file.client_key}#{index}"[:300],
                    name=f"{upload_file.name}/{entry.name}"[-255:],
                    size_bytes=entry.size,
                    received_bytes=entry.received,
                    status=UploadFile.Status.RECEIVED,
                )
            )
        UploadFile.objects.bulk_create(rows)
        UploadFile.objects.filter(pk=upload_file.pk).update(
            status=UploadFile.Status.ACCEPTED, is_archive=True, temp_name=""
        )
        # The archive counts as its entries: one file announced becomes len(entries).
        Upload.objects.filter(pk=upload.pk).update(files_total=F("files_total") + len(entries) - 1)
    created = list(upload.files.filter(client_key__startswith=f"{upload_file.client_key}#").order_by("pk"))
    by_key = {row.client_key: row for row in created}
    for index, entry in enumerate(entries):
        row = by_key.get(f"{upload_file.client_key}#{index}"[:300])
        if row is None:
            continue
        if entry.refusal:
            refuse(upload, row, entry.refusal)
        else:
            keep(upload, row, entry.path, reference, study_ids)


def keep(upload, upload_file, source, reference, study_ids) -> None:
    """De-identify one file (its path) and store it in its study and series; or refuse it, saying why."""
    with tempfile.TemporaryDirectory(dir=intake.work_dir(upload.pk), prefix="deid-") as work:
        keep_as(upload, upload_file, source, Path(work) / "out.dcm", reference, study_ids)


def keep_as(upload, upload_file, source, out, reference, study_ids) -> None:
    try:
        result = deidentify(source, patient_pseudonym=upload.patient.pseudonym, with_preview=True, out=out)
    except DicomRefused as error:
        refuse(upload, upload_file, error.message)
        return
    except Exception:  # a file pydicom chokes on is that file's problem, never the upload's
        logger.exception("Upload %s, file %s could not be de-identified", upload.pk, upload_file.pk)
        refuse(upload, upload_file, _("This file could not be read as DICOM."))
        return
    if message := reference.refusal(result):
        refuse(upload, upload_file, message)
        return
    store = image_store()
    try:
        file_instance(upload, upload_file, result, out, store, study_ids)
    except IntegrityError:
        if not Instance.objects.filter(sop_uid=result.sop_uid).exists():
            raise
        # Another upload filed the same image between our check and our row: it is kept once, as theirs.
        file_instance(upload, upload_file, result, out, store, study_ids)


def file_instance(upload, upload_file, result: Deidentified, out: Path, store, study_ids) -> None:
    """Store the de-identified file and its Instance row in its study and series, in one transaction."""
    stored_name = ""
    try:
        with transaction.atomic():
            study = place_study(upload, result)
            if study is None:
                raise _Refused(_("This study was already sent for another patient."))
            series = place_series(study, result)
            if not Instance.objects.filter(sop_uid=result.sop_uid).exists():  # an image sent twice: kept once
                stored_name = store.save(f"{result.study_uid}/{result.series_uid}/{result.sop_uid}", out)
                Instance.objects.create(
                    series=series,
                    sop_uid=result.sop_uid,
                    sop_class_uid=result.sop_class_uid,
                    instance_number=result.instance_number,
                    slice_position=result.slice_position,
                    stored_name=stored_name,
                    size_bytes=result.size,
                    sha256=result.sha256,
                )
            UploadFile.objects.filter(pk=upload_file.pk).update(
                status=UploadFile.Status.ACCEPTED, temp_name=""
            )
            Upload.objects.filter(pk=upload.pk).update(files_done=F("files_done") + 1)
            study_ids.add(study.pk)
    except _Refused as error:
        refuse(upload, upload_file, error.message)
    except Exception:
        # A store that files by UID (Orthanc) gives two writers of one image the same name: the copy is
        # only ours to delete when no committed row holds it.
        held = Instance.objects.filter(sop_uid=result.sop_uid, stored_name=stored_name)
        if stored_name and not held.exists():
            store.delete(stored_name)
        raise


class _Refused(Exception):
    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


def place_study(upload: Upload, result: Deidentified) -> Study | None:
    """The study of this file (created on its first file); None if it is another patient's."""
    study, created = Study.objects.unscoped().get_or_create(
        study_uid=result.study_uid,
        defaults={
            "patient": upload.patient,
            "centre_id": upload.patient.centre_id,
            "uploaded_by": upload.user,
            "upload": upload,
            "description": result.study_description,
            "study_date": result.study_date,
            "status": Study.Status.PROCESSING,
        },
    )
    if study.patient_id != upload.patient_id:
        return None
    if not created and study.status != Study.Status.PROCESSING:
        # New images for a study already checked: it is checked again before anyone else sees them.
        Study.objects.unscoped().filter(pk=study.pk).update(status=Study.Status.PROCESSING, upload=upload)
    return study


def place_series(study: Study, result: Deidentified) -> Series:
    series, created = Series.objects.get_or_create(
        series_uid=result.series_uid,
        defaults={
            "study": study,
            "number": result.series_number,
            "modality": result.modality,
            "description": result.series_description,
            "rows": result.rows,
            "columns": result.columns,
            "burned_in_reasons": result.burned_in_reasons,
            "preview_before": json.dumps(
                [{"keyword": r["keyword"], "value": r["before"]} for r in result.preview]
            ),
            "preview_after": [{"keyword": r["keyword"], "value": r["after"]} for r in result.preview],
        },
    )
    if not created:
        reasons = [r for r in result.burned_in_reasons if r not in series.burned_in_reasons]
        if reasons:
            series.burned_in_reasons = [*series.burned_in_reasons, *reasons]
            series.save(update_fields=["burned_in_reasons"])
    return series


def finish(upload: Upload, study_ids: set[int]) -> None:
    """Every study touched waits for its check, with its counts; the upload is done."""
    with transaction.atomic():
        for study in Study.objects.unscoped().filter(pk__in=study_ids).select_for_update():
            series = list(
                study.series.annotate(count=Count("instances"), size=Sum("instances__size_bytes")).order_by(
                    "pk"
                )
            )
            for one in series:
                if one.instance_count != one.count:
                    Series.objects.filter(pk=one.pk).update(instance_count=one.count)
            study.series_count = len(series)
            study.instance_count = sum(one.count for one in series)
            study.size_bytes = sum(one.size or 0 for one in series)
            study.modalities = ",".join(sorted({one.modality for one in series if one.modality}))[:64]
            study.burned_in_risk = any(one.burned_in_reasons for one in series)
            study.status = Study.Status.REVIEW
            study.save()
        now = timezone.now()
        Upload.objects.filter(pk=upload.pk).update(status=Upload.Status.DONE, finished_at=now, touched_at=now)
        upload.refresh_from_db()
        record(
            None,
            PROCESSED,
            upload,
            {
                "pseudonym": upload.patient.pseudonym,
                "studies": sorted(study_ids),
                "files": upload.files_total,
                "refused": upload.files_refused,
            },
        )
    intake.discard_upload(upload.pk)
