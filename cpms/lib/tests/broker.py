"""A real Redis and a real Celery worker, for the tests that prove the background path.

scripts/test.sh starts one throw-away redis-server for the whole run and names it in
CPMS_TEST_REDIS_URL; without it (pytest run alone) the first test that needs it starts its own.
Each pytest-xdist worker uses its own Redis database, so no one consumes another's tasks.

The Celery worker runs in this process, in a thread (celery.contrib.testing.worker): a real
worker consuming from the real broker, which sees the test database of this pytest worker.
Tests that use it ask for `broker` and are transactional: the worker reads what they committed.
"""

import os
import re
import shutil
import socket
import subprocess
import tempfile
import threading
import time

import pytest
import redis
from celery.contrib.testing.worker import start_worker
from celery.signals import task_postrun
from django.db import connection

from config.celery import app
from cpms.audit import triggers

TASK_TIMEOUT = 30


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_redis_server() -> tuple[subprocess.Popen, str, str]:
    """A redis-server on a free loopback port, keeping nothing on disk: (process, url, its folder)."""
    folder = tempfile.mkdtemp(prefix="cpms-redis-")
    port = free_port()
    process = subprocess.Popen(  # noqa: S603 - a fixed command line
        [shutil.which("redis-server") or "/usr/bin/redis-server", "--bind", "127.0.0.1", "--port", str(port)]
        + ["--save", "", "--appendonly", "no", "--dir", folder],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}"
    client = redis.Redis.from_url(url)
    deadline = time.monotonic() + 20
    while True:
        try:
            client.ping()
            return process, url, folder
        except redis.ConnectionError:
            if process.poll() is not None or time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def xdist_index() -> int:
    digits = re.sub(r"\D", "", os.environ.get("PYTEST_XDIST_WORKER", "gw0")) or "0"
    return int(digits) % 16


@pytest.fixture(scope="session")
def redis_url():
    """The URL of this pytest worker's own (emptied) Redis database."""
    process = folder = None
    base = os.environ.get("CPMS_TEST_REDIS_URL", "")
    if not base:
        process, base, folder = start_redis_server()
    url = f"{base.rstrip('/')}/{xdist_index()}"
    redis.Redis.from_url(url).flushdb()
    try:
        yield url
    finally:
        if process is not None:
            process.terminate()
            process.wait(10)
            shutil.rmtree(folder, ignore_errors=True)


class TaskLog:
    """The tasks the worker has run, and their end states, to wait for instead of sleeping."""

    def __init__(self):
        self.runs: list[tuple[str, str]] = []
        self.changed = threading.Condition()

    def ran(self, sender=None, state=None, **kwargs):
        with self.changed:
            self.runs.append((sender.name, state))
            self.changed.notify_all()

    def states(self, name: str) -> list[str]:
        return [state for task, state in self.runs if task == name]

    def wait_for(self, name: str, state: str = "SUCCESS", count: int = 1) -> list[str]:
        """Block until `name` ended `count` times in `state`; its states so far."""
        with self.changed:
            done = self.changed.wait_for(lambda: self.states(name).count(state) >= count, TASK_TIMEOUT)
        assert done, f"{name} did not reach {state} ×{count} within {TASK_TIMEOUT} s: {self.runs}"
        return self.states(name)


@pytest.fixture(scope="session")
def celery_worker(redis_url, django_db_setup, django_db_blocker):
    app.conf.broker_url = redis_url
    app.loader.import_default_modules()  # every task registered, as `celery worker` does
    worker = start_worker(app, pool="solo", perform_ping_check=False, loglevel="WARNING", shutdown_timeout=30)
    with django_db_blocker.unblock():  # only while it starts: tests unblock the database for it later
        worker.__enter__()
    try:
        yield app
    finally:
        worker.__exit__(None, None, None)


@pytest.fixture
def broker(celery_worker, transactional_db):
    """For this test, tasks go through Redis to the worker; yields the TaskLog of what it ran."""
    log = TaskLog()
    task_postrun.connect(log.ran, weak=False)
    celery_worker.conf.task_always_eager = False
    try:
        yield log
    finally:
        celery_worker.conf.task_always_eager = True
        task_postrun.disconnect(log.ran)
        triggers.empty_for_tests(connection)  # the trail is append-only: emptied for the flush
