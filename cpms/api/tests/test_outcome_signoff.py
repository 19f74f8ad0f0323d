"""Signing the outcome through the API: the page's form and action, If-Match on the outcome's ETag."""

import pytest

from cpms.audit.models import AuditEvent
from cpms.panels.models import Notification, Signoff
from cpms.panels.tests.outcome_helpers import notified, sign, store_in, submitted


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    store_in(settings, tmp_path)


def outcome(panel) -> str:
    return f"/api/v1/panels/{panel.pk}/outcome/"


def signoff(panel) -> str:
    return outcome(panel) + "signoff/"


def etag(caller, panel) -> dict:
    return {"If-Match": caller.get(outcome(panel)).headers["ETag"]}


def test_a_member_who_contributed_signs_audited(world, api):
    version = submitted(world, world.expert, world.guest_member)
    caller = api(world.expert)
    response = caller.post(signoff(world.panel), {"decision": "signed"}, etag(caller, world.panel))
    assert response.status_code == 200, response.content
    signers = {row["name"]: row["decision"] for row in response.json()["signers"]}
    assert signers["Erik Larsen"] == "signed" and signers["Gustav Berg"] is None
    assert Signoff.objects.get(version=version, user=world.expert).decision == Signoff.Decision.SIGNED
    assert AuditEvent.objects.filter(action="panels.outcome.signed", actor_id=world.expert.pk).exists()


def test_the_last_signature_completes_the_outcome(world, api):
    version = submitted(world, world.expert)
    sign(world.panel, world.expert)
    caller = api(world.enrolling)
    response = caller.post(signoff(world.panel), {"decision": "signed"}, etag(caller, world.panel))
    assert response.status_code == 200 and response.json()["is_signed"]
    version.refresh_from_db()
    assert version.signed_at is not None and version.letter_storage_name
    assert AuditEvent.objects.filter(action="panels.outcome.completed").exists()


def test_asking_for_changes_tells_the_lead(world, api):
    version = submitted(world, world.expert)
    caller = api(world.expert)
    answer = {"decision": "changes", "comment": "Add the EMG findings."}
    assert caller.post(signoff(world.panel), answer, etag(caller, world.panel)).status_code == 200
    found = Signoff.objects.get(version=version, user=world.expert)
    assert (found.decision, found.comment) == (Signoff.Decision.CHANGES_REQUESTED, "Add the EMG findings.")
    assert notified(Notification.Kind.CHANGES_REQUESTED) == {world.enrolling.pk}


def test_changes_need_a_comment_and_a_known_decision_400(world, api):
    submitted(world, world.expert)
    caller = api(world.expert)
    response = caller.post(signoff(world.panel), {"decision": "changes"}, etag(caller, world.panel))
    assert response.status_code == 400 and "comment" in response.json()["errors"]
    response = caller.post(signoff(world.panel), {"decision": "maybe"}, {"If-Match": "*"})
    assert response.status_code == 400 and "decision" in response.json()["errors"]
    assert not Signoff.objects.exists()


def test_it_requires_if_match_428_and_a_fresh_one_412(world, api):
    submitted(world, world.expert, world.guest_member)
    caller = api(world.expert)
    tag = etag(caller, world.panel)
    assert caller.post(signoff(world.panel), {"decision": "signed"}).status_code == 428
    sign(world.panel, world.guest_member)  # the outcome changed since the expert read it
    assert caller.post(signoff(world.panel), {"decision": "signed"}, tag).status_code == 412
    assert not Signoff.objects.filter(user=world.expert).exists()


def test_the_wrong_state_is_a_409(world, api):
    caller = api(world.expert)
    submitted(world, world.expert)
    assert caller.post(signoff(world.panel), {"decision": "signed"}, {"If-Match": "*"}).status_code == 200
    again = caller.post(signoff(world.panel), {"decision": "signed"}, {"If-Match": "*"})
    assert again.status_code == 409 and "already answered" in again.json()["detail"]
    lead = api(world.enrolling)
    answer = {"decision": "changes", "comment": "Rewrite it."}
    response = lead.post(signoff(world.panel), answer, {"If-Match": "*"})
    assert response.status_code == 409 and "draft a new version" in response.json()["detail"]


def test_nothing_to_sign_is_a_409(world, api):
    response = api(world.enrolling).post(signoff(world.panel), {"decision": "signed"}, {"If-Match": "*"})
    assert response.status_code == 409
    assert response.json()["detail"] == "No version of the outcome is waiting for signatures."


@pytest.mark.parametrize(("role", "status"), [("guest_member", 403), ("triager", 403), ("other_centre", 404)])
def test_only_the_signers_answer(world, api, role, status):
    submitted(world, world.expert)  # the guest member did not contribute: not a signer
    response = api(getattr(world, role)).post(signoff(world.panel), {"decision": "signed"}, {"If-Match": "*"})
    assert response.status_code == status
    assert not Signoff.objects.exists()
