"""The processing task: through the real broker and worker, and its own rules run in this process."""

import pytest

from cpms.imaging.models import Instance, Study, Upload
from cpms.imaging.processing import process_upload
from cpms.imaging.tasks import process_upload as task
from cpms.panels.tests.factories import make_panel_world
from cpms.test import sign_in

from .intake_helpers import announce, mr_study, put_file, send, start


@pytest.fixture
def world(db):
    """The panels' world with no study yet: these tests look at what the intake stores."""
    return make_panel_world()


def test_it_travels_through_the_broker_to_the_worker(client, broker):
    world = make_panel_world()
    sign_in(client, world.enrolling)
    _, files = mr_study(slices=3)
    upload = start(client, world.patient)
    items = announce(client, upload, files)
    for name, data in files:
        put_file(client, items[name], data)
    response = client.post(upload["finish"])
    assert response.status_code == 200
    broker.wait_for("imaging.process_upload")
    row = Upload.objects.get(pk=upload["upload"])
    assert row.status == Upload.Status.DONE and row.files_done == 5
    assert Study.objects.of_patients([world.patient.pk]).get().status == Study.Status.REVIEW
    assert Instance.objects.count() == 5


def test_running_it_again_changes_nothing(client, world):
    sign_in(client, world.enrolling)
    upload = send(client, world.patient, mr_study(slices=2)[1])
    assert task.name == "imaging.process_upload"
    before = Instance.objects.count()
    Upload.objects.filter(pk=upload["upload"]).update(status=Upload.Status.PROCESSING)
    process_upload(upload["upload"])
    assert Instance.objects.count() == before


def test_a_file_that_breaks_the_processing_is_refused_and_the_rest_kept(client, world, monkeypatch):
    from cpms.imaging import processing

    sign_in(client, world.enrolling)
    files = mr_study(slices=3, burned_in_series=False)[1]
    real_place_series = processing.place_series
    calls = []

    def flaky(study, result):
        calls.append(result.sop_uid)
        if len(calls) == 2:
            raise RuntimeError("a bug")
        return real_place_series(study, result)

    monkeypatch.setattr(processing, "place_series", flaky)
    upload = send(client, world.patient, files)
    row = Upload.objects.get(pk=upload["upload"])
    assert (row.status, row.files_done, row.files_refused) == ("done", 3, 1)
    assert Instance.objects.count() == 2
    assert row.files.get(status="refused").refusal == "This file could not be processed."
