"""A full sign-in under gunicorn, next to one password verification.

Runs the embedded default (SQLite in WAL mode) in a temporary folder: migrates its database,
creates SIGNINS users, each an HP in CPMS with an authenticator app (a code works once per app
and time step, so each sign-in is another user's), starts gunicorn (one sync worker) on
loopback, and signs each user in with `requests`, as a browser would:

    GET /login/?next=/cpms/ → POST e-mail → GET password page → POST password → GET app page
    → POST code → GET /cpms/ (the dashboard)

Then times one password verification (the configured hasher, in this process) as many times,
and prints the medians and 95th percentiles of both, their difference (the pages around the
hash) and the sign-ins per second of the one worker. Last, where the time goes: other users sign
in through Django's test client in this process, and each request's median CPU time and SQL
statements are printed (BENCH_STEPS=0 leaves this out).

    uv run python bench/bench_signin.py
"""

import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests
from support import free_port, p95

ROOT = Path(__file__).resolve().parent.parent
SIGNINS = int(os.environ.get("BENCH_SIGNINS", "60"))
STEPS = int(os.environ.get("BENCH_STEPS", "20"))  # in-process sign-ins for the per-request figures
PASSWORD = "a bench password, long enough"


def configure(folder: str) -> dict:
    sys.path.insert(0, str(ROOT))
    env = {
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "CPMS_EMBEDDED": "1",
        "CPMS_VAR_DIR": folder,
        "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",  # testserver: the test client
    }
    os.environ.update(env)
    import django

    django.setup()
    return env


def load_users(count: int, prefix: str = "nbench") -> list:
    from cpms.access.tests.factories import make_grant, make_tree
    from cpms.clinical.tests.factories import complete_profile, make_areas
    from cpms.identity.models import User
    from cpms.test import add_authenticator

    tree = make_tree()
    areas = make_areas(tree.ern)
    users = []
    for n in range(count):
        user = User.objects.create_user(
            f"{prefix}{n:03d}", f"{prefix}{n}@example.org", PASSWORD, first_name="Ben", last_name=f"Ch{n}"
        )
        add_authenticator(user)
        make_grant(user, tree.hcp)
        complete_profile(user, areas=areas[:1])
        users.append(user)
    return users


def start_gunicorn(env: dict, port: int) -> subprocess.Popen:
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "config.wsgi", "-b", f"127.0.0.1:{port}", "-w", "1", "-k", "sync"],
        cwd=ROOT,
        env={**os.environ, **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(200):
        try:
            requests.get(f"http://127.0.0.1:{port}/", timeout=30)
            return server
        except (requests.ConnectionError, requests.Timeout):
            time.sleep(0.1)
    server.terminate()
    raise SystemExit("gunicorn did not start")


def worker_cpu_seconds(server: subprocess.Popen) -> float:
    """CPU time (user + system) of gunicorn's worker so far: less sensitive than wall time to other
    processes on a busy machine."""
    children = Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()
    fields = Path(f"/proc/{children[0]}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def token(page: requests.Response) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)


def sign_in(site: str, user) -> tuple[float, int]:
    """(milliseconds, requests) for one whole sign-in, from the first page to the dashboard."""
    import pyotp

    browser = requests.Session()
    code = pyotp.TOTP(user.totp_devices.get().secret).now()
    start = time.perf_counter()
    page = browser.get(f"{site}/login/?next=/cpms/")
    count = 1 + len(page.history)
    page = browser.post(
        f"{site}/login/", {"csrfmiddlewaretoken": token(page), "identifier": user.email, "next": "/cpms/"}
    )
    count += 1 + len(page.history)
    page = browser.post(page.url, {"csrfmiddlewaretoken": token(page), "password": PASSWORD})
    count += 1 + len(page.history)
    page = browser.post(page.url, {"csrfmiddlewaretoken": token(page), "code": code})
    count += 1 + len(page.history)
    elapsed = (time.perf_counter() - start) * 1000
    assert page.url.endswith("/cpms/") and page.status_code == 200, (page.url, page.status_code)
    return elapsed, count


def steps_in_process(users: list) -> list[tuple[str, float, int]]:
    """(request, median CPU ms, SQL statements) for each request of a sign-in, through Django's test
    client in this process (no HTTP, no gunicorn): where the time around the hash goes."""
    import pyotp
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    figures: dict[str, list[tuple[float, int]]] = {}

    def timed(name: str, send, *args):
        with CaptureQueriesContext(connection) as queries:
            started = time.process_time()
            response = send(*args)
            cpu_ms = (time.process_time() - started) * 1000
        figures.setdefault(name, []).append((cpu_ms, len(queries.captured_queries)))
        return response

    for n, user in enumerate(users):
        browser = Client(enforce_csrf_checks=True, HTTP_USER_AGENT="bench")
        code = pyotp.TOTP(user.totp_devices.get().secret).now()
        page = timed("GET /login/?next=/cpms/", browser.get, "/login/?next=/cpms/")
        url = "/login/"
        for name, data in [
            ("POST e-mail", {"identifier": user.email, "next": "/cpms/"}),
            ("POST password", {"password": PASSWORD}),
            ("POST code", {"code": code}),
        ]:
            page = timed(name, browser.post, url, {"csrfmiddlewaretoken": token(page), **data})
            if page.status_code == 302:  # the next page, as a browser follows the redirect
                url = page["Location"]
                page = timed(f"GET {url}", browser.get, url)
        assert url == "/cpms/" and page.status_code == 200, (url, page.status_code)
        if n == 0:
            figures.clear()  # the first one warms up (imports, templates)
    return [
        (name, statistics.median(cpu for cpu, _ in runs), statistics.median(count for _, count in runs))
        for name, runs in figures.items()
    ]


def password_verification(runs: int) -> list[float]:
    from django.contrib.auth.hashers import check_password, make_password

    encoded = make_password(PASSWORD)
    timings = []
    cpu_started = time.process_time()
    for _ in range(runs):
        start = time.perf_counter()
        assert check_password(PASSWORD, encoded)
        timings.append((time.perf_counter() - start) * 1000)
    return timings, (time.process_time() - cpu_started) * 1000 / runs


def main() -> None:
    started = time.perf_counter()
    folder = tempfile.mkdtemp(prefix="cpms-bench-")
    server = None
    try:
        env = configure(folder)
        from django.conf import settings
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        users = load_users(SIGNINS)
        port = free_port()
        server = start_gunicorn(env, port)
        site = f"http://127.0.0.1:{port}"
        sign_in(site, users[0])  # warm up the worker (imports, templates)
        timings, pages = [], 0
        cpu_started = worker_cpu_seconds(server)
        run_started = time.perf_counter()
        for user in users[1:]:
            elapsed, pages = sign_in(site, user)
            timings.append(elapsed)
        run_seconds = time.perf_counter() - run_started
        worker_cpu_ms = (worker_cpu_seconds(server) - cpu_started) * 1000 / len(timings)
        hashing, hash_cpu_ms = password_verification(len(timings))

        print(f"Sign-in under gunicorn (1 sync worker, SQLite), {len(timings)} users, {pages} requests each")
        print(f"hasher: {settings.PASSWORD_HASHERS[0].rsplit('.', 1)[-1]}")
        print(f"{'':<32}{'median ms':>10}{'p95 ms':>9}")
        print(
            f"{'full sign-in (to the dashboard)':<32}{statistics.median(timings):>10.1f}{p95(timings):>9.1f}"
        )
        print(f"{'one password verification':<32}{statistics.median(hashing):>10.1f}{p95(hashing):>9.1f}")
        around = statistics.median(timings) - statistics.median(hashing)
        print(f"{'pages around the hash':<32}{around:>10.1f}")
        print(f"sign-ins per second per worker: {len(timings) / run_seconds:.1f}")
        print(
            f"worker CPU per sign-in: {worker_cpu_ms:.1f} ms, of which one hash ≈ {hash_cpu_ms:.1f} ms "
            f"(around the hash: {worker_cpu_ms - hash_cpu_ms:.1f} ms; load average {os.getloadavg()[0]:.1f})"
        )
        if STEPS:
            steps = steps_in_process(load_users(STEPS + 1, prefix="nsteps"))
            print(f"In this process (Django's test client), median of {STEPS} sign-ins:")
            print(f"{'':<32}{'CPU ms':>10}{'SQL':>9}")
            for name, cpu_ms, statements in steps:
                print(f"{name:<32}{cpu_ms:>10.1f}{statements:>9}")
            print(
                f"{'all but the hash':<32}{sum(cpu for _, cpu, _ in steps) - hash_cpu_ms:>10.1f}"
                f"{sum(count for _, _, count in steps):>9}"
            )
        print(f"(done in {time.perf_counter() - started:.1f} s)")
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=10)
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
