"""Changing a meeting: the organiser only; SEQUENCE goes up, the invitees hear of it, anyone taken
off gets a CANCEL, someone added gets the invitation."""

from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.urls import reverse

from cpms.panels.models import Notification, Panel
from cpms.panels.tests.factories import add_member, make_panel
from cpms.test import sign_in

from ..models import Invitation
from .factories import invite
from .scheduling_helpers import event_of, mails_to, meeting_data


def edit_url(world):
    return reverse("meetings:meeting-edit", args=[world.meeting.pk])


def same_plan(world, **changes):
    """The world's meeting as it is (tomorrow 15:00 Berlin, the panel, the hand-added invitee)."""
    local = world.meeting.starts_at.astimezone(ZoneInfo("Europe/Berlin"))
    data = meeting_data(
        panels=[(world.panel, 20, 1)],
        invitees=[world.outsider_invited],
        title=world.meeting.title,
        date=local.date().isoformat(),
        time=local.strftime("%H:%M"),
    )
    return data | changes


def test_it_asks_anonymous_people_to_sign_in(client, world):
    response = client.get(edit_url(world))
    assert response.status_code == 302 and response.url.startswith(reverse("identity:login"))


@pytest.mark.parametrize("role", ("expert", "outsider_invited", "triager", "other_ern", "invited"))
def test_anyone_but_the_organiser_gets_404(client, world, role):
    sign_in(client, getattr(world, role))
    assert client.get(edit_url(world)).status_code == 404
    assert client.post(edit_url(world), same_plan(world, title="Taken over")).status_code == 404
    world.meeting.refresh_from_db()
    assert world.meeting.title != "Taken over"


def test_the_organiser_sees_the_meeting_as_it_is(client, world):
    sign_in(client, world.enrolling)
    response = client.get(edit_url(world))
    assert response.status_code == 200
    form = response.context["form"]
    assert form.initial["time"].strftime("%H:%M") == "15:00"
    assert form.initial["invitees"] == [world.outsider_invited.pk]
    assert response.context["agenda_forms"].forms[0].initial["panel"] == world.panel


def test_nothing_changed_sends_nothing(client, world, django_capture_on_commit_callbacks):
    sign_in(client, world.enrolling)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(edit_url(world), same_plan(world))
    assert response.status_code == 302
    world.meeting.refresh_from_db()
    assert world.meeting.sequence == 0 and not mail.outbox


def test_a_new_time_bumps_the_sequence_and_asks_everyone_again(
    client, world, django_capture_on_commit_callbacks
):
    Invitation.objects.filter(meeting=world.meeting, user=world.expert).update(response="accepted")
    sign_in(client, world.enrolling)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(edit_url(world), same_plan(world, time="16:30"))
    assert response.status_code == 302
    world.meeting.refresh_from_db()
    assert world.meeting.sequence == 1
    assert world.meeting.starts_at.astimezone(ZoneInfo("Europe/Berlin")).strftime("%H:%M") == "16:30"
    assert Invitation.objects.get(meeting=world.meeting, user=world.expert).response == "needs-action"
    assert len(mail.outbox) == 3
    calendar, event = event_of(mails_to(world.expert)[0])
    assert calendar["method"] == "REQUEST" and event["sequence"] == 1
    assert event["uid"] == world.meeting.calendar_uid
    assert Notification.objects.filter(meeting_id=world.meeting.pk, kind="meeting_changed").count() == 3


def test_taking_an_invitee_off_sends_them_a_cancel(client, world, django_capture_on_commit_callbacks):
    sign_in(client, world.enrolling)
    data = same_plan(world)
    data["invitees"] = []
    with django_capture_on_commit_callbacks(execute=True):
        client.post(edit_url(world), data)
    invitation = Invitation.objects.get(meeting=world.meeting, user=world.outsider_invited)
    assert invitation.removed_at is not None
    [message] = mail.outbox  # the others' meeting did not change: nothing for them
    assert message.to == [world.outsider_invited.email]
    calendar, event = event_of(message)
    assert calendar["method"] == "CANCEL" and event["status"] == "CANCELLED"
    assert str(event["attendee"]) == f"mailto:{world.outsider_invited.email}"  # them alone
    sign_in(client, world.outsider_invited)
    assert client.get(reverse("meetings:meeting-detail", args=[world.meeting.pk])).status_code == 404


def test_adding_an_invitee_sends_them_the_invitation(client, world, django_capture_on_commit_callbacks):
    sign_in(client, world.enrolling)
    data = same_plan(world)
    data["invitees"] = [str(world.outsider_invited.pk), str(world.guest.pk)]
    with django_capture_on_commit_callbacks(execute=True):
        client.post(edit_url(world), data)
    [message] = mail.outbox
    assert message.to == [world.guest.email]
    assert event_of(message)[0]["method"] == "REQUEST"


def test_a_cancelled_meeting_cannot_be_changed(client, world):
    world.meeting.status = "cancelled"
    world.meeting.save()
    sign_in(client, world.enrolling)
    response = client.post(edit_url(world), same_plan(world, title="Back"))
    assert response.status_code == 302
    world.meeting.refresh_from_db()
    assert world.meeting.title != "Back"


def test_the_page_reads_a_fixed_number_of_queries(client, world, django_assert_num_queries):
    sign_in(client, world.enrolling)
    client.get(edit_url(world))
    with django_assert_num_queries(EDIT_PAGE_QUERIES):
        client.get(edit_url(world))
    invite(world.meeting, world.guest)  # one more hand-added invitee: no more queries
    with django_assert_num_queries(EDIT_PAGE_QUERIES):
        client.get(edit_url(world))


EDIT_PAGE_QUERIES = 19


def test_taking_a_panel_off_the_agenda_cancels_for_its_members_only(
    client, world, django_capture_on_commit_callbacks
):
    second = make_panel(world.patient, world.enrolling)
    add_member(second, world.expert)  # on both panels: stays, now through the second
    add_member(second, world.guest)
    sign_in(client, world.enrolling)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            edit_url(world),
            same_plan(world)
            | {
                "agenda-TOTAL_FORMS": "2",
                "agenda-1-panel": str(second.pk),
                "agenda-1-title": "",
                "agenda-1-minutes": "20",
                "agenda-1-ORDER": "2",
            },
        )
    assert mails_to(world.guest) and event_of(mails_to(world.guest)[0])[0]["method"] == "REQUEST"
    mail.outbox.clear()
    data = same_plan(world) | {"agenda-0-panel": str(second.pk)}
    with django_capture_on_commit_callbacks(execute=True):
        client.post(edit_url(world), data)
    world.meeting.refresh_from_db()
    assert world.meeting.sequence == 2
    assert [item.panel for item in world.meeting.agenda_items.all()] == [second]
    [cancel] = mails_to(world.guest_member)
    assert event_of(cancel)[0]["method"] == "CANCEL"
    for user in (world.expert, world.guest, world.outsider_invited):
        [change] = mails_to(user)
        calendar, event = event_of(change)
        assert calendar["method"] == "REQUEST" and event["sequence"] == 2, user
    assert Invitation.objects.get(meeting=world.meeting, user=world.expert).via_panel == second


def test_a_panel_closed_since_stays_on_the_agenda_of_a_change(
    client, world, django_capture_on_commit_callbacks
):
    Panel.objects.unscoped().filter(pk=world.panel.pk).update(status="closed")
    sign_in(client, world.enrolling)
    assert client.get(edit_url(world)).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(edit_url(world), same_plan(world, title="Board, moved on"))
    assert response.status_code == 302
    world.meeting.refresh_from_db()
    assert world.meeting.title == "Board, moved on" and world.meeting.sequence == 1
    closed = make_panel(world.patient, world.enrolling, status="closed")  # not on the agenda: refused
    data = same_plan(world) | {"agenda-0-panel": str(closed.pk)}
    assert client.post(edit_url(world), data).status_code == 400
