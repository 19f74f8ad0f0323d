from cpms.audit.models import AuditEvent
from cpms.test import sign_in

from ..models import Meeting


def url(meeting):
    return f"/cpms/meetings/{meeting.pk}/room/"


def test_it_sends_the_anonymous_to_sign_in(client, world):
    response = client.get(url(world.meeting))
    assert response.status_code == 302 and "/login" in response.url


def test_it_is_404_for_someone_outside_the_meeting(client, world):
    sign_in(client, world.guest)
    assert client.get(url(world.meeting)).status_code == 404


def test_it_opens_the_room_for_an_invited_member_with_its_own_policy(client, world):
    sign_in(client, world.expert)
    response = client.get(url(world.meeting))
    assert response.status_code == 200
    body = response.content.decode()
    assert f'data-socket="/ws/meetings/{world.meeting.pk}/"' in body
    assert "meetings/room.js" in body
    assert world.panel.patient.pseudonym in body
    assert f"/cpms/panels/{world.panel.pk}/case/" in body  # the pseudonymised case, one click away
    assert 'id="room-notes"' not in body  # the organiser's
    assert "connect-src 'self' ws://testserver" in response["Content-Security-Policy"]
    assert "camera=(self)" in response["Permissions-Policy"]
    event = AuditEvent.objects.get(action="meetings.meeting.viewed")
    assert event.actor_id == world.expert.pk and event.data == {"what": "room"}


def test_the_rest_of_the_site_keeps_camera_and_websockets_off(client, world):
    sign_in(client, world.expert)
    response = client.get(f"/cpms/meetings/{world.meeting.pk}/")
    assert "ws://" not in response["Content-Security-Policy"]
    assert "camera=()" in response["Permissions-Policy"]


def test_the_organiser_gets_the_notes_and_the_lobby(client, world):
    sign_in(client, world.enrolling)
    body = client.get(url(world.meeting)).content.decode()
    assert 'id="room-notes"' in body and 'id="room-lobby"' in body


def test_the_coordinator_reads_but_does_not_join(client, world):
    sign_in(client, world.triager)
    response = client.get(url(world.meeting))
    assert response.status_code == 403
    assert "meetings/room.js" not in response.content.decode()


def test_a_cancelled_meeting_has_no_room(client, world):
    Meeting.objects.unscoped().filter(pk=world.meeting.pk).update(status=Meeting.Status.CANCELLED)
    sign_in(client, world.expert)
    response = client.get(url(world.meeting))
    assert "meetings/room.js" not in response.content.decode()
    assert "cancelled" in response.content.decode()


def test_the_room_page_costs_a_fixed_number_of_queries(client, world, django_assert_num_queries):
    sign_in(client, world.expert)
    client.get(url(world.meeting))  # the first request of a session writes its "last seen"
    with django_assert_num_queries(QUERIES_ROOM_PAGE):
        assert client.get(url(world.meeting)).status_code == 200


QUERIES_ROOM_PAGE = 9  # the gate, the meeting and the caller's place, its audit record, the agenda
