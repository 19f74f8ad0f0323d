"""The images' background work: de-identifying an upload (processing.py)."""

from celery import shared_task

from cpms.lib.tasks import ReliableTask

from . import processing


@shared_task(base=ReliableTask, name="imaging.process_upload")
def process_upload(upload_id: int) -> int:
    """De-identify, group and store the received files of an upload; how many files it has done."""
    return processing.process_upload(upload_id).files_done
