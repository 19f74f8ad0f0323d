import pytest
from django.test import Client
from django.urls import reverse

from cpms.access.tests.factories import make_administrator
from cpms.audit.models import AuditEvent
from cpms.patients.tests.factories import in_cpms
from cpms.test import sign_in

from ..rollup import roll_up
from .helpers import build_activity

URL = reverse("reports:report-list")
YEAR = {"from_month": "2025-01", "to_month": "2025-12"}
# Session, user, the gate, the ERNs, the ERN's centres and areas, the audit event, the user's recent
# runs, the header's unread notifications (9); the KPIs: the rolled-up months and the forwards since
# (2), the stored rows summed (4), the names of the centres, areas and members (3), the active users, the
# patients, the ORPHA codes (their counts, then the codes and labels) and the panels past their wished
# date (5), and for the months not rolled up, their rows from the panels (7). Before the first roll-up:
# the rolled-up months (none), then the whole period from the data in one pass, as
# compute_kpis_from_scratch does (10).
QUERIES = {
    "rolled up": 9 + 2 + 4 + 3 + 5,
    "not rolled up": 9 + 1 + 10,
    "current month": 9 + 2 + 3 + 7 + 3 + 5,
}


def page(client, status=200, **params) -> str:
    response = client.get(URL, params)
    assert response.status_code == status
    return response.content.decode()


def test_it_sends_anonymous_visitors_to_sign_in(client):
    response = client.get(URL)
    assert response.status_code == 302 and response.url.startswith(reverse("identity:login"))


@pytest.mark.parametrize("role", ("enrolling", "expert", "dispatcher", "researcher", "guest"))
def test_it_is_for_coordinators_only(world, role):
    assert sign_in(Client(), getattr(world, role)).get(URL).status_code == 404


def test_it_answers_404_for_an_ern_the_coordinator_does_not_coordinate(world):
    client = sign_in(Client(), world.other_ern)
    assert client.get(URL, {"ern": world.rnd.ern.pk}).status_code == 404
    assert client.get(URL, {"ern": "not-a-number"}).status_code == 404
    assert "EURO-NMD - Neuromuscular Diseases: reports" in page(client)


def test_it_shows_the_kpis_of_the_coordinators_ern_with_charts_and_tables(world):
    build_activity(world)
    html = page(sign_in(Client(), world.triager), **YEAR)
    assert "ERN-RND - Neurological Diseases: reports" in html
    for slug in ("monthly", "time-to-outcome", "centres", "countries", "areas"):
        assert f'<canvas data-chart="chart-{slug}-data"' in html
        assert f'<script id="chart-{slug}-data" type="application/json">' in html
        assert f'id="chart-{slug}-table"' in html
    assert '<th scope="row" class="fw-normal">2025-03</th><td class="text-end">2</td>' in html
    assert (
        '<th scope="row" class="fw-normal">Routine</th><td class="text-end">3</td>'
        '<td class="text-end">20.0</td>' in html
    )
    assert (
        '<th scope="row" class="fw-normal">ORPHA:558 Marfan syndrome</th><td class="text-end">2</td>' in html
    )
    assert "25.0 %" in html  # closed with two contributions or more
    assert 'src="/static/build/reports/charts.js"' in html
    assert world.patient.pseudonym not in html and "Grünwald" not in html


def test_it_records_who_looked_at_which_kpis(world):
    page(sign_in(Client(), world.triager), **YEAR)
    event = AuditEvent.objects.get(action="reports.kpis.viewed")
    assert event.actor_id == world.triager.pk and event.target_id == str(world.rnd.ern.pk)
    assert event.data == {
        "ern": world.rnd.ern.pk,
        "from": "2025-01",
        "to": "2025-12",
        "centre": None,
        "thematic_area": None,
    }


def test_it_says_what_to_do_when_there_are_no_panels_in_the_period(world):
    html = page(sign_in(Client(), world.triager), from_month="2020-01", to_month="2020-02")
    assert "No panels in this period" in html and "Choose a longer period" in html
    assert "<canvas" not in html


def test_it_lets_an_administrator_choose_any_ern(world):
    admin = in_cpms(make_administrator(), world.de22)
    client = sign_in(Client(), admin)
    html = page(client)
    assert '<select class="form-select" name="ern" id="id_ern">' in html
    assert "EURO-NMD - Neuromuscular Diseases" in html
    assert "EURO-NMD - Neuromuscular Diseases: reports" in page(client, ern=world.nmd.ern.pk)


def test_it_filters_by_centre_and_thematic_area(world):
    activity = build_activity(world)
    client = sign_in(Client(), world.triager)
    html = page(client, centre=world.de05.pk, **YEAR)
    assert f'<option value="{world.de05.pk}" selected>' in html
    assert "DE22 - University Hospital and Faculty of Medicine Tubingen</th>" not in html
    html = page(client, thematic_area=activity.area.pk, **YEAR)
    assert '<th scope="row" class="fw-normal">Ataxia</th><td class="text-end">1</td>' in html


@pytest.mark.parametrize(
    "params, message",
    [
        ({"from_month": "2025-13"}, "Enter a month as YYYY-MM"),
        ({"from_month": "yesterday"}, "Enter a month as YYYY-MM"),
        ({"to_month": "1999-12"}, "Enter a month as YYYY-MM"),
        (
            {"from_month": "2025-06", "to_month": "2025-01"},
            "The last month must not be before the first one.",
        ),
        ({"from_month": "2001-01", "to_month": "2025-01"}, "Choose a period of at most ten years."),
        ({"centre": "abc"}, "Select a valid choice."),
        ({"centre": "999999"}, "Select a valid choice."),
        ({"thematic_area": "-1"}, "Select a valid choice."),
    ],
)
def test_it_refuses_bad_filters_with_a_message(world, params, message):
    html = page(sign_in(Client(), world.triager), status=400, **params)
    assert message in html and "<canvas" not in html


def test_it_refuses_another_erns_centre(world):
    html = page(sign_in(Client(), world.triager), status=400, centre=world.nmd.hcp.pk)
    assert "Select a valid choice." in html


@pytest.mark.parametrize("months", ["rolled up", "not rolled up", "current month"])
def test_it_reads_a_fixed_number_of_queries(world, months, django_assert_num_queries):
    build_activity(world)
    if months != "not rolled up":
        roll_up(world.rnd.ern.pk)
    client = sign_in(Client(), world.triager)
    with django_assert_num_queries(QUERIES[months]):
        if months == "current month":
            page(client)  # the last twelve months: the current one from the panels
        else:
            page(client, **YEAR)
