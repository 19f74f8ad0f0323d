"""The audit trail at volume, on SQLite and on a throw-away PostgreSQL, in one run.

For each database, in its own process (Django is configured once per process): migrate a fresh
database, build 1,000,000 sealed audit events (bulk inserts of chained events, as the sealer
chains them), sign a checkpoint, then run 20 concurrent clients (threads, one connection each)
doing the same small read — a user by id — for a fixed time:

- unaudited: the read alone;
- audited: the read and `record()` in one transaction, sealed after commit (the code as it is);
- head lock per event: the read and the previous `record()`, which locked the chain head row for
  every event, for comparison;
- on SQLite, audited again with `PRAGMA synchronous=NORMAL` (in WAL mode a crash loses no committed
  data, a power cut may lose the last commits): without it every commit waits for an fsync.

Then verification from the newest checkpoint (incremental: the events the clients added) and of
the whole chain (full). Prints reads per second per mode and the verification times.

    uv run python bench/bench_audit.py            # both databases
    uv run python bench/bench_audit.py sqlite     # one
    AUDIT_EVENTS=100000 uv run python bench/bench_audit.py
"""

import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from support import throwaway_postgresql

ROOT = Path(__file__).resolve().parent.parent
EVENTS = int(os.environ.get("AUDIT_EVENTS", 1_000_000))
CLIENTS = 20
SECONDS = float(os.environ.get("AUDIT_SECONDS", 8))
USERS = 200
BATCH = 10_000


# --- a throw-away PostgreSQL (the recipe of scripts/test.sh) --------------------------------------


# --- one database, in its own process ------------------------------------------------------------


def configure(folder: str, database_url: str) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        CPMS_EMBEDDED="1",
        CPMS_VAR_DIR=folder,
        CONN_MAX_AGE="0",
        AUDIT_CHECKPOINT_INTERVAL="0",
        LOG_LEVEL="WARNING",
    )
    if database_url:
        os.environ["DATABASE_URL"] = database_url
    else:  # the embedded default's SQLite: WAL, IMMEDIATE transactions
        os.environ.pop("DATABASE_URL", None)
    import django

    django.setup()


COLUMNS = [
    "created_at",
    "actor_id",
    "ip",
    "action",
    "target_type",
    "target_id",
    "data",
    "seq",
    "previous_hash",
    "hash",
]


def insert_rows(connection, rows: list[tuple]) -> None:
    """Straight to the driver: COPY on PostgreSQL, executemany on SQLite (the ORM would take minutes)."""
    columns = ", ".join(COLUMNS)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY audit_auditevent ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join("%s" for _ in COLUMNS)
            cursor.executemany(f"INSERT INTO audit_auditevent ({columns}) VALUES ({marks})", rows)


def build_events(count: int, users: list[int]) -> float:
    """`count` sealed events, chained as the sealer chains them, inserted in batches; seconds taken."""
    from django.db import connection, transaction

    from cpms.audit import triggers
    from cpms.audit.chain import content_hash
    from cpms.audit.models import GENESIS_HASH, AuditChainHead

    started = time.perf_counter()
    rng = random.Random(1)
    at = datetime(2026, 1, 1, tzinfo=UTC)
    previous = GENESIS_HASH
    stored_at = at.isoformat if connection.vendor == "postgresql" else None
    triggers.run(connection, "drop")  # the bench builds a sealed chain directly
    for first in range(1, count + 1, BATCH):
        rows = []
        for seq in range(first, min(first + BATCH, count + 1)):
            at += timedelta(milliseconds=30)
            actor = rng.choice(users)
            ip = f"10.0.{actor % 250}.{seq % 250 + 1}"
            target_id = str(rng.randrange(1, 1_000_000))
            data = {"centre": "DE22", "section": "summary"}
            action, target_type = "patients.patient.viewed", "patients.patient"
            digest = content_hash(previous, at, actor, ip, action, target_type, target_id, data)
            when = at if stored_at else connection.ops.adapt_datetimefield_value(at)
            rows.append(
                (when, actor, ip, action, target_type, target_id, json.dumps(data), seq, previous, digest)
            )
            previous = digest
        with transaction.atomic():
            insert_rows(connection, rows)
    AuditChainHead.objects.update_or_create(pk=1, defaults={"last_seq": count, "last_hash": previous})
    triggers.run(connection, "create")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE audit_auditevent")
    return time.perf_counter() - started


def read_user(user_id: int):
    from cpms.identity.models import User

    return User.objects.only("id", "username", "email").get(pk=user_id)


def unaudited(user_id: int) -> None:
    read_user(user_id)


def audited(user_id: int) -> None:
    from django.db import transaction

    from cpms.audit.record import record

    with transaction.atomic():
        user = read_user(user_id)
        record(user, "bench.user.viewed", user, {"section": "summary"})


def head_locked_per_event(user_id: int) -> None:
    """The previous record(): lock the chain head, chain the event, move the head, per event."""
    from django.db import transaction
    from django.utils import timezone

    from cpms.audit.chain import event_hash
    from cpms.audit.models import AuditChainHead, AuditEvent

    with transaction.atomic():
        user = read_user(user_id)
        head, _ = AuditChainHead.objects.select_for_update().get_or_create(pk=2)  # its own head
        event = AuditEvent(created_at=timezone.now(), actor_id=user.pk, action="bench.user.viewed", data={})
        event.previous_hash = head.last_hash
        event.hash = head.last_hash = event_hash(event)
        event.save()
        head.save(update_fields=["last_hash"])


def synchronous_normal(sender, connection, **kwargs) -> None:
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA synchronous=NORMAL")


def run_clients(operation, users: list[int]) -> tuple[float, int]:
    """CLIENTS threads doing `operation` for SECONDS; reads per second and errors."""
    from django.db import connection

    done, errors = [0] * CLIENTS, [0] * CLIENTS
    start = threading.Barrier(CLIENTS + 1)
    stop = threading.Event()

    def client(index: int) -> None:
        rng = random.Random(index)
        try:
            start.wait()
            while not stop.is_set():
                try:
                    operation(rng.choice(users))
                    done[index] += 1
                except Exception:  # noqa: BLE001 - counted and shown: "database is locked" under load
                    errors[index] += 1
        finally:
            connection.close()

    threads = [threading.Thread(target=client, args=(index,)) for index in range(CLIENTS)]
    for thread in threads:
        thread.start()
    start.wait()
    began = time.perf_counter()
    time.sleep(SECONDS)
    stop.set()
    for thread in threads:
        thread.join()
    return sum(done) / (time.perf_counter() - began), sum(errors)


def measure(backend: str) -> dict:
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.db.backends.signals import connection_created

    from cpms.audit.chain import seal, verify_chain
    from cpms.audit.checkpoints import sign_head
    from cpms.audit.models import AuditChainHead, AuditEvent
    from cpms.identity.models import User

    call_command("migrate", verbosity=0)
    users = [
        User.objects.create_user(
            f"nbench{n:03}", f"bench{n}@example.org", None, first_name="Ben", last_name=f"{n}"
        ).pk
        for n in range(USERS)
    ]
    AuditChainHead.objects.create(pk=2)  # the comparison's own head
    result = {"backend": backend, "events": EVENTS, "build_s": build_events(EVENTS, users)}
    sign_head()
    connection.close()
    result["unaudited_rps"], result["unaudited_errors"] = run_clients(unaudited, users)
    result["audited_rps"], result["audited_errors"] = run_clients(audited, users)
    settings.AUDIT_SEAL_ON_COMMIT = False
    result["locked_rps"], result["locked_errors"] = run_clients(head_locked_per_event, users)
    settings.AUDIT_SEAL_ON_COMMIT = True
    if (
        connection.vendor == "sqlite"
    ):  # each commit waits for fsync unless synchronous=NORMAL (WAL: still safe)
        connection_created.connect(synchronous_normal)
        result["normal_rps"], _ = run_clients(audited, users)
        connection_created.disconnect(synchronous_normal)
    started = time.perf_counter()
    result["sealed_after"] = seal()  # the comparison's events, and any the audited clients left pending
    result["seal_s"] = time.perf_counter() - started
    started = time.perf_counter()
    incremental = verify_chain()
    result["incremental_s"], result["incremental_events"] = time.perf_counter() - started, incremental.checked
    started = time.perf_counter()
    full = verify_chain(full=True)
    result["full_s"], result["full_events"] = time.perf_counter() - started, full.checked
    assert incremental.intact and full.intact, (incremental.problems, full.problems)
    result["total_events"] = AuditEvent.objects.count()
    return result


def child(backend: str, database_url: str) -> dict:
    folder = tempfile.mkdtemp(prefix="cpms-bench-")
    env = {
        **os.environ,
        "BENCH_AUDIT_CHILD": backend,
        "BENCH_DATABASE_URL": database_url or "",
        "BENCH_VAR": folder,
    }
    try:
        output = subprocess.run(
            [sys.executable, __file__], env=env, check=True, capture_output=True, text=True
        )
    except subprocess.CalledProcessError as error:
        print(error.stdout, error.stderr, file=sys.stderr)
        raise
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return json.loads(output.stdout.strip().splitlines()[-1])


def print_results(results: list[dict]) -> None:
    print(
        f"\nAudit trail, {EVENTS:,} events in the chain, {CLIENTS} concurrent clients for {SECONDS:g} s each"
    )
    print(f"{'':<38}" + "".join(f"{r['backend']:>16}" for r in results))
    rows = [
        ("build (bulk, sealed) s", "build_s", "{:.1f}"),
        ("reads/s, unaudited", "unaudited_rps", "{:.0f}"),
        ("reads/s, audited (sealed blocks)", "audited_rps", "{:.0f}"),
        ("  ratio to unaudited", None, None),
        ("reads/s, head locked per event", "locked_rps", "{:.0f}"),
        ("reads/s, audited, synchronous=NORMAL", "normal_rps", "{:.0f}"),
        ("errors (unaud./aud./locked)", None, None),
        ("seal what was left, s", "seal_s", "{:.2f}"),
        ("verify incremental, s", "incremental_s", "{:.2f}"),
        ("  events verified", "incremental_events", "{:,}"),
        ("verify full, s", "full_s", "{:.2f}"),
        ("  events verified", "full_events", "{:,}"),
        ("  s per 100,000 events", None, None),
    ]
    for label, key, form in rows:
        if label.strip() == "ratio to unaudited":
            cells = [f"{r['audited_rps'] / r['unaudited_rps']:.2f}" for r in results]
        elif label.startswith("errors"):
            cells = [f"{r['unaudited_errors']}/{r['audited_errors']}/{r['locked_errors']}" for r in results]
        elif label.strip() == "s per 100,000 events":
            cells = [f"{r['full_s'] / r['full_events'] * 100_000:.2f}" for r in results]
        else:
            cells = [form.format(r[key]) if key in r else "—" for r in results]
        print(f"{label:<38}" + "".join(f"{cell:>16}" for cell in cells))


def main() -> None:
    if backend := os.environ.get("BENCH_AUDIT_CHILD"):
        folder = os.environ["BENCH_VAR"]
        configure(folder, os.environ["BENCH_DATABASE_URL"])
        print(json.dumps(measure(backend)))
        return
    started = time.perf_counter()
    wanted = sys.argv[1:] or ["sqlite", "postgresql"]
    results = []
    if "sqlite" in wanted:
        print("SQLite …", flush=True)
        results.append(child("sqlite", ""))
    if "postgresql" in wanted:
        print("PostgreSQL …", flush=True)
        with throwaway_postgresql() as database_url:
            results.append(child("postgresql", database_url))
    print_results(results)
    print(f"(done in {time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()
