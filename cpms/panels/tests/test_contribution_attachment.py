"""The download of a contribution's file: for whoever reads the discussion, decrypted, audited."""

import pytest
from django.urls import reverse

from cpms.audit.models import AuditEvent
from cpms.test import sign_in

from ..attachments import store_attachment
from ..models import Membership
from .discussion_helpers import PDF, pdf_file, use_private_storage, write
from .factories import add_member, make_panel


@pytest.fixture(autouse=True)
def storage(settings, tmp_path):
    use_private_storage(settings, tmp_path)


@pytest.fixture
def attachment(world):
    contribution = write(world.panel, world.expert, "The EMG.")
    return store_attachment(contribution=contribution, upload=pdf_file("Mathilde EMG.pdf"))


def url(panel, attachment) -> str:
    return reverse("panels:contribution-attachment", args=[panel.pk, attachment.pk])


@pytest.mark.parametrize("role", ["enrolling", "expert", "guest_member", "triager"])
def test_it_gives_the_file_to_whoever_reads_the_discussion(client, world, attachment, role):
    sign_in(client, getattr(world, role))
    response = client.get(url(world.panel, attachment))
    assert response.status_code == 200 and response.content == PDF
    assert response["Content-Type"] == "application/pdf"
    # Named by the panel: the uploaded name may carry the patient's.
    assert (
        response["Content-Disposition"]
        == f'attachment; filename="{world.panel.reference}-{attachment.pk}.pdf"'
    )
    assert response["X-Content-Type-Options"] == "nosniff" and "no-store" in response["Cache-Control"]
    event = AuditEvent.objects.get(action="panels.attachment.downloaded")
    assert event.actor_id == getattr(world, role).pk
    assert event.data == {
        "pseudonym": world.patient.pseudonym,
        "contribution": attachment.contribution_id,
        "attachment": attachment.pk,
    }


def test_an_invitee_gets_403(client, world, attachment):
    sign_in(client, world.invited)
    assert client.get(url(world.panel, attachment)).status_code == 403


@pytest.mark.parametrize("role", ["other_centre", "guest", "researcher", "other_ern"])
def test_off_the_panel_it_is_404(client, world, attachment, role):
    sign_in(client, getattr(world, role))
    assert client.get(url(world.panel, attachment)).status_code == 404
    assert not AuditEvent.objects.filter(action="panels.attachment.downloaded").exists()


def test_a_removed_member_gets_404_on_the_next_request(client, world, attachment):
    sign_in(client, world.expert)
    assert client.get(url(world.panel, attachment)).status_code == 200
    Membership.objects.filter(panel=world.panel, user=world.expert).update(status=Membership.Status.REMOVED)
    assert client.get(url(world.panel, attachment)).status_code == 404


def test_a_file_of_another_panel_is_404_through_this_one(client, world, attachment):
    other = make_panel(world.patient, world.enrolling)
    add_member(other, world.expert)
    sign_in(client, world.expert)
    assert client.get(url(other, attachment)).status_code == 404
    assert (
        client.get(reverse("panels:contribution-attachment", args=[world.panel.pk, 999999])).status_code
        == 404
    )
