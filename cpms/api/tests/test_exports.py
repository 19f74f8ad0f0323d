"""The case exports of the patients issue, through the API: the same builder, the same audit."""

import json

import pytest

from cpms.audit.models import AuditEvent


def url(world, name: str) -> str:
    return f"/api/v1/patients/{world.patient.pseudonym}/case/{name}/"


def test_it_exports_a_fhir_bundle(world, api):
    response = api(world.enrolling).get(url(world, "fhir"), headers={"Accept": "application/fhir+json"})
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/fhir+json")
    assert json.loads(response.content)["resourceType"] == "Bundle"
    assert AuditEvent.objects.get(action="patients.case.exported").data == {"format": "fhir"}


def test_it_exports_a_phenopacket(world, api):
    response = api(world.enrolling).get(url(world, "phenopacket"))
    assert response.status_code == 200
    assert json.loads(response.content)["subject"]["id"] == world.patient.pseudonym
    assert AuditEvent.objects.get(action="patients.case.exported").data == {"format": "phenopacket"}


@pytest.mark.parametrize("role", ["other_centre", "researcher", "expert"])
def test_it_answers_404_outside_the_enrolling_centre(world, api, role):
    caller = api(getattr(world, role))
    assert caller.get(url(world, "fhir")).status_code == 404
    assert caller.get(url(world, "phenopacket")).status_code == 404
    assert not AuditEvent.objects.filter(action="patients.case.exported").exists()


def test_it_answers_401_to_anonymous_callers(world, api):
    assert api().get(url(world, "fhir")).status_code == 401
