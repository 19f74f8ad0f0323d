"""Administrators may correct grants in the Django admin: every change is audited."""

import pytest
from django.urls import reverse

from cpms.access.models import Grant
from cpms.access.tests.factories import make_administrator, make_grant
from cpms.audit.models import AuditEvent
from cpms.test import sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def grant(alice, rnd):
    return make_grant(alice, rnd.hcp)


@pytest.fixture
def admin_client(client):
    return sign_in(client, make_administrator())


def form_data(grant: Grant, **changes) -> dict:
    data = {
        "user": grant.user_id,
        "application": grant.application_id,
        "organisation": grant.organisation_id,
        "ern": grant.ern_id,
        "profile": grant.profile_id,
        "request": "",
        "approved_by": "",
        "created_at_0": grant.created_at.strftime("%Y-%m-%d"),
        "created_at_1": grant.created_at.strftime("%H:%M:%S"),
        "expires_at_0": "",
        "expires_at_1": "",
        "revoked_at_0": "",
        "revoked_at_1": "",
        "revoked_by": "",
        "revoke_reason": "",
    }
    return {**data, **changes}


def test_it_audits_a_grant_changed_in_the_admin(admin_client, grant):
    url = reverse("admin:access_grant_change", args=[grant.pk])
    response = admin_client.post(
        url, form_data(grant, revoked_at_0="2026-01-05", revoked_at_1="10:00:00", revoke_reason="Left")
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    grant.refresh_from_db()
    assert grant.revoked_at is not None
    event = AuditEvent.objects.get(action="access.grant.changed_in_admin")
    assert event.target_id == str(grant.pk)
    assert event.data["user"] == grant.user_id
    assert {"revoke_reason", "revoked_at"} <= set(event.data["changes"])
    assert event.data["changes"]["revoke_reason"] == {"old": "", "new": "Left"}


def test_it_audits_a_grant_created_in_the_admin(admin_client, grant):
    response = admin_client.post(reverse("admin:access_grant_add"), form_data(grant))
    assert response.status_code == 302, response.content.decode()[:2000]
    created = Grant.objects.exclude(pk=grant.pk).get()
    event = AuditEvent.objects.get(action="access.grant.created_in_admin")
    assert event.target_id == str(created.pk)


def test_it_audits_a_grant_deleted_in_the_admin(admin_client, grant):
    response = admin_client.post(reverse("admin:access_grant_delete", args=[grant.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert not Grant.objects.exists()
    assert AuditEvent.objects.get(action="access.grant.deleted_in_admin").target_id == str(grant.pk)
    other = make_grant(grant.user, grant.organisation, "researcher")
    admin_client.post(
        reverse("admin:access_grant_changelist"),
        {"action": "delete_selected", "_selected_action": [other.pk], "post": "yes"},
    )
    assert not Grant.objects.exists()
    assert AuditEvent.objects.filter(action="access.grant.deleted_in_admin").count() == 2
