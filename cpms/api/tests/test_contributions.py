"""The discussion through the API: read by whoever reads the case, written by members and the requester."""

import pytest

from cpms.audit.models import AuditEvent
from cpms.panels.models import Contribution, PanelStatus


def url(world) -> str:
    return f"/api/v1/panels/{world.panel.pk}/contributions/"


def test_a_member_adds_a_contribution_audited(world, api):
    response = api(world.expert).post(url(world), {"text": "Test SCA3 first."})
    assert response.status_code == 201
    body = response.json()
    assert body["text"] == "Test SCA3 first." and body["author"]["name"] == "Erik Larsen"
    event = AuditEvent.objects.get(action="panels.contribution.added")
    assert event.actor_id == world.expert.pk


def test_it_lists_the_thread_newest_first_by_keyset(world, api):
    caller = api(world.expert)
    for n in range(3):
        assert caller.post(url(world), {"text": f"Note {n}"}).status_code == 201
    first = caller.get(url(world), {"size": 2}).json()
    assert [c["text"] for c in first["results"]] == ["Note 2", "Note 1"]
    assert [c["text"] for c in caller.get(first["next"]).json()["results"]] == ["Note 0"]


@pytest.mark.parametrize("role", ["triager", "invited"])
def test_others_on_the_panel_may_not_write_403(world, api, role):
    assert api(getattr(world, role)).post(url(world), {"text": "Hello"}).status_code == 403
    assert not Contribution.objects.exists()


def test_outsiders_get_404(world, api):
    assert api(world.other_centre).post(url(world), {"text": "Hello"}).status_code == 404


def test_it_refuses_an_empty_text_400(world, api):
    response = api(world.expert).post(url(world), {"text": "   "})
    assert response.status_code == 400 and "text" in response.json()["errors"]
    assert api(world.expert).post(url(world), {}).status_code == 400


def test_a_closed_panel_takes_no_contribution_409(world, api):
    world.panel.status = PanelStatus.CLOSED
    world.panel.save(update_fields=["status"])
    assert api(world.expert).post(url(world), {"text": "Late"}).status_code == 409


def test_an_invitee_may_not_read_the_thread(world, api):
    assert api(world.invited).get(url(world)).status_code == 403
