"""The meeting's page: its time in the viewer's zone and the organiser's, the agenda with each slot's
time, the invitees and their answers, the actions by role."""

import pytest
from django.urls import reverse

from cpms.panels.models import Membership
from cpms.test import sign_in

from ..models import Invitation
from .factories import invite


def detail_url(world):
    return reverse("meetings:meeting-detail", args=[world.meeting.pk])


def test_it_asks_anonymous_people_to_sign_in(client, world):
    response = client.get(detail_url(world))
    assert response.status_code == 302 and response.url.startswith(reverse("identity:login"))


@pytest.mark.parametrize("role", ("invited", "guest", "researcher", "other_ern"))
def test_who_is_not_in_the_meeting_gets_404(client, world, role):
    sign_in(client, getattr(world, role))
    assert client.get(detail_url(world)).status_code == 404


def test_a_removed_panel_member_loses_the_meeting(client, world):
    Membership.objects.filter(panel=world.panel, user=world.expert).update(status="removed")
    sign_in(client, world.expert)
    assert client.get(detail_url(world)).status_code == 404


def test_an_invitee_in_lisbon_sees_lisbon_time_and_berlin_time(client, world):
    world.expert.time_zone = "Europe/Lisbon"
    world.expert.save()
    sign_in(client, world.expert)
    page = client.get(detail_url(world)).content.decode()
    assert "14:00–15:00" in page and "15:00 Berlin time" in page
    assert "Your answer" in page and 'value="accepted"' in page
    assert reverse("meetings:meeting-edit", args=[world.meeting.pk]) not in page


def test_the_organiser_sees_the_agenda_times_the_answers_and_the_actions(client, world):
    world.enrolling.time_zone = "Europe/Berlin"
    world.enrolling.save()
    Invitation.objects.filter(meeting=world.meeting, user=world.expert).update(response="tentative")
    sign_in(client, world.enrolling)
    response = client.get(detail_url(world))
    page = response.content.decode()
    assert "Berlin time" not in page  # the organiser's zone is theirs
    assert [start for _, start in response.context["agenda"]] == [world.meeting.starts_at]
    assert '<time datetime="' in page and ">15:00</time>" in page
    assert 'data-answer="tentative"' in page and page.count("data-answer=") == 3
    assert reverse("meetings:meeting-edit", args=[world.meeting.pk]) in page
    assert reverse("meetings:meeting-cancel", args=[world.meeting.pk]) in page
    assert "Your answer" not in page


def test_a_coordinator_of_the_ern_sees_it_and_cannot_change_it(client, world):
    sign_in(client, world.triager)
    page = client.get(detail_url(world)).content.decode()
    assert world.meeting.title in page
    assert reverse("meetings:meeting-edit", args=[world.meeting.pk]) not in page


def test_it_reads_a_fixed_number_of_queries(client, world, django_assert_num_queries):
    sign_in(client, world.enrolling)
    client.get(detail_url(world))
    with django_assert_num_queries(NUM_QUERIES):
        client.get(detail_url(world))
    for user in (world.guest, world.researcher):
        invite(world.meeting, user)
    with django_assert_num_queries(NUM_QUERIES):
        client.get(detail_url(world))


NUM_QUERIES = 9


def test_a_zone_with_the_same_clock_shows_the_time_once(client, world):
    world.expert.time_zone = "Europe/Paris"  # the same time as Berlin, all year
    world.expert.save()
    sign_in(client, world.expert)
    page = client.get(detail_url(world)).content.decode()
    assert "15:00–16:00" in page and "Berlin time" not in page


def test_invitees_see_each_other_s_names_and_only_the_organiser_their_addresses(client, world):
    others = (world.guest_member, world.outsider_invited)
    sign_in(client, world.expert)
    page = client.get(detail_url(world)).content.decode()
    assert all(user.get_full_name() in page for user in others)
    assert not any(user.email in page for user in others)
    sign_in(client, world.triager)  # a coordinator of the ERN reads the meeting: names too
    page = client.get(detail_url(world)).content.decode()
    assert not any(user.email in page for user in (world.expert, *others))
    sign_in(client, world.enrolling)
    page = client.get(detail_url(world)).content.decode()
    assert all(user.email in page for user in (world.expert, *others))
