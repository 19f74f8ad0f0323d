"""Masking is all or nothing (the masked files written beside the old ones, the rows switched in one
transaction, the old files deleted after commit), and compressed pixel data is decoded with the
decoders installed here or refused with a message, never corrupted."""

import io

import pydicom
import pytest
from pydicom.encaps import encapsulate
from pydicom.uid import JPEGLSLossless, RLELossless

from cpms.imaging.actions import IntakeRefused, do_mask_series
from cpms.imaging.models import Study
from cpms.imaging.stores import image_store
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
