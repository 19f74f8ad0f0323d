"""Image intake: ours (de-identification, then the image store) against Orthanc's own, in one run.

The same synthetic study (SyntheticStudy: 500 files of 256×256 by default, a patient name, ID,
birth date, private tags and real UIDs in each) goes through:

- orthanc's own intake: STOW-RS of the original files to Debian's Orthanc with its DICOMweb
  plugin, one multipart request per batch, as a PACS or an uploader pushes a study: the anchor;
- cpms → folder: `cpms.imaging.deidentify.deidentify` of each file, then the local folder store
  (the embedded default; S3 adds the network);
- cpms → orthanc: the same de-identification, then `OrthancImageStore.save` (one STOW-RS per
  instance, as the intake stores them);
- and, to show what the de-identification costs, the two stores alone with the original files.

Each Orthanc run gets a fresh Orthanc (a temporary index and storage, started in ~0.2 s), so that
none finds the files already stored. One client thread, as one intake worker. Then Orthanc's own
intake at volume, with two clients: on its SQLite index, and (when Debian's orthanc-postgresql and
PostgreSQL are installed) with its index in a throw-away PostgreSQL (fsync off), for one Orthanc and
for two sharing the index and a storage folder, as deploy/README.md describes. Prints instances
per second, the median and 95th percentile of the batches, and each rate against Orthanc's own.

    uv run python bench/bench_imaging_intake.py
    IMAGING_BENCH_FILES=200 IMAGING_BENCH_SIZE=512 IMAGING_BENCH_BATCH=20 \\
        uv run python bench/bench_imaging_intake.py

The machine is shared while benches run: next to the rates, the CPU milliseconds per instance
of this process (the client: de-identification, requests) and of the Orthanc process(es), which
other load on the cores does not inflate as it does the wall-clock rates.
"""

import os
import secrets
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from pathlib import Path
from urllib.parse import urlsplit

from support import configure, p95, postgresql_bindir, throwaway_postgresql

FILES = int(os.environ.get("IMAGING_BENCH_FILES", 500))
SIZE = int(os.environ.get("IMAGING_BENCH_SIZE", 256))
BATCH = int(os.environ.get("IMAGING_BENCH_BATCH", 25))
SERIES = 5
PSEUDONYM = "ERN-RND-BENCH-0001"


def orthanc_cpu(*servers) -> float:
    """CPU seconds (user + system) used so far by these Orthanc processes."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for server in servers:
        fields = Path(f"/proc/{server.pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)
    return total / ticks


def synthetic_files() -> list[bytes]:
    from cpms.imaging.synthetic import SyntheticStudy

    study, per_series = SyntheticStudy(), -(-FILES // SERIES)
    files: list[bytes] = []
    for number in range(1, SERIES + 1):
        files += study.series(slices=per_series, size=SIZE, number=number, description=f"series {number}")
    return files[:FILES]


def stow_batch(server, files: list[bytes]) -> None:
    """Orthanc's own intake: one STOW-RS request with `files` as its parts."""
    import json
    import urllib.request

    boundary = secrets.token_hex(16)
    head = f"--{boundary}\r\nContent-Type: application/dicom\r\n\r\n".encode()
    body = b"".join(head + data + b"\r\n" for data in files) + f"--{boundary}--\r\n".encode()
    headers = {
        "Content-Type": f'multipart/related; type="application/dicom"; boundary={boundary}',
        "Accept": "application/dicom+json",
        "Authorization": server.authorization,
    }
    request = urllib.request.Request(
        f"{server.url}/dicom-web/studies", data=body, headers=headers, method="POST"
    )
    with urllib.request.urlopen(request, timeout=120) as response:  # our loopback Orthanc
        answer = json.loads(response.read())
    stored = len(answer.get("00081199", {}).get("Value", []))
    if stored != len(files) or answer.get("00081198", {}).get("Value"):
        raise SystemExit(f"Orthanc stored {stored} of {len(files)} instances")


def measure(files: list[bytes], batch: Callable[[list[bytes]], None]) -> tuple[float, list[float]]:
    """Instances per second over all files, and the seconds of each batch."""
    times = []
    for start in range(0, len(files), BATCH):
        began = time.perf_counter()
        batch(files[start : start + BATCH])
        times.append(time.perf_counter() - began)
    return len(files) / sum(times), times


def measure_parallel(
    files: list[bytes], clients: list[Callable[[list[bytes]], None]]
) -> tuple[float, list[float]]:
    """The batches shared out among the clients (one thread each): instances per second over the
    wall-clock time, and the seconds of each batch."""
    chunks = [files[start : start + BATCH] for start in range(0, len(files), BATCH)]

    def client(index: int) -> list[float]:
        times = []
        for chunk in chunks[index :: len(clients)]:
            began = time.perf_counter()
            clients[index](chunk)
            times.append(time.perf_counter() - began)
        return times

    began = time.perf_counter()
    with ThreadPoolExecutor(len(clients)) as pool:
        times = [t for result in pool.map(client, range(len(clients))) for t in result]
    return len(files) / (time.perf_counter() - began), times


def timed(label: str, run: Callable[[], tuple[float, list[float]]], servers: list) -> tuple:
    """(label, rate, batch times, CPU s of this process, CPU s of the Orthanc servers) of `run`."""
    cpu, server_cpu = time.process_time(), orthanc_cpu(*servers)
    rate, times = run()
    return label, rate, times, time.process_time() - cpu, orthanc_cpu(*servers) - server_cpu


def orthanc_at_volume(files: list[bytes]) -> list[tuple[str, float, list[float]]]:
    """Orthanc's own intake with two clients: one Orthanc on its SQLite index, then (when Debian's
    orthanc-postgresql and PostgreSQL are installed) the index in PostgreSQL, for one Orthanc and
    for two sharing it (and one storage folder), as deploy/README.md describes."""
    from cpms.imaging.tests.orthanc import POSTGRESQL_INDEX_PLUGIN, running_orthanc

    def stow(server) -> Callable[[list[bytes]], None]:
        return lambda chunk: stow_batch(server, chunk)

    results = []
    with running_orthanc() as server:
        label = "orthanc's own, SQLite index, 2 clients"
        results.append(timed(label, lambda: measure_parallel(files, [stow(server)] * 2), [server]))
    if not POSTGRESQL_INDEX_PLUGIN.exists() or postgresql_bindir() is None:
        print("(orthanc-postgresql or PostgreSQL not installed: no run with the index in PostgreSQL)")
        return results
    for processes in (1, 2):
        with throwaway_postgresql() as url, ExitStack() as stack:
            parts = urlsplit(url)
            index = {"Host": parts.hostname, "Port": parts.port, "Database": parts.path.lstrip("/")}
            index |= {"Username": parts.username, "Password": parts.password}
            shared = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="cpms-orthanc-shared-")))
            servers = [
                stack.enter_context(running_orthanc(postgresql=index, storage=shared))
                for _ in range(processes)
            ]
            clients = [stow(servers[i % processes]) for i in range(2)]
            label = f"orthanc's own, PostgreSQL index, {processes} orthanc(s), 2 clients"
            results.append(timed(label, lambda clients=clients: measure_parallel(files, clients), servers))
    return results


def main() -> None:
    folder = tempfile.mkdtemp(prefix="cpms-bench-imaging-")
    try:
        os.environ.update(LOG_LEVEL="WARNING", IMAGING_STORE="storage")
        configure(folder, None)  # no database is used; an inherited DATABASE_URL is dropped
        run()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def run() -> None:
    from cpms.imaging.stores import OrthancImageStore, StorageImageStore
    from cpms.imaging.tests.orthanc import installed, running_orthanc

    if not installed():
        raise SystemExit("Orthanc is not installed: apt-get install orthanc orthanc-dicomweb")
    from cpms.imaging.deidentify import deidentify

    began = time.perf_counter()
    files = synthetic_files()
    megabytes, seconds = sum(map(len, files)) / 1e6, time.perf_counter() - began
    print(f"{len(files)} files of {SIZE}×{SIZE} ({megabytes:.0f} MB) made in {seconds:.1f} s")
    print(f"batches of {BATCH} instances; one client thread unless said")

    def cpms_intake(store) -> Callable[[list[bytes]], None]:
        def batch(chunk: list[bytes]) -> None:
            for data in chunk:
                clean = deidentify(data, patient_pseudonym=PSEUDONYM)
                store.save(f"{clean.study_uid}/{clean.series_uid}/{clean.sop_uid}", clean.data)

        return batch

    def store_only(store) -> Callable[[list[bytes]], None]:
        def batch(chunk: list[bytes]) -> None:
            for index, data in enumerate(chunk):
                store.save(f"original/{time.perf_counter_ns()}-{index}", data)

        return batch

    runs: list[tuple[str, str | None]] = [
        ("orthanc's own intake (STOW-RS, a batch per request)", None),
        ("cpms intake → folder (de-identified)", "folder:cpms"),
        ("cpms intake → orthanc (de-identified)", "orthanc:cpms"),
        ("store only → folder (no de-identification)", "folder:only"),
        ("store only → orthanc (no de-identification)", "orthanc:only"),
    ]

    results = []
    for label, how in runs:
        if how is None or how.startswith("orthanc"):
            with running_orthanc() as server:
                if how is None:
                    batch = lambda chunk, server=server: stow_batch(server, chunk)  # noqa: E731
                else:
                    store = OrthancImageStore(server.url, server.user, server.password)
                    batch = (cpms_intake if how.endswith("cpms") else store_only)(store)
                results.append(timed(label, lambda batch=batch: measure(files, batch), [server]))
        else:
            store = StorageImageStore()  # VAR_DIR/imaging: the temporary folder
            batch = (cpms_intake if how.endswith("cpms") else store_only)(store)
            results.append(timed(label, lambda batch=batch: measure(files, batch), []))
    results += orthanc_at_volume(files)

    anchor = results[0][1]
    print(
        f"\n{'':60} {'inst/s':>8} {'batch median':>13} {'batch p95':>10} {'vs orthanc':>11}"
        f" {'CPU ms/inst: client':>20} {'orthanc':>8}"
    )
    for label, rate, times, cpu, server_cpu in results:
        median, slow = statistics.median(times) * 1000, p95(times) * 1000
        per_client, per_server = cpu * 1000 / len(files), server_cpu * 1000 / len(files)
        print(
            f"{label:60} {rate:8.0f} {median:10.0f} ms {slow:7.0f} ms {rate / anchor:10.2f}×"
            f" {per_client:20.2f} {per_server:8.2f}"
        )


if __name__ == "__main__":
    main()
