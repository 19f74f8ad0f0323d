"""The "Forgot your password?" page for an address with an account and for one without, side by side.

Builds a throw-away SQLite database with 1,000 accounts, then POSTs /password/forgot/ with Django's
test client, alternating a known address (a different account each time, so that the five links an
hour never cut in) and an unknown one, RUNS times each, in two set-ups:
  - in-process: no broker, the embedded default; the task runs after commit, in the request;
  - through Redis: a throw-away redis-server as the Celery broker; the request only queues the
    address (no worker runs: the queue is emptied at the end).
Prints the median time of each, and the ratio known / unknown (about 1 when the answer's time
tells nothing about the address).

    uv run python bench/bench_password_link.py
"""

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from support import free_port

ROOT = Path(__file__).resolve().parent.parent
RUNS = 200
ACCOUNTS = 1000


def configure(folder: str) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    os.environ["CPMS_EMBEDDED"] = "1"
    os.environ["CPMS_VAR_DIR"] = folder
    os.environ["DATABASE_URL"] = f"sqlite:///{folder}/bench.sqlite3"
    for name in ("CELERY_BROKER_URL", "REDIS_URL"):
        os.environ.pop(name, None)
    import django

    django.setup()


def start_redis(folder: str) -> tuple[subprocess.Popen, str]:

    port = free_port()
    process = subprocess.Popen(  # noqa: S603
        [shutil.which("redis-server"), "--bind", "127.0.0.1", "--port", str(port), "--save", ""]
        + ["--appendonly", "no", "--dir", folder],
        stdout=subprocess.DEVNULL,
    )
    import redis

    client = redis.Redis(port=port)
    for _ in range(200):
        try:
            client.ping()
            break
        except redis.ConnectionError:
            time.sleep(0.05)
    return process, f"redis://127.0.0.1:{port}/0"


def time_requests(client, offset: int) -> tuple[float, float]:
    """Median ms of a POST for a known address, and for an unknown one."""
    known, unknown = [], []
    for i in range(RUNS):
        for email, timings in ((f"user{offset + i}@example.org", known), (f"nobody{i}@example.org", unknown)):
            start = time.perf_counter()
            response = client.post("/password/forgot/", {"email": email})
            timings.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200, response.status_code
    return statistics.median(known), statistics.median(unknown)


def main() -> None:
    started = time.perf_counter()
    folder = tempfile.mkdtemp(prefix="cpms-bench-")
    redis_process = None
    try:
        configure(folder)
        from django.core import mail
        from django.core.management import call_command
        from django.test import Client
        from django.test.utils import setup_test_environment

        from config.celery import app
        from cpms.identity.models import User

        setup_test_environment()  # the test client's host, e-mails kept in memory
        call_command("migrate", verbosity=0)
        User.objects.bulk_create(
            User(username=f"nbench{i:03d}", email=f"user{i}@example.org", first_name="Ben", last_name=f"C{i}")
            for i in range(ACCOUNTS)
        )
        client = Client()
        client.post("/password/forgot/", {"email": "warm@example.org"})  # warm up

        print(f'"Forgot your password?": median of {RUNS} POSTs each, ms')
        print(f"{'set-up':<16}{'known':>10}{'unknown':>10}{'ratio':>8}")
        known, unknown = time_requests(client, offset=0)
        print(f"{'in-process':<16}{known:>10.2f}{unknown:>10.2f}{known / unknown:>8.2f}")
        sent_in_process = len(mail.outbox)

        redis_process, url = start_redis(folder)
        app.conf.broker_url = url
        app.conf.task_always_eager = False
        known, unknown = time_requests(client, offset=RUNS)
        print(f"{'through Redis':<16}{known:>10.2f}{unknown:>10.2f}{known / unknown:>8.2f}")
        import redis

        queued = redis.Redis.from_url(url).llen("celery")
        print(f"(e-mails sent in-process: {sent_in_process}; tasks queued in Redis: {queued})")
        print(f"(done in {time.perf_counter() - started:.1f} s)")
    finally:
        if redis_process is not None:
            redis_process.terminate()
            redis_process.wait(10)
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
