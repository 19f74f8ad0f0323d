"""Background tasks through a real Redis and a real Celery worker: delivery, retries with backoff,
a final failure recorded, and a message that survives its worker being killed mid-task."""

import http.server
import os
import subprocess
import sys
import threading
import uuid
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from django.core import mail

from cpms.audit.models import AuditEvent
from cpms.lib.email import deliver_email, send_email_on_commit
from cpms.lib.sms import deliver_sms

from .broker import free_port

ROOT = Path(__file__).resolve().parents[3]
SMS_TEXT = "Your CPMS Login code is 123456. It is valid for 10 minutes."


class FlakySmtpHandler:
    """An SMTP server that answers "451 try again later" to the first `refusals` messages."""

    def __init__(self, refusals: int):
        self.refusals = refusals
        self.attempts = 0
        self.accepted = []

    async def handle_DATA(self, server, session, envelope):
        self.attempts += 1
        if self.attempts <= self.refusals:
            return "451 Try again later"
        self.accepted.append(envelope)
        return "250 Message accepted for delivery"


@pytest.fixture
def flaky_smtp(settings):
    def start(refusals: int) -> FlakySmtpHandler:
        handler = FlakySmtpHandler(refusals)
        controller = Controller(handler, hostname="127.0.0.1", port=free_port())
        controller.start()
        started.append(controller)
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", controller.port, 5
        settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
        settings.EMAIL_USE_TLS = False
        return handler

    started = []
    yield start
    for controller in started:
        controller.stop()


@pytest.fixture
def quick_retries(monkeypatch):
    """Two retries, 1 then 2 seconds apart at most, instead of six over a minute."""
    monkeypatch.setattr(deliver_email, "max_retries", 2)


def test_it_sends_an_email_through_redis_and_the_worker(broker):
    send_email_on_commit("dana@example.org", "identity/email/already_registered", {"user": None}, "fr")
    broker.wait_for("lib.deliver_email")
    [message] = mail.outbox
    assert message.to == ["dana@example.org"]
    assert message.subject  # rendered in the request, in French, sent by the worker


def test_it_retries_a_refused_email_and_delivers_it(broker, flaky_smtp, quick_retries):
    smtp = flaky_smtp(refusals=1)
    send_email_on_commit("dana@example.org", "identity/email/already_registered", {"user": None})
    assert broker.wait_for("lib.deliver_email") == ["RETRY", "SUCCESS"]
    assert smtp.attempts == 2 and len(smtp.accepted) == 1
    assert not AuditEvent.objects.filter(action="lib.task.failed").exists()


def test_it_records_an_email_that_failed_after_its_retries(broker, flaky_smtp, quick_retries, caplog):
    smtp = flaky_smtp(refusals=99)
    send_email_on_commit("dana@example.org", "identity/email/already_registered", {"user": None})
    assert broker.wait_for("lib.deliver_email", "FAILURE") == ["RETRY", "RETRY", "FAILURE"]
    assert smtp.attempts == 3 and smtp.accepted == []
    event = AuditEvent.objects.get(action="lib.task.failed")
    assert event.actor_id is None
    assert {key: event.data[key] for key in ("task", "retries", "in_process", "error")} == {
        "task": "lib.deliver_email",
        "retries": 2,
        "in_process": False,
        "error": "SMTPDataError",
    }
    assert "dana" not in str(event.data)  # neither the address nor the message
    ours = "\n".join(
        r.getMessage() for r in caplog.records if not r.name.startswith("mail.")
    )  # not aiosmtpd's
    assert "E-mail to da***@example.org could not be sent" in ours
    assert "dana@example.org" not in ours


def test_without_a_broker_a_failed_email_is_recorded_at_once(
    db, flaky_smtp, django_capture_on_commit_callbacks
):
    smtp = flaky_smtp(refusals=99)
    with django_capture_on_commit_callbacks(execute=True):
        send_email_on_commit("dana@example.org", "identity/email/already_registered", {"user": None})
    assert smtp.attempts == 1  # in-process, no retry: it would hold the request
    event = AuditEvent.objects.get(action="lib.task.failed")
    assert event.data["in_process"] is True and event.data["retries"] == 0


# -- A worker killed mid-task


class BlockingGateway(http.server.BaseHTTPRequestHandler):
    """An SMS gateway that holds the first message until released, and accepts the others."""

    received: list[bytes]
    first_arrived: threading.Event
    release: threading.Event

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        first = not self.first_arrived.is_set()
        self.first_arrived.set()
        if first:
            self.release.wait(60)  # its worker is killed meanwhile
            return
        self.received.append(body)
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def blocking_gateway():
    handler = type(
        "Gateway",
        (BlockingGateway,),
        {"received": [], "first_arrived": threading.Event(), "release": threading.Event()},
    )
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield handler, f"http://127.0.0.1:{server.server_port}/sms"
    handler.release.set()
    server.shutdown()
    server.server_close()


def worker_process(redis_url: str, queue: str, gateway_url: str, var_dir: Path, log: Path):
    """`celery -A config worker` in its own process group, as in production (prefork pool)."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "CPMS_EMBEDDED": "1",
        "CPMS_VAR_DIR": str(var_dir),
        "CELERY_BROKER_URL": redis_url,
        "CELERY_VISIBILITY_TIMEOUT": "1",  # redeliver an unacknowledged message after 1 s
        "SMS_BACKEND": "cpms.lib.sms.HttpGatewaySmsBackend",
        "SMS_GATEWAY_URL": gateway_url,
        "SMS_GATEWAY_TOKEN": "test-token",
    }
    env.pop("DATABASE_URL", None)  # delivering an SMS needs no database
    command = [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=prefork", "--concurrency=1"]
    command += ["-Q", queue, "-n", f"{queue}-{uuid.uuid4().hex[:6]}@%h", "--loglevel=INFO"]
    command += ["--without-mingle", "--without-gossip", "--without-heartbeat"]
    with log.open("ab") as output:
        return subprocess.Popen(  # noqa: S603
            command, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
        )


def stop(process: subprocess.Popen, signal_number: int) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal_number)
        process.wait(30)


def test_a_message_survives_its_worker_killed_mid_task(broker, redis_url, blocking_gateway, tmp_path):
    import signal

    gateway, gateway_url = blocking_gateway
    queue = f"restart-{uuid.uuid4().hex[:8]}"
    log = tmp_path / "worker.log"
    deliver_sms.apply_async(("+33612345678", SMS_TEXT), queue=queue)
    first = worker_process(redis_url, queue, gateway_url, tmp_path, log)
    try:
        assert gateway.first_arrived.wait(60), log.read_text()
        stop(first, signal.SIGKILL)  # mid-task: the message was taken, never acknowledged
        assert gateway.received == []
        second = worker_process(redis_url, queue, gateway_url, tmp_path, log)
        try:
            deadline = threading.Event()
            for _ in range(600):
                if gateway.received or deadline.wait(0.1):
                    break
        finally:
            stop(second, signal.SIGTERM)
    finally:
        stop(first, signal.SIGKILL)
    assert gateway.received, log.read_text()
    assert SMS_TEXT.encode() in gateway.received[0]


def test_every_scheduled_job_is_a_task_the_worker_knows():
    from django.conf import settings

    from config.celery import app

    app.loader.import_default_modules()  # what `celery -A config worker` imports
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert scheduled <= set(app.tasks)
    regular = {"identity.sweep_sessions", "identity.clear_tokens", "access.notify_expiring_guest_grants"}
    assert regular <= scheduled
