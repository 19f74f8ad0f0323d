"""The fixed cost of a CPMS page, on the embedded SQLite (or PostgreSQL): the yardstick and the pages
that pay it.

Builds make_patient_world() (ERN-RND with DE22, a signed-in HP with a few patients) in a temporary
CPMS_VAR_DIR and times, in-process through the whole middleware stack, BENCH_RUNS GETs each after a
warm-up: a bare signed-in view (login_required, returns "ok", bench-only), an empty CPMS page (the
gate and the shell with its navigation, bench-only), the dashboard and the centre's patient list.
Prints median and p95 (ms), the median CPU time of the process (steadier on a busy machine),
the ratio to the bare view and the queries of one GET.
BENCH_PROFILE=<url path> prints a cProfile of BENCH_RUNS GETs of that page instead.
BENCH_DATABASE=postgresql runs the same on a throw-away PostgreSQL 15 (bench/support.py), pooled as
config/settings.py configures it.

    uv run python bench/bench_page_shell.py
    BENCH_DATABASE=postgresql uv run python bench/bench_page_shell.py
    BENCH_PROFILE=/cpms/ uv run python bench/bench_page_shell.py
"""

import cProfile
import io
import os
import pstats
import shutil
import statistics
import tempfile
import time
from contextlib import nullcontext

from support import bench_urls, configure, p95, throwaway_postgresql

RUNS = int(os.environ.get("BENCH_RUNS", "300"))
PATIENTS = 8
POSTGRESQL = os.environ.get("BENCH_DATABASE", "sqlite") == "postgresql"


def time_get(client, url: str) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(10):
        client.get(url)
    timings, cpu = [], []
    for _ in range(RUNS):
        start, start_cpu = time.perf_counter(), time.process_time()
        response = client.get(url)
        timings.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    return {
        "median": statistics.median(timings),
        "p95": p95(timings),
        "cpu": statistics.median(cpu),
        "queries": len(queries),
    }


def profile(client, url: str) -> None:
    for _ in range(10):
        client.get(url)
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(RUNS):
        client.get(url)
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("cumulative").print_stats(70)
    stats.sort_stats("tottime").print_stats(30)
    print(out.getvalue())


def main() -> None:
    folder = tempfile.mkdtemp(prefix="cpms-bench-shell-")
    with throwaway_postgresql() if POSTGRESQL else nullcontext() as database_url:
        try:
            run(folder, database_url)
        finally:
            shutil.rmtree(folder, ignore_errors=True)


def run(folder: str, database_url: str | None) -> None:
    configure(folder, database_url)
    from django.core.management import call_command
    from django.test import Client
    from django.test.utils import override_settings
    from django.urls import reverse

    from cpms.patients.tests.factories import make_patient, make_patient_world
    from cpms.test import sign_in

    override_settings(ROOT_URLCONF=bench_urls("bench_page_shell"), ALLOWED_HOSTS=["*"]).enable()
    call_command("migrate", verbosity=0)
    world = make_patient_world()
    for n in range(PATIENTS - 1):
        make_patient(
            world.de22, hospital_number=f"TUE-{n}", given_names=f"Anna{n}", enrolled_by=world.enrolling
        )
    client = sign_in(Client(), world.enrolling)
    centre_list = reverse("patients:centre-patient-list", kwargs={"centre": world.de22.pk})
    if target := os.environ.get("BENCH_PROFILE"):
        return profile(client, target.replace("<centre>", str(world.de22.pk)))
    scenarios = {
        "bare signed-in page": "/bench/bare/",
        "empty CPMS page": "/bench/shell/",
        "dashboard": reverse("clinical:dashboard"),
        "centre list": centre_list,
    }
    results = {name: time_get(client, url) for name, url in scenarios.items()}
    database = "PostgreSQL" if POSTGRESQL else "SQLite"
    print(f"{database}, {PATIENTS} patients at DE22, {RUNS} GETs each, in-process:")
    bare = results["bare signed-in page"]["median"]
    print(f"{'page':<22}{'median ms':>10}{'p95 ms':>9}{'cpu ms':>8}{'×bare':>7}{'queries':>9}")
    for name, result in results.items():
        print(
            f"{name:<22}{result['median']:>10.2f}{result['p95']:>9.2f}{result['cpu']:>8.2f}"
            f"{result['median'] / bare:>7.2f}{result['queries']:>9}"
        )


if __name__ == "__main__":
    main()
