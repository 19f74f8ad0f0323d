"""Contribute: accepted members and the requester write formatted text with files; others are told."""

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cpms.audit.models import AuditEvent
from cpms.test import sign_in

from ..actions.discussion import deleted_on_failure
from ..models import Contribution, ContributionAttachment, Membership, Notification, PanelStatus
from .discussion_helpers import PDF, discussion_url, pdf_file, png_file, use_private_storage, write
from .factories import add_member, make_panel

Kind = Notification.Kind
QUERIES = 17


@pytest.fixture(autouse=True)
def storage(settings, tmp_path):
    use_private_storage(settings, tmp_path)


def url(panel) -> str:
    return reverse("panels:contribution-add", args=[panel.pk])


def notified(kind) -> set[int]:
    return set(Notification.objects.filter(kind=kind).values_list("recipient_id", flat=True))


def test_a_member_contributes_and_the_others_are_told(client, world):
    sign_in(client, world.expert)
    response = client.post(url(world.panel), {"text": "I would test **ATXN1** first."})
    contribution = Contribution.objects.get()
    assert response.status_code == 302
    assert response.url == f"{discussion_url(world.panel)}#contribution-{contribution.pk}"
    assert (contribution.author, contribution.kind) == (world.expert, Contribution.Kind.CONTRIBUTION)
    assert notified(Kind.CONTRIBUTION) == {world.enrolling.pk, world.guest_member.pk}
    event = AuditEvent.objects.get(action="panels.contribution.added")
    assert event.actor_id == world.expert.pk
    assert event.data == {
        "pseudonym": world.patient.pseudonym,
        "contribution": contribution.pk,
        "attachments": 0,
        "mentions": [],
    }
    page = client.get(response.url).content.decode()
    assert "Your contribution is added." in page and "I would test <strong>ATXN1</strong> first." in page


def test_the_first_contribution_starts_the_panels_clock(client, world):
    sign_in(client, world.guest_member)
    client.post(url(world.panel), {"text": "First."})
    world.panel.refresh_from_db()
    first = world.panel.first_contribution_at
    assert first == Contribution.objects.get().created_at
    client.post(url(world.panel), {"text": "Second."})
    world.panel.refresh_from_db()
    assert world.panel.first_contribution_at == first


def test_the_requester_who_does_not_lead_contributes_too(client, world):
    panel = make_panel(world.patient, world.enrolling, lead=world.expert)
    sign_in(client, world.enrolling)
    assert client.post(url(panel), {"text": "The EMG is attached."}).status_code == 302
    assert notified(Kind.CONTRIBUTION) == {world.expert.pk}


@pytest.mark.parametrize("role", ["invited", "triager", "dispatcher"])
def test_people_on_the_panel_who_are_not_members_get_403(client, world, role):
    sign_in(client, getattr(world, role))
    assert client.post(url(world.panel), {"text": "Hello"}).status_code == 403
    assert not Contribution.objects.exists()


@pytest.mark.parametrize("role", ["other_centre", "guest", "researcher", "other_ern"])
def test_people_off_the_panel_get_404(client, world, role):
    sign_in(client, getattr(world, role))
    assert client.post(url(world.panel), {"text": "Hello"}).status_code == 404
    assert not Contribution.objects.exists()


def test_a_removed_member_gets_404_on_the_next_request(client, world):
    sign_in(client, world.expert)
    Membership.objects.filter(panel=world.panel, user=world.expert).update(status=Membership.Status.REMOVED)
    assert client.post(url(world.panel), {"text": "Hello"}).status_code == 404
    assert not Contribution.objects.exists()


def test_it_only_answers_post(client, world):
    sign_in(client, world.expert)
    assert client.get(url(world.panel)).status_code == 405


@pytest.mark.parametrize("status", [PanelStatus.CLOSED, PanelStatus.ARCHIVED])
def test_a_panel_that_is_not_open_says_why_and_keeps_its_thread(client, world, status):
    panel = make_panel(world.patient, world.enrolling, status=status)
    add_member(panel, world.expert)
    sign_in(client, world.expert)
    response = client.post(url(panel), {"text": "Too late?"}, follow=True)
    assert response.redirect_chain[-1][0] == discussion_url(panel)
    assert "it cannot do that now" in response.content.decode()
    assert not Contribution.objects.exists() and not Notification.objects.exists()


@pytest.mark.parametrize("data", [{}, {"text": ""}, {"text": "   "}, {"text": "x" * 20001}])
def test_an_empty_or_too_long_text_is_refused_with_a_message(client, world, data):
    sign_in(client, world.expert)
    response = client.post(url(world.panel), data)
    assert response.status_code == 400
    assert "There is a problem" in response.content.decode()
    assert not Contribution.objects.exists()


def test_it_stores_several_files_encrypted_and_names_them(client, world):
    sign_in(client, world.expert)
    files = [pdf_file("EMG.pdf"), png_file("pedigree.png")]
    client.post(url(world.panel), {"text": "Two files.", "files": files})
    attachments = list(ContributionAttachment.objects.order_by("pk"))
    assert [(a.name, a.content_type) for a in attachments] == [
        ("EMG.pdf", "application/pdf"),
        ("pedigree.png", "image/png"),
    ]
    with default_storage.open(attachments[0].storage_name, "rb") as stored:
        assert b"%PDF" not in stored.read()
    assert AuditEvent.objects.get(action="panels.contribution.added").data["attachments"] == 2
    page = client.get(discussion_url(world.panel)).content.decode()
    assert (
        "EMG.pdf" in page
        and reverse("panels:contribution-attachment", args=[world.panel.pk, attachments[1].pk]) in page
    )


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (
            SimpleUploadedFile("report.pdf", b"not a pdf"),
            "report.pdf is not a real PDF file, or it is damaged.",
        ),
        (SimpleUploadedFile("report.docx", PDF), "report.docx is not a type of file accepted here."),
        (SimpleUploadedFile("big.pdf", PDF + b"0" * (20 * 1024 * 1024)), "big.pdf is larger than 20.0"),
    ],
)
def test_a_wrong_file_is_refused_and_the_text_is_kept(client, world, upload, message):
    sign_in(client, world.expert)
    response = client.post(url(world.panel), {"text": "My careful opinion.", "files": [pdf_file(), upload]})
    assert response.status_code == 400
    page = response.content.decode()
    assert message in page and "My careful opinion.</textarea>" in page
    assert not Contribution.objects.exists() and not ContributionAttachment.objects.exists()
    assert not Notification.objects.exists()


def test_more_than_ten_files_are_refused(client, world):
    sign_in(client, world.expert)
    response = client.post(
        url(world.panel), {"text": "Many.", "files": [pdf_file(f"{n}.pdf") for n in range(11)]}
    )
    assert response.status_code == 400 and "Attach at most 10 files." in response.content.decode()
    assert not Contribution.objects.exists()


def test_a_mentioned_member_hears_it_once(client, world):
    sign_in(client, world.expert)
    client.post(url(world.panel), {"text": "What do you think, @NGUESTM1?"})
    contribution = Contribution.objects.get()
    assert list(contribution.mentions.all()) == [world.guest_member]
    assert notified(Kind.MENTIONED) == {world.guest_member.pk}
    assert notified(Kind.CONTRIBUTION) == {world.enrolling.pk}
    page = client.get(discussion_url(world.panel)).content.decode()
    assert '<span class="cpms-mention">@Gustav Berg</span>' in page


def test_a_member_can_be_picked_from_the_list(client, world):
    sign_in(client, world.expert)
    client.post(url(world.panel), {"text": "Your view?", "mention": [str(world.enrolling.pk)]})
    assert list(Contribution.objects.get().mentions.all()) == [world.enrolling]
    assert notified(Kind.MENTIONED) == {world.enrolling.pk}


@pytest.mark.parametrize("role", ["invited", "other_centre", "triager"])
def test_only_people_in_the_thread_can_be_mentioned(client, world, role):
    outsider = getattr(world, role)
    sign_in(client, world.expert)
    client.post(url(world.panel), {"text": f"Hello @{outsider.username}"})
    assert not Contribution.objects.get().mentions.exists()
    assert outsider.pk not in notified(Kind.MENTIONED) | notified(Kind.CONTRIBUTION)
    response = client.post(url(world.panel), {"text": "Picked", "mention": [str(outsider.pk)]})
    assert response.status_code == 400 and Contribution.objects.count() == 1


def test_a_removed_member_is_no_longer_told(client, world):
    Membership.objects.filter(panel=world.panel, user=world.guest_member).update(
        status=Membership.Status.REMOVED
    )
    sign_in(client, world.expert)
    client.post(url(world.panel), {"text": "Hello @nguestm1"})
    assert world.guest_member.pk not in notified(Kind.MENTIONED) | notified(Kind.CONTRIBUTION)


def test_its_queries_are_a_fixed_few_whatever_the_number_of_people_told(
    client, world, django_assert_num_queries
):
    sign_in(client, world.expert)
    client.post(url(world.panel), {"text": "Warm-up"})
    write(world.panel, world.enrolling)
    # The request's own (session, user, grants, profile, panel, membership), the mention choices; the
    # transaction: its savepoints, lock, thread people, contribution, mentions, the clock, audit, and one
    # insert of notifications per kind (MENTIONED, CONTRIBUTION).
    with django_assert_num_queries(QUERIES):
        client.post(url(world.panel), {"text": "@nguestm1 @nhelena1 both of you"})
    add_member(world.panel, world.other_centre)
    with django_assert_num_queries(QUERIES):
        client.post(url(world.panel), {"text": "@nguestm1 @nhelena1 @nlena001 all of you"})


def test_a_refused_post_that_shows_the_thread_again_is_recorded_as_a_read(client, world):
    sign_in(client, world.expert)
    client.post(url(world.panel), {"text": ""})
    event = AuditEvent.objects.get(action="panels.panel.viewed")
    assert event.data == {"pseudonym": world.patient.pseudonym, "what": "panels:contribution-add"}


def test_files_stored_before_a_failure_are_deleted_again(world):
    with pytest.raises(RuntimeError), deleted_on_failure() as stored:
        stored.append(default_storage.save("panels/orphan.enc", ContentFile(b"ciphertext")))
        raise RuntimeError("the database went away")
    assert not default_storage.exists(stored[0])
