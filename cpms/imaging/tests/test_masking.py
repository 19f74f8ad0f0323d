"""Masking is all or nothing (the masked files written beside the old ones, the rows switched in one
transaction, the old files deleted after commit), and compressed pixel data is decoded with the
decoders installed here or refused with a message, never corrupted. On Orthanc (a real one) each
image is stored over its old version, nothing deleted: a store stopping at any point loses no image,
and an Orthanc that keeps old versions is refused before anything changes."""

import hashlib
import io
import json
import urllib.request

import pydicom
import pytest
from pydicom.encaps import encapsulate
from pydicom.uid import JPEGLSLossless, RLELossless

from cpms.imaging import masking
from cpms.imaging.actions import IntakeRefused, do_confirm_study, do_mask_series
from cpms.imaging.models import Series, Study
from cpms.imaging.stores import ImageStoreUnavailable, OrthancImageStore, image_store
from cpms.panels.tests.factories import make_panel_world

from .factories import make_stored_study
from .orthanc import free_port, installed, orthanc, running_orthanc  # noqa: F401 - the session's Orthanc

REGION = {"x": 4, "y": 6, "width": 10, "height": 8}


@pytest.fixture
def world(db):
    world = make_panel_world()
    world.study = make_stored_study(world.patient, slices=4, size=32, status=Study.Status.REVIEW)
    world.series = world.study.series.get()
    return world


def files_in(folder) -> set[str]:
    return {str(path.relative_to(folder)) for path in folder.rglob("*") if path.is_file()}


def rewrite(image_folders, instance, change) -> None:
    """Store the instance's file changed by `change(ds)` (or replaced by bytes) in place."""
    path = image_folders / "store" / instance.stored_name
    if isinstance(change, bytes):
        path.write_bytes(change)
        return
    ds = pydicom.dcmread(path)
    change(ds)
    ds.save_as(path, enforce_file_format=True)


def mask(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return do_mask_series(
            acting_user=world.enrolling, study=world.study, series_id=world.series.pk, region=dict(REGION)
        )


def masked_pixels(instance):
    return pydicom.dcmread(io.BytesIO(image_store().read(instance.stored_name))).pixel_array


def test_it_writes_beside_then_switches_and_deletes_the_old_files(
    world, image_folders, django_capture_on_commit_callbacks
):
    before = {i.pk: i.stored_name for i in world.series.instances.all()}
    mask(world, django_capture_on_commit_callbacks)
    after = {i.pk: i for i in world.series.instances.all()}
    assert all(
        after[pk].stored_name != name and ".masked-" in after[pk].stored_name for pk, name in before.items()
    )
    assert files_in(image_folders / "store") == {i.stored_name for i in after.values()}  # the old ones gone
    for instance in after.values():
        pixels = masked_pixels(instance)
        assert (pixels[6:14, 4:14] == pixels.min()).all() and pixels.max() > pixels.min()
        assert instance.size_bytes == len(image_store().read(instance.stored_name))


def test_masking_again_keeps_one_file_per_image(world, image_folders, django_capture_on_commit_callbacks):
    mask(world, django_capture_on_commit_callbacks)
    mask(world, django_capture_on_commit_callbacks)
    names = [i.stored_name for i in world.series.instances.all()]
    assert files_in(image_folders / "store") == set(names) and all(n.count(".masked-") == 1 for n in names)


def test_a_failure_midway_leaves_the_series_as_it_was(
    world, image_folders, django_capture_on_commit_callbacks
):
    instances = list(world.series.instances.all())
    rewrite(image_folders, instances[2], b"not DICOM at all" * 10)  # the third cannot be read
    stored_before = {i.stored_name: image_store().read(i.stored_name) for i in instances}
    with pytest.raises(IntakeRefused, match="could not be read: nothing was changed"):
        mask(world, django_capture_on_commit_callbacks)
    assert {i.stored_name for i in world.series.instances.all()} == set(stored_before)
    assert files_in(image_folders / "store") == set(stored_before)  # the two written beside: deleted
    assert all(image_store().read(name) == data for name, data in stored_before.items())
    world.series.refresh_from_db()
    assert world.series.masked_regions == []


def test_it_decodes_an_rle_compressed_series_and_stores_it_uncompressed(
    world, image_folders, django_capture_on_commit_callbacks
):
    for instance in world.series.instances.all():
        rewrite(image_folders, instance, lambda ds: ds.compress(RLELossless))
    mask(world, django_capture_on_commit_callbacks)
    for instance in world.series.instances.all():
        ds = pydicom.dcmread(io.BytesIO(image_store().read(instance.stored_name)))
        assert not ds.file_meta.TransferSyntaxUID.is_compressed
        assert (ds.pixel_array[6:14, 4:14] == ds.pixel_array.min()).all()


def test_it_refuses_a_syntax_it_cannot_decode_and_changes_nothing(
    world, image_folders, django_capture_on_commit_callbacks
):
    def as_jpeg_ls(ds):
        ds.file_meta.TransferSyntaxUID = JPEGLSLossless
        ds.PixelData = encapsulate([b"\xff\xd8\xff\xf7 not really JPEG-LS \xff\xd9"])
        ds["PixelData"].VR = "OB"
        ds["PixelData"].is_undefined_length = True

    instances = list(world.series.instances.all())
    rewrite(image_folders, instances[0], as_jpeg_ls)
    names = {i.stored_name for i in instances}
    with pytest.raises(
        IntakeRefused, match="compressed as JPEG-LS Lossless Image Compression, which cannot be decoded"
    ):
        mask(world, django_capture_on_commit_callbacks)
    assert {i.stored_name for i in world.series.instances.all()} == names == files_in(image_folders / "store")


@pytest.fixture
def in_orthanc(settings, orthanc):  # noqa: F811
    """The image store is the session's Orthanc (image_store() is cached: cleared around the test)."""
    settings.IMAGING_STORE = "orthanc"
    settings.ORTHANC_URL, settings.ORTHANC_USER, settings.ORTHANC_PASSWORD = (
        orthanc.url,
        orthanc.user,
        orthanc.password,
    )
    image_store.cache_clear()
    yield
    image_store.cache_clear()


def orthanc_study(slices: int):
    world = make_panel_world()
    world.study = make_stored_study(world.patient, slices=slices, size=32, status=Study.Status.REVIEW)
    world.series = world.study.series.get()
    return world


class StopsAnsweringAfter(OrthancImageStore):
    """The session's Orthanc as the image store, which stops answering (the store sent to a closed
    loopback port: a real refused connection, after urllib3's retries) once `writes` of its writing
    requests (STOW-RS, DELETE) have gone through; with `answer_lost`, the last of them reaches
    Orthanc but its answer does not come back. `requests` lists what was asked of Orthanc."""

    def __init__(self, server, writes: int, *, answer_lost: bool = False):
        super().__init__(server.url, server.user, server.password)
        self.writes, self.answer_lost, self.requests = writes, answer_lost, []

    def _request(self, operation, method, path, **kwargs):
        writing = method == "DELETE" or (method, path) == ("POST", "/dicom-web/studies")
        self.requests.append((method, path.split("/")[1]))
        if writing and self.writes == 0:
            self.url = f"http://127.0.0.1:{free_port()}"  # nothing listens there
        response = super()._request(operation, method, path, **kwargs)
        if writing:
            self.writes -= 1
            if self.writes == 0 and self.answer_lost:
                self.url = f"http://127.0.0.1:{free_port()}"
                raise ImageStoreUnavailable("the answer was lost (test)")
        return response


def test_it_masks_a_series_kept_in_orthanc_storing_over_the_old_files_and_deleting_none(
    db,
    in_orthanc,
    orthanc,  # noqa: F811 - the session's Orthanc
    monkeypatch,
    django_capture_on_commit_callbacks,
):
    assert getattr(image_store(), "files_by_uid", False)
    world = orthanc_study(slices=3)
    before = {i.stored_name: image_store().read(i.stored_name) for i in world.series.instances.all()}
    watched = StopsAnsweringAfter(orthanc, writes=-1)  # never stops
    monkeypatch.setattr(masking, "image_store", lambda: watched)
    mask(world, django_capture_on_commit_callbacks)
    instances = list(world.series.instances.all())
    assert {i.stored_name for i in instances} == set(before)  # Orthanc files them by UID: replaced in place
    assert ("DELETE", "instances") not in watched.requests
    for instance in instances:
        data = image_store().read(instance.stored_name)
        assert data != before[instance.stored_name]
        pixels = pydicom.dcmread(io.BytesIO(data)).pixel_array
        assert (pixels[6:14, 4:14] == pixels.min()).all() and pixels.max() > pixels.min()
        assert instance.size_bytes == len(data) and instance.sha256 == hashlib.sha256(data).hexdigest()
    series = json.loads(orthanc.get(f"/series/{orthanc_id(orthanc, world.series.series_uid)}"))
    assert len(series["Instances"]) == 3  # one file per image: the old versions are gone


def orthanc_id(server, uid: str) -> str:
    request = urllib.request.Request(
        f"{server.url}/tools/lookup", data=uid.encode(), headers={"Authorization": server.authorization}
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - our loopback Orthanc
        return json.loads(response.read())[0]["ID"]


@pytest.mark.parametrize(
    ("writes", "answer_lost"),
    [(0, False), (1, False), (2, False), (1, True), (2, True)],
    ids=["at-the-first", "after-one", "after-two", "first-answer-lost", "second-answer-lost"],
)
def test_an_orthanc_store_stopping_midway_loses_no_image_and_marks_the_series(
    db,
    in_orthanc,
    orthanc,  # noqa: F811 - the session's Orthanc
    monkeypatch,
    django_capture_on_commit_callbacks,
    writes,
    answer_lost,
):
    world = orthanc_study(slices=3)
    healthy = image_store()
    originals = {i.stored_name: healthy.read(i.stored_name) for i in world.series.instances.all()}
    failing = StopsAnsweringAfter(orthanc, writes=writes, answer_lost=answer_lost)
    monkeypatch.setattr(masking, "image_store", lambda: failing)
    with pytest.raises(IntakeRefused, match="may already be masked") as refused:
        mask(world, django_capture_on_commit_callbacks)
    assert refused.value.status == 503
    world.series.refresh_from_db()
    assert world.series.masking_unfinished and world.series.masked_regions == []

    # Every image is still there, in its old version or its masked one: the first `writes` masked.
    held = [healthy.read(name) for name in originals]  # ImageNotFound for a lost one
    masked = [data != originals[name] for name, data in zip(originals, held, strict=True)]
    assert masked == [index < writes for index in range(3)]
    for data in held:
        pixels = pydicom.dcmread(io.BytesIO(data)).pixel_array
        assert pixels.max() > pixels.min()
    series = json.loads(orthanc.get(f"/series/{orthanc_id(orthanc, world.series.series_uid)}"))
    assert len(series["Instances"]) == 3

    with pytest.raises(IntakeRefused, match="did not finish") as confirm:
        do_confirm_study(acting_user=world.enrolling, study=world.study, panel_ids=[], allowed_panel_ids=[])
    assert confirm.value.status == 409
    monkeypatch.setattr(masking, "image_store", lambda: healthy)
    mask(world, django_capture_on_commit_callbacks)  # masking again redoes the whole series
    world.series.refresh_from_db()
    assert not world.series.masking_unfinished and world.series.masked_regions == [REGION]
    assert all(
        (masked_pixels(i)[6:14, 4:14] == masked_pixels(i).min()).all() for i in world.series.instances.all()
    )
    study = do_confirm_study(
        acting_user=world.enrolling, study=world.study, panel_ids=[], allowed_panel_ids=[]
    )
    assert study.status == Study.Status.READY


@pytest.fixture(scope="module")
def orthanc_keeping_old_versions():
    """An Orthanc with its default "OverwriteInstances": false (a site's, not set up for masking)."""
    if not installed():
        pytest.skip("Orthanc is not installed: apt-get install orthanc orthanc-dicomweb (make test does)")
    with running_orthanc(overrides={"OverwriteInstances": False}) as server:
        yield server


def test_an_orthanc_that_keeps_the_old_versions_is_refused_and_nothing_changes(
    db, settings, orthanc_keeping_old_versions, django_capture_on_commit_callbacks
):
    server = orthanc_keeping_old_versions
    settings.IMAGING_STORE = "orthanc"
    settings.ORTHANC_URL, settings.ORTHANC_USER, settings.ORTHANC_PASSWORD = (
        server.url,
        server.user,
        server.password,
    )
    image_store.cache_clear()
    try:
        world = orthanc_study(slices=2)
        originals = {i.stored_name: image_store().read(i.stored_name) for i in world.series.instances.all()}
        with pytest.raises(IntakeRefused, match="OverwriteInstances") as refused:
            mask(world, django_capture_on_commit_callbacks)
        assert refused.value.status == 503 and "Nothing was changed" in str(refused.value.message)
        world.series.refresh_from_db()
        assert not world.series.masking_unfinished and world.series.masked_regions == []
        assert all(image_store().read(name) == data for name, data in originals.items())
    finally:
        image_store.cache_clear()


def test_a_refused_masking_keeps_an_unfinished_mark(db, in_orthanc, django_capture_on_commit_callbacks):
    world = make_panel_world()
    world.study = make_stored_study(world.patient, slices=2, size=32, status=Study.Status.REVIEW)
    world.series = world.study.series.get()
    Series.objects.filter(pk=world.series.pk).update(masking_unfinished=True)  # an earlier pass cut short
    outside = {"x": 100, "y": 100, "width": 10, "height": 10}  # of the 32 × 32 images
    with pytest.raises(IntakeRefused), django_capture_on_commit_callbacks(execute=True):
        do_mask_series(
            acting_user=world.enrolling, study=world.study, series_id=world.series.pk, region=outside
        )
    world.series.refresh_from_db()
    assert world.series.masking_unfinished


class FailingAfter:
    """The session's store, failing (as a dropped connection would) once `calls` of its saves have
    gone through."""

    def __init__(self, store, calls: int):
        self.store, self.calls = store, calls

    def __getattr__(self, name):
        return getattr(self.store, name)

    def save(self, key, data):
        if self.calls == 0:
            raise ImageStoreUnavailable("the store stopped answering (test)")
        self.calls -= 1
        return self.store.save(key, data)


def test_a_store_failure_on_the_local_store_changes_nothing_and_says_so(
    world, image_folders, monkeypatch, django_capture_on_commit_callbacks
):
    healthy = image_store()
    names = {i.stored_name for i in world.series.instances.all()}
    failing = FailingAfter(healthy, calls=2)  # the third image's new file
    monkeypatch.setattr(masking, "image_store", lambda: failing)
    with pytest.raises(IntakeRefused, match="Nothing was changed") as refused:
        mask(world, django_capture_on_commit_callbacks)
    assert refused.value.status == 503
    world.series.refresh_from_db()
    assert not world.series.masking_unfinished and world.series.masked_regions == []
    assert {i.stored_name for i in world.series.instances.all()} == names == files_in(image_folders / "store")
