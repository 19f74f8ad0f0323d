"""The files kept for patients, encrypted before they reach the storage, and erased with them.

Callers have checked the upload (cpms.lib.forms.FileCheck: size, type by content) and the user's
right to the patient; these functions only store, read and erase. The storage is Django's default
(a local folder in the embedded default, object storage in production): it only ever sees
ciphertext under a random name.
"""

import hashlib
import uuid

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction

from cpms.lib.crypto import decrypt_bytes, encrypt_bytes, rotate_bytes
from cpms.lib.files import content_type_of, read_upload

from .models import Document, Patient


def store_document(*, patient: Patient, upload, kind: str, uploaded_by) -> Document:
    data = read_upload(upload)
    storage_name = default_storage.save(
        f"patients/{patient.centre_id}/{uuid.uuid4().hex}.enc", ContentFile(encrypt_bytes(data))
    )
    document = Document(
        patient=patient,
        kind=kind,
        name=upload.name[-200:],
        content_type=content_type_of(data) or "application/octet-stream",
        size=len(data),
        storage_name=storage_name,
        sha256=hashlib.sha256(data).hexdigest(),
        uploaded_by=uploaded_by,
    )
    document.save()
    return document


def read_document(document: Document) -> bytes:
    with default_storage.open(document.storage_name, "rb") as file:
        return decrypt_bytes(file.read())


def erase_document(document: Document) -> None:
    """Delete the row now and the stored bytes once the transaction commits: a rollback keeps both."""
    storage_name = document.storage_name
    document.delete()
    transaction.on_commit(lambda: default_storage.delete(storage_name))


def rotate_document(document: Document) -> None:
    """Re-encrypt the stored bytes with the newest key (manage.py rotate_patient_keys)."""
    with default_storage.open(document.storage_name, "rb") as file:
        token = file.read()
    rotated = rotate_bytes(token)
    if rotated != token:
        default_storage.delete(document.storage_name)
        saved = default_storage.save(document.storage_name, ContentFile(rotated))
        if saved != document.storage_name:  # the storage chose another name: keep the row pointing at it
            document.storage_name = saved
            document.save(update_fields=["storage_name"])
