import pytest
from django.urls import reverse

from cpms.audit.models import AuditEvent
from cpms.test import sign_in

from ..models import PanelStatus
from .requests_helpers import draft, submitted, with_areas


@pytest.fixture
def world(world):
    return with_areas(world)


def url(panel) -> str:
    return reverse("panels:panel-edit", args=[panel.pk])


def data(world, **changes) -> dict:
    values = {
        "ern": world.rnd.ern.pk,
        "thematic_area": world.ftd.pk,
        "question": "A new question",
        "urgency": "routine",
        "wished_answer_date": "",
        "shared_sections": ["status", "genetics"],
    }
    return {**values, **changes}


def test_the_requester_changes_the_draft(client, world):
    panel = draft(world)
    sign_in(client, world.enrolling)
    assert client.get(url(panel)).status_code == 200
    response = client.post(url(panel), data(world))
    assert response.status_code == 302 and response.url == reverse("panels:panel-detail", args=[panel.pk])
    panel.refresh_from_db()
    assert (panel.question, panel.thematic_area, panel.shared_sections) == (
        "A new question",
        world.ftd,
        ["status", "genetics"],
    )
    event = AuditEvent.objects.get(action="panels.panel.draft_changed")
    assert event.data["question"]["new"] == "A new question"
    assert event.data["thematic_area"] == {"old": None, "new": world.ftd.pk}


@pytest.mark.parametrize("role", ["triager", "dispatcher", "other_centre", "expert"])
def test_a_draft_is_hidden_from_everyone_else(client, world, role):
    panel = draft(world)
    sign_in(client, getattr(world, role))
    assert client.get(url(panel)).status_code == 404
    assert client.post(url(panel), data(world)).status_code == 404


def test_a_member_who_is_not_the_requester_gets_403(client, world):
    sign_in(client, world.expert)
    assert client.get(url(world.panel)).status_code == 403
    assert client.post(url(world.panel), data(world)).status_code == 403


def test_a_submitted_request_is_no_draft_any_more(client, world):
    panel = submitted(world)
    sign_in(client, world.enrolling)
    response = client.post(url(panel), data(world), follow=True)
    assert b"Only a draft can be changed." in response.content
    panel.refresh_from_db()
    assert panel.question != "A new question"


def test_bad_input_is_a_400_that_changes_nothing(client, world):
    panel = draft(world)
    sign_in(client, world.enrolling)
    assert client.post(url(panel), data(world, thematic_area=world.dystrophies.pk)).status_code == 400
    assert client.post(url(panel), {}).status_code == 400
    panel.refresh_from_db()
    assert panel.thematic_area is None and panel.status == PanelStatus.DRAFT
