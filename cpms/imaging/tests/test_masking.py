"""Masking is all or nothing (the masked files written beside the old ones, the rows switched in one
transaction, the old files deleted after commit), and compressed pixel data is decoded with the
decoders installed here or refused with a message, never corrupted."""

import io

import pydicom
import pytest
from pydicom.encaps import encapsulate
from pydicom.uid import JPEGLSLossless, RLELossless

from cpms.imaging import masking
from cpms.imaging.actions import IntakeRefused, do_confirm_study, do_mask_series
from cpms.imaging.models import Series, Study
from cpms.imaging.stores import ImageStoreUnavailable, image_store
from cpms.panels.tests.factories import make_panel_world

from .factories import make_stored_study
from .orthanc import orthanc  # noqa: F401 - the session's Orthanc

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


def test_it_masks_a_series_kept_in_orthanc(db, in_orthanc, django_capture_on_commit_callbacks):
    assert getattr(image_store(), "files_by_uid", False)
    world = make_panel_world()
    world.study = make_stored_study(world.patient, slices=3, size=32, status=Study.Status.REVIEW)
    world.series = world.study.series.get()
    names = {i.stored_name for i in world.series.instances.all()}
    mask(world, django_capture_on_commit_callbacks)
    instances = list(world.series.instances.all())
    assert {i.stored_name for i in instances} == names  # Orthanc files them by UID: replaced in place
    for instance in instances:
        data = image_store().read(instance.stored_name)
        pixels = pydicom.dcmread(io.BytesIO(data)).pixel_array
        assert (pixels[6:14, 4:14] == pixels.min()).all() and instance.size_bytes == len(data)


class FailingAfter:
    """The session's store, failing (as a dropped connection would) once `calls` of its writes
    (`operations`: delete, save) have gone through."""

    def __init__(self, store, calls: int, operations=("delete", "save")):
        self.store, self.calls, self.operations = store, calls, operations

    def __getattr__(self, name):
        return getattr(self.store, name)

    def _write(self, operation, *args):
        if operation not in self.operations:
            return getattr(self.store, operation)(*args)
        if self.calls == 0:
            raise ImageStoreUnavailable("the store stopped answering (test)")
        self.calls -= 1
        return getattr(self.store, operation)(*args)

    def save(self, key, data):
        return self._write("save", key, data)

    def delete(self, name):
        return self._write("delete", name)


def test_an_orthanc_store_failing_midway_marks_the_series_and_keeps_the_study_from_being_shared(
    db, in_orthanc, monkeypatch, django_capture_on_commit_callbacks
):
    world = make_panel_world()
    world.study = make_stored_study(world.patient, slices=3, size=32, status=Study.Status.REVIEW)
    world.series = world.study.series.get()
    healthy = image_store()
    failing = FailingAfter(healthy, calls=2)  # the first image replaced (delete, save), then down
    monkeypatch.setattr(masking, "image_store", lambda: failing)
    with pytest.raises(IntakeRefused, match="may already be masked") as refused:
        mask(world, django_capture_on_commit_callbacks)
    assert refused.value.status == 503
    world.series.refresh_from_db()
    assert world.series.masking_unfinished and world.series.masked_regions == []
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


def test_a_store_failure_on_the_local_store_changes_nothing_and_says_so(
    world, image_folders, monkeypatch, django_capture_on_commit_callbacks
):
    healthy = image_store()
    names = {i.stored_name for i in world.series.instances.all()}
    failing = FailingAfter(healthy, calls=2, operations=("save",))  # the third image's new file
    monkeypatch.setattr(masking, "image_store", lambda: failing)
    with pytest.raises(IntakeRefused, match="Nothing was changed") as refused:
        mask(world, django_capture_on_commit_callbacks)
    assert refused.value.status == 503
    world.series.refresh_from_db()
    assert not world.series.masking_unfinished and world.series.masked_regions == []
    assert {i.stored_name for i in world.series.instances.all()} == names == files_in(image_folders / "store")
