"""Every write of intake: `do_<verb>_<noun>(*, acting_user, …)`, atomic, checked, audited.

An upload starts (for a patient, maybe from a panel), its files are announced (a file claimed
larger than a file may be is refused before a byte is read), received in chunks (a chunk at the
wrong offset is answered with where to go on), and finished: the background worker de-identifies
it (processing.py). The study then waits for its check: masking a region of a series, and
"Confirm and share" (READY, shared with the chosen panels; the tags before are emptied).
"""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from cpms.audit.record import record
from cpms.lib.tasks import run_on_commit

from . import intake, masking
from .models import Series, Study, Upload, UploadFile
from .stores import ImageStoreError

STARTED = "imaging.upload.started"
FILES_ADDED = "imaging.upload.files_added"
FILE_RECEIVED = "imaging.upload.file_received"
FINISHED = "imaging.upload.finished"
MASKED = "imaging.series.masked"
CONFIRMED = "imaging.study.confirmed"
MAX_NAME = 255
MAX_KEY = 300


class IntakeRefused(Exception):
    """A step the upload's or study's state does not allow; `message` says why, for the page."""

    def __init__(self, message, status: int = 400):
        super().__init__(str(message))
        self.message = message
        self.status = status


def do_start_upload(*, acting_user, patient, panel=None) -> Upload:
    with transaction.atomic():
        upload = Upload.objects.create(patient=patient, panel=panel, user=acting_user)
        record(
            acting_user,
            STARTED,
            upload,
            {"pseudonym": patient.pseudonym, "panel": panel.pk if panel else None},
        )
    return upload


def lock_upload(upload: Upload) -> Upload:
    return Upload.objects.select_for_update().get(pk=upload.pk)


def require_receiving(upload: Upload) -> None:
    if upload.status != Upload.Status.RECEIVING:
        raise IntakeRefused(_("This upload is finished: start a new one to send more files."), status=409)


def do_add_upload_files(*, acting_user, upload: Upload, files: list[dict]) -> list[UploadFile]:
    """Announce files ({"key", "name", "size"}); the same key again is the same file (resume).

    Neither the key nor the name is kept readable (either may carry the patient's name in a folder
    path): the key as a keyed hash (intake.file_key), the name encrypted. Each returned row carries
    `browser_key`, the key as the browser sent it."""
    with transaction.atomic():
        upload = lock_upload(upload)
        require_receiving(upload)
        existing = {f.client_key: f for f in upload.files.all()}
        room = settings.IMAGING_MAX_UPLOAD_FILES - len(existing)
        result, added, refused = [], 0, 0
        for item in files:
            browser_key = str(item["key"])[:MAX_KEY]
            key = intake.file_key(upload.pk, browser_key)
            if key in existing:
                existing[key].browser_key = browser_key
                result.append(existing[key])
                continue
            name, size = str(item["name"])[:MAX_NAME], int(item["size"])
            refusal = ""
            if size > settings.IMAGING_MAX_FILE_BYTES:
                refusal = intake.too_large_message(size)
            elif size == 0:
                refusal = _("It is empty.")
            elif added >= room:
                refusal = _("An upload may have %(limit)s files at most: start another one for the rest.") % {
                    "limit": settings.IMAGING_MAX_UPLOAD_FILES
                }
            status = UploadFile.Status.REFUSED if refusal else UploadFile.Status.RECEIVING
            created = UploadFile.objects.create(
                upload=upload, client_key=key, name=name, size_bytes=size, status=status, refusal=refusal
            )
            created.browser_key = browser_key  # answered back as sent: the browser matches its files by it
            existing[key] = created
            result.append(created)
            added += 1
            refused += bool(refusal)
        Upload.objects.filter(pk=upload.pk).update(
            files_total=F("files_total") + added,
            files_refused=F("files_refused") + refused,
            files_done=F("files_done") + refused,  # a refused file is done with
            touched_at=timezone.now(),
        )
        if added:
            record(acting_user, FILES_ADDED, upload, {"added": added, "refused": refused})
    return result


def do_receive_chunk(*, acting_user, upload: Upload, file_id: int, offset: int, data: bytes) -> UploadFile:
    """Keep a chunk when it starts where the file stands; IntakeRefused (409) says where otherwise."""
    with transaction.atomic():
        try:
            upload_file = (
                UploadFile.objects.select_for_update().select_related("upload").get(pk=file_id, upload=upload)
            )
        except (UploadFile.DoesNotExist, ValueError, TypeError):
            raise IntakeRefused(_("This file is not part of the upload."), status=404) from None
        require_receiving(upload_file.upload)
        if upload_file.status != UploadFile.Status.RECEIVING:
            return upload_file  # received already, or refused: nothing more to keep
        if offset != upload_file.received_bytes:
            raise IntakeRefused(
                _("This part does not follow on: send from where the server stands."), status=409
            )
        if (
            not data
            or offset + len(data) > upload_file.size_bytes
            or len(data) > settings.IMAGING_CHUNK_BYTES
        ):
            raise IntakeRefused(_("This part is empty or goes past the end of the file."), status=400)
        intake.write_chunk(upload.pk, upload_file.pk, offset, data)
        upload_file.received_bytes = offset + len(data)
        fields = ["received_bytes"]
        if upload_file.received_bytes == upload_file.size_bytes:
            upload_file.status = UploadFile.Status.RECEIVED
            upload_file.temp_name = str(intake.folder_of(upload.pk, upload_file.pk))
            fields += ["status", "temp_name"]
            record(
                acting_user, FILE_RECEIVED, upload, {"file": upload_file.pk, "size": upload_file.size_bytes}
            )
        upload_file.save(update_fields=fields)
        touch(upload_file.upload)
    return upload_file


TOUCH_EVERY = timedelta(minutes=1)


def touch(upload: Upload) -> None:
    """The upload is in use (abandoned.py sweeps those left untouched): written once a minute at
    most, not on every chunk."""
    now = timezone.now()
    if upload.touched_at < now - TOUCH_EVERY:
        Upload.objects.filter(pk=upload.pk).update(touched_at=now)


def do_finish_upload(*, acting_user, upload: Upload) -> Upload:
    """No more files: what is incomplete is refused, the rest goes to the background worker."""
    from .tasks import process_upload  # the task module imports processing, which imports us

    with transaction.atomic():
        upload = lock_upload(upload)
        require_receiving(upload)
        incomplete = list(upload.files.filter(status=UploadFile.Status.RECEIVING))
        for upload_file in incomplete:
            upload_file.status = UploadFile.Status.REFUSED
            upload_file.refusal = _("Only part of this file arrived before the upload was finished.")
            upload_file.save(update_fields=["status", "refusal"])
            transaction.on_commit(lambda f=upload_file: intake.discard_file(upload.pk, f.pk))
        upload.status = Upload.Status.PROCESSING
        upload.files_refused = upload.files_refused + len(incomplete)
        upload.files_done = upload.files_done + len(incomplete)
        upload.touched_at = timezone.now()
        upload.save(update_fields=["status", "files_refused", "files_done", "touched_at"])
        record(acting_user, FINISHED, upload, {"files": upload.files_total, "incomplete": len(incomplete)})
        run_on_commit(process_upload, upload.pk)
    return upload


# -- the check before sharing


def lock_study(study: Study) -> Study:
    return Study.objects.unscoped().select_for_update().get(pk=study.pk)


def require_review(study: Study) -> None:
    if study.status != Study.Status.REVIEW:
        raise IntakeRefused(
            _("This study is %(status)s: it cannot be changed now.") % {"status": study.get_status_display()},
            status=409,
        )


def do_mask_series(*, acting_user, study: Study, series_id: int, region: dict) -> Series:
    """Blank a rectangle of every image of a series, in the stored files themselves.

    Where the store replaces the files one by one (Orthanc), the series is first marked unfinished in
    a transaction of its own: if the store fails, or the process stops, midway, the mark stays, the
    review page says so, and the study cannot be shared until a masking of the series finishes.
    """
    unfinished_before = True  # what a refusal leaves: as it was
    if masking.replaces_one_by_one():
        with transaction.atomic():
            series = _series_to_mask(study, series_id)
            unfinished_before = series.masking_unfinished
            series.masking_unfinished = True
            series.save(update_fields=["masking_unfinished"])
    try:
        with transaction.atomic():
            series = _series_to_mask(study, series_id)
            masking.mask_series(series, region)
            series.masked_regions = [*series.masked_regions, region]
            series.masking_unfinished = False
            series.save(update_fields=["masked_regions", "masking_unfinished"])
            if study.upload_id:  # the uploader is at work on it: not abandoned
                Upload.objects.filter(pk=study.upload_id).update(touched_at=timezone.now())
            record(acting_user, MASKED, study, {"series": series.pk, "region": region})
    except masking.MaskRefused as error:  # refused before any file changed
        if not unfinished_before:
            Series.objects.filter(pk=series_id, study=study).update(masking_unfinished=False)
        raise IntakeRefused(error.message, status=error.status) from None
    except ImageStoreError as error:
        raise IntakeRefused(_store_failed_message(error), status=503) from None
    return series


def _series_to_mask(study: Study, series_id: int) -> Series:
    study = lock_study(study)
    require_review(study)
    try:
        return Series.objects.select_for_update().get(pk=series_id, study=study)
    except (Series.DoesNotExist, ValueError, TypeError):
        raise IntakeRefused(_("This series is not part of the study."), status=404) from None


def _store_failed_message(error: ImageStoreError) -> str:
    if masking.replaces_one_by_one():
        return _(
            "%(reason)s Some images of this series may already be masked and others not: mask the series "
            "again once the image store answers. The study cannot be shared until then."
        ) % {"reason": error.message}
    return _("%(reason)s Nothing was changed.") % {"reason": error.message}


def do_confirm_study(*, acting_user, study: Study, panel_ids, allowed_panel_ids) -> Study:
    """READY, shared with these panels (of `allowed_panel_ids`); the identifying preview is emptied."""
    chosen = sorted({int(pk) for pk in panel_ids} & set(allowed_panel_ids))
    with transaction.atomic():
        study = lock_study(study)
        require_review(study)
        if Series.objects.filter(study=study, masking_unfinished=True).exists():
            raise IntakeRefused(
                _("A masking of a series did not finish: mask that series again before sharing the study."),
                status=409,
            )
        study.status = Study.Status.READY
        study.confirmed_by = acting_user
        study.confirmed_at = timezone.now()
        study.save(update_fields=["status", "confirmed_by", "confirmed_at"])
        study.panels.add(*chosen)
        Series.objects.filter(study=study).update(preview_before="")
        record(
            acting_user,
            CONFIRMED,
            study,
            {
                "pseudonym": study.patient.pseudonym,
                "panels": chosen,
                "status": {"old": "review", "new": "ready"},
            },
        )
    return study
