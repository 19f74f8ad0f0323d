"""Who sees what: every URL of the `patients` namespace (found by walking the URL configuration, so
pages added later are covered too) × every method × every role around a patient enrolled at DE22.

Only the enrolling centre sees identifying data; everyone else gets 404, the sign-in page or a page
with nothing of the patient on it, never data.
"""

import datetime

import pytest
from django.urls import reverse

from cpms.lib.tests.access_matrix import namespace_patterns, requests
from cpms.test import sign_in

from .factories import make_patient, pdf_upload

ROLES = ("other_centre", "guest", "researcher", "other_ern", "anonymous")
IDENTITY = {
    "given_names": "Anneliese",
    "family_name": "Oberhäuser",
    "hospital_number": "TUE-99-1234",
    "national_id": "L01X00T47",
}
BIRTH_DATE_TEXTS = ("1979-08-23", "Aug. 23, 1979", "August 23, 1979", "23/08/1979", "23 août 1979")


PATTERNS = namespace_patterns("patients")


@pytest.fixture
def matrix(world, client):
    patient = make_patient(
        world.de22, birth_date=datetime.date(1979, 8, 23), enrolled_by=world.enrolling, **IDENTITY
    )
    sign_in(client, world.enrolling)
    consents = reverse("patients:consent-record", args=[patient.pseudonym])
    client.post(
        consents, {"kind": "care", "status": "given", "date": "2026-11-30", "consent_form": pdf_upload()}
    )
    client.logout()
    document = patient.documents.get()
    values = {
        "pseudonym": patient.pseudonym,
        "centre": world.de22.pk,
        "document": document.pk,
        "language": "en",
    }
    return world, patient, values


def identifying_texts_in(content: bytes) -> list[str]:
    text = content.decode(errors="replace")
    found = [value for value in IDENTITY.values() if value.lower() in text.lower()]
    return found + [value for value in BIRTH_DATE_TEXTS if value in text]


def test_it_walks_the_pages_of_patients():
    names = {name for name, _ in PATTERNS}
    assert {"patients:patient-detail", "patients:centre-patient-list", "patients:consent-record"} <= names


@pytest.mark.parametrize("role", ROLES)
def test_only_the_enrolling_centre_sees_identifying_data(client, matrix, role):
    world, patient, values = matrix
    if role != "anonymous":
        sign_in(client, getattr(world, role))
    for name, route, url, method, response in requests(client, PATTERNS, values):
        names_the_patient = "<" in route and any(f":{key}>" in route for key in ("pseudonym", "centre"))
        where = f"{role}: {method.upper()} {url} ({name}) answered {response.status_code}"
        assert response.status_code < 500, where
        assert not identifying_texts_in(response.content), where
        if role == "anonymous":
            assert response.status_code == 302 and response.url.startswith(reverse("identity:login")), where
        elif names_the_patient:
            assert response.status_code in (404, 405), where
    patient.refresh_from_db()
    assert patient.removed_at is None and patient.care_consent == "given"


def test_the_enrolling_centre_sees_the_identity_and_nothing_breaks(client, matrix):
    world, patient, values = matrix
    sign_in(client, world.enrolling)
    detail = client.get(reverse("patients:patient-detail", args=[patient.pseudonym]))
    assert {"Anneliese", "TUE-99-1234"} <= set(identifying_texts_in(detail.content))
    for name, _route, url, method, response in requests(client, PATTERNS, values):
        assert response.status_code < 500, f"{method.upper()} {url} ({name}) answered {response.status_code}"
    patient.refresh_from_db()
    assert patient.removed_at is None  # an empty POST removes nothing
