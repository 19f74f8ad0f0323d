"""Scheduling a meeting: a panel lead from the panel's page, or a Coordinator of the ERN."""

from datetime import date

import pytest
from django.core import mail
from django.urls import reverse

from cpms.audit.models import AuditEvent
from cpms.panels.models import Notification, Panel
from cpms.panels.tests.factories import make_panel
from cpms.test import sign_in

from ..models import Meeting
from .scheduling_helpers import event_of, mails_to, meeting_data

NEW = reverse("meetings:meeting-new")


def new_meetings(world):
    return Meeting.objects.unscoped().exclude(pk=world.meeting.pk)


def test_it_asks_anonymous_people_to_sign_in(client, world):
    response = client.get(NEW)
    assert response.status_code == 302 and response.url.startswith(reverse("identity:login"))


@pytest.mark.parametrize("role", ("expert", "other_centre", "researcher", "guest_member"))
def test_who_leads_no_open_panel_and_coordinates_no_ern_gets_404(client, world, role):
    sign_in(client, getattr(world, role))
    assert client.get(NEW).status_code == 404
    assert client.post(NEW, meeting_data(panels=[(world.panel, 20, 1)])).status_code == 404


def test_a_coordinator_whose_ern_has_no_open_panel_is_told_what_to_do(client, world):
    Panel.objects.with_ids([world.panel.pk]).update(status="closed")
    sign_in(client, world.triager)
    response = client.get(NEW)
    assert response.status_code == 200
    assert b"No open panel to discuss yet" in response.content
    assert reverse("panels:my-panels").encode() in response.content
    assert not new_meetings(world).exists()


def test_the_lead_opens_it_from_the_panel_with_the_panel_on_the_agenda(client, world):
    sign_in(client, world.enrolling)
    page = client.get(reverse("panels:panel-detail", args=[world.panel.pk])).content.decode()
    assert f'{NEW}?panel={world.panel.pk}"' in page
    response = client.get(NEW, {"panel": world.panel.pk})
    assert response.status_code == 200
    agenda = response.context["agenda_forms"]
    assert agenda.forms[0].initial["panel"] == world.panel
    assert response.context["form"].initial["time_zone"] == world.enrolling.time_zone


def test_the_panel_page_offers_no_button_to_a_member(client, world):
    sign_in(client, world.expert)
    page = client.get(reverse("panels:panel-detail", args=[world.panel.pk])).content.decode()
    assert NEW not in page


def test_the_lead_schedules_and_every_invitee_gets_an_invitation(
    client, world, django_capture_on_commit_callbacks
):
    sign_in(client, world.enrolling)
    data = meeting_data(
        panels=[(world.panel, 30, 2)], free=[("Welcome", 5, 1)], invitees=[world.other_centre]
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(NEW, data)
    meeting = new_meetings(world).get()
    assert response.status_code == 302 and response.url == reverse(
        "meetings:meeting-detail", args=[meeting.pk]
    )
    assert meeting.organiser == world.enrolling and meeting.ern_id == world.panel.ern_id
    assert meeting.time_zone == "Europe/Berlin" and meeting.sequence == 0
    assert [(i.title, i.panel_id, i.duration_minutes) for i in meeting.agenda_items.order_by("position")] == [
        ("Welcome", None, 5),
        ("", world.panel.pk, 30),
    ]
    invited = {i.user_id: i.via_panel_id for i in meeting.invitations.all()}
    assert invited == {
        world.expert.pk: world.panel.pk,
        world.guest_member.pk: world.panel.pk,
        world.other_centre.pk: None,
    }
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        u.email for u in (world.expert, world.guest_member, world.other_centre)
    )
    calendar, event = event_of(mails_to(world.expert)[0])
    assert calendar["method"] == "REQUEST" and event["uid"] == meeting.calendar_uid
    kinds = Notification.objects.filter(meeting_id=meeting.pk).values_list("recipient_id", "kind")
    assert sorted(kinds) == sorted((pk, "meeting_invited") for pk in invited)
    assert (
        AuditEvent.objects.filter(action="meetings.meeting.scheduled", actor_id=world.enrolling.pk).count()
        == 1
    )


def test_a_coordinator_schedules_a_board_of_their_erns_panels(
    client, world, django_capture_on_commit_callbacks
):
    sign_in(client, world.triager)
    assert client.get(NEW).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(NEW, meeting_data(panels=[(world.panel, 20, 1)]))
    assert response.status_code == 302
    meeting = new_meetings(world).get()
    # The lead is a member like the others here: invited with the panel.
    assert world.enrolling.pk in {i.user_id for i in meeting.invitations.all()}


def test_the_search_shows_experts_and_saves_nothing(client, world):
    sign_in(client, world.enrolling)
    response = client.post(NEW, meeting_data(panels=[(world.panel, 20, 1)], q="Fischer", search="1"))
    assert response.status_code == 200
    assert [row.user for row in response.context["results"].rows] == [world.other_centre]
    assert not new_meetings(world).exists()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"date": "2020-01-01"}, "Choose a start in the future."),
        ({"agenda-0-panel": ""}, "Put at least one panel on the agenda."),
        ({"duration_minutes": "15"}, "The agenda&#x27;s slots take longer than the meeting"),
        ({"invitees": ["abc"]}, "Choose people from the list."),
        ({"time_zone": "Mars/Olympus"}, "Select a valid choice."),
        ({"duration_minutes": "9999"}, "less than or equal to 480"),
        ({"agenda-0-panel": "999999"}, "Select a valid choice."),
        ({"title": ""}, "This field is required."),
    ],
)
def test_it_refuses_a_plan_it_cannot_keep_and_saves_nothing(client, world, change, message):
    sign_in(client, world.enrolling)
    response = client.post(NEW, meeting_data(panels=[(world.panel, 20, 1)]) | change)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not new_meetings(world).exists() and not mail.outbox


def test_it_refuses_a_time_the_clocks_skip(client, world):
    sign_in(client, world.enrolling)
    # Europe/Berlin goes from 02:00 to 03:00 on the last Sunday of March.
    year = Meeting.objects.unscoped().get(pk=world.meeting.pk).starts_at.year + 1
    last_sunday = max(d for d in range(25, 32) if date(year, 3, d).weekday() == 6)
    data = meeting_data(panels=[(world.panel, 20, 1)], date=f"{year}-03-{last_sunday}", time="02:30")
    response = client.post(NEW, data)
    assert response.status_code == 400
    assert "The clocks change at that time" in response.content.decode()


def test_a_non_expert_cannot_be_invited(client, world):
    sign_in(client, world.enrolling)
    response = client.post(NEW, meeting_data(panels=[(world.panel, 20, 1)], invitees=[world.researcher]))
    assert response.status_code == 400
    assert "Only experts" in response.content.decode()


def test_a_lead_cannot_put_a_panel_they_do_not_lead(client, world):
    other = make_panel(world.patient, world.other_centre)  # led by other_centre
    sign_in(client, world.enrolling)
    response = client.post(NEW, meeting_data(panels=[(world.panel, 20, 1), (other, 20, 2)]))
    assert response.status_code == 400
    assert not new_meetings(world).exists()


def test_the_order_of_the_agenda_follows_the_positions(client, world, django_capture_on_commit_callbacks):
    sign_in(client, world.enrolling)
    data = meeting_data(panels=[(world.panel, 20, 2)], free=[("Any other business", 5, 3), ("Welcome", 5, 1)])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(NEW, data)
    meeting = new_meetings(world).get()
    titles = [item.title or item.panel.reference for item in meeting.agenda_items.order_by("position")]
    assert titles == ["Welcome", world.panel.reference, "Any other business"]


@pytest.mark.parametrize("panel", ("abc", "99999999999999999999999", "-1", "0"))
def test_a_hostile_panel_in_the_address_is_ignored(client, world, panel):
    sign_in(client, world.enrolling)
    response = client.get(NEW, {"panel": panel})
    assert response.status_code == 200
    assert response.context["agenda_forms"].initial == []


@pytest.mark.parametrize("value", ("99999999999999999999999", "1.5", "x"))
def test_a_hostile_panel_in_the_agenda_is_an_error_of_the_form(client, world, value):
    sign_in(client, world.enrolling)
    response = client.post(NEW, meeting_data(panels=[(world.panel, 20, 1)]) | {"agenda-0-panel": value})
    assert response.status_code == 400
    assert not new_meetings(world).exists()


def test_a_hostile_formset_is_an_error_not_a_500(client, world):
    sign_in(client, world.enrolling)
    data = meeting_data(panels=[(world.panel, 20, 1)]) | {"agenda-TOTAL_FORMS": "100000"}
    assert client.post(NEW, data).status_code == 400
    data = meeting_data(panels=[(world.panel, 20, 1)])
    del data["agenda-TOTAL_FORMS"]
    assert client.post(NEW, data).status_code == 400
    assert not new_meetings(world).exists()


def test_the_page_reads_a_fixed_number_of_queries(client, world, django_assert_num_queries):
    sign_in(client, world.enrolling)
    client.get(NEW, {"panel": world.panel.pk})
    with django_assert_num_queries(NEW_PAGE_QUERIES):
        client.get(NEW, {"panel": world.panel.pk})
    make_panel(world.patient, world.enrolling)  # one more panel in the select: no more queries
    with django_assert_num_queries(NEW_PAGE_QUERIES):
        client.get(NEW, {"panel": world.panel.pk})


NEW_PAGE_QUERIES = 11


def test_a_panel_twice_on_the_agenda_is_refused(client, world):
    sign_in(client, world.enrolling)
    response = client.post(NEW, meeting_data(panels=[(world.panel, 20, 1), (world.panel, 20, 2)]))
    assert response.status_code == 400
    assert "A panel is on the agenda twice." in response.content.decode()


def test_panels_of_two_erns_are_refused(client, world):
    other = make_panel(world.patient, world.enrolling)
    Panel.objects.unscoped().filter(pk=other.pk).update(ern=world.nmd.ern)
    sign_in(client, world.enrolling)
    response = client.post(NEW, meeting_data(panels=[(world.panel, 20, 1), (other, 20, 2)]))
    assert response.status_code == 400
    assert "The panels of one meeting belong to one ERN." in response.content.decode()
    assert not new_meetings(world).exists()


def test_a_closed_panel_cannot_be_scheduled(client, world):
    closed = make_panel(world.patient, world.enrolling, status="closed")
    sign_in(client, world.enrolling)
    response = client.post(NEW, meeting_data(panels=[(closed, 20, 1)]))
    assert response.status_code == 400
    assert not new_meetings(world).exists()


def test_too_many_rows_or_invitees_are_refused(client, world):
    sign_in(client, world.enrolling)
    rows = meeting_data(panels=[(world.panel, 20, 1)], free=[(f"Item {n}", 1, n + 2) for n in range(30)])
    assert client.post(NEW, rows).status_code == 400
    many = meeting_data(panels=[(world.panel, 20, 1)]) | {"invitees": [str(n) for n in range(1, 202)]}
    response = client.post(NEW, many)
    assert response.status_code == 400
    assert "Choose at most 200 people." in response.content.decode()
    assert not new_meetings(world).exists()
