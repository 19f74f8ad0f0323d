from cpms.audit.models import AuditEvent
from cpms.test import sign_in

from ..models import Meeting


def url(meeting):
    return f"/cpms/meetings/{meeting.pk}/notes/"


def test_it_is_404_for_someone_outside_the_meeting(client, world):
    sign_in(client, world.guest)
    assert client.get(url(world.meeting)).status_code == 404
    assert client.post(url(world.meeting), {"notes": "x"}).status_code == 404


def test_the_organiser_writes_the_notes_and_each_case_s_filed_to_its_panel(client, world):
    item = world.meeting.agenda_items.get()
    sign_in(client, world.enrolling)
    data = {"notes": "Next board in May.", f"item_{item.pk}": "Test SCA3."}
    response = client.post(url(world.meeting), data)
    assert response.status_code == 302
    meeting = Meeting.objects.unscoped().get(pk=world.meeting.pk)
    item.refresh_from_db()
    assert (meeting.notes, item.notes) == ("Next board in May.", "Test SCA3.")
    assert meeting.notes_updated_at is not None
    assert world.panel.agenda_items.get().notes == "Test SCA3."
    event = AuditEvent.objects.get(action="meetings.notes.saved")
    assert event.data == {"changed": ["meeting", f"item {item.pk}"]}  # which, never the text


def test_the_room_saves_them_without_leaving_the_page(client, world):
    sign_in(client, world.enrolling)
    response = client.post(url(world.meeting), {"notes": "From the room."}, HTTP_X_REQUESTED_WITH="cpms-room")
    assert response.status_code == 204
    assert Meeting.objects.unscoped().get(pk=world.meeting.pk).notes == "From the room."


def test_an_invitee_reads_them_and_may_not_write(client, world):
    Meeting.objects.unscoped().filter(pk=world.meeting.pk).update(notes="Agreed: WES.")
    sign_in(client, world.expert)
    response = client.get(url(world.meeting))
    assert response.status_code == 200 and "Agreed: WES." in response.content.decode()
    assert "<textarea" not in response.content.decode()
    assert client.post(url(world.meeting), {"notes": "Mine now"}).status_code == 403
    assert Meeting.objects.unscoped().get(pk=world.meeting.pk).notes == "Agreed: WES."


def test_too_long_notes_are_refused_and_nothing_is_lost(client, world):
    Meeting.objects.unscoped().filter(pk=world.meeting.pk).update(notes="Kept.")
    sign_in(client, world.enrolling)
    response = client.post(url(world.meeting), {"notes": "x" * 20001})
    assert response.status_code == 400
    assert Meeting.objects.unscoped().get(pk=world.meeting.pk).notes == "Kept."
    room = client.post(url(world.meeting), {"notes": "x" * 20001}, HTTP_X_REQUESTED_WITH="cpms-room")
    assert room.status_code == 400


def test_a_cancelled_meeting_s_notes_are_not_changed(client, world):
    Meeting.objects.unscoped().filter(pk=world.meeting.pk).update(status=Meeting.Status.CANCELLED)
    sign_in(client, world.enrolling)
    response = client.post(url(world.meeting), {"notes": "Too late"}, follow=True)
    assert "cancelled" in response.content.decode()
    assert Meeting.objects.unscoped().get(pk=world.meeting.pk).notes == ""
