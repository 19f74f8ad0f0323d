"""Every intake URL × method × person outside: 404 (or 405), never a 500 and never the identity;
anonymous: to sign in. The full imaging access matrix (the viewer's too) is img-viewer's."""

import pytest
from django.urls import reverse

from cpms.imaging.models import Study
from cpms.panels.tests.factories import make_panel_world
from cpms.test import sign_in

from .intake_helpers import announce, mr_study, send, start


@pytest.fixture
def world(db):
    """The panels' world with no study yet: these tests look at what the intake stores."""
    return make_panel_world()


METHODS = ("get", "post", "put", "patch", "delete")
OUTSIDE = ("other_centre", "guest", "researcher", "other_ern", "expert", "invited")
IDENTITY = ("GRÜNWALD", "MATHILDE", "TUE-4471-93", "19870314")


@pytest.fixture
def things(client, world):
    sign_in(client, world.enrolling)
    send(client, world.patient, mr_study(slices=2)[1])
    upload = start(client, world.patient)
    item = announce(client, upload, [("a.dcm", b"x" * 10)])["a.dcm"]
    client.logout()
    study = Study.objects.of_patients([world.patient.pk]).get()
    series = study.series.first()
    return [
        reverse("imaging:upload-new", args=(world.patient.pseudonym,)),
        reverse("imaging:panel-upload-new", args=(world.panel.pk,)),
        upload["progress"],
        upload["files"],
        item["chunk"] + "?offset=0",
        upload["finish"],
        reverse("imaging:study-review", args=(study.pk,)),
        reverse("imaging:series-preview", args=(study.pk, series.pk)),
        reverse("imaging:series-mask", args=(study.pk, series.pk)),
        reverse("imaging:study-confirm", args=(study.pk,)),
    ]


@pytest.mark.parametrize("role", OUTSIDE)
def test_outside_nothing_is_seen(client, world, things, role):
    sign_in(client, getattr(world, role))
    for url in things:
        for method in METHODS:
            response = getattr(client, method)(url)
            where = f"{role}: {method.upper()} {url} answered {response.status_code}"
            if role in ("expert",) and "/panels/" in url:
                assert response.status_code in (200, 201, 405), where  # a member may send from the panel
                continue
            assert response.status_code in (404, 405), where
            assert not any(value.encode() in response.content for value in IDENTITY), where


def test_anonymous_is_sent_to_sign_in(client, world, things):
    for url in things:
        for method in METHODS:
            response = getattr(client, method)(url)
            assert response.status_code == 302 and reverse("identity:login") in response.url, (method, url)
