import datetime

from django.test import Client
from django.urls import reverse

from cpms.test import sign_in

from ..models import ReportRun


def run_of(world, **extra) -> ReportRun:
    return ReportRun.objects.create(
        requested_by=world.triager,
        ern=world.rnd.ern,
        first_month=datetime.date(2025, 1, 1),
        last_month=datetime.date(2025, 12, 1),
        format="pdf",
        **extra,
    )


def url(run) -> str:
    return reverse("reports:report-detail", args=[run.pk])


def test_it_sends_anonymous_visitors_to_sign_in(client, world):
    response = client.get(url(run_of(world)))
    assert response.status_code == 302 and response.url.startswith(reverse("identity:login"))


def test_it_is_for_its_requester_only(world):
    run = run_of(world)
    assert sign_in(Client(), world.dispatcher).get(url(run)).status_code == 404
    assert sign_in(Client(), world.other_ern).get(url(run)).status_code == 404
    assert (
        sign_in(Client(), world.triager).get(reverse("reports:report-detail", args=[10**9])).status_code
        == 404
    )


def test_it_shows_the_progress_and_asks_again_until_it_is_ready(world):
    run = run_of(world, status="running", progress=50)
    client = sign_in(Client(), world.triager)
    page = client.get(url(run)).content.decode()
    assert (
        "Being made" in page and '<progress class="w-100 mb-3" id="report-bar" max="100" value="50">' in page
    )
    assert f'hx-get="{url(run)}" hx-trigger="every 2s"' in page
    part = client.get(url(run), headers={"HX-Request": "true"}).content.decode()
    assert part.strip().startswith('<div id="report-status"') and "<html" not in part


def test_it_says_when_it_failed(world):
    page = sign_in(Client(), world.triager).get(url(run_of(world, status="failed"))).content.decode()
    assert "could not be made" in page and "hx-trigger" not in page


def test_a_file_not_ready_cannot_be_downloaded(world):
    run = run_of(world, status="running")
    client = sign_in(Client(), world.triager)
    assert client.get(reverse("reports:report-download", args=[run.pk])).status_code == 404


def test_someone_elses_file_cannot_be_downloaded(world):
    run = run_of(world, status="done", storage_name="reports/1/x.pdf")
    client = sign_in(Client(), world.dispatcher)
    assert client.get(reverse("reports:report-download", args=[run.pk])).status_code == 404
