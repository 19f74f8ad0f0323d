"""Where de-identified DICOM files live: one small interface, chosen by settings.IMAGING_STORE.

- "storage" (the default): Django's storage API under the `imaging` alias of settings.STORAGES, a
  local folder in the embedded default, S3-compatible object storage in production (django-storages,
  when IMAGING_S3_BUCKET is set: config/settings.py, deploy/README.md).
- "orthanc": a site's Orthanc, through DICOMweb (STOW-RS in, WADO-RS out; Orthanc's REST API to
  delete), at settings.ORTHANC_URL with ORTHANC_USER and ORTHANC_PASSWORD.

Only de-identified files reach a store. `save` returns the name to keep (Instance.stored_name);
`read` of that name gives back the same bytes; `delete` removes it (deleting twice is no error).
A store that files instances by their UIDs (Orthanc: `files_by_uid`) also has `replace`: a new
version of an instance stored over the old one, with no moment where it holds neither (masking.py).

Whatever goes wrong in a store (down, refusing our credentials, refusing a file, a file gone)
raises an `ImageStoreError`: its `message` is the sentence to show the user (translated), its str()
the technical detail for the log (never patient data, never a credential). Callers catch it and
report; it never becomes a 500 with a trace.
"""

import base64
import hashlib
import io
import json
import logging
import os
import re
import secrets
from functools import cache
from pathlib import Path
from typing import Protocol

import botocore.exceptions
import pydicom
import pydicom.errors
import urllib3
from django.conf import settings
from django.core.files.base import ContentFile, File
from django.core.files.storage import storages
from django.utils.translation import gettext_lazy as _

logger = logging.getLogger(__name__)


class ImageStoreError(Exception):
    """A store could not do what was asked. `message`: for the user; str(): for the log."""

    message = _("The image store cannot be reached at the moment. Please try again later.")


class ImageStoreUnavailable(ImageStoreError):
    """Down, too slow, refusing our credentials, or misconfigured: nothing to do but try later."""


class ImageStoreRefused(ImageStoreError):
    """The store refused this file (not one it can keep): the intake refuses the file."""

    message = _("The image store refused this file.")


class ImageNotReplaced(ImageStoreRefused):
    """The store kept the earlier version of an instance sent again in its place (an Orthanc without
    "OverwriteInstances": true answers "stored" and keeps the old file)."""

    message = _(
        "The image store kept the earlier version of an image instead of the masked one. Its "
        'administrator must allow images to be replaced (Orthanc\'s "OverwriteInstances": true).'
    )


class ImageNotFound(ImageStoreError):
    """No file of that name in the store (deleted, or kept in another store)."""

    message = _("This image is no longer in the image store.")


class ImageStore(Protocol):
    def save(self, key: str, data: bytes | Path) -> str: ...

    def read(self, name: str) -> bytes: ...

    def delete(self, name: str) -> None: ...


def _failed(error: type[ImageStoreError], operation: str, detail: str) -> ImageStoreError:
    logger.warning("Image store %s failed: %s", operation, detail)
    return error(detail)


# --- Django's storage API: a local folder, or S3-compatible object storage ------------------------


def _storage_error(operation: str, exc: Exception) -> ImageStoreError:
    if isinstance(exc, FileNotFoundError) and operation == "read":
        return _failed(ImageNotFound, operation, "no such file")
    if isinstance(exc, botocore.exceptions.ClientError):
        error = exc.response.get("Error", {})
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        detail = f"S3 {error.get('Code', '?')} (HTTP {status})"
        missing = operation == "read" and status == 404
        return _failed(ImageNotFound if missing else ImageStoreUnavailable, operation, detail)
    return _failed(ImageStoreUnavailable, operation, f"{type(exc).__name__}: {exc}")


STORAGE_ERRORS = (OSError, botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError)


class StorageImageStore:
    """Files under Django's `imaging` storage, one per instance, named by their (new) UIDs."""

    def __init__(self, alias: str = "imaging"):
        self.alias = alias

    @property
    def storage(self):
        return storages[self.alias]

    def save(self, key: str, data: bytes | Path) -> str:
        """`data`: the bytes, or the path of a file (streamed to the storage in chunks)."""
        try:
            if isinstance(data, Path):
                with open(data, "rb") as handle:
                    return self.storage.save(f"{key}.dcm", File(handle))
            return self.storage.save(f"{key}.dcm", ContentFile(data))
        except STORAGE_ERRORS as exc:
            raise _storage_error("save", exc) from exc

    def read(self, name: str) -> bytes:
        try:
            with self.storage.open(name, "rb") as handle:
                return handle.read()
        except STORAGE_ERRORS as exc:
            raise _storage_error("read", exc) from exc

    def delete(self, name: str) -> None:
        try:
            self.storage.delete(name)
        except STORAGE_ERRORS as exc:
            raise _storage_error("delete", exc) from exc


# --- Orthanc, through DICOMweb -------------------------------------------------------------------

UID = r"[0-9][0-9.]{0,63}"
ORTHANC_NAME = re.compile(rf"studies/({UID})/series/({UID})/instances/({UID})")
DICOM_PARTS = 'multipart/related; type="application/dicom"'
UID_TAGS = ("StudyInstanceUID", "SeriesInstanceUID", "SOPInstanceUID")


class OrthancImageStore:
    """A site's Orthanc through its DICOMweb plugin: STOW-RS to save, WADO-RS to read, its REST to delete.

    The name kept is the instance's DICOMweb path, `studies/<uid>/series/<uid>/instances/<uid>`,
    from the file's own UIDs (the `key` of save() is not needed: Orthanc files instances by UID).
    Connections are pooled and kept alive (urllib3, already there under botocore), one pool per
    process; a connection refused is retried twice, a dropped one once, and an Orthanc silent for
    `timeout` seconds (30) is given up: all reported as ImageStoreUnavailable.
    """

    files_by_uid = True  # one file per SOP Instance UID: a new version goes in with replace() (masking.py)

    def __init__(self, url: str = "", user: str = "", password: str = "", *, timeout: float = 30.0):
        self.url = (url or settings.ORTHANC_URL).rstrip("/")
        user, password = user or settings.ORTHANC_USER, password or settings.ORTHANC_PASSWORD
        self.headers = {}
        if user:
            token = base64.b64encode(f"{user}:{password}".encode()).decode()
            self.headers["Authorization"] = f"Basic {token}"
        self.timeout = urllib3.Timeout(connect=min(5.0, timeout), read=timeout)
        self._pool: tuple[int, urllib3.PoolManager] | None = None

    @property
    def pool(self) -> urllib3.PoolManager:
        """A pool per process: a worker forked after the first request must not share its sockets."""
        if self._pool is None or self._pool[0] != os.getpid():
            retries = urllib3.Retry(
                total=3, connect=2, read=1, status=0, other=0, redirect=0, backoff_factor=0.1,
                # STOW-RS of an instance Orthanc already has is answered as stored: safe to repeat.
                allowed_methods=frozenset({"GET", "POST", "DELETE"}),
            )  # fmt: skip
            self._pool = (os.getpid(), urllib3.PoolManager(maxsize=8, retries=retries, timeout=self.timeout))
        return self._pool[1]

    def _request(self, operation: str, method: str, path: str, *, body=None, headers=None):
        try:
            response = self.pool.request(
                method, f"{self.url}{path}", body=body, headers={**self.headers, **(headers or {})}
            )
        except urllib3.exceptions.HTTPError as exc:
            reason = getattr(exc, "reason", None) or exc  # after the retries: the last failure
            detail = f"Orthanc at {self.url}: {type(reason).__name__}"
            raise _failed(ImageStoreUnavailable, operation, detail) from exc
        if response.status >= 400:
            detail = f"Orthanc answered HTTP {response.status} to {method} {path.split('/')[1]}"
            if response.status in (401, 403):
                detail += ": check ORTHANC_USER and ORTHANC_PASSWORD"
                raise _failed(ImageStoreUnavailable, operation, detail)
            if response.status == 404 and operation == "read":
                raise _failed(ImageNotFound, operation, detail)
            if 400 <= response.status < 500 and operation == "save":
                raise _failed(ImageStoreRefused, operation, detail)
            raise _failed(ImageStoreUnavailable, operation, detail)
        return response

    def save(self, key: str, data: bytes | Path) -> str:
        if isinstance(data, Path):  # STOW-RS sends one multipart body: read into memory here
            data = data.read_bytes()
        study, series, sop = self._uids(data)
        boundary = secrets.token_hex(16)
        part = f"--{boundary}\r\nContent-Type: application/dicom\r\nContent-Length: {len(data)}\r\n\r\n"
        body = b"".join([part.encode(), data, f"\r\n--{boundary}--\r\n".encode()])
        headers = {"Content-Type": f"{DICOM_PARTS}; boundary={boundary}", "Accept": "application/dicom+json"}
        response = self._request("save", "POST", "/dicom-web/studies", body=body, headers=headers)
        try:
            answer = json.loads(response.data)
            stored = [item["00081155"]["Value"][0] for item in answer.get("00081199", {}).get("Value", [])]
        except (ValueError, KeyError, IndexError, TypeError, AttributeError) as exc:
            raise _failed(ImageStoreUnavailable, "save", "Orthanc's STOW-RS answer is not JSON") from exc
        if sop not in stored:
            raise _failed(ImageStoreRefused, "save", "Orthanc did not store the instance (FailedSOPSequence)")
        return f"studies/{study}/series/{series}/instances/{sop}"

    def read(self, name: str) -> bytes:
        if not ORTHANC_NAME.fullmatch(name):
            raise _failed(ImageNotFound, "read", "not the name of an Orthanc instance")
        headers = {"Accept": f"{DICOM_PARTS}; transfer-syntax=*"}  # the file as stored, not transcoded
        response = self._request("read", "GET", f"/dicom-web/{name}", headers=headers)
        try:
            return first_part(response.headers.get("Content-Type", ""), response.data)
        except ValueError as exc:
            raise _failed(ImageStoreUnavailable, "read", f"Orthanc's WADO-RS answer: {exc}") from exc

    def replace(self, name: str, data: bytes) -> str:
        """Store `data`, a new version of the instance `name` (the same UIDs), in its place.

        One STOW-RS: an Orthanc with "OverwriteInstances": true files the new version and drops the old
        one in one transaction of its index, so that it never holds neither (nothing is deleted first).
        Without that setting Orthanc answers "stored" and keeps the old file: the file it holds is
        checked (its MD5, or the file itself where Orthanc keeps no MD5), ImageNotReplaced if it is not
        the new one. A failure leaves the old version or the new one, never none.
        """
        if "studies/{}/series/{}/instances/{}".format(*self._uids(data)) != name:
            raise _failed(ImageStoreRefused, "replace", "not a new version of the same instance (other UIDs)")
        self.save(name, data)
        ids = self._orthanc_ids("replace", name)
        expected = hashlib.md5(data, usedforsecurity=False).hexdigest()
        try:
            held = [self._request("read", "GET", f"/instances/{i}/attachments/dicom/md5").data for i in ids]
            replaced = bool(held) and all(md5.decode("ascii", "replace").strip() == expected for md5 in held)
        except ImageNotFound:  # an Orthanc that keeps no MD5 ("StoreMD5ForAttachments": false)
            replaced = self.read(name) == data
        if not replaced:
            raise _failed(ImageNotReplaced, "replace", "Orthanc kept the old version (OverwriteInstances)")
        return name

    def delete(self, name: str) -> None:
        if not ORTHANC_NAME.fullmatch(name):
            return  # not an instance Orthanc could hold: nothing to delete
        for orthanc_id in self._orthanc_ids("delete", name):
            self._request("delete", "DELETE", f"/instances/{orthanc_id}")

    def _orthanc_ids(self, operation: str, name: str) -> list[str]:
        """Orthanc's own identifiers of the instance `name` (an ORTHANC_NAME): none when it has none."""
        sop = ORTHANC_NAME.fullmatch(name)[3]
        found = self._request(operation, "POST", "/tools/lookup", body=sop.encode())
        try:
            ids = [item["ID"] for item in json.loads(found.data) if item.get("Type") == "Instance"]
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise _failed(ImageStoreUnavailable, operation, "Orthanc's lookup answer is not a list") from exc
        return [orthanc_id for orthanc_id in ids if re.fullmatch(r"[0-9a-f-]{1,64}", orthanc_id)]

    @staticmethod
    def _uids(data: bytes) -> tuple[str, str, str]:
        try:
            dataset = pydicom.dcmread(io.BytesIO(data), stop_before_pixels=True, specific_tags=list(UID_TAGS))
            uids = tuple(str(getattr(dataset, tag)) for tag in UID_TAGS)
        except (pydicom.errors.InvalidDicomError, AttributeError, ValueError, TypeError, OSError) as exc:
            detail = f"not a DICOM file with its UIDs ({type(exc).__name__})"
            raise _failed(ImageStoreRefused, "save", detail) from exc
        if not all(re.fullmatch(UID, uid) for uid in uids):
            raise _failed(ImageStoreRefused, "save", "a UID that is not a DICOM UID")
        return uids


def first_part(content_type: str, body: bytes) -> bytes:
    """The content of the first part of a multipart/related body (WADO-RS of one instance)."""
    found = re.search(r'boundary="?([^";]+)"?', content_type)
    if not content_type.startswith("multipart/related") or not found:
        raise ValueError(f"not multipart/related ({content_type[:60]!r})")
    delimiter = b"--" + found[1].encode()
    start = body.find(delimiter)
    headers_end = body.find(b"\r\n\r\n", start)
    if start < 0 or headers_end < 0:
        raise ValueError("no part")
    content_start = headers_end + 4
    length = re.search(rb"(?im)^content-length:\s*(\d+)\s*$", body[start:headers_end])
    if length:
        content_end = content_start + int(length[1])
        if body.startswith(b"\r\n" + delimiter, content_end):
            return body[content_start:content_end]
        raise ValueError("a part shorter than its Content-Length")
    end = body.find(b"\r\n" + delimiter, content_start)
    if end < 0:
        raise ValueError("an unterminated part")
    return body[content_start:end]


STORES = {"storage": StorageImageStore, "orthanc": OrthancImageStore}


@cache
def image_store() -> ImageStore:
    return STORES[settings.IMAGING_STORE]()
