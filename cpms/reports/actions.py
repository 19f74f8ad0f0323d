"""Every write of the reports: the request for an activity report file, and its making (tasks.py)."""

import uuid

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone, translation

from cpms.audit.record import record
from cpms.lib.email import send_email_on_commit
from cpms.lib.tasks import run_on_commit

from .kpis import Filters, Period, compute_kpis
from .models import ReportFormat, ReportRun
from .queries import centres_of


def filter_data(filters: Filters) -> dict:
    """What the trail records of a request's filters (ids and months, nothing else)."""
    return {
        "ern": filters.ern.pk,
        "from": f"{filters.period.first:%Y-%m}",
        "to": f"{filters.period.last:%Y-%m}",
        "centre": filters.centre.pk if filters.centre else None,
        "thematic_area": filters.thematic_area.pk if filters.thematic_area else None,
    }


def do_view_kpis(*, acting_user, filters: Filters) -> None:
    record(acting_user, "reports.kpis.viewed", filters.ern, filter_data(filters))


@transaction.atomic
def do_request_report(*, acting_user, filters: Filters, format: str) -> ReportRun:
    """A report run for the user, made in the background once this commits."""
    from .tasks import make_report

    run = ReportRun.objects.create(
        requested_by=acting_user,
        ern=filters.ern,
        first_month=filters.period.first,
        last_month=filters.period.last,
        centre=filters.centre,
        thematic_area=filters.thematic_area,
        format=format,
    )
    record(acting_user, "reports.report.requested", run, {**filter_data(filters), "format": format})
    run_on_commit(make_report, run.pk)
    return run


def do_download_report(*, acting_user, run: ReportRun) -> bytes:
    record(acting_user, "reports.report.downloaded", run, {"format": run.format})
    with default_storage.open(run.storage_name, "rb") as file:
        return file.read()


def set_progress(run: ReportRun, progress: int, **fields) -> None:
    run.progress = progress
    for name, value in fields.items():
        setattr(run, name, value)
    ReportRun.objects.filter(pk=run.pk).update(progress=progress, **fields)


def report_language(user) -> str:
    wanted = getattr(user, "email_language", "") or ""
    return wanted if wanted in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def make_report_file(run: ReportRun) -> None:
    """Compute the KPIs of the run's filters, render its file, store it and tell the requester.

    Idempotent enough to run twice: a finished run is left alone."""
    from .exports import render_csv, render_pdf, render_xlsx

    if run.status == ReportRun.Status.DONE:
        return
    set_progress(run, 10, status=ReportRun.Status.RUNNING)
    filters = Filters(
        ern=run.ern,
        period=Period(run.first_month, run.last_month),
        centre=run.centre,
        thematic_area=run.thematic_area,
    )
    language = report_language(run.requested_by)
    with translation.override(language):
        kpis = compute_kpis(filters, [centre.pk for centre in centres_of(run.ern)])
        set_progress(run, 50)
        if run.format == ReportFormat.PDF:
            content = render_pdf(kpis, language)
        elif run.format == ReportFormat.XLSX:
            content = render_xlsx(kpis)
        else:
            content = render_csv(kpis)
    set_progress(run, 90)
    name = default_storage.save(f"reports/{run.ern_id}/{uuid.uuid4().hex}.{run.format}", ContentFile(content))
    with transaction.atomic():
        set_progress(run, 100, status=ReportRun.Status.DONE, storage_name=name, finished_at=timezone.now())
        user = run.requested_by
        send_email_on_commit(
            user.email, "reports/email/report_ready", {"user": user, "run": run}, language=language
        )


def mark_failed(run_id: int) -> None:
    ReportRun.objects.filter(pk=run_id).exclude(status=ReportRun.Status.DONE).update(
        status=ReportRun.Status.FAILED, finished_at=timezone.now()
    )
