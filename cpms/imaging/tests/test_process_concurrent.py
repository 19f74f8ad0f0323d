"""Two workers filing the same image at the same moment: it is kept once, and the one that loses the
race never deletes the winner's copy (on Orthanc both copies have the same name: the instance's UIDs).

Both uploads pass the "already kept?" check before either has its row: each worker stops right after
storing its copy until the other has stored its own too. Real threads, each with its own connection,
so PostgreSQL only: SQLite's in-memory test database is one connection for every thread.
"""

import threading

import pytest
from django.db import connections

from cpms.imaging import stores
from cpms.imaging.models import Instance, Study, Upload
from cpms.imaging.processing import process_upload
from cpms.imaging.stores import OrthancImageStore, StorageImageStore, image_store
from cpms.panels.tests.factories import make_panel_world
from cpms.test import sign_in

from .intake_helpers import announce, mr_study, put_file, send, start
from .orthanc import orthanc  # noqa: F401 - the session's Orthanc

pytestmark = pytest.mark.postgresql


class Rendezvous:
    """Each save() waits, once stored, until both workers have stored their copy."""

    def __init__(self):
        self.barrier = threading.Barrier(2, timeout=30)

    def save(self, key, data):
        name = super().save(key, data)
        self.barrier.wait()
        return name


class OrthancRendezvous(Rendezvous, OrthancImageStore):
    def __init__(self, server):
        Rendezvous.__init__(self)
        OrthancImageStore.__init__(self, server.url, server.user, server.password)


class StorageRendezvous(Rendezvous, StorageImageStore):
    def __init__(self):
        Rendezvous.__init__(self)
        StorageImageStore.__init__(self)


@pytest.fixture
def two_uploads_of_one_image(transactional_db, client):
    """The study already has its first slice; two uploads, each holding the second slice, received."""
    world = make_panel_world()
    sign_in(client, world.enrolling)
    _, files = mr_study(slices=2, burned_in_series=False)
    send(client, world.patient, files[:1])
    Study.objects.unscoped().update(status=Study.Status.PROCESSING)  # its first upload still at work
    uploads = []
    for _ in range(2):
        upload = start(client, world.patient)
        put_file(client, announce(client, upload, files[1:])[files[1][0]], files[1][1])
        uploads.append(upload["upload"])
    Upload.objects.filter(pk__in=uploads).update(status=Upload.Status.PROCESSING)  # as finish does
    return uploads


def process_at_once(uploads: list[int]) -> None:
    errors = []

    def work(upload_id):
        try:
            process_upload(upload_id)
        except Exception as error:  # noqa: BLE001 - reported below, in the test's thread
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(upload_id,)) for upload_id in uploads]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors


def assert_kept_once(uploads: list[int]) -> Instance:
    assert Instance.objects.count() == 2
    second = Instance.objects.order_by("pk").last()
    assert image_store().read(second.stored_name)[128:132] == b"DICM"
    for upload in Upload.objects.filter(pk__in=uploads):  # both told their image is kept
        assert (upload.status, upload.files_done, upload.files_refused) == ("done", 1, 0)
        assert upload.files.get().status == "accepted"
    return second


@pytest.fixture
def store(monkeypatch, settings):
    """use(factory): the image store of this test is factory()."""

    def use(factory):
        monkeypatch.setitem(stores.STORES, "race", factory)
        settings.IMAGING_STORE = "race"
        image_store.cache_clear()

    yield use
    image_store.cache_clear()


def test_on_orthanc_the_image_both_filed_is_kept_once_and_stays_in_orthanc(
    two_uploads_of_one_image,
    store,
    orthanc,  # noqa: F811 - the session's Orthanc
):
    store(lambda: OrthancRendezvous(orthanc))
    process_at_once(two_uploads_of_one_image)
    assert_kept_once(two_uploads_of_one_image)


def test_in_a_folder_the_losing_copy_is_deleted_and_the_kept_one_stays(
    two_uploads_of_one_image, store, image_folders
):
    store(StorageRendezvous)
    process_at_once(two_uploads_of_one_image)
    second = assert_kept_once(two_uploads_of_one_image)
    folder = image_folders / "store"
    stored = sorted(str(path.relative_to(folder)) for path in folder.rglob("*.dcm"))
    assert len(stored) == 2 and second.stored_name in stored
