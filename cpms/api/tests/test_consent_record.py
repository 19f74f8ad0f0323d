"""Recording a consent through the API: the consents page's form and action, If-Match on the patient."""

import datetime

import pytest
from django.utils import timezone

from cpms.audit.models import AuditEvent
from cpms.panels.models import PanelStatus
from cpms.panels.tests.factories import make_panel
from cpms.patients.models import Consent, Patient
from cpms.patients.models.patient import ConsentStatus


def patient_url(world) -> str:
    return f"/api/v1/patients/{world.patient.pseudonym}/"


def consents(world) -> str:
    return patient_url(world) + "consents/"


def etag(caller, world) -> dict:
    return {"If-Match": caller.get(patient_url(world)).headers["ETag"]}


def fresh(world) -> Patient:
    return Patient.objects.unscoped().get(pk=world.patient.pk)


def test_it_records_a_given_consent_audited(world, api):
    caller = api(world.enrolling)
    body = {"kind": "registries", "status": "given", "date": "2026-11-30"}
    response = caller.post(consents(world), body, etag(caller, world))
    assert response.status_code == 200, response.content
    assert response.json()["consents"]["registries"] == ConsentStatus.GIVEN
    assert fresh(world).registries_consent == ConsentStatus.GIVEN
    consent = Consent.objects.unscoped().filter(patient=world.patient, kind="registries").latest("id")
    assert (consent.status, consent.date, consent.recorded_by) == (
        ConsentStatus.GIVEN,
        datetime.date(2026, 11, 30),
        world.enrolling,
    )
    event = AuditEvent.objects.get(action="patients.consent.recorded")
    assert event.actor_id == world.enrolling.pk
    assert event.data["registries_consent"]["new"] == ConsentStatus.GIVEN and event.data["form"] is False


def test_a_withdrawal_is_in_force_at_once(world, api):
    caller = api(world.enrolling)
    body = {"kind": "care", "status": "withdrawn", "date": timezone.localdate().isoformat()}
    assert caller.post(consents(world), body, etag(caller, world)).status_code == 200
    assert fresh(world).care_consent == ConsentStatus.WITHDRAWN
    draft = make_panel(world.patient, world.enrolling, status=PanelStatus.DRAFT, question="Which gene?")
    submit = f"/api/v1/panels/{draft.pk}/submit/"
    response = caller.post(
        submit, headers={"If-Match": caller.get(f"/api/v1/panels/{draft.pk}/").headers["ETag"]}
    )
    assert response.status_code == 409 and "consent for care" in response.json()["detail"]


def test_a_date_in_the_future_or_a_wrong_value_is_a_400(world, api):
    caller = api(world.enrolling)
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    response = caller.post(
        consents(world), {"kind": "care", "status": "given", "date": tomorrow}, etag(caller, world)
    )
    assert response.status_code == 400 and set(response.json()["errors"]) == {"date"}
    wrong = {"kind": "marketing", "status": "maybe", "date": "yesterday"}
    response = caller.post(consents(world), wrong, {"If-Match": "*"})
    assert response.status_code == 400 and set(response.json()["errors"]) == {"kind", "status", "date"}
    not_asked = {"kind": "care", "status": "not_asked", "date": "2026-11-30"}
    response = caller.post(consents(world), not_asked, {"If-Match": "*"})
    assert response.status_code == 400 and set(response.json()["errors"]) == {"status"}
    assert not AuditEvent.objects.filter(action="patients.consent.recorded").exists()


def test_it_requires_if_match_428_and_a_fresh_one_412(world, api):
    caller = api(world.enrolling)
    stale = etag(caller, world)
    body = {"kind": "registries", "status": "given", "date": "2026-11-30"}
    assert caller.post(consents(world), body).status_code == 428
    assert caller.post(consents(world), body, stale).status_code == 200
    refused = {"kind": "registries", "status": "refused", "date": "2026-12-01"}
    assert caller.post(consents(world), refused, stale).status_code == 412
    assert fresh(world).registries_consent == ConsentStatus.GIVEN


@pytest.mark.parametrize("role", ["other_centre", "expert", "researcher", "guest", "other_ern"])
def test_only_the_enrolling_centres_hps_record_404(world, api, role):
    body = {"kind": "care", "status": "withdrawn", "date": "2026-11-30"}
    response = api(getattr(world, role)).post(consents(world), body, {"If-Match": "*"})
    assert response.status_code == 404
    assert not AuditEvent.objects.filter(action="patients.consent.recorded").exists()
