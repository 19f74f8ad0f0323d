"""The Celery application: e-mails, SMS and the regular jobs run as tasks.

Settings come from config/settings.py (the CELERY_ names). Without a broker (the embedded
default) tasks run in the process that asks for them, after commit (see cpms.lib.tasks); with
CELERY_BROKER_URL or REDIS_URL they go through Redis to `celery -A config worker`, and
`celery -A config beat` sends the regular jobs of CELERY_BEAT_SCHEDULE (deploy/README.md).
"""

import logging
import os

from celery import Celery
from celery.signals import task_failure

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

logger = logging.getLogger("cpms.tasks")

# cpms.lib is no Django app, so autodiscovery (each app's tasks.py) does not see its modules.
app = Celery("cpms", include=["cpms.lib.email", "cpms.lib.sms"])
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@task_failure.connect
def record_task_failure(sender=None, task_id=None, exception=None, **kwargs):
    """A task that failed for good (its retries spent) is logged and kept in the audit trail.

    Only the task's name, id, number of retries and the kind of error: its arguments hold
    addresses, message bodies and codes, which neither logs nor the trail may keep.
    """
    from cpms.audit.record import record  # the apps are loaded by the time a task runs

    request = getattr(sender, "request", None)
    in_process = bool(getattr(request, "is_eager", False))  # no broker: tried once (cpms.lib.tasks)
    retries = 0 if in_process else getattr(request, "retries", 0) or 0
    name = getattr(sender, "name", "?")
    logger.error("Task %s (%s) failed after %d retries: %s", name, task_id, retries, type(exception).__name__)
    try:
        record(
            None,
            "lib.task.failed",
            None,
            {
                "task": name,
                "task_id": task_id,
                "retries": retries,
                "in_process": in_process,
                "error": type(exception).__name__,
            },
        )
    except Exception:  # the trail's database may be what failed: the log above still tells
        logger.exception("The failure of task %s could not be recorded in the audit trail", name)
