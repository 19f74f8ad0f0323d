import pytest
from django.core.files.storage import default_storage

from cpms.audit.models import AuditEvent
from cpms.lib.crypto import decrypt_bytes
from cpms.test import sign_in

from ..models import Notification, OutcomeVersion, Signoff
from .outcome_helpers import contribute, draft, messages_of, notified, remove, sign, store_in, submitted, url


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    store_in(settings, tmp_path)


def answer(client, world, decision="signed", comment=""):
    data = {"decision": decision, "comment": comment}
    return client.post(url("outcome-signoff", world.panel), data, follow=True)


def test_a_member_who_contributed_signs(client, world):
    version = submitted(world, world.expert, world.guest_member)
    sign_in(client, world.expert)
    response = answer(client, world)
    assert "You signed the outcome." in messages_of(response)
    assert Signoff.objects.get(version=version, user=world.expert).decision == Signoff.Decision.SIGNED
    assert AuditEvent.objects.filter(action="panels.outcome.signed", actor_id=world.expert.pk).exists()
    version.refresh_from_db()
    assert version.signed_at is None  # the guest and the lead have not signed yet


def test_asking_for_changes_tells_the_lead(client, world):
    version = submitted(world, world.expert)
    sign_in(client, world.expert)
    response = answer(client, world, "changes", "Add the EMG findings.")
    assert "Your request for changes was sent to the panel lead." in messages_of(response)
    assert notified(Notification.Kind.CHANGES_REQUESTED) == {world.enrolling.pk}
    assert Signoff.objects.get(version=version).comment == "Add the EMG findings."
    sign_in(client, world.enrolling)
    assert "Add the EMG findings." in client.get(url("panel-outcome", world.panel)).content.decode()


def test_changes_need_a_comment(client, world):
    submitted(world, world.expert)
    sign_in(client, world.expert)
    assert "Say which changes you ask for." in messages_of(answer(client, world, "changes", "  "))
    assert not Signoff.objects.exists()


@pytest.mark.parametrize("decision", ("", "maybe", "signed' OR 1=1"))
def test_a_hostile_answer_changes_nothing(client, world, decision):
    submitted(world, world.expert)
    sign_in(client, world.expert)
    response = answer(client, world, decision)
    assert response.status_code == 200 and messages_of(response)
    assert not Signoff.objects.exists()


def test_the_lead_drafts_a_new_version_rather_than_asking_for_changes(client, world):
    submitted(world, world.expert)
    sign_in(client, world.enrolling)
    response = answer(client, world, "changes", "Hmm.")
    assert "As the panel lead, draft a new version instead of asking for changes." in messages_of(response)


def test_everyone_signed_makes_the_letter(client, world):
    version = submitted(world, world.expert, world.guest_member)
    sign(world.panel, world.expert, world.guest_member)
    sign_in(client, world.enrolling)
    answer(client, world)
    version.refresh_from_db()
    world.panel.refresh_from_db()
    assert version.signed_at is not None and world.panel.outcome_signed_at == version.signed_at
    with default_storage.open(version.letter_storage_name, "rb") as file:
        stored = file.read()
    assert not stored.startswith(b"%PDF")  # encrypted at rest
    assert decrypt_bytes(stored).startswith(b"%PDF")
    assert notified(Notification.Kind.SIGNED) == {world.expert.pk, world.guest_member.pk}
    assert AuditEvent.objects.filter(action="panels.outcome.completed").count() == 1
    page = client.get(url("panel-outcome", world.panel)).content.decode()
    assert "Download the outcome letter (PDF)" in page


def test_a_new_version_replaces_the_submitted_one_and_its_signatures(client, world):
    submitted(world, world.expert, world.guest_member)
    sign(world.panel, world.expert)
    draft(world.panel, world.enrolling, follow_up="See again in six months.")
    sign_in(client, world.guest_member)
    assert "No version of the outcome is waiting for signatures." in messages_of(answer(client, world))
    sign_in(client, world.enrolling)
    client.post(url("outcome-submit", world.panel))
    sign(world.panel, world.guest_member, world.enrolling)
    latest = OutcomeVersion.objects.get(number=2)
    assert latest.signed_at is None  # the expert signed version 1 only
    sign(world.panel, world.expert)
    latest.refresh_from_db()
    assert latest.signed_at is not None


def test_a_member_who_did_not_contribute_does_not_sign(client, world):
    submitted(world, world.expert)
    sign_in(client, world.guest_member)
    assert answer(client, world).status_code == 403


@pytest.mark.parametrize("role", ("triager", "dispatcher", "invited"))
def test_people_off_the_signers_get_403(client, world, role):
    submitted(world, world.expert)
    sign_in(client, getattr(world, role))
    assert client.post(url("outcome-signoff", world.panel), {"decision": "signed"}).status_code == 403
    assert not Signoff.objects.exists()


def test_a_removed_member_cannot_sign(client, world):
    submitted(world, world.expert)
    remove(world.panel, world.expert)
    sign_in(client, world.expert)
    assert client.post(url("outcome-signoff", world.panel), {"decision": "signed"}).status_code == 404


@pytest.mark.parametrize("role", ("other_centre", "guest", "other_ern"))
def test_it_answers_404_off_the_panel(client, world, role):
    submitted(world, world.expert)
    sign_in(client, getattr(world, role))
    assert client.post(url("outcome-signoff", world.panel), {"decision": "signed"}).status_code == 404


def test_one_answer_per_version(client, world):
    submitted(world, world.expert)
    sign_in(client, world.expert)
    answer(client, world)
    assert "You have already answered version 1." in messages_of(answer(client, world))


def test_nothing_to_sign_before_submission(client, world):
    contribute(world.panel, world.expert)
    draft(world.panel, world.enrolling)
    sign_in(client, world.expert)
    assert "No version of the outcome is waiting for signatures." in messages_of(answer(client, world))


def test_only_an_open_panel_is_signed(client, world):
    submitted(world, world.expert)
    world.panel.status = "closed"
    world.panel.save()
    sign_in(client, world.expert)
    assert "This panel is Closed: it cannot do that now." in messages_of(answer(client, world))
