"""The files of a panel's discussion, encrypted before they reach the storage (as patients' documents are).

Callers have checked the upload (cpms.lib.forms.FileCheck: size, type by content) and the user's
place on the panel; these functions only store and read. The storage is Django's default: it only
ever sees ciphertext under a random name.
"""

import uuid

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from cpms.lib.crypto import decrypt_bytes, encrypt_bytes
from cpms.lib.files import content_type_of, read_upload

from .models import Contribution, ContributionAttachment

EXTENSIONS = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}


def store_attachment(*, contribution: Contribution, upload) -> ContributionAttachment:
    data = read_upload(upload)
    storage_name = default_storage.save(
        f"panels/{contribution.panel_id}/{uuid.uuid4().hex}.enc", ContentFile(encrypt_bytes(data))
    )
    return ContributionAttachment.objects.create(
        contribution=contribution,
        name=upload.name[-200:],
        content_type=content_type_of(data) or "application/octet-stream",
        size=len(data),
        storage_name=storage_name,
    )


def read_attachment(attachment: ContributionAttachment) -> bytes:
    with default_storage.open(attachment.storage_name, "rb") as file:
        return decrypt_bytes(file.read())


def download_name(attachment: ContributionAttachment, reference: str) -> str:
    """Named by the panel, never by the uploaded name (which may carry the patient's name)."""
    return f"{reference}-{attachment.pk}.{EXTENSIONS.get(attachment.content_type, 'bin')}"
