"""The KPI roll-up (cpms/reports/rollup.py) always gives the figures of a computation from scratch."""

import datetime

import pytest
from django.core.management import call_command
from django.utils import timezone

from cpms.panels.actions.requests import do_forward_panel_request
from cpms.panels.models import PanelStatus

from ..kpis import Period, compute_kpis, compute_kpis_from_scratch
from ..models import ContributionMonth, OutcomeDays, PanelMonth, RolledMonth
from ..queries import centres_of
from ..rollup import current_month, months_to_roll_up, roll_up, store_months
from ..tasks import roll_up_kpis
from .helpers import build_activity, filters, panel_with_clock

MONTH = datetime.date


@pytest.fixture
def activity(world):
    return build_activity(world)


def periods():
    """2025, one month of it, and from Dec 2024 to now (the current month is never rolled up)."""
    this_month = current_month()
    return [
        Period(MONTH(2025, 1, 1), MONTH(2025, 12, 1)),
        Period(MONTH(2025, 3, 1), MONTH(2025, 3, 1)),
        Period(MONTH(2024, 12, 1), this_month),
    ]


def every_filter(world, activity):
    for period in periods():
        yield filters(world, period=period)
        yield filters(world, period=period, centre=world.de05)
        yield filters(world, period=period, centre=world.de22)
        yield filters(world, period=period, thematic_area=activity.area)


def assert_same_as_from_scratch(world, activity):
    centre_ids = [centre.pk for centre in centres_of(world.rnd.ern)]
    for chosen in every_filter(world, activity):
        assert compute_kpis(chosen, centre_ids) == compute_kpis_from_scratch(chosen, centre_ids), chosen


def test_it_gives_the_figures_from_scratch_with_nothing_rolled_up(world, activity):
    assert_same_as_from_scratch(world, activity)


def test_it_gives_them_with_every_month_over_rolled_up(world, activity):
    stored = roll_up(world.rnd.ern.pk)
    assert stored == len(months_to_roll_up(world.rnd.ern.pk)) + stored  # none left to do
    assert RolledMonth.objects.filter(ern=world.rnd.ern, month=MONTH(2025, 3, 1)).exists()
    assert not RolledMonth.objects.filter(month=current_month()).exists()
    march = PanelMonth.objects.filter(ern=world.rnd.ern, month=MONTH(2025, 3, 1))
    assert sum(row.requested for row in march) == 2  # p1 and p2 (the EURO-NMD panel is not RND's)
    assert sum(row.closed_with_two for row in march) == 1
    assert OutcomeDays.objects.get(ern=world.rnd.ern, month=MONTH(2025, 3, 1)).days == 10.0
    assert {
        row.n for row in ContributionMonth.objects.filter(ern=world.rnd.ern, month=MONTH(2025, 3, 1))
    } == {
        1,
        2,
    }
    assert_same_as_from_scratch(world, activity)


def test_it_gives_them_with_some_months_rolled_up(world, activity):
    store_months(world.rnd.ern.pk, [MONTH(2025, 3, 1), MONTH(2025, 6, 1), MONTH(2025, 11, 1)])
    assert_same_as_from_scratch(world, activity)


def test_it_never_stores_the_current_month(world, activity):
    assert store_months(world.rnd.ern.pk, [current_month()]) == 0
    assert not PanelMonth.objects.exists()


def test_a_stored_month_is_from_the_data_not_from_what_was_there(world, activity):
    roll_up(world.rnd.ern.pk)
    PanelMonth.objects.filter(ern=world.rnd.ern).update(requested=99)  # a row changed behind its back
    roll_up(world.rnd.ern.pk, rebuild=True)
    assert_same_as_from_scratch(world, activity)


def test_a_forward_after_the_roll_up_is_counted_at_once_and_stored_by_the_daily_task(world, activity):
    roll_up(world.rnd.ern.pk)
    p7 = activity.panels[6]  # submitted on 5 Jan 2026, still in the queue
    january = Period(MONTH(2026, 1, 1), MONTH(2026, 1, 1))
    centre_ids = [centre.pk for centre in centres_of(world.rnd.ern)]
    assert compute_kpis(filters(world, period=january), centre_ids).requested == 1
    do_forward_panel_request(acting_user=world.triager, panel=p7, ern=world.nmd.ern)
    assert compute_kpis(filters(world, period=january), centre_ids).requested == 0
    assert_same_as_from_scratch(world, activity)
    assert MONTH(2026, 1, 1) in months_to_roll_up(world.rnd.ern.pk)

    assert roll_up_kpis() >= 1
    assert months_to_roll_up(world.rnd.ern.pk) == []
    assert (
        sum(row.requested for row in PanelMonth.objects.filter(ern=world.rnd.ern, month=MONTH(2026, 1, 1)))
        == 0
    )
    assert (
        sum(row.requested for row in PanelMonth.objects.filter(ern=world.nmd.ern, month=MONTH(2026, 1, 1)))
        == 1
    )
    assert_same_as_from_scratch(world, activity)


def test_the_current_months_panels_are_counted_as_they_come(world, activity):
    roll_up(world.rnd.ern.pk)
    now = filters(world, period=Period(current_month(), current_month()))
    centre_ids = [centre.pk for centre in centres_of(world.rnd.ern)]
    before = compute_kpis(now, centre_ids).requested
    panel_with_clock(world, status=PanelStatus.SUBMITTED, submitted_at=timezone.now())
    assert compute_kpis(now, centre_ids).requested == before + 1
    assert_same_as_from_scratch(world, activity)


def test_the_command_rebuilds_every_ern(world, activity):
    roll_up(world.rnd.ern.pk)
    RolledMonth.objects.all().delete()
    call_command("roll_up_kpis", "--rebuild", verbosity=0)
    assert months_to_roll_up(world.rnd.ern.pk) == []
    assert months_to_roll_up(world.nmd.ern.pk) == []
    assert_same_as_from_scratch(world, activity)
