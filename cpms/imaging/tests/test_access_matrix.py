"""Who sees what: every URL of the `imaging` namespace (found by walking the URL configuration, so the
pages img-intake adds are covered too) × every method × every role around a study shared with a panel.

People with no tie to the patient or the panel get 404 (or 405) everywhere; the panel's triager and
an invited member who has not answered get 404 on everything that names the study; nobody, inside or
out, ever gets a 500, and no HTML or JSON answer carries the patient's identity. (The DICOM bytes are
not checked here: removing the identity from them is img-intake's de-identification, with its test.)
"""

import pytest
from django.test import Client

from cpms.lib.tests.access_matrix import namespace_patterns, requests
from cpms.panels.tests.factories import make_panel_world
from cpms.test import sign_in

from ..models import Annotation
from .factories import make_stored_study

INSIDE = ("enrolling", "expert", "guest_member")
NOT_ON_THE_STUDY = ("invited", "triager")
OUTSIDE = ("other_centre", "guest", "researcher", "other_ern")
IDENTITY = ("Mathilde", "Grünwald", "GRÜNWALD", "TUE-4471-93", "1987-03-14", "19870314", "14/03/1987")


PATTERNS = namespace_patterns("imaging")


@pytest.fixture
def matrix(db):
    world = make_panel_world()
    world.study = make_stored_study(world.patient, slices=2, panels=[world.panel], size=16)
    instance = world.study.series.get().instances.first()
    annotation = Annotation.objects.create(
        study=world.study,
        series=instance.series,
        sop_uid=instance.sop_uid,
        author=world.expert,
        tool="length",
        data={"points": [[1, 1], [2, 2]]},
    )
    world.values = {
        "study": world.study.pk,
        "panel": world.panel.pk,
        "instance": instance.pk,
        "annotation": annotation.pk,
        "pseudonym": world.patient.pseudonym,
    }
    return world


def test_the_matrix_covers_the_viewer():
    names = {name for name, _ in PATTERNS}
    assert {
        "imaging:study-viewer",
        "imaging:instance-file",
        "imaging:instance-preview",
        "imaging:annotation-list",
        "imaging:annotation-detail",
        "imaging:panel-studies",
    } <= names


@pytest.mark.parametrize("who", OUTSIDE)
def test_outsiders_get_404_everywhere(matrix, who):
    client = Client()
    sign_in(client, getattr(matrix, who))
    for name, _route, _url, method, response in requests(client, PATTERNS, matrix.values):
        assert response.status_code in (404, 405), (name, method, response.status_code)


@pytest.mark.parametrize("who", NOT_ON_THE_STUDY)
def test_the_triager_and_the_invited_get_404_on_the_study(matrix, who):
    client = Client()
    sign_in(client, getattr(matrix, who))
    for name, route, _url, method, response in requests(client, PATTERNS, matrix.values):
        assert response.status_code < 500, (name, method)
        if "<int:study>" in route:
            assert response.status_code in (404, 405), (name, method, response.status_code)


@pytest.mark.parametrize("who", INSIDE)
def test_insiders_never_get_a_500_nor_the_identity(matrix, who):
    client = Client()
    sign_in(client, getattr(matrix, who))
    for name, _route, _url, method, response in requests(client, PATTERNS, matrix.values):
        assert response.status_code < 500, (name, method)
        if response.get("Content-Type", "").startswith(("text/html", "application/json")):
            text = response.content.decode(errors="replace")
            assert [value for value in IDENTITY if value in text] == [], (name, method)


def test_anonymous_visitors_are_sent_to_sign_in(matrix):
    client = Client()
    for name, _route, _url, method, response in requests(client, PATTERNS, matrix.values):
        assert response.status_code in (302, 403, 405), (name, method, response.status_code)
        if response.status_code == 302:
            assert "login" in response["Location"]
