import pytest
from django.urls import reverse

from cpms.audit.models import AuditEvent
from cpms.test import sign_in

from ..models import Panel
from .requests_helpers import draft, submitted


def url(panel) -> str:
    return reverse("panels:panel-discard", args=[panel.pk])


def test_the_requester_discards_the_draft(client, world):
    panel = draft(world)
    sign_in(client, world.enrolling)
    response = client.post(url(panel))
    assert response.status_code == 302
    assert response.url == reverse("patients:case-detail", args=[world.patient.pseudonym])
    assert not Panel.objects.unscoped().filter(pk=panel.pk).exists()
    event = AuditEvent.objects.get(action="panels.panel.discarded")
    assert event.target_id == str(panel.pk) and event.data == {"pseudonym": world.patient.pseudonym}


def test_it_is_a_post(client, world):
    panel = draft(world)
    sign_in(client, world.enrolling)
    assert client.get(url(panel)).status_code == 405
    assert Panel.objects.unscoped().filter(pk=panel.pk).exists()


@pytest.mark.parametrize("role", ["triager", "other_centre"])
def test_nobody_else_sees_the_draft(client, world, role):
    panel = draft(world)
    sign_in(client, getattr(world, role))
    assert client.post(url(panel)).status_code == 404
    assert Panel.objects.unscoped().filter(pk=panel.pk).exists()


def test_a_member_gets_403(client, world):
    sign_in(client, world.expert)
    assert client.post(url(world.panel)).status_code == 403


def test_a_submitted_request_cannot_be_discarded(client, world):
    panel = submitted(world)
    sign_in(client, world.enrolling)
    response = client.post(url(panel), follow=True)
    assert b"it cannot do that now" in response.content
    assert Panel.objects.unscoped().filter(pk=panel.pk).exists()
