"""The report task through a real Redis and Celery worker, and what it does when it fails."""

import datetime

from django.core import mail
from django.test import Client
from django.urls import reverse

from cpms.panels.tests.factories import make_panel_world
from cpms.test import sign_in

from ..models import ReportRun
from ..tasks import make_report


def test_it_makes_the_report_through_the_worker(broker):
    world = make_panel_world()
    client = sign_in(Client(), world.triager)
    data = {"ern": world.rnd.ern.pk, "from_month": "2025-01", "to_month": "2025-12", "format": "xlsx"}
    response = client.post(reverse("reports:report-request"), data)
    assert response.status_code == 302
    broker.wait_for("reports.make_report")
    run = ReportRun.objects.get()
    assert (run.status, run.progress) == ("done", 100)
    broker.wait_for("lib.deliver_email")
    assert mail.outbox[-1].to == [world.triager.email]
    download = client.get(reverse("reports:report-download", args=[run.pk]))
    assert download.status_code == 200 and download.content.startswith(b"PK")  # a ZIP: the XLSX


def test_a_run_that_fails_says_so(world, settings):
    run = ReportRun.objects.create(
        requested_by=world.triager,
        ern=world.rnd.ern,
        first_month=datetime.date(2025, 1, 1),
        last_month=datetime.date(2025, 12, 1),
        format="csv",
    )
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "cpms.reports.tests.test_make_report.Refusing"},
    }
    make_report.apply((run.pk,), retries=make_report.max_retries)
    run.refresh_from_db()
    assert run.status == "failed" and run.finished_at is not None


class Refusing:
    """A storage that cannot save (a full disk, a storage service down)."""

    def __init__(self, *args, **kwargs):
        pass

    def save(self, *args, **kwargs):
        raise PermissionError("no space left")
