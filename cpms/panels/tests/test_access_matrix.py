"""Who sees what: every URL of the `panels` namespace (found by walking the URL configuration, so
pages added later are covered too) × every method × every role around an open panel on a patient
enrolled at DE22.

People outside the panel get 404 (or 405) on every URL that names it; nobody, inside or out, ever
gets a 500 or the patient's identifying data: members see the pseudonymised case only.
"""

import pytest
from django.urls import reverse

from cpms.lib.tests.access_matrix import namespace_patterns, requests
from cpms.test import sign_in

INSIDE = ("expert", "guest_member", "invited", "triager", "dispatcher")
OUTSIDE = ("other_centre", "guest", "researcher", "other_ern")
# The identity of the patient of make_patient_world (cpms/patients/tests/factories.py).
IDENTITY = ("Mathilde", "Grünwald", "TUE-4471-93", "1987-03-14", "March 14, 1987", "14/03/1987")


PATTERNS = namespace_patterns("panels")


def values_of(world) -> dict:
    return {"panel": world.panel.pk, "pseudonym": world.patient.pseudonym, "centre": world.de22.pk}


def identifying_texts_in(content: bytes) -> list[str]:
    text = content.decode(errors="replace")
    return [value for value in IDENTITY if value in text]


def test_it_walks_the_pages_of_panels():
    assert "panels:panel-detail" in {name for name, _ in PATTERNS}


@pytest.mark.parametrize("role", (*OUTSIDE, "anonymous"))
def test_outside_the_panel_nothing_of_it_is_seen(client, world, role):
    if role != "anonymous":
        sign_in(client, getattr(world, role))
    for name, route, url, method, response in requests(client, PATTERNS, values_of(world)):
        names_the_panel = "<int:panel>" in route or "<str:pseudonym>" in route
        where = f"{role}: {method.upper()} {url} ({name}) answered {response.status_code}"
        assert response.status_code < 500, where
        assert not identifying_texts_in(response.content), where
        if role == "anonymous":
            assert response.status_code == 302, where
            assert response.url.startswith(reverse("identity:login")), where
        elif names_the_panel:
            assert response.status_code in (404, 405), where


@pytest.mark.parametrize("role", INSIDE)
def test_inside_the_panel_no_identifying_data_and_nothing_breaks(client, world, role):
    sign_in(client, getattr(world, role))
    for name, _route, url, method, response in requests(client, PATTERNS, values_of(world)):
        where = f"{role}: {method.upper()} {url} ({name}) answered {response.status_code}"
        assert response.status_code < 500, where
        assert not identifying_texts_in(response.content), where
    world.panel.refresh_from_db()
    assert world.panel.status == "open"  # an empty POST changes nothing


def test_the_requesting_centre_gets_no_500_either(client, world):
    sign_in(client, world.enrolling)
    for name, _route, url, method, response in requests(client, PATTERNS, values_of(world)):
        assert response.status_code < 500, f"{method.upper()} {url} ({name}) answered {response.status_code}"
