"""The panel's page shows its meetings: the upcoming ones and the notes filed from past ones (the
agenda item's and the meeting's), to those who may read the case; two queries."""

from datetime import timedelta

from django.test import Client
from django.utils import timezone

from cpms.panels.tests.factories import make_panel
from cpms.test import sign_in

from ..models import AgendaItem, Meeting
from .factories import make_meeting

# The panels' own page (cpms/panels/tests/test_panel_detail.py: 8), and the two reads of this section.
QUERIES = 10


def url(panel) -> str:
    return f"/cpms/panels/{panel.pk}/"


def section(user, panel) -> str:
    response = sign_in(Client(), user).get(url(panel))
    assert response.status_code == 200
    html = response.content.decode()
    if 'id="panel-meetings-heading"' not in html:
        return ""
    return html.split('id="panel-meetings-heading"', 1)[1].split("</section>", 1)[0]


def past_with_notes(world) -> Meeting:
    past = make_meeting(
        world.enrolling,
        panels=[world.panel],
        title="Last board",
        starts_at=timezone.now() - timedelta(days=7),
    )
    Meeting.objects.unscoped().filter(pk=past.pk).update(notes="Everyone agreed on a gene panel.")
    AgendaItem.objects.filter(meeting=past).update(notes="Test SCA3 first, then the SCA panel.")
    return past


def test_members_see_the_upcoming_meeting_and_the_notes_of_past_ones(world):
    past_with_notes(world)
    html = section(world.expert, world.panel)
    assert world.meeting.title in html and f'href="/cpms/meetings/{world.meeting.pk}/"' in html
    assert "Last board" in html
    assert "Test SCA3 first, then the SCA panel." in html and "Everyone agreed on a gene panel." in html


def test_a_past_meeting_without_notes_and_another_panels_meeting_are_left_out(world):
    make_meeting(
        world.enrolling,
        panels=[world.panel],
        title="Quiet board",
        starts_at=timezone.now() - timedelta(days=3),
    )
    other = make_panel(world.patient, world.enrolling)
    make_meeting(world.enrolling, panels=[other], title="Other panel's board")
    html = section(world.expert, world.panel)
    assert "Quiet board" not in html and "Other panel's board" not in html
    assert "No notes filed yet." in html


def test_who_may_read_the_case_but_is_not_invited_sees_it_without_a_link(world):
    html = section(world.triager, world.panel)  # the ERN's coordinator: may open the meeting as such
    assert f'href="/cpms/meetings/{world.meeting.pk}/"' in html
    world.meeting.ern_id = None
    Meeting.objects.unscoped().filter(pk=world.meeting.pk).update(ern=None)
    html = section(world.triager, world.panel)
    assert world.meeting.title in html and f'href="/cpms/meetings/{world.meeting.pk}/"' not in html


def test_an_invitee_who_may_not_read_the_case_sees_no_meetings_section(world):
    past_with_notes(world)
    assert section(world.invited, world.panel) == ""  # invited to the panel, not yet a member


def test_a_panel_with_no_meeting_says_so(world):
    other = make_panel(world.patient, world.enrolling)
    assert "No meeting has this panel on its agenda yet." in section(world.enrolling, other)


def test_its_queries_are_a_fixed_few(world, django_assert_num_queries):
    past_with_notes(world)
    client = sign_in(Client(), world.expert)
    client.get(url(world.panel))
    with django_assert_num_queries(QUERIES):
        client.get(url(world.panel))
    for days in range(1, 4):
        make_meeting(
            world.enrolling, panels=[world.panel], starts_at=timezone.now() + timedelta(days=days + 3)
        )
        past_with_notes(world)
    with django_assert_num_queries(QUERIES):
        client.get(url(world.panel))
