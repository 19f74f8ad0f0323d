"""Where de-identified DICOM files live: one small interface, chosen by settings.IMAGING_STORE.

- "storage" (the default): Django's storage API under the `imaging` alias of settings.STORAGES, a
  local folder in the embedded default, S3-compatible object storage in production.
- "orthanc": a site's Orthanc, through DICOMweb (STOW-RS in, WADO-RS out).

Only de-identified files reach a store. `save` returns the name to keep (Instance.stored_name).
"""

from functools import cache
from typing import Protocol

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import storages


class ImageStore(Protocol):
    def save(self, key: str, data: bytes) -> str: ...

    def read(self, name: str) -> bytes: ...

    def delete(self, name: str) -> None: ...


class StorageImageStore:
    """Files under Django's `imaging` storage, one per instance, named by their (new) UIDs."""

    def __init__(self, alias: str = "imaging"):
        self.alias = alias

    @property
    def storage(self):
        return storages[self.alias]

    def save(self, key: str, data: bytes) -> str:
        return self.storage.save(f"{key}.dcm", ContentFile(data))

    def read(self, name: str) -> bytes:
        with self.storage.open(name, "rb") as handle:
            return handle.read()

    def delete(self, name: str) -> None:
        self.storage.delete(name)


STORES = {"storage": StorageImageStore}


@cache
def image_store() -> ImageStore:
    return STORES[settings.IMAGING_STORE]()
