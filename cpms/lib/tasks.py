"""What every CPMS task shares: retries with backoff, late acknowledgement, and a dispatch after commit.

`run_on_commit(task, *args)` queues the task once the transaction commits. With a broker, a worker
runs it; a task that fails with one of its `autoretry_for` errors is tried again after 1, 2, 4 …
seconds (with jitter, at most RETRY_BACKOFF_MAX), and after `max_retries` it fails for good:
config.celery logs it and records `lib.task.failed` in the audit trail. Without a broker (the
embedded default) it runs here, once: retrying in-process would hold the request.
"""

import logging

from celery import Task
from django.db import transaction

logger = logging.getLogger(__name__)

MAX_RETRIES = 6
RETRY_BACKOFF_MAX = 10 * 60


class ReliableTask(Task):
    """The base of our tasks: arguments must be JSON, the work idempotent enough to run twice.

    acks_late: a worker that dies mid-task leaves its message in the queue, for another worker.
    """

    acks_late = True
    reject_on_worker_lost = True
    autoretry_for = (OSError,)
    max_retries = MAX_RETRIES
    retry_backoff = True
    retry_backoff_max = RETRY_BACKOFF_MAX
    retry_jitter = True


def run_now(task: Task, args: tuple = (), kwargs: dict | None = None, **options) -> None:
    """Queue `task`, or run it here, once, when there is no broker (or it cannot be reached)."""
    if not task.app.conf.task_always_eager:
        try:
            task.apply_async(args, kwargs, **options)
            return
        except Exception:  # the broker is down: the work is still done, the request still answered
            logger.exception("Task %s could not be queued: it runs in this process", task.name)
    # retries=max_retries: a failure is final at once, recorded by config.celery, never raised here.
    task.apply(args, kwargs, retries=task.max_retries)


def run_on_commit(task: Task, *args, **options) -> None:
    """Run `task(*args)` once the current transaction commits (at once outside of one)."""
    transaction.on_commit(lambda: run_now(task, args, **options))
