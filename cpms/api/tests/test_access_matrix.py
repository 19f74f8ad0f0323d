"""Who sees what through the API: every route of the `api` namespace (walked from the URL
configuration, so routes added later are covered) × every method × every role around a patient
enrolled at DE22 and its panel, each calling with a two-factor token of their own.

Only the enrolling centre sees identifying data; the routes naming the patient answer 404 (or 405)
to everyone else; nobody gets a 5xx; anonymous callers get 401 (the document and docs aside).
"""

import datetime

import pytest
from django.core.cache import cache

from cpms.lib.tests.access_matrix import METHODS, namespace_patterns, url_for
from cpms.panels.tests.factories import add_member, make_panel
from cpms.patients.tests.factories import make_patient
from cpms.patients.tests.test_access_matrix import IDENTITY, identifying_texts_in

from .helpers import bearer, make_token

ROLES = ("other_centre", "guest", "researcher", "other_ern", "expert", "triager", "anonymous")
PUBLIC = {"api:schema", "api:docs"}


PATTERNS = namespace_patterns("api")


@pytest.fixture
def matrix(world):
    patient = make_patient(
        world.de22, birth_date=datetime.date(1979, 8, 23), enrolled_by=world.enrolling, **IDENTITY
    )
    panel = make_panel(patient, world.enrolling)
    add_member(panel, world.expert)
    values = {"pseudonym": patient.pseudonym, "panel": panel.pk, "meeting": world.meeting.pk}
    return world, patient, values


def test_it_walks_every_route_of_the_api():
    names = {name for name, _ in PATTERNS}
    assert {"api:patient-detail", "api:panel-detail", "api:case-fhir", "api:meeting-list"} <= names
    writes = {"api:panel-submit", "api:invitation-answer", "api:panel-triage", "api:outcome-signoff"}
    writes |= {"api:consent-record"}
    assert writes <= names


@pytest.mark.parametrize("role", ROLES)
def test_only_the_enrolling_centre_sees_identifying_data(client, matrix, role):
    world, patient, values = matrix
    headers = bearer(make_token(getattr(world, role))) if role != "anonymous" else {}
    for name, route in PATTERNS:
        url = url_for(route, values)
        names_the_patient = "<str:pseudonym>" in route
        for method in METHODS:
            cache.clear()  # the throttle's counts: the walk calls more often than a caller may
            response = getattr(client, method)(url, headers=headers)
            where = f"{role}: {method.upper()} {url} ({name}) answered {response.status_code}"
            assert response.status_code < 500, where
            assert not identifying_texts_in(response.content), where
            if role == "anonymous" and name not in PUBLIC:
                assert response.status_code == 401, where
            elif names_the_patient and role != "anonymous":
                assert response.status_code in (404, 405), where
    patient.refresh_from_db()
    assert patient.removed_at is None


def test_the_enrolling_centre_sees_the_identity_and_nothing_breaks(client, matrix):
    world, patient, values = matrix
    headers = bearer(make_token(world.enrolling))
    detail = client.get(f"/api/v1/patients/{patient.pseudonym}/", headers=headers)
    assert {"Anneliese", "TUE-99-1234"} <= set(identifying_texts_in(detail.content))
    for name, route in PATTERNS:
        url = url_for(route, values)
        for method in METHODS:
            response = getattr(client, method)(url, headers=headers)
            assert response.status_code < 500, (
                f"{method.upper()} {url} ({name}) answered {response.status_code}"
            )
