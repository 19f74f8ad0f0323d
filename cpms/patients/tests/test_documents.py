"""Documents: encrypted in the storage, read back whole, erased with their bytes."""

import io

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from PIL import Image

from cpms.patients.documents import erase_document, read_document, store_document
from cpms.patients.models import Document, Patient

pytestmark = pytest.mark.django_db


@pytest.fixture
def patient(rnd):
    patient = Patient(pseudonym="RND-TEST0001", centre=rnd.hcp, ern=rnd.ern, sex_at_birth="female")
    patient.save()
    return patient


def use_storage_in(settings, folder) -> None:
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {**settings.STORAGES["default"], "OPTIONS": {"location": folder}},
    }


def png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(buffer, format="PNG")
    return buffer.getvalue()


def test_it_stores_only_ciphertext_and_reads_the_file_back(
    patient, alice, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {**settings.STORAGES["default"], "OPTIONS": {"location": tmp_path}},
    }
    data = png()
    document = store_document(
        patient=patient,
        upload=SimpleUploadedFile("Jane Doe consent.png", data),
        kind="consent_form",
        uploaded_by=alice,
    )
    with default_storage.open(document.storage_name, "rb") as file:
        stored = file.read()
    # The PNG signature, not just "PNG": three letters turn up by chance in Fernet's base64 now and then.
    assert data not in stored and b"\x89PNG\r\n" not in stored
    assert read_document(document) == data
    assert (document.content_type, document.size) == ("image/png", len(data))

    with django_capture_on_commit_callbacks(execute=True):  # the bytes go once the erasure commits
        erase_document(document)
    assert not default_storage.exists(document.storage_name)
    assert not Document.objects.unscoped().filter(pk=document.pk).exists()


def test_it_keeps_the_bytes_when_the_erasure_is_rolled_back(
    patient, alice, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {**settings.STORAGES["default"], "OPTIONS": {"location": tmp_path}},
    }
    data = png()
    document = store_document(
        patient=patient, upload=SimpleUploadedFile("form.png", data), kind="consent_form", uploaded_by=alice
    )
    pk = document.pk
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        erase_document(document)
        raise RuntimeError("the action failed after the erasure")
    assert read_document(Document.objects.unscoped().get(pk=pk)) == data
