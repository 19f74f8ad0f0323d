"""A store that fails says so with an ImageStoreError the intake can report, never a 500 with a trace.

`message` is the sentence shown to the user (translated); str() is the detail for the log, which
names what failed and never the password. Down, too slow or refusing our credentials: unavailable
(try later); a file it will not keep: refused (the intake refuses that file); a name it does not
have: not found.
"""

import contextlib
import http.server
import threading
import time

import pytest
from django.utils import translation

from cpms.imaging.stores import (
    ImageNotFound,
    ImageNotReplaced,
    ImageStoreError,
    ImageStoreRefused,
    ImageStoreUnavailable,
    OrthancImageStore,
    StorageImageStore,
    first_part,
)
from cpms.imaging.synthetic import SyntheticStudy
from cpms.imaging.tests.orthanc import free_port, orthanc  # noqa: F401 - the session's Orthanc
from cpms.imaging.tests.s3 import moto_s3, s3_env, settings_from_env  # noqa: F401

NAME = "studies/1.2.3/series/1.2.3.4/instances/1.2.3.4.5"


@pytest.fixture(scope="module")
def dicom() -> bytes:
    return SyntheticStudy().series(slices=1, size=32)[0]


@pytest.fixture
def orthanc_store(orthanc):  # noqa: F811
    return OrthancImageStore(orthanc.url, orthanc.user, orthanc.password)


# --- Orthanc --------------------------------------------------------------------------------------


def test_it_reports_orthanc_down_as_unavailable(dicom):
    store = OrthancImageStore(f"http://127.0.0.1:{free_port()}", "cpms", "secret-password", timeout=2)
    for call in (lambda: store.save("k", dicom), lambda: store.read(NAME), lambda: store.delete(NAME)):
        with pytest.raises(ImageStoreUnavailable) as caught:
            call()
        assert "Orthanc at http://127.0.0.1:" in str(caught.value)
        assert "NewConnectionError" in str(caught.value)
        assert "secret-password" not in str(caught.value)


def test_it_reports_wrong_credentials_as_unavailable_and_names_the_settings(orthanc, dicom):  # noqa: F811
    store = OrthancImageStore(orthanc.url, orthanc.user, "not-the-password")
    with pytest.raises(ImageStoreUnavailable) as caught:
        store.save("k", dicom)
    assert "HTTP 401" in str(caught.value)
    assert "ORTHANC_PASSWORD" in str(caught.value)
    assert "not-the-password" not in str(caught.value)


def test_it_refuses_a_file_that_is_not_dicom_before_sending_it(orthanc_store):
    with pytest.raises(ImageStoreRefused):
        orthanc_store.save("k", b"MZ\x90\x00 not an image at all" * 20)


def test_it_reports_orthanc_refusing_a_file_as_refused(orthanc_store, dicom):
    truncated = dicom[: len(dicom) - 500]  # the UIDs parse; the pixel data is cut short
    with pytest.raises(ImageStoreRefused) as caught:
        orthanc_store.save("k", truncated)
    assert "HTTP 400" in str(caught.value)


def test_it_reports_a_missing_instance_as_not_found(orthanc_store):
    with pytest.raises(ImageNotFound) as caught:
        orthanc_store.read(NAME)
    assert "HTTP 404" in str(caught.value)
    orthanc_store.delete(NAME)  # nothing to delete: no error


@pytest.mark.parametrize("name", ["../../tools/reset", "studies/1.2/series/x;rm/instances/1", "images/a.dcm"])
def test_it_never_sends_a_name_that_is_not_an_instance_path(orthanc_store, name):
    with pytest.raises(ImageNotFound):
        orthanc_store.read(name)
    orthanc_store.delete(name)


class Stub(http.server.BaseHTTPRequestHandler):
    """What a proxy in front of a broken Orthanc may answer."""

    status, body, content_type, delay = 502, b"<html>Bad gateway</html>", "text/html", 0.0

    def do_GET(self):
        self.answer()

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.answer()

    def answer(self):
        time.sleep(self.delay)
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # the client gave up waiting
            self.send_response(self.status)
            self.send_header("Content-Type", self.content_type)
            self.send_header("Content-Length", str(len(self.body)))
            self.end_headers()
            self.wfile.write(self.body)

    def log_message(self, *args):
        pass


@pytest.fixture
def stub():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Stub)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize(
    ("status", "body", "content_type"),
    [
        (502, b"<html>Bad gateway</html>", "text/html"),
        (200, b"<html>a login page</html>", "text/html"),
        (200, b"--x\r\nContent-Type: application/dicom\r\n\r\nDICM", 'multipart/related; boundary="x"'),
    ],
)
def test_it_reports_an_answer_that_is_not_orthancs_as_unavailable(
    stub, monkeypatch, dicom, status, body, content_type
):
    monkeypatch.setattr(Stub, "status", status)
    monkeypatch.setattr(Stub, "body", body)
    monkeypatch.setattr(Stub, "content_type", content_type)
    store = OrthancImageStore(f"http://127.0.0.1:{stub.server_port}", "cpms", "pw")
    with pytest.raises(ImageStoreUnavailable):
        store.save("k", dicom)
    with pytest.raises(ImageStoreUnavailable):
        store.read(NAME)


def test_it_gives_up_on_an_orthanc_that_does_not_answer(stub, monkeypatch, dicom):
    monkeypatch.setattr(Stub, "delay", 2.0)
    store = OrthancImageStore(f"http://127.0.0.1:{stub.server_port}", "cpms", "pw", timeout=0.3)
    with pytest.raises(ImageStoreUnavailable) as caught:
        store.read(NAME)
    assert "ReadTimeoutError" in str(caught.value)


def test_it_reads_the_first_part_of_a_multipart_answer():
    body = b"--b1\r\nContent-Type: application/dicom\r\n\r\nDICM\r\n--b1\r\nbody\r\n--b1--"
    assert first_part('multipart/related; type="application/dicom"; boundary=b1', body) == b"DICM"
    sized = b"--b2\r\nContent-Length: 9\r\n\r\nDI\r\n--b2M\r\n--b2--"  # the boundary inside the content
    assert first_part('multipart/related; boundary="b2"', sized) == b"DI\r\n--b2M"
    with pytest.raises(ValueError):
        first_part("multipart/related; boundary=b3", b"--b3\r\nContent-Length: 99\r\n\r\nDICM\r\n--b3--")
    with pytest.raises(ValueError):
        first_part("application/dicom", b"DICM")


# --- the local folder and S3 ---------------------------------------------------------------------


def test_it_reports_a_folder_it_cannot_write_as_unavailable(settings, tmp_path, dicom):
    (tmp_path / "file").write_text("a file where the folder should be")
    settings.STORAGES = {
        **settings.STORAGES,
        "imaging": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path / "file" / "images"},
        },
    }
    store = StorageImageStore()
    with pytest.raises(ImageStoreUnavailable):
        store.save("1.2.3", dicom)
    with pytest.raises(ImageStoreUnavailable):  # not "not found": the folder itself is wrong
        store.read("1.2.3.dcm")


def s3_options(monkeypatch, env):
    return settings_from_env(monkeypatch, env)["STORAGES"]["imaging"]


def test_it_reports_a_missing_bucket_as_unavailable(settings, monkeypatch, s3_env, dicom):  # noqa: F811
    settings.STORAGES = {
        **settings.STORAGES,
        "imaging": s3_options(monkeypatch, {**s3_env, "IMAGING_S3_BUCKET": "gone"}),
    }
    store = StorageImageStore()
    with pytest.raises(ImageStoreUnavailable) as caught:
        store.save("1.2.3", dicom)
    assert "NoSuchBucket" in str(caught.value)
    with pytest.raises(ImageNotFound):
        store.read("1.2.3.dcm")


def test_it_reports_s3_down_as_unavailable(settings, monkeypatch, s3_env, dicom):  # noqa: F811
    imaging = s3_options(
        monkeypatch, {**s3_env, "IMAGING_S3_ENDPOINT_URL": f"http://127.0.0.1:{free_port()}"}
    )
    # The settings' own client config: three attempts, then the error, within a few seconds.
    settings.STORAGES = {**settings.STORAGES, "imaging": imaging}
    store = StorageImageStore()
    for call in (
        lambda: store.save("1.2.3", dicom),
        lambda: store.read("1.2.3.dcm"),
        lambda: store.delete("x"),
    ):
        with pytest.raises(ImageStoreUnavailable) as caught:
            call()
        assert "EndpointConnectionError" in str(caught.value)
        assert s3_env["IMAGING_S3_SECRET_ACCESS_KEY"] not in str(caught.value)


# --- what the user reads -------------------------------------------------------------------------


def test_each_error_has_a_sentence_for_the_user_in_english_and_french():
    for error in (ImageStoreUnavailable, ImageStoreRefused, ImageNotReplaced, ImageNotFound):
        assert issubclass(error, ImageStoreError)
        with translation.override("en"):
            english = str(error("detail").message)
        with translation.override("fr"):
            french = str(error("detail").message)
        assert english.endswith(".") and "detail" not in english
        assert french != english
