"""The reports' background work: making an activity report file (in-process in the embedded default), and
the daily KPI roll-up (CELERY_BEAT_SCHEDULE)."""

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


@shared_task(name="reports.roll_up_kpis")
def roll_up_kpis() -> int:
    """Daily: store the months over of every ERN that the KPI roll-up lacks or that a forward touched."""
    from cpms.access.models import OrganisationNode

    from .rollup import roll_up

    return sum(
        roll_up(pk)
        for pk in OrganisationNode.objects.filter(kind=OrganisationNode.Kind.ERN).values_list("pk", flat=True)
    )
