"""The research store's background work: the sweep, on Celery beat (CELERY_BEAT_SCHEDULE)."""

from celery import shared_task

from cpms.lib.tasks import ReliableTask

from .sweep import run_sweep


@shared_task(base=ReliableTask, name="research.sweep")
def sweep() -> dict[str, int]:
    return run_sweep().as_dict()
