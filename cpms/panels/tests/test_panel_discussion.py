"""The Discussion tab: the thread oldest first, read markers, windows of a long thread, and who sees it."""

from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone, translation

from cpms.audit.models import AuditEvent
from cpms.test import sign_in

from ..models import Contribution, ContributionAttachment, Membership, PanelStatus
from ..queries.discussion import PAGE_SIZE
from .discussion_helpers import discussion_url, use_private_storage, write
from .factories import make_panel

READERS = ("enrolling", "expert", "guest_member", "triager", "dispatcher")
OUTSIDE = ("other_centre", "guest", "researcher", "other_ern")
# Session and user, grants, navigation centres, clinician profile, the panel, the membership, the audit
# row; the window of contributions, their attachments, their mentions, the authors' centres; the thread's
# people (the mention list); the read marker.
QUERIES = 13


@pytest.fixture(autouse=True)
def storage(settings, tmp_path):
    use_private_storage(settings, tmp_path)


def test_it_sends_anonymous_visitors_to_sign_in(client, world):
    response = client.get(discussion_url(world.panel))
    assert response.status_code == 302 and response.url.startswith(reverse("identity:login"))


@pytest.mark.parametrize("role", READERS)
def test_it_shows_the_thread_to_whoever_reads_the_case(client, world, role):
    write(world.panel, world.expert, "Consider **SCA3** first.")
    sign_in(client, getattr(world, role))
    response = client.get(discussion_url(world.panel))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Consider <strong>SCA3</strong> first." in page and world.patient.pseudonym in page


@pytest.mark.parametrize("role", OUTSIDE)
def test_it_answers_404_to_everyone_off_the_panel(client, world, role):
    sign_in(client, getattr(world, role))
    assert client.get(discussion_url(world.panel)).status_code == 404


def test_an_invitee_who_has_not_accepted_gets_403(client, world):
    sign_in(client, world.invited)
    assert client.get(discussion_url(world.panel)).status_code == 403


@pytest.mark.parametrize("status", [Membership.Status.REMOVED, Membership.Status.DECLINED])
def test_a_member_who_left_loses_it_on_the_next_request(client, world, status):
    sign_in(client, world.expert)
    assert client.get(discussion_url(world.panel)).status_code == 200
    Membership.objects.filter(panel=world.panel, user=world.expert).update(status=status)
    assert client.get(discussion_url(world.panel)).status_code == 404


def test_it_shows_each_contribution_oldest_first_with_author_centre_time_and_kind(client, world):
    earlier = timezone.now() - timedelta(hours=2)
    write(world.panel, world.expert, "First opinion.", created_at=earlier)
    write(world.panel, world.guest_member, "Any MRI?", kind=Contribution.Kind.INFORMATION_REQUEST)
    sign_in(client, world.enrolling)
    page = client.get(discussion_url(world.panel)).content.decode()
    assert page.index("First opinion.") < page.index("Any MRI?")
    assert "Erik Larsen" in page and "DE05 - University Hospital Bonn" in page
    assert "Request for more information" in page and "Open request" in page
    assert f'datetime="{timezone.localtime(earlier).strftime("%Y-%m-%dT%H:%M:%S")}' in page


def test_it_marks_what_is_new_since_the_last_visit_and_links_to_the_first(client, world):
    sign_in(client, world.expert)
    client.get(discussion_url(world.panel))  # the visit that sets the marker
    seen = Membership.objects.get(panel=world.panel, user=world.expert).last_read_at
    assert seen is not None
    write(world.panel, world.expert, "My own words are never new.")
    first_new = write(world.panel, world.enrolling, "Here is the EMG.")
    write(world.panel, world.guest_member, "Thanks.")
    page = client.get(discussion_url(world.panel)).content.decode()
    assert "2 new contributions since your last visit." in page
    assert f'href="#contribution-{first_new.pk}"' in page
    assert page.count('badge text-bg-primary">New<') == 2
    assert Membership.objects.get(panel=world.panel, user=world.expert).last_read_at > seen
    again = client.get(discussion_url(world.panel)).content.decode()
    assert "new contribution" not in again


def test_it_shows_the_latest_contributions_and_links_to_the_earlier_ones(client, world):
    start = timezone.now() - timedelta(days=1)
    for number in range(PAGE_SIZE + 3):
        write(
            world.panel,
            world.expert,
            f"Note number {number:03d}.",
            created_at=start + timedelta(minutes=number),
        )
    sign_in(client, world.enrolling)
    page = client.get(discussion_url(world.panel)).content.decode()
    assert "Note number 002." not in page and "Note number 003." in page
    assert f"Note number {PAGE_SIZE + 2:03d}." in page and "Earlier contributions" in page
    earlier_link = page.split('<a href="?before=', 1)[1].split('"', 1)[0]
    earlier = client.get(discussion_url(world.panel) + "?before=" + earlier_link).content.decode()
    assert (
        "Note number 000." in earlier and "Note number 002." in earlier and "Note number 003." not in earlier
    )
    assert "Earlier contributions" not in earlier and "Latest contributions" in earlier


def test_viewing_earlier_contributions_leaves_the_read_marker(client, world):
    sign_in(client, world.expert)
    client.get(discussion_url(world.panel) + "?before=1-1")
    assert Membership.objects.get(panel=world.panel, user=world.expert).last_read_at is None


@pytest.mark.parametrize("cursor", ["nonsense", "99999999999999999999999-1", "1-0", "x" * 500])
def test_a_hostile_cursor_shows_a_page_not_a_500(client, world, cursor):
    write(world.panel, world.expert)
    sign_in(client, world.expert)
    assert client.get(discussion_url(world.panel), {"before": cursor}).status_code == 200


def test_it_renders_formatted_text_safely_and_mentions_as_names(client, world):
    contribution = write(
        world.panel, world.expert, "<script>alert(1)</script> [x](javascript:alert(1)) @nguestm1 *ok*"
    )
    contribution.mentions.set([world.guest_member])
    sign_in(client, world.enrolling)
    page = client.get(discussion_url(world.panel)).content.decode()
    assert "<script>alert(1)" not in page and 'href="javascript' not in page
    assert '<span class="cpms-mention">@Gustav Berg</span>' in page and "<em>ok</em>" in page


def test_the_page_of_a_closed_panel_is_read_only(client, world):
    closed = make_panel(world.patient, world.enrolling, status=PanelStatus.CLOSED)
    write(closed, world.enrolling, "Done.")
    sign_in(client, world.enrolling)
    page = client.get(discussion_url(closed)).content.decode()
    assert "Done." in page and "can be read, not added to" in page
    assert reverse("panels:contribution-add", args=[closed.pk]) not in page


def test_it_audits_each_read(client, world):
    sign_in(client, world.guest_member)
    client.get(discussion_url(world.panel))
    event = AuditEvent.objects.get(action="panels.panel.viewed")
    assert event.actor_id == world.guest_member.pk
    assert event.data == {"pseudonym": world.patient.pseudonym, "what": "panels:panel-discussion"}


def contribution_with_everything(world, number: int) -> None:
    contribution = write(world.panel, world.guest_member if number % 2 else world.enrolling, f"Note {number}")
    contribution.mentions.set([world.expert])
    storage_name = default_storage.save(f"panels/test-{number}.enc", ContentFile(b"x"))
    ContributionAttachment.objects.create(
        contribution=contribution,
        name=f"file-{number}.pdf",
        content_type="application/pdf",
        size=1,
        storage_name=storage_name,
    )


def test_its_queries_are_a_fixed_few_whatever_the_length_of_the_thread(
    client, world, django_assert_num_queries
):
    contribution_with_everything(world, 0)
    sign_in(client, world.expert)
    client.get(discussion_url(world.panel))
    with django_assert_num_queries(QUERIES):
        client.get(discussion_url(world.panel))
    for number in range(1, 8):
        contribution_with_everything(world, number)
    with django_assert_num_queries(QUERIES):
        page = client.get(discussion_url(world.panel)).content.decode()
    assert "file-7.pdf" in page and "Note 7" in page


def test_it_speaks_french(client, world):
    write(world.panel, world.enrolling, "Voici l'EMG.")
    write(world.panel, world.guest_member, "Une IRM ?", kind=Contribution.Kind.INFORMATION_REQUEST)
    sign_in(client, world.expert)
    with translation.override("en"):  # the request switches this thread to French: switch it back after
        page = client.get(discussion_url(world.panel), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "2 nouvelles contributions depuis votre dernière visite." in page
    assert "Demande de précisions" in page and "Demande en attente" in page and "Nouvelle" in page
    assert "Contribuer" in page and "Demander des précisions au demandeur" in page
