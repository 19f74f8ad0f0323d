"""Sending images the way static/imaging/upload.js does: start an upload, announce the files, PUT
their chunks with offsets, finish; the processing runs after commit (in this process, or through
the worker in the tests that ask for the broker)."""

import io
import zipfile

from django.test import TestCase
from django.urls import reverse

from cpms.imaging.synthetic import SyntheticPatient, SyntheticStudy

CHUNK = 16 * 1024  # small chunks: every file of the tests goes in several pieces


def start(client, patient=None, *, panel=None) -> dict:
    url = (
        reverse("imaging:panel-upload-new", args=(panel.pk,))
        if panel
        else reverse("imaging:upload-new", args=(patient.pseudonym,))
    )
    response = client.post(url)
    assert response.status_code == 201, response.content
    return response.json()


def announce(client, upload: dict, files: list[tuple[str, bytes]], sizes: dict | None = None) -> dict:
    """{name: the server's item}; `sizes` claims other sizes than the bytes'."""
    sizes = sizes or {}
    payload = {
        "files": [
            {"key": f"{name}|k", "name": name, "size": sizes.get(name, len(data))} for name, data in files
        ]
    }
    response = client.post(upload["files"], payload, content_type="application/json")
    assert response.status_code == 200, response.content
    return {item["name"]: item for item in response.json()["items"]}


def put(client, item: dict, data: bytes, offset: int):
    return client.put(f"{item['chunk']}?offset={offset}", data=data, content_type="application/octet-stream")


def put_file(client, item: dict, data: bytes, *, chunk: int = CHUNK, start: int | None = None) -> dict:
    offset = item["received"] if start is None else start
    while offset < len(data):
        response = put(client, item, data[offset : offset + chunk], offset)
        assert response.status_code == 200, response.content
        item = response.json()
        offset = item["received"]
    return item


def finish(client, upload: dict, *, run: bool = True):
    """POST finish; with `run`, the processing queued on commit runs here, at once."""
    with TestCase.captureOnCommitCallbacks(execute=run):
        response = client.post(upload["finish"])
    assert response.status_code == 200, response.content
    return response


def send(client, patient, files: list[tuple[str, bytes]], *, panel=None, sizes=None, run=True) -> dict:
    """The whole path for these files; the upload's JSON."""
    upload = start(client, patient, panel=panel)
    items = announce(client, upload, files, sizes)
    for name, data in files:
        if items[name]["status"] == "receiving":
            put_file(client, items[name], data)
    finish(client, upload, run=run)
    return upload


def mr_study(*, slices: int = 4, burned_in_series: bool = True, patient=None) -> tuple[SyntheticStudy, list]:
    """A synthetic study: an MR series and (maybe) a second one flagged burned-in; [(name, bytes)]."""
    study = SyntheticStudy(patient=patient or SyntheticPatient())
    files = [(f"T1/IM{i:04d}.dcm", data) for i, data in enumerate(study.series(slices=slices))]
    if burned_in_series:
        second = study.series(slices=2, number=2, description="Screen capture", burned_in=True)
        files += [(f"SC/IM{i:04d}.dcm", data) for i, data in enumerate(second)]
    return study, files


def zip_of(entries: list[tuple[str, bytes]], *, compression=zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=compression) as archive:
        for name, data in entries:
            archive.writestr(zipfile.ZipInfo(name), data, compress_type=compression)
    return buffer.getvalue()
