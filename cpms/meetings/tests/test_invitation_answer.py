"""An invitee answers accept, tentative or decline; the organiser sees it on the meeting's page."""

import pytest
from django.urls import reverse

from cpms.panels.models import Membership
from cpms.test import sign_in

from ..models import Invitation


def answer_url(world):
    return reverse("meetings:invitation-answer", args=[world.meeting.pk])


def answer_of(world, user) -> str:
    return Invitation.objects.get(meeting=world.meeting, user=user).response


def test_it_asks_anonymous_people_to_sign_in(client, world):
    response = client.post(answer_url(world), {"response": "accepted"})
    assert response.status_code == 302 and response.url.startswith(reverse("identity:login"))


@pytest.mark.parametrize("role", ("enrolling", "triager", "other_ern", "invited", "guest"))
def test_who_is_not_invited_gets_404(client, world, role):
    sign_in(client, getattr(world, role))
    assert client.post(answer_url(world), {"response": "accepted"}).status_code == 404


def test_it_takes_a_get_for_nothing(client, world):
    sign_in(client, world.expert)
    assert client.get(answer_url(world)).status_code == 405


@pytest.mark.parametrize("response", ("accepted", "tentative", "declined"))
def test_an_invitee_answers_and_the_organiser_sees_it(client, world, response):
    sign_in(client, world.expert)
    assert client.post(answer_url(world), {"response": response}).status_code == 302
    assert answer_of(world, world.expert) == response
    sign_in(client, world.enrolling)
    page = client.get(reverse("meetings:meeting-detail", args=[world.meeting.pk])).content.decode()
    assert f'data-answer="{response}"' in page


def test_a_bad_answer_is_refused_with_a_message(client, world):
    sign_in(client, world.expert)
    response = client.post(answer_url(world), {"response": "needs-action"}, follow=True)
    assert "Answer accept, tentative or decline." in response.content.decode()
    assert answer_of(world, world.expert) == "needs-action"


def test_a_cancelled_meeting_takes_no_answer(client, world):
    world.meeting.status = "cancelled"
    world.meeting.save()
    sign_in(client, world.expert)
    response = client.post(answer_url(world), {"response": "accepted"}, follow=True)
    assert "This meeting was cancelled." in response.content.decode()
    assert answer_of(world, world.expert) == "needs-action"


def test_removed_from_the_panel_they_cannot_answer(client, world):
    Membership.objects.filter(panel=world.panel, user=world.expert).update(status="removed")
    sign_in(client, world.expert)
    assert client.post(answer_url(world), {"response": "accepted"}).status_code == 404


def test_an_answer_takes_a_fixed_number_of_queries(client, world, django_assert_num_queries):
    sign_in(client, world.expert)
    client.post(answer_url(world), {"response": "tentative"})
    with django_assert_num_queries(ANSWER_QUERIES):
        client.post(answer_url(world), {"response": "accepted"})
    assert answer_of(world, world.expert) == "accepted"


ANSWER_QUERIES = 13
