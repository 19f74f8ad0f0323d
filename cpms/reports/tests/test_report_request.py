"""Asking for the activity report: made in the background (in-process here), then e-mailed as a link."""

import csv
import io

import openpyxl
import pytest
from django.core import mail
from django.test import Client, TestCase
from django.urls import reverse
from pypdf import PdfReader

from cpms.audit.models import AuditEvent
from cpms.test import link_in, sign_in

from ..exports import COLUMNS
from ..models import ReportRun
from .helpers import build_activity

URL = reverse("reports:report-request")


def ask(client, world, status=302, **extra):
    data = {"ern": world.rnd.ern.pk, "from_month": "2025-01", "to_month": "2025-12", "format": "csv", **extra}
    with TestCase.captureOnCommitCallbacks(execute=True):  # the task and the e-mail, as after a commit
        response = client.post(URL, data)
    assert response.status_code == status, response.content.decode()[-2000:]
    return response


def download(client, run: ReportRun) -> bytes:
    response = client.get(reverse("reports:report-download", args=[run.pk]))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert response["Content-Disposition"] == f'attachment; filename="{run.file_name}"'
    return response.content


def test_it_sends_anonymous_visitors_to_sign_in(client):
    response = client.post(URL)
    assert response.status_code == 302 and response.url.startswith(reverse("identity:login"))


def test_it_is_for_coordinators_of_the_ern_only(world):
    ask(sign_in(Client(), world.enrolling), world, status=404)
    ask(sign_in(Client(), world.other_ern), world, status=404)
    assert not ReportRun.objects.exists()


def test_it_makes_the_report_and_emails_the_link(world):
    client = sign_in(Client(), world.triager)
    response = ask(client, world)
    run = ReportRun.objects.get()
    assert response.url == reverse("reports:report-detail", args=[run.pk])
    assert (run.status, run.progress, run.requested_by_id, run.format) == (
        "done",
        100,
        world.triager.pk,
        "csv",
    )
    assert run.finished_at is not None
    message = mail.outbox[-1]
    assert message.to == [world.triager.email] and "activity report" in message.subject
    assert link_in(message) == response.url
    page = client.get(response.url).content.decode()
    assert "Ready" in page and reverse("reports:report-download", args=[run.pk]) in page
    assert 'aria-live="polite"' in page and "hx-trigger" not in page
    event = AuditEvent.objects.get(action="reports.report.requested")
    assert event.actor_id == world.triager.pk and event.data["format"] == "csv"


def test_the_csv_has_every_figure_in_its_columns(world):
    build_activity(world)
    client = sign_in(Client(), world.triager)
    ask(client, world)
    rows = list(csv.reader(io.StringIO(download(client, ReportRun.objects.get()).decode("utf-8-sig"))))
    assert rows[0] == list(COLUMNS)
    assert ["summary", "Panels requested", "", "5"] in rows
    assert ["summary", "Closed panels with two contributions or more (%)", "", "25.0"] in rows
    assert ["panels_per_month", "2025-03", "requested", "2"] in rows
    assert ["time_to_outcome", "Routine", "median_days", "20.0"] in rows
    assert ["time_to_outcome", "Urgent", "p90_days", "4.0"] in rows
    assert ["panels_per_centre", "DE05 - University Hospital Bonn", "panels", "1"] in rows
    assert ["orpha_codes", "ORPHA:558 Marfan syndrome", "patients", "2"] in rows
    assert ["contributions_per_member", "Erik Larsen", "contributions", "3"] in rows
    assert all(world.patient.pseudonym not in ",".join(row) for row in rows)
    assert (
        AuditEvent.objects.filter(action="reports.report.downloaded", actor_id=world.triager.pk).count() == 1
    )


def test_the_xlsx_has_the_same_cells(world):
    build_activity(world)
    client = sign_in(Client(), world.triager)
    ask(client, world, format="xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(download(client, ReportRun.objects.get()))).active
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert rows[0] == list(COLUMNS)
    assert ["summary", "Panels requested", None, 5] in rows
    assert ["time_to_outcome", "Routine", "p90_days", 30] in rows
    assert ["panels_per_thematic_area", "Ataxia", "panels", 1] in rows


def test_the_pdf_says_the_figures(world):
    build_activity(world)
    client = sign_in(Client(), world.triager)
    ask(client, world, format="pdf")
    content = download(client, ReportRun.objects.get())
    assert content.startswith(b"%PDF")
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    assert "Activity report of ERN-RND" in text
    assert "2025-01 – 2025-12" in text
    assert "Panels requested 5" in text
    assert "ORPHA:558 Marfan syndrome 2" in text
    assert "Time from request to outcome" in text
    assert world.patient.pseudonym not in text


def test_it_is_made_in_the_requesters_language(world):
    world.triager.email_language = "fr"
    world.triager.save()
    client = sign_in(Client(), world.triager)
    ask(client, world)
    rows = download(client, ReportRun.objects.get()).decode("utf-8-sig")
    assert "Panels requested" not in rows
    assert "rapport" in mail.outbox[-1].subject.lower()


@pytest.mark.parametrize(
    "extra", [{"format": "docx"}, {"format": ""}, {"from_month": "2025-99"}, {"centre": "x"}]
)
def test_it_refuses_bad_input_with_a_message(world, extra):
    response = ask(sign_in(Client(), world.triager), world, status=400, **extra)
    assert "invalid-feedback" in response.content.decode()
    assert not ReportRun.objects.exists()


def test_it_answers_only_posts(world):
    assert sign_in(Client(), world.triager).get(URL).status_code == 405
