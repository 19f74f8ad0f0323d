import pytest
from django.urls import reverse

from cpms.audit.models import AuditEvent
from cpms.test import sign_in

from ..models import Notification, PanelStatus, TriageNote
from .requests_helpers import notified, returned, submitted, withdraw_care_consent


def url(panel) -> str:
    return reverse("panels:panel-answer", args=[panel.pk])


def data(**changes) -> dict:
    values = {
        "text": "c.1234A>G in SCN1A.",
        "question": "Is it Dravet syndrome?",
        "shared_sections": ["genetics"],
    }
    return {**values, **changes}


def test_the_requester_reads_the_question_and_answers(client, world):
    panel = returned(world)
    sign_in(client, world.enrolling)
    response = client.get(url(panel))
    assert response.status_code == 200 and b"Which variant was found?" in response.content
    response = client.post(url(panel), data())
    assert response.status_code == 302 and response.url == reverse("panels:panel-detail", args=[panel.pk])
    panel.refresh_from_db()
    assert panel.status == PanelStatus.SUBMITTED
    assert (panel.question, panel.shared_sections) == ("Is it Dravet syndrome?", ["genetics"])
    note = TriageNote.objects.get(panel=panel, kind=TriageNote.Kind.ANSWERED)
    assert note.text == "c.1234A>G in SCN1A." and note.author == world.enrolling
    assert notified(Notification.Kind.ANSWERED, panel) == {world.triager.pk, world.dispatcher.pk}
    event = AuditEvent.objects.get(action="panels.panel.answered")
    assert event.data["question"]["new"] == "Is it Dravet syndrome?"


def test_the_answer_and_the_question_are_needed(client, world):
    panel = returned(world)
    sign_in(client, world.enrolling)
    response = client.post(url(panel), data(text="", question=""))
    assert response.status_code == 400
    assert {"text", "question"} <= set(response.context["form"].errors)
    assert client.post(url(panel), {}).status_code == 400
    panel.refresh_from_db()
    assert panel.status == PanelStatus.RETURNED


def test_without_care_consent_it_cannot_go_back(client, world):
    panel = returned(world)
    withdraw_care_consent(world.patient)
    sign_in(client, world.enrolling)
    response = client.post(url(panel), data(), follow=True)
    assert b"consent for care is not in force" in response.content
    panel.refresh_from_db()
    assert panel.status == PanelStatus.RETURNED


def test_only_a_returned_request_is_answered(client, world):
    panel = submitted(world)
    sign_in(client, world.enrolling)
    response = client.post(url(panel), data(), follow=True)
    assert b"Only a request returned to you can be answered." in response.content
    assert not TriageNote.objects.filter(kind=TriageNote.Kind.ANSWERED).exists()


@pytest.mark.parametrize("role", ["triager", "dispatcher"])
def test_triage_does_not_answer_for_the_requester(client, world, role):
    panel = returned(world)
    sign_in(client, getattr(world, role))
    assert client.post(url(panel), data()).status_code == 403


@pytest.mark.parametrize("role", ["other_centre", "guest", "other_ern"])
def test_people_outside_get_404(client, world, role):
    panel = returned(world)
    sign_in(client, getattr(world, role))
    assert client.get(url(panel)).status_code == 404


def test_the_overview_shows_the_thread_and_the_way_to_answer(client, world):
    panel = returned(world)
    sign_in(client, world.enrolling)
    body = client.get(reverse("panels:panel-detail", args=[panel.pk])).content
    assert b"Which variant was found?" in body and url(panel).encode() in body
