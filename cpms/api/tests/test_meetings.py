"""The caller's meetings: organised or invited with the invitation in force."""

import pytest

from cpms.audit.models import AuditEvent


def test_it_lists_the_callers_meetings(world, api):
    for role, response in (("enrolling", "organiser"), ("expert", "needs-action")):
        rows = api(getattr(world, role)).get("/api/v1/meetings/").json()["results"]
        assert [row["id"] for row in rows] == [world.meeting.pk], role
        assert rows[0]["my_response"] == response


@pytest.mark.parametrize("role", ["other_centre", "researcher", "other_ern"])
def test_others_see_no_meeting(world, api, role):
    caller = api(getattr(world, role))
    assert caller.get("/api/v1/meetings/").json()["results"] == []
    assert caller.get(f"/api/v1/meetings/{world.meeting.pk}/").status_code == 404


def test_it_reads_a_meeting_audited(world, api):
    response = api(world.expert).get(f"/api/v1/meetings/{world.meeting.pk}/")
    assert response.status_code == 200 and response.json()["title"] == world.meeting.title
    assert "ETag" in response.headers
    assert AuditEvent.objects.filter(action="meetings.meeting.viewed", actor_id=world.expert.pk).count() == 1


def test_it_answers_401_to_anonymous_callers(world, api):
    assert api().get("/api/v1/meetings/").status_code == 401
