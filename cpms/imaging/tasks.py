"""The images' background work: de-identifying an upload (processing.py), sweeping the abandoned
ones (abandoned.py, hourly on beat)."""

from celery import shared_task

from cpms.lib.tasks import ReliableTask

from . import abandoned, processing


@shared_task(base=ReliableTask, name="imaging.process_upload")
def process_upload(upload_id: int) -> int:
    """De-identify, group and store the received files of an upload; how many files it has done."""
    return processing.process_upload(upload_id).files_done


@shared_task(base=ReliableTask, name="imaging.sweep_abandoned_uploads")
def sweep_abandoned_uploads() -> int:
    """Delete what uploads left untouched still hold; how many uploads were abandoned."""
    return abandoned.sweep_abandoned_uploads().uploads
