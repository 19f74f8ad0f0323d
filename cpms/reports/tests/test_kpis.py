"""Every KPI against the hand-built activity of ERN-RND in 2025 (helpers.build_activity), computed from
the panels (no month of 2025 rolled up) and from the KPI roll-up (every month over rolled up)."""

import datetime

import pytest

from ..kpis import Period, compute_kpis, default_period, nearest_rank
from ..queries import centres_of
from ..rollup import roll_up
from .helpers import build_activity, filters


@pytest.fixture(params=["from the panels", "from the roll-up"])
def activity(request, world):
    built = build_activity(world)
    if request.param == "from the roll-up":
        assert roll_up(world.rnd.ern.pk, rebuild=True) > 12  # every month from Dec 2024 on
    return built


def kpis_of(world, **extra):
    return compute_kpis(filters(world, **extra), [centre.pk for centre in centres_of(world.rnd.ern)])


def table(rows) -> dict:
    return {row.label: row.values for row in rows}


def test_it_counts_the_panels_requested_opened_and_closed(world, activity):
    kpis = kpis_of(world)
    assert (kpis.requested, kpis.opened, kpis.closed) == (5, 6, 4)


def test_it_counts_them_per_month(world, activity):
    monthly = table(kpis_of(world).monthly)
    assert list(monthly) == [f"2025-{month:02d}" for month in range(1, 13)]
    assert monthly["2025-01"] == [0, 1, 0]
    assert monthly["2025-03"] == [2, 1, 1]
    assert monthly["2025-04"] == [0, 1, 1]
    assert monthly["2025-05"] == [1, 1, 0]
    assert monthly["2025-06"] == [1, 1, 2]
    assert monthly["2025-07"] == [1, 1, 0]
    assert monthly["2025-12"] == [0, 0, 0]


def test_it_gives_the_median_and_90th_percentile_of_the_time_to_outcome_urgent_and_routine_apart(
    world, activity
):
    # Routine: 10, 30, 20 days → median the 2nd shortest (20), p90 the 3rd (30); urgent: 2, 4 → 2 and 4.
    assert table(kpis_of(world).time_to_outcome) == {"Urgent": [2, 2.0, 4.0], "Routine": [3, 20.0, 30.0]}


def test_it_says_none_when_no_outcome_was_signed(world, activity):
    kpis = kpis_of(world, period=Period(datetime.date(2025, 9, 1), datetime.date(2025, 12, 1)))
    assert table(kpis.time_to_outcome) == {"Urgent": [0, None, None], "Routine": [0, None, None]}


def test_nearest_rank():
    assert [nearest_rank(n, 50) for n in (1, 2, 3, 4, 10)] == [1, 1, 2, 2, 5]
    assert [nearest_rank(n, 90) for n in (1, 2, 3, 10, 11)] == [1, 2, 3, 9, 10]


def test_it_counts_the_panels_per_centre_country_and_thematic_area(world, activity):
    kpis = kpis_of(world)
    assert table(kpis.by_centre) == {
        "DE22 - University Hospital and Faculty of Medicine Tubingen": [4],
        "DE05 - University Hospital Bonn": [1],
    }
    assert table(kpis.by_country) == {"Germany": [5]}
    assert table(kpis.by_area) == {"No thematic area": [4], "Ataxia": [1]}


def test_it_counts_the_contributions_per_member(world, activity):
    kpis = kpis_of(world)
    assert table(kpis.by_member) == {"Erik Larsen": [3], "Helena Weber": [2]}
    assert (kpis.contributions, kpis.contributors, kpis.contributions_per_member) == (5, 2, 2.5)


def test_it_gives_the_share_of_closed_panels_with_two_contributions_or_more(world, activity):
    kpis = kpis_of(world)  # closed: p1 (3 contributions), p2 (1), p3 (a request for information only), p4 (1)
    assert (kpis.closed_with_two, kpis.closed_with_two_share) == (1, 25.0)


def test_it_lists_the_orpha_codes_of_the_cases_of_the_panels(world, activity):
    assert table(kpis_of(world).orpha_codes) == {
        "ORPHA:558 Marfan syndrome": [2],
        "ORPHA:100 Ataxia-telangiectasia": [1],
    }


def test_it_counts_the_panels_past_their_wished_date(world, activity):
    kpis = kpis_of(world)  # still open past their date: p5 and p6 (p4, closed, was answered late)
    assert (kpis.past_wished_date, kpis.answered_late) == (2, 1)


def test_it_counts_the_active_users_and_the_patients(world, activity):
    kpis = kpis_of(world)
    assert kpis.active_users == 2  # expert and enrolling
    assert (kpis.patients_enrolled, kpis.patients_in_all) == (2, 3)


def test_it_filters_by_centre(world, activity):
    kpis = kpis_of(world, centre=world.de05)
    assert (kpis.requested, kpis.closed, kpis.contributions, kpis.active_users) == (1, 1, 0, 1)
    assert table(kpis.by_centre) == {"DE05 - University Hospital Bonn": [1]}
    assert (kpis.patients_enrolled, kpis.patients_in_all) == (0, 0)


def test_it_filters_by_thematic_area(world, activity):
    kpis = kpis_of(world, thematic_area=activity.area)
    assert (kpis.requested, kpis.opened, kpis.closed, kpis.contributions) == (1, 1, 1, 1)
    assert table(kpis.time_to_outcome)["Routine"] == [1, 30.0, 30.0]


def test_it_filters_by_period(world, activity):
    kpis = kpis_of(world, period=Period(datetime.date(2025, 3, 1), datetime.date(2025, 3, 1)))
    assert (kpis.requested, kpis.opened, kpis.closed, kpis.contributions) == (2, 1, 1, 3)
    assert [row.label for row in kpis.monthly] == ["2025-03"]


def test_the_default_period_is_the_last_twelve_months():
    period = default_period(datetime.date(2026, 3, 17))
    assert (period.first, period.last) == (datetime.date(2025, 4, 1), datetime.date(2026, 3, 1))
    assert len(period.months) == 12
