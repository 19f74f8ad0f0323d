"""Every image store keeps the same promise: save → read the identical bytes → delete → gone.

The same test runs against the local folder (the embedded default), S3 (moto's server, configured
through the IMAGING_S3_* variables that config/settings.py reads) and a real Orthanc through
DICOMweb (started once per session by cpms/imaging/tests/orthanc.py).
"""

import hashlib
import io
import json

import pydicom
import pytest

from cpms.imaging.stores import (
    ImageNotFound,
    ImageNotReplaced,
    ImageStoreRefused,
    OrthancImageStore,
    StorageImageStore,
)
from cpms.imaging.synthetic import SyntheticStudy
from cpms.imaging.tests.orthanc import orthanc, running_orthanc  # noqa: F401 - the session's Orthanc
from cpms.imaging.tests.s3 import moto_s3, s3_client, s3_env, settings_from_env  # noqa: F401


@pytest.fixture(scope="module")
def files() -> list[bytes]:
    return SyntheticStudy().series(slices=3, size=64)


def uids(data: bytes) -> tuple[str, str, str]:
    ds = pydicom.dcmread(io.BytesIO(data))
    return ds.StudyInstanceUID, ds.SeriesInstanceUID, ds.SOPInstanceUID


@pytest.fixture
def folder_store(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "imaging": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path},
        },
    }
    return StorageImageStore()


@pytest.fixture
def s3_store(settings, monkeypatch, s3_env):  # noqa: F811
    settings.STORAGES = {
        **settings.STORAGES,
        "imaging": settings_from_env(monkeypatch, s3_env)["STORAGES"]["imaging"],
    }
    return StorageImageStore()


@pytest.fixture
def orthanc_store(orthanc):  # noqa: F811
    return OrthancImageStore(orthanc.url, orthanc.user, orthanc.password)


@pytest.mark.parametrize("store_fixture", ["folder_store", "s3_store", "orthanc_store"])
def test_it_saves_reads_back_the_same_bytes_and_deletes(request, store_fixture, files):
    store = request.getfixturevalue(store_fixture)
    names = [store.save("/".join(uids(data)), data) for data in files]
    assert len(set(names)) == len(files)
    for name, data in zip(names, files, strict=True):
        assert hashlib.sha256(store.read(name)).digest() == hashlib.sha256(data).digest()
    store.delete(names[0])
    with pytest.raises(ImageNotFound):
        store.read(names[0])
    store.delete(names[0])  # deleting what is gone is no error
    assert store.read(names[1]) == files[1]  # the others are still there
    for name in names[1:]:
        store.delete(name)


@pytest.mark.parametrize("store_fixture", ["folder_store", "s3_store", "orthanc_store"])
def test_it_reads_back_a_large_instance_unchanged(request, store_fixture):
    data = SyntheticStudy().series(slices=1, size=512)[0]  # half a megabyte of pixel data
    store = request.getfixturevalue(store_fixture)
    name = store.save("/".join(uids(data)), data)
    assert store.read(name) == data
    store.delete(name)


def test_it_keeps_the_files_in_the_bucket_under_the_prefix(s3_store, s3_env, moto_s3, files):  # noqa: F811
    name = s3_store.save("/".join(uids(files[0])), files[0])
    listed = s3_client(moto_s3).list_objects_v2(Bucket=s3_env["IMAGING_S3_BUCKET"])
    assert [item["Key"] for item in listed["Contents"]] == [f"images/{name}"]
    assert name.endswith(".dcm")


def test_it_never_replaces_a_stored_file_in_s3(s3_store, files):
    key = "/".join(uids(files[0]))
    first = s3_store.save(key, files[0])
    second = s3_store.save(key, files[1])
    assert first != second
    assert s3_store.read(first) == files[0]
    assert s3_store.read(second) == files[1]


def test_it_names_an_orthanc_instance_by_its_dicomweb_path(orthanc_store, orthanc, files):  # noqa: F811
    study, series, sop = uids(files[0])
    name = orthanc_store.save("ignored by orthanc", files[0])
    assert name == f"studies/{study}/series/{series}/instances/{sop}"
    assert orthanc_store.save("again", files[0]) == name  # Orthanc keeps it once
    assert len(json.loads(orthanc.get(f"/dicom-web/instances?SOPInstanceUID={sop}"))) == 1
    orthanc_store.delete(name)
    assert json.loads(orthanc.get(f"/dicom-web/instances?SOPInstanceUID={sop}")) == []


def another_version(data: bytes) -> bytes:
    """The same instance (its UIDs) with other pixel data, as masking makes it."""
    ds = pydicom.dcmread(io.BytesIO(data))
    pixels = ds.pixel_array.copy()
    pixels[:8, :8] = pixels.min()
    ds.PixelData = pixels.tobytes()
    buffer = io.BytesIO()
    ds.save_as(buffer, enforce_file_format=True)
    return buffer.getvalue()


def pixel_data(data: bytes) -> bytes:
    return pydicom.dcmread(io.BytesIO(data)).PixelData


@pytest.mark.parametrize("md5", [True, False], ids=["md5-kept", "no-md5"])
def test_orthanc_with_overwrite_replaces_the_pixel_data_under_the_same_uid(md5, files, orthanc):  # noqa: F811
    """What masking on Orthanc relies on: with "OverwriteInstances": true, a STOW-RS of a new version
    takes the place of the old file (one instance, the new pixels), and replace() checks it."""
    with running_orthanc(overrides={"StoreMD5ForAttachments": md5}) as server:
        store = OrthancImageStore(server.url, server.user, server.password)
        name = store.save("", files[0])
        new = another_version(files[0])
        assert pixel_data(new) != pixel_data(files[0])
        assert store.replace(name, new) == name
        assert store.read(name) == new and pixel_data(store.read(name)) == pixel_data(new)
        sop = uids(files[0])[2]
        assert len(json.loads(server.get(f"/dicom-web/instances?SOPInstanceUID={sop}"))) == 1
        assert len(json.loads(server.get("/instances"))) == 1  # the old file is gone, not beside


@pytest.mark.parametrize("md5", [True, False], ids=["md5-kept", "no-md5"])
def test_orthanc_without_overwrite_answers_stored_but_keeps_the_old_file_and_replace_says_so(
    md5,
    files,
    orthanc,  # noqa: F811 - the session's (skips without Orthanc)
):
    """Orthanc's default: the new version is answered as stored, yet the old file stays. replace()
    finds it out and raises ImageNotReplaced; the old version is still there, whole."""
    with running_orthanc(overrides={"OverwriteInstances": False, "StoreMD5ForAttachments": md5}) as server:
        store = OrthancImageStore(server.url, server.user, server.password)
        name = store.save("", files[0])
        new = another_version(files[0])
        assert store.save("", new) == name  # "stored"...
        assert store.read(name) == files[0]  # ...but the old file kept
        with pytest.raises(ImageNotReplaced):
            store.replace(name, new)
        assert store.read(name) == files[0]


def test_replace_refuses_a_file_of_another_instance_before_sending_it(orthanc_store, orthanc, files):  # noqa: F811
    name = orthanc_store.save("", files[0])
    with pytest.raises(ImageStoreRefused):
        orthanc_store.replace(name, files[1])
    assert orthanc_store.read(name) == files[0]
    sop = uids(files[1])[2]
    assert json.loads(orthanc.get(f"/dicom-web/instances?SOPInstanceUID={sop}")) == []
