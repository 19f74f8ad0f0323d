"""Intake processes a file far larger than its memory: the chunks decrypted one at a time to a
temporary file, a ZIP unpacked in blocks, pydicom reading with defer_size and writing the pixel data
back from a file (tracemalloc's peak, Python's and numpy's allocations, stays under a budget)."""

import io
import tracemalloc
import zipfile

import pydicom
import pytest

from cpms.imaging import intake
from cpms.imaging.models import Instance, Upload, UploadFile
from cpms.imaging.processing import process_upload
from cpms.imaging.stores import image_store
from cpms.imaging.synthetic import SyntheticPatient, SyntheticStudy
from cpms.panels.tests.factories import make_panel_world

from .intake_helpers import zip_of

SIZE = 3072  # 3072 × 3072 × 16 bits: an 18 MiB image
BUDGET = 6 * 1024**2  # what processing may hold at its peak, a third of the file
CHUNK = 256 * 1024


@pytest.fixture
def world(db, settings):
    settings.IMAGING_CHUNK_BYTES = CHUNK
    return make_panel_world()


@pytest.fixture(scope="module")
def big_file() -> bytes:
    [data] = SyntheticStudy(patient=SyntheticPatient()).series(slices=1, size=SIZE)
    return data


def received(world, name: str, data: bytes) -> Upload:
    """An upload whose one file has arrived in chunks, as upload.js sends it, ready to process."""
    upload = Upload.objects.create(patient=world.patient, user=world.enrolling, files_total=1)
    row = UploadFile.objects.create(
        upload=upload,
        client_key=intake.file_key(upload.pk, name),
        name=name,
        size_bytes=len(data),
        received_bytes=len(data),
        status=UploadFile.Status.RECEIVED,
    )
    for offset in range(0, len(data), CHUNK):
        intake.write_chunk(upload.pk, row.pk, offset, data[offset : offset + CHUNK])
    Upload.objects.filter(pk=upload.pk).update(status=Upload.Status.PROCESSING)
    return upload


def peak_while(function) -> int:
    tracemalloc.start()
    try:
        function()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def stored_dataset() -> pydicom.Dataset:
    instance = Instance.objects.get()
    data = image_store().read(instance.stored_name)
    assert instance.size_bytes == len(data)
    return pydicom.dcmread(io.BytesIO(data))


@pytest.mark.parametrize("as_zip", [False, True], ids=["file", "zip"])
def test_it_processes_a_file_larger_than_its_memory_budget(world, big_file, as_zip):
    original = pydicom.dcmread(io.BytesIO(big_file))
    assert len(big_file) > 3 * BUDGET
    # Stored, not deflated: the synthetic image (a sphere on black) deflates like a ZIP bomb.
    data = zip_of([("Doe/big.dcm", big_file)], compression=zipfile.ZIP_STORED) if as_zip else big_file
    upload = received(world, "Doe/study.zip" if as_zip else "Doe/big.dcm", data)
    peak = peak_while(lambda: process_upload(upload.pk))
    refusals = list(
        UploadFile.objects.filter(upload=upload, status="refused").values_list("refusal", flat=True)
    )
    assert refusals == []
    stored = stored_dataset()
    assert stored.PixelData == original.PixelData  # every byte of the image, written from its file
    assert str(stored.PatientName) == world.patient.pseudonym
    assert str(stored.SOPInstanceUID) != str(original.SOPInstanceUID)
    assert peak < BUDGET, f"peak {peak / 1024**2:.1f} MiB"


def test_a_truncated_big_file_is_still_refused(world, big_file):
    upload = received(world, "cut.dcm", big_file[: len(big_file) - 1000])
    process_upload(upload.pk)
    assert "truncated" in UploadFile.objects.get(upload=upload).refusal
    assert not Instance.objects.exists()
