"""Who sees what: every URL of the `meetings` namespace (found by walking the URL configuration, so
the pages of "My meetings" and the room are covered once merged) × every method × every role
around a meeting on an open panel.

People outside the meeting get 404 (or 405) on every URL that names it; nobody ever gets a 500 or
the patient's identifying data: the meeting travels under the panel's pseudonym.
"""

import pytest
from django.urls import reverse

from cpms.lib.tests.access_matrix import namespace_patterns, requests
from cpms.test import sign_in

INSIDE = ("enrolling", "expert", "guest_member", "outsider_invited", "triager")
OUTSIDE = ("invited", "guest", "researcher", "other_ern", "dispatcher")
# The identity of the patient of make_patient_world (cpms/patients/tests/factories.py).
IDENTITY = ("Mathilde", "Grünwald", "TUE-4471-93", "1987-03-14", "March 14, 1987", "14/03/1987")


PATTERNS = namespace_patterns("meetings")


def values_of(world) -> dict:
    return {"meeting": world.meeting.pk, "panel": world.panel.pk}


def identifying_texts_in(content: bytes) -> list[str]:
    text = content.decode(errors="replace")
    return [value for value in IDENTITY if value in text]


def test_it_walks_the_pages_of_meetings():
    names = {name for name, _ in PATTERNS}
    assert {"meetings:meeting-detail", "meetings:meeting-new", "meetings:meeting-edit"} <= names


# Reached without signing in: the personal calendar feed, whose secret is in its URL.
PUBLIC = {"meetings:feed"}


@pytest.mark.parametrize("role", (*OUTSIDE, "anonymous"))
def test_outside_the_meeting_nothing_of_it_is_seen(client, world, role):
    if role != "anonymous":
        sign_in(client, getattr(world, role))
    for name, route, url, method, response in requests(client, PATTERNS, values_of(world)):
        names_the_meeting = "<int:meeting>" in route
        where = f"{role}: {method.upper()} {url} ({name}) answered {response.status_code}"
        assert response.status_code < 500, where
        assert not identifying_texts_in(response.content), where
        if role == "anonymous" and name in PUBLIC:
            assert response.status_code in (404, 405), where  # a wrong secret: nothing
        elif role == "anonymous":
            assert response.status_code == 302, where
            assert response.url.startswith(reverse("identity:login")), where
        elif names_the_meeting:
            assert response.status_code in (404, 405), where
            assert world.meeting.title.encode() not in response.content, where


@pytest.mark.parametrize("role", INSIDE)
def test_inside_the_meeting_no_identifying_data_and_nothing_breaks(client, world, role):
    sign_in(client, getattr(world, role))
    for name, _route, url, method, response in requests(client, PATTERNS, values_of(world)):
        where = f"{role}: {method.upper()} {url} ({name}) answered {response.status_code}"
        assert response.status_code < 500, where
        assert not identifying_texts_in(response.content), where
    world.meeting.refresh_from_db()
    assert not world.meeting.is_cancelled  # an empty POST changes nothing
    assert world.meeting.sequence == 0
