import io

import pytest
from django.core.management import call_command
from django.test import Client

from cpms.clinical.tests.factories import complete_profile
from cpms.identity.models import User
from cpms.test import sign_in

from ..models import Contribution, Membership, Notification, OutcomeVersion, Panel, Signoff, TriageNote

EVERY_STATE = ["archived", "closed", "draft", "open", "open", "open", "returned", "submitted", "submitted"]


@pytest.fixture
def demo(db, settings):
    settings.EMBEDDED = True
    for command in ("load_reference_data", "load_thematic_areas", "load_demo_data", "load_demo_patients"):
        call_command(command, stdout=io.StringIO())
    call_command("load_demo_panels", stdout=io.StringIO())


def signed_in(email: str) -> Client:
    """A demo person past first use (their job title and areas: the first page CPMS asks for)."""
    user = User.objects.get(email=email)
    complete_profile(user)
    return sign_in(Client(), user)


def my_panels(email: str) -> str:
    client = signed_in(email)
    response = client.get("/cpms/panels/")
    assert response.status_code == 200
    return response.content.decode()


def test_it_adds_a_panel_in_each_state_once(demo):
    out = io.StringIO()
    call_command("load_demo_panels", stdout=out)
    assert "0 added, 9 already there" in out.getvalue()
    assert sorted(Panel.objects.unscoped().values_list("status", flat=True)) == EVERY_STATE
    assert Panel.objects.unscoped().filter(status="submitted", urgency="urgent").count() == 1


def test_its_rows_match_each_state(demo):
    panels = Panel.objects.unscoped()
    assert not panels.get(status="draft").triage_notes.exists()
    assert panels.get(status="returned").triage_notes.filter(kind=TriageNote.Kind.RETURNED).exists()
    for panel in panels.filter(status__in=("open", "closed", "archived")):
        assert panel.lead_id and panel.accepted_at
        lead = Membership.objects.get(panel=panel, user=panel.lead)
        assert lead.role == "lead" and lead.status == "accepted"
    for panel in panels.filter(status__in=("closed", "archived")):
        assert panel.closed_at and panel.outcome_signed_at
        assert (
            Contribution.objects.filter(panel=panel, kind="contribution").values("author").distinct().count()
            >= 2
        )
        version = OutcomeVersion.objects.get(panel=panel)
        assert version.signed_at and Signoff.objects.filter(version=version, decision="signed").count() >= 2
    assert panels.get(status="archived").archived_at
    assert Notification.objects.filter(kind=Notification.Kind.SUBMITTED, urgent=True).exists()


def test_every_demo_hp_has_something_to_do(demo):
    helena = my_panels("helena.weber@demo.cpms.eu")
    assert "Rapidly progressive weakness" not in helena  # the lists show references, not titles
    to_triage = helena.split('id="to-triage"', 1)[1].split("<h3", 1)[0]
    assert to_triage.count("P-0") == 2 and "Urgent" in to_triage
    jonas = my_panels("jonas.braun@demo.cpms.eu")
    assert "asked for more information" in jonas and "submit it when it is ready" in jonas
    lena = my_panels("lena.fischer@demo.cpms.eu")
    assert "returned with a question" in lena and "Outcome version 1 is ready" in lena
    assert "accept or decline" in lena
    sofia = my_panels("sofia.rossi@demo.cpms.eu")
    assert "Outcome version 1 is ready" in sofia and "accept or decline" in sofia


def test_the_coordinator_sees_a_panel_past_its_wished_date(demo):
    ern = Panel.objects.unscoped().first().ern_id
    page = signed_in("helena.weber@demo.cpms.eu").get(f"/cpms/panels/ern/{ern}/").content.decode()
    late = page.split('id="late-heading"', 1)[1]
    assert "P-0" in late and "Chorea" in page.split('id="areas-heading"', 1)[1]
