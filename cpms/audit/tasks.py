"""The audit trail's regular job: seal what was committed and sign a checkpoint of the chain.

Scheduled by CELERY_BEAT_SCHEDULE (config/settings.py). A chain that is not intact fails the task,
which config.celery logs and records as `lib.task.failed`: someone must look at it.
"""

from celery import shared_task

from cpms.lib.tasks import ReliableTask

from .checkpoints import write_checkpoint


@shared_task(base=ReliableTask, name="audit.write_checkpoint")
def write_audit_checkpoint() -> int:
    """Every few minutes: returns the position in the chain that the new checkpoint signs."""
    return write_checkpoint().seq
