"""Abandoned uploads (cpms/imaging/abandoned.py): what an upload left untouched for
IMAGING_ABANDONED_AFTER_HOURS still holds unconfirmed is deleted, the upload marked abandoned and
its page says so; what was touched in time, or confirmed, is left."""

from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
import time_machine
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse

from cpms.audit.models import AuditEvent
from cpms.imaging import abandoned, intake, tasks
from cpms.imaging.actions import do_confirm_study
from cpms.imaging.models import Instance, Series, Study, Upload, UploadFile
from cpms.imaging.stores import ImageNotFound, image_store
from cpms.panels.tests.factories import make_panel_world
from cpms.test import sign_in

from .intake_helpers import announce, mr_study, put, send, start

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
HOURS = 48


@pytest.fixture
def world(db, settings):
    settings.IMAGING_ABANDONED_AFTER_HOURS = HOURS
    return make_panel_world()


def sweep(django_capture_on_commit_callbacks) -> abandoned.Swept:
    with django_capture_on_commit_callbacks(execute=True):
        return abandoned.sweep_abandoned_uploads()


def half_sent(client, world) -> tuple[dict, dict]:
    """An upload of two files, the first one chunk in: {name: item}."""
    sign_in(client, world.enrolling)
    upload = start(client, world.patient)
    items = announce(client, upload, [("Doe/a.dcm", b"a" * 20), ("Doe/b.dcm", b"b" * 20)])
    assert put(client, items["Doe/a.dcm"], b"a" * 10, 0).status_code == 200
    return upload, items


def stored(names) -> list[str]:
    store, found = image_store(), []
    for name in names:
        try:
            store.read(name)
            found.append(name)
        except ImageNotFound:
            pass
    return found


def test_it_deletes_the_raw_bytes_of_an_upload_left_receiving(
    client, world, django_capture_on_commit_callbacks
):
    with time_machine.travel(START, tick=False) as traveller:
        upload, items = half_sent(client, world)
        folder = intake.folder_of(upload["upload"], items["Doe/a.dcm"]["id"])
        assert list(folder.glob("*.enc"))
        traveller.shift(timedelta(hours=HOURS, minutes=1))
        swept = sweep(django_capture_on_commit_callbacks)
    assert (swept.uploads, swept.files, swept.raw_bytes, swept.studies) == (1, 2, 10, 0)
    assert not folder.parent.exists()
    row = Upload.objects.get(pk=upload["upload"])
    assert row.status == Upload.Status.ABANDONED and (row.files_done, row.files_refused) == (2, 2)
    refusals = set(UploadFile.objects.filter(upload=row).values_list("status", "refusal"))
    assert refusals == {("refused", "Not received in time: the upload was left unfinished for 48 hours.")}
    event = AuditEvent.objects.get(action=abandoned.ABANDONED)
    assert event.data == {
        "pseudonym": world.patient.pseudonym,
        "files": 2,
        "raw_bytes": 10,
        "studies": 0,
        "instances": 0,
    }
    response = client.put(f"{items['Doe/b.dcm']['chunk']}?offset=0", data=b"b", content_type="x/y")
    assert response.status_code in (302, 409)  # signed out by then, or told the upload is finished


def test_it_leaves_an_upload_touched_within_the_hours(client, world, django_capture_on_commit_callbacks):
    with time_machine.travel(START, tick=False) as traveller:
        upload, items = half_sent(client, world)
        traveller.shift(timedelta(hours=HOURS - 1))
        sign_in(client, world.enrolling)  # a new session by then
        assert put(client, items["Doe/a.dcm"], b"a" * 10, 10).status_code == 200  # touches it
        traveller.shift(timedelta(hours=2))
        swept = sweep(django_capture_on_commit_callbacks)
    assert swept.uploads == 0
    assert Upload.objects.get(pk=upload["upload"]).status == Upload.Status.RECEIVING
    assert intake.folder_of(upload["upload"], items["Doe/b.dcm"]["id"]).parent.exists()


def test_it_deletes_the_studies_never_confirmed(client, world, django_capture_on_commit_callbacks):
    with time_machine.travel(START, tick=False) as traveller:
        sign_in(client, world.enrolling)
        upload = send(client, world.patient, mr_study(slices=3)[1])
        study = Study.objects.unscoped().get()
        names = list(Instance.objects.values_list("stored_name", flat=True))
        assert study.status == Study.Status.REVIEW and len(stored(names)) == 5
        traveller.shift(timedelta(hours=HOURS - 1))
        assert sweep(django_capture_on_commit_callbacks).uploads == 0  # not yet
        traveller.shift(timedelta(hours=2))
        swept = sweep(django_capture_on_commit_callbacks)
    assert (swept.uploads, swept.studies, swept.instances, swept.files) == (1, 1, 5, 0)
    assert not Study.objects.unscoped().exists() and not Instance.objects.exists()
    assert stored(names) == []
    assert Upload.objects.get(pk=upload["upload"]).status == Upload.Status.ABANDONED


def test_it_leaves_confirmed_studies_and_empties_the_preview_of_one_waiting_again(
    client, world, django_capture_on_commit_callbacks
):
    with time_machine.travel(START, tick=False) as traveller:
        sign_in(client, world.enrolling)
        first = send(client, world.patient, mr_study(slices=2, burned_in_series=False)[1])
        confirmed = Study.objects.unscoped().get()
        do_confirm_study(acting_user=world.enrolling, study=confirmed, panel_ids=[], allowed_panel_ids=[])
        again = send(client, world.patient, mr_study(slices=2, burned_in_series=False)[1])
        waiting = Study.objects.unscoped().exclude(pk=confirmed.pk).get()
        do_confirm_study(acting_user=world.enrolling, study=waiting, panel_ids=[], allowed_panel_ids=[])
        # New images came for it: it waits for its check again, with a preview of their tags.
        Study.objects.unscoped().filter(pk=waiting.pk).update(status=Study.Status.REVIEW)
        Series.objects.filter(study=waiting).update(preview_before='[{"keyword": "PatientName"}]')
        traveller.shift(timedelta(hours=HOURS + 1))
        swept = sweep(django_capture_on_commit_callbacks)
    assert (swept.uploads, swept.studies) == (1, 0)
    assert Study.objects.unscoped().count() == 2 and Instance.objects.count() == 4
    assert set(Series.objects.values_list("preview_before", flat=True)) == {""}
    statuses = dict(Upload.objects.values_list("pk", "status"))
    assert statuses == {first["upload"]: "done", again["upload"]: "abandoned"}


def test_it_removes_intake_folders_left_behind(world, django_capture_on_commit_callbacks):
    upload = Upload.objects.create(patient=world.patient, user=world.enrolling, status=Upload.Status.DONE)
    intake.write_chunk(upload.pk, 1, 0, b"late")
    intake.write_chunk(987654, 1, 0, b"gone")  # no such upload
    busy = Upload.objects.create(patient=world.patient, user=world.enrolling)
    intake.write_chunk(busy.pk, 1, 0, b"busy")
    assert sweep(django_capture_on_commit_callbacks).folders == 2
    assert [path.name for path in settings.IMAGING_INTAKE_DIR.iterdir()] == [str(busy.pk)]


def test_the_command_and_the_beat_task_sweep(client, world, django_capture_on_commit_callbacks):
    with time_machine.travel(START, tick=False) as traveller:
        half_sent(client, world)
        traveller.shift(timedelta(hours=HOURS + 1))
        output = StringIO()
        with django_capture_on_commit_callbacks(execute=True):
            call_command("sweep_abandoned_uploads", stdout=output)
        assert "untouched for 48 h: 1 abandoned, 2 waiting files (10 bytes)" in output.getvalue()
        half_sent(client, world)
        traveller.shift(timedelta(hours=HOURS + 1))
        assert tasks.sweep_abandoned_uploads() == 1
    entry = settings.CELERY_BEAT_SCHEDULE["imaging-sweep-abandoned-uploads"]
    assert entry["task"] == tasks.sweep_abandoned_uploads.name == "imaging.sweep_abandoned_uploads"


def test_the_pages_say_so(client, world, django_capture_on_commit_callbacks):
    sign_in(client, world.enrolling)
    page = client.get(reverse("imaging:upload-new", args=(world.patient.pseudonym,)))
    assert "An upload left untouched for 48 hours" in page.content.decode()
    upload = start(client, world.patient)
    Upload.objects.filter(pk=upload["upload"]).update(touched_at=START)
    sweep(django_capture_on_commit_callbacks)
    page = client.get(upload["progress"]).content.decode()
    assert "left untouched for more than 48 hours" in page and "Send the images again" in page
    assert "hx-get" not in page  # nothing more to follow
