"""Request more information: a member asks the requester in the thread; it stays open until answered."""

import pytest
from django.urls import reverse

from cpms.audit.models import AuditEvent
from cpms.test import sign_in

from ..models import Contribution, Membership, Notification, PanelStatus
from .discussion_helpers import discussion_url, pdf_file, use_private_storage, write
from .factories import add_member, make_panel

Kind = Notification.Kind


@pytest.fixture(autouse=True)
def storage(settings, tmp_path):
    use_private_storage(settings, tmp_path)


def url(panel) -> str:
    return reverse("panels:information-request", args=[panel.pk])


def notified(kind) -> set[int]:
    return set(Notification.objects.filter(kind=kind).values_list("recipient_id", flat=True))


def test_a_member_asks_the_requester_who_is_told(client, world):
    sign_in(client, world.expert)
    response = client.post(url(world.panel), {"text": "Is there a brain MRI?", "files": [pdf_file()]})
    asked = Contribution.objects.get()
    assert response.status_code == 302 and response.url.endswith(f"#contribution-{asked.pk}")
    assert asked.kind == Contribution.Kind.INFORMATION_REQUEST and asked.attachments.count() == 1
    assert notified(Kind.INFORMATION_REQUESTED) == {world.enrolling.pk}
    assert notified(Kind.CONTRIBUTION) == {world.guest_member.pk}
    event = AuditEvent.objects.get(action="panels.information.requested")
    assert event.data["contribution"] == asked.pk and event.data["pseudonym"] == world.patient.pseudonym
    world.panel.refresh_from_db()
    assert world.panel.first_contribution_at == asked.created_at


def test_the_requester_is_told_once_even_when_mentioned(client, world):
    sign_in(client, world.guest_member)
    client.post(
        url(world.panel), {"text": "@nhelena1, the EMG please.", "mention": [str(world.enrolling.pk)]}
    )
    assert Notification.objects.filter(recipient=world.enrolling).count() == 1
    assert notified(Kind.INFORMATION_REQUESTED) == {world.enrolling.pk}


def test_the_requester_does_not_ask_themselves(client, world):
    sign_in(client, world.enrolling)  # the requester, who leads the panel
    assert client.post(url(world.panel), {"text": "?"}).status_code == 403
    assert not Contribution.objects.exists()


def test_a_requester_who_is_no_member_does_not_ask_either(client, world):
    panel = make_panel(world.patient, world.enrolling, lead=world.expert)
    sign_in(client, world.enrolling)
    assert client.post(url(panel), {"text": "?"}).status_code == 403


@pytest.mark.parametrize("role", ["invited", "triager", "dispatcher"])
def test_people_on_the_panel_who_are_not_members_get_403(client, world, role):
    sign_in(client, getattr(world, role))
    assert client.post(url(world.panel), {"text": "?"}).status_code == 403


@pytest.mark.parametrize("role", ["other_centre", "guest", "researcher", "other_ern"])
def test_people_off_the_panel_get_404(client, world, role):
    sign_in(client, getattr(world, role))
    assert client.post(url(world.panel), {"text": "?"}).status_code == 404


def test_a_closed_panel_says_why(client, world):
    panel = make_panel(world.patient, world.enrolling, status=PanelStatus.CLOSED)
    add_member(panel, world.expert)
    sign_in(client, world.expert)
    response = client.post(url(panel), {"text": "?"}, follow=True)
    assert "it cannot do that now" in response.content.decode() and not Contribution.objects.exists()


# -- the answer


def answer_url(panel, asked) -> str:
    return reverse("panels:information-answer", args=[panel.pk, asked.pk])


def ask(world, author=None) -> Contribution:
    return write(
        world.panel,
        author or world.expert,
        "Is there a brain MRI?",
        kind=Contribution.Kind.INFORMATION_REQUEST,
    )


def answer(client, world, asked, text="Yes: normal at 30.", follow=False, **extra):
    return client.post(
        answer_url(world.panel, asked), {f"answer-{asked.pk}-text": text, **extra}, follow=follow
    )


def test_an_open_request_shows_as_open_with_the_requesters_answer_form(client, world):
    asked = ask(world)
    sign_in(client, world.enrolling)
    page = client.get(discussion_url(world.panel)).content.decode()
    assert "Open request" in page and answer_url(world.panel, asked) in page
    sign_in(client, world.guest_member)
    page = client.get(discussion_url(world.panel)).content.decode()
    assert "Open request" in page and answer_url(world.panel, asked) not in page


def test_the_requester_answers_in_the_thread_and_the_asker_is_told(client, world):
    asked = ask(world)
    sign_in(client, world.enrolling)
    response = answer(client, world, asked, **{f"answer-{asked.pk}-files": [pdf_file("MRI.pdf")]})
    given = Contribution.objects.get(kind=Contribution.Kind.INFORMATION_ANSWER)
    assert response.status_code == 302 and response.url.endswith(f"#contribution-{given.pk}")
    assert (given.answers, given.author, given.attachments.get().name) == (asked, world.enrolling, "MRI.pdf")
    assert notified(Kind.INFORMATION_ANSWERED) == {world.expert.pk}
    assert notified(Kind.CONTRIBUTION) == {world.guest_member.pk}
    event = AuditEvent.objects.get(action="panels.information.answered")
    assert event.data["answers"] == asked.pk and event.data["contribution"] == given.pk
    page = client.get(discussion_url(world.panel)).content.decode()
    assert (
        "Answered" in page
        and "Open request" not in page
        and "In answer to the request of Erik Larsen" in page
    )
    assert answer_url(world.panel, asked) not in page


def test_a_request_is_answered_once(client, world):
    asked = ask(world)
    sign_in(client, world.enrolling)
    answer(client, world, asked)
    response = answer(client, world, asked, text="Again", follow=True)
    assert "This request for more information was already answered." in response.content.decode()
    assert Contribution.objects.filter(kind=Contribution.Kind.INFORMATION_ANSWER).count() == 1


@pytest.mark.parametrize("role", ["expert", "guest_member", "invited", "triager"])
def test_only_the_requester_answers(client, world, role):
    asked = ask(world)
    sign_in(client, getattr(world, role))
    assert answer(client, world, asked).status_code == 403
    assert not Contribution.objects.filter(kind=Contribution.Kind.INFORMATION_ANSWER).exists()


def test_off_the_panel_the_answer_is_404(client, world):
    asked = ask(world)
    sign_in(client, world.other_centre)
    assert answer(client, world, asked).status_code == 404


def test_only_a_request_of_this_panel_can_be_answered(client, world):
    plain = write(world.panel, world.expert, "Just an opinion.")
    other_panel = make_panel(world.patient, world.enrolling)
    add_member(other_panel, world.expert)
    elsewhere = write(other_panel, world.expert, "?", kind=Contribution.Kind.INFORMATION_REQUEST)
    sign_in(client, world.enrolling)
    assert answer(client, world, plain).status_code == 404
    assert answer(client, world, elsewhere).status_code == 404
    assert client.post(f"/panels/{world.panel.pk}/discussion/information/999999/answer/").status_code == 404


def test_an_empty_answer_is_refused_with_the_form_shown_again(client, world):
    asked = ask(world)
    sign_in(client, world.enrolling)
    response = answer(client, world, asked, text="")
    assert response.status_code == 400 and "This field is required." in response.content.decode()
    assert not Contribution.objects.filter(kind=Contribution.Kind.INFORMATION_ANSWER).exists()


def test_an_asker_removed_since_is_not_told(client, world):
    asked = ask(world, author=world.guest_member)
    Membership.objects.filter(panel=world.panel, user=world.guest_member).update(
        status=Membership.Status.REMOVED
    )
    sign_in(client, world.enrolling)
    answer(client, world, asked)
    assert not notified(Kind.INFORMATION_ANSWERED)
    assert notified(Kind.CONTRIBUTION) == {world.expert.pk}


def test_a_closed_panel_takes_no_answer(client, world):
    asked = ask(world)
    world.panel.status = PanelStatus.CLOSED
    world.panel.save()
    sign_in(client, world.enrolling)
    response = answer(client, world, asked, follow=True)
    assert "it cannot do that now" in response.content.decode()
    assert not Contribution.objects.filter(kind=Contribution.Kind.INFORMATION_ANSWER).exists()
