"""The sweep of abandoned uploads (the beat task "imaging.sweep_abandoned_uploads", hourly, and the
command `manage.py sweep_abandoned_uploads`).

An upload untouched for settings.IMAGING_ABANDONED_AFTER_HOURS (Upload.touched_at: files announced,
a chunk received, finished, a region masked) is abandoned when it still holds something nobody
confirmed:

- still receiving: the encrypted raw bytes waiting in the intake folder are deleted, its files not
  complete are refused;
- done, with studies still waiting for the uploader's check: those never confirmed are deleted
  (rows and stored de-identified files); one confirmed before and waiting again (new images came)
  keeps its images, only its identifying "before" preview is emptied.

The upload is then ABANDONED (its page says so; the browser starts a new one), with one audit event
giving the counts. An upload being de-identified is left to the worker (its task is retried).
Each upload is claimed under its row lock (skip locked: two sweeps never do the same one); the
files are deleted once the transaction has committed. Intake folders left behind by uploads no
longer receiving (a chunk that arrived as the sweep ran, a crash) are deleted too.
"""

import logging
import shutil
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import Count, F, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from cpms.audit.record import record

from . import intake
from .models import Instance, Series, Study, Upload, UploadFile
from .stores import ImageStoreError, image_store

logger = logging.getLogger(__name__)
ABANDONED = "imaging.upload.abandoned"
SWEPT = (Upload.Status.RECEIVING, Upload.Status.DONE)


@dataclass
class Swept:
    uploads: int = 0
    files: int = 0
    raw_bytes: int = 0
    studies: int = 0
    instances: int = 0
    folders: int = 0


def cutoff(now=None):
    return (now or timezone.now()) - timedelta(hours=settings.IMAGING_ABANDONED_AFTER_HOURS)


def abandoned_upload_ids(before) -> list[int]:
    """Untouched since `before`, still receiving, or done with a study waiting for its check."""
    receiving = Upload.objects.filter(status=Upload.Status.RECEIVING, touched_at__lt=before)
    reviewing = Upload.objects.filter(
        status=Upload.Status.DONE, touched_at__lt=before, studies__status=Study.Status.REVIEW
    )
    ids = set(receiving.values_list("pk", flat=True)) | set(reviewing.values_list("pk", flat=True))
    return sorted(ids)


def sweep_abandoned_uploads(now=None) -> Swept:
    before, swept = cutoff(now), Swept()
    for upload_id in abandoned_upload_ids(before):
        abandon(upload_id, before, swept)
    swept.folders = discard_left_behind()
    return swept


def abandon(upload_id: int, before, swept: Swept) -> None:
    with transaction.atomic():
        upload = (
            Upload.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("patient", "user")
            .filter(pk=upload_id, status__in=SWEPT, touched_at__lt=before)
            .first()
        )
        if upload is None:
            return  # touched since, or another sweep has it
        with override(getattr(upload.user, "email_language", "") or None):
            refusal = _("Not received in time: the upload was left unfinished for %(hours)s hours.") % {
                "hours": settings.IMAGING_ABANDONED_AFTER_HOURS
            }
        waiting = upload.files.filter(status__in=(UploadFile.Status.RECEIVING, UploadFile.Status.RECEIVED))
        files = waiting.aggregate(count=Count("pk"), size=Sum("received_bytes"))
        file_count, raw_bytes = files["count"] or 0, files["size"] or 0
        waiting.update(status=UploadFile.Status.REFUSED, refusal=refusal[:300], temp_name="")

        in_review = Study.objects.unscoped().filter(upload=upload, status=Study.Status.REVIEW)
        never_confirmed = in_review.filter(confirmed_at__isnull=True)
        stored = list(
            Instance.objects.filter(series__study__in=never_confirmed).values_list("stored_name", flat=True)
        )
        study_count = never_confirmed.count()
        never_confirmed.delete()
        Series.objects.filter(study__in=in_review).update(
            preview_before=""
        )  # the ones left: confirmed before

        Upload.objects.filter(pk=upload.pk).update(
            status=Upload.Status.ABANDONED,
            finished_at=upload.finished_at or timezone.now(),
            files_done=F("files_done") + file_count,
            files_refused=F("files_refused") + file_count,
        )
        counts = {
            "files": file_count,
            "raw_bytes": raw_bytes,
            "studies": study_count,
            "instances": len(stored),
        }
        record(None, ABANDONED, upload, {"pseudonym": upload.patient.pseudonym, **counts})
        transaction.on_commit(lambda: delete_files(upload.pk, stored))
    swept.uploads += 1
    swept.files += file_count
    swept.raw_bytes += raw_bytes
    swept.studies += study_count
    swept.instances += len(stored)


def delete_files(upload_id: int, stored_names: list[str]) -> None:
    intake.discard_upload(upload_id)
    store = image_store()
    for name in stored_names:
        try:
            store.delete(name)
        except ImageStoreError:  # de-identified and unreferenced: logged, the sweep goes on
            logger.warning("Abandoned upload %s: stored image %s could not be deleted", upload_id, name)


def discard_left_behind() -> int:
    """Intake folders of uploads no longer receiving nor being processed (or gone): deleted."""
    root = Path(settings.IMAGING_INTAKE_DIR)
    if not root.is_dir():
        return 0
    folders = {int(path.name): path for path in root.iterdir() if path.is_dir() and path.name.isdigit()}
    if not folders:
        return 0
    busy = set(
        Upload.objects.filter(
            pk__in=list(folders), status__in=(Upload.Status.RECEIVING, Upload.Status.PROCESSING)
        ).values_list("pk", flat=True)
    )
    left = [path for pk, path in folders.items() if pk not in busy]
    for path in left:
        shutil.rmtree(path, ignore_errors=True)
    return len(left)
