"""A real Orthanc (Debian's `orthanc` and `orthanc-dicomweb`) for the tests and the intake bench.

`running_orthanc()` starts one on a free loopback port with a temporary configuration, index and
storage, the DICOMweb plugin enabled, authentication on and remote access refused, and removes it
all afterwards. The `orthanc` fixture is one per test session (Orthanc starts in about a second);
tests import it: `from cpms.imaging.tests.orthanc import orthanc  # noqa: F401`.

`make test` installs Orthanc when it is missing; without it (a bare `pytest`) the tests that need
it are skipped with the command that installs it.
"""

import base64
import json
import secrets
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

import pytest

ORTHANC = Path("/usr/sbin/Orthanc")
DICOMWEB_PLUGIN = Path("/usr/share/orthanc/plugins/libOrthancDicomWeb.so")
POSTGRESQL_INDEX_PLUGIN = Path("/usr/share/orthanc/plugins/libOrthancPostgreSQLIndex.so")  # for bench/
START_TIMEOUT = 30


@dataclass(frozen=True)
class RunningOrthanc:
    url: str
    user: str
    password: str
    folder: Path
    pid: int = 0  # the Orthanc process (the intake bench reads its CPU time)

    def get(self, path: str) -> bytes:
        """GET `path` of its REST API with the credentials (for the tests' own checks)."""
        request = urllib.request.Request(f"{self.url}{path}", headers={"Authorization": self.authorization})
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - our loopback URL
            return response.read()

    @property
    def authorization(self) -> str:
        return "Basic " + base64.b64encode(f"{self.user}:{self.password}".encode()).decode()


def installed() -> bool:
    return ORTHANC.exists() and DICOMWEB_PLUGIN.exists()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def configuration(folder: Path, port: int, user: str, password: str, storage: Path | None = None) -> dict:
    return {
        "Name": "CPMS test",
        "StorageDirectory": str(storage or folder / "storage"),
        "IndexDirectory": str(folder / "index"),
        "Plugins": [str(DICOMWEB_PLUGIN)],
        "HttpPort": port,
        # Orthanc 1.10 has no bind address: it listens on every interface and refuses any client
        # that is not on this machine, and anyone without the credentials.
        "RemoteAccessAllowed": False,
        "AuthenticationEnabled": True,
        "RegisteredUsers": {user: password},
        "DicomServerEnabled": False,
        "OrthancExplorerEnabled": False,
        "WebDavEnabled": False,
        "HttpDescribeErrors": True,
        "SaveJobs": False,
        "StorageCompression": False,
        # A new version of an instance (masking) replaces the old one; without it Orthanc answers
        # "stored" and keeps the old file (deploy/README.md: a site's Orthanc needs it too).
        "OverwriteInstances": True,
        "DicomWeb": {"Enable": True, "Root": "/dicom-web/", "EnableWado": False, "Host": "127.0.0.1"},
    }


@contextmanager
def running_orthanc(
    *, postgresql: dict | None = None, storage: Path | None = None, overrides: dict | None = None
) -> Iterator[RunningOrthanc]:
    """An Orthanc of its own; with `postgresql` (the plugin's settings) its index in PostgreSQL,
    with `storage` its files in that folder (several Orthanc processes may share both); `overrides`:
    settings of Orthanc's to change (e.g. {"OverwriteInstances": False}, its default)."""
    folder = Path(tempfile.mkdtemp(prefix="cpms-orthanc-"))
    port = free_port()
    server = RunningOrthanc(f"http://127.0.0.1:{port}", "cpms", secrets.token_urlsafe(16), folder)
    settings = configuration(folder, port, server.user, server.password, storage) | (overrides or {})
    if postgresql:
        settings["Plugins"].append(str(POSTGRESQL_INDEX_PLUGIN))
        settings["PostgreSQL"] = {"EnableIndex": True, "EnableStorage": False, "Lock": False, **postgresql}
    config = folder / "orthanc.json"
    config.write_text(json.dumps(settings))
    log = (folder / "orthanc.log").open("wb")
    process = subprocess.Popen([str(ORTHANC), str(config)], stdout=log, stderr=subprocess.STDOUT, cwd=folder)
    server = replace(server, pid=process.pid)
    try:
        wait_until_up(server, process)
        yield server
    finally:
        # Killed, not asked to stop (which takes Orthanc 2.5 s): all it kept is removed below.
        process.kill()
        process.wait(10)
        log.close()
        shutil.rmtree(folder, ignore_errors=True)


def wait_until_up(server: RunningOrthanc, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while True:
        try:
            json.loads(server.get("/plugins/dicom-web"))
            return
        except (urllib.error.URLError, ConnectionError, OSError) as exc:
            if process.poll() is not None or time.monotonic() > deadline:
                output = (server.folder / "orthanc.log").read_text(errors="replace")[-3000:]
                raise RuntimeError(f"Orthanc did not start ({exc}):\n{output}") from exc
            time.sleep(0.05)


@pytest.fixture(scope="session")
def orthanc() -> Iterator[RunningOrthanc]:
    """One Orthanc for the whole test session (each pytest-xdist worker has its own)."""
    if not installed():
        pytest.skip("Orthanc is not installed: apt-get install orthanc orthanc-dicomweb (make test does)")
    with running_orthanc() as server:
        yield server
