import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from cpms.audit.models import AuditEvent
from cpms.test import sign_in

from ..models import Panel, PanelStatus
from .requests_helpers import with_areas, withdraw_care_consent

# Session and user, the gate (grants, profile and navigation centres in one), the patient and its audit row,
# the ERNs, the thematic areas, the header's unread notifications.
QUERIES = 8


@pytest.fixture
def world(world):
    return with_areas(world)


def url(world) -> str:
    return reverse("panels:panel-request", args=[world.patient.pseudonym])


def data(world, **changes) -> dict:
    values = {
        "ern": world.rnd.ern.pk,
        "thematic_area": world.ataxia.pk,
        "question": "Which genes would you test next?",
        "urgency": "urgent",
        "wished_answer_date": (timezone.localdate() + datetime.timedelta(days=10)).isoformat(),
        "shared_sections": ["diagnosis", "phenotype"],
    }
    return {**values, **changes}


def drafts(world):
    return Panel.objects.unscoped().filter(patient=world.patient, status=PanelStatus.DRAFT)


def test_it_sends_anonymous_visitors_to_sign_in(client, world):
    response = client.get(url(world))
    assert response.status_code == 302 and response.url.startswith(reverse("identity:login"))


@pytest.mark.parametrize("role", ["other_centre", "guest", "researcher", "other_ern", "triager", "expert"])
def test_it_answers_404_to_anyone_but_an_hp_of_the_patients_centre(client, world, role):
    sign_in(client, getattr(world, role))
    assert client.get(url(world)).status_code == 404
    assert client.post(url(world), data(world)).status_code == 404
    assert not drafts(world).exists()


def test_it_offers_the_form_with_the_patients_ern(client, world):
    sign_in(client, world.enrolling)
    response = client.get(url(world))
    assert response.status_code == 200
    form = response.context["form"]
    assert form["ern"].value() == str(world.rnd.ern.pk)
    assert b"Request a panel" in response.content and b"Save draft" in response.content


def test_it_saves_a_draft(client, world):
    sign_in(client, world.enrolling)
    response = client.post(url(world), data(world))
    panel = drafts(world).get()
    assert response.status_code == 302 and response.url == reverse("panels:panel-detail", args=[panel.pk])
    assert panel.requester == world.enrolling and panel.centre == world.de22
    assert panel.ern == world.rnd.ern and panel.thematic_area == world.ataxia
    assert panel.urgency == "urgent" and panel.question == "Which genes would you test next?"
    assert panel.shared_sections == ["diagnosis", "phenotype"]
    assert panel.submitted_at is None
    event = AuditEvent.objects.get(action="panels.panel.requested")
    assert event.actor_id == world.enrolling.pk and event.data["pseudonym"] == world.patient.pseudonym


def test_a_draft_needs_no_question_yet(client, world):
    sign_in(client, world.enrolling)
    assert client.post(url(world), data(world, question="")).status_code == 302
    assert drafts(world).get().question == ""


def test_without_care_consent_it_says_so_and_keeps_no_draft(client, world):
    withdraw_care_consent(world.patient)
    sign_in(client, world.enrolling)
    response = client.get(url(world))
    assert response.status_code == 200 and "form" not in response.context
    assert b"consent for care is not in force" in response.content
    response = client.post(url(world), data(world))
    assert response.status_code == 409
    assert not drafts(world).exists()


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"wished_answer_date": "2020-01-01"}, "wished_answer_date"),
        ({"wished_answer_date": "not a date"}, "wished_answer_date"),
        ({"ern": "999999"}, "ern"),
        ({"urgency": "tomorrow"}, "urgency"),
        ({"shared_sections": ["identity"]}, "shared_sections"),
        ({"question": "x" * 5001}, "question"),
    ],
)
def test_it_refuses_bad_input_with_a_message(client, world, changes, field):
    sign_in(client, world.enrolling)
    response = client.post(url(world), data(world, **changes))
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert not drafts(world).exists()


def test_the_thematic_area_must_be_one_of_the_ern(client, world):
    sign_in(client, world.enrolling)
    response = client.post(url(world), data(world, thematic_area=world.dystrophies.pk))
    assert response.status_code == 400
    assert "is not a thematic area of ERN-RND" in response.context["form"].errors["thematic_area"][0]
    response = client.post(url(world), data(world, ern=world.nmd.ern.pk, thematic_area=world.dystrophies.pk))
    assert response.status_code == 302
    assert drafts(world).get().ern == world.nmd.ern


def test_an_empty_post_is_a_400_not_a_draft(client, world):
    sign_in(client, world.enrolling)
    assert client.post(url(world), {}).status_code == 400
    assert not drafts(world).exists()


def test_it_reads_a_fixed_few_queries(client, world, django_assert_num_queries):
    sign_in(client, world.enrolling)
    client.get(url(world))
    with django_assert_num_queries(QUERIES):
        client.get(url(world))


def test_the_case_page_offers_it_and_lists_the_patients_panels(client, world):
    sign_in(client, world.enrolling)
    client.post(url(world), data(world))
    panel = drafts(world).get()
    response = client.get(reverse("patients:case-detail", args=[world.patient.pseudonym]))
    assert url(world).encode() in response.content
    assert reverse("panels:panel-detail", args=[panel.pk]).encode() in response.content
    assert world.panel.reference.encode() in response.content


def test_the_case_page_hides_a_colleagues_draft(client, world):
    sign_in(client, world.enrolling)
    client.post(url(world), data(world))
    panel = drafts(world).get()
    panel.requester = world.researcher
    panel.save(update_fields=["requester"])
    response = client.get(reverse("patients:case-detail", args=[world.patient.pseudonym]))
    assert panel.reference.encode() not in response.content
