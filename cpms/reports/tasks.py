"""The reports' background work: making an activity report file (in-process in the embedded default)."""

from celery import shared_task

from cpms.lib.tasks import ReliableTask

from .models import ReportRun


class ReportTask(ReliableTask):
    def on_failure(self, exc, task_id, args, kwargs, einfo):
        from .actions import mark_failed

        mark_failed(args[0])


@shared_task(base=ReportTask, name="reports.make_report")
def make_report(run_id: int) -> str:
    from .actions import make_report_file

    run = (
        ReportRun.objects.select_related("ern", "centre", "thematic_area", "requested_by")
        .filter(pk=run_id)
        .first()
    )
    if run is None:
        return "missing"
    make_report_file(run)
    return run.status
