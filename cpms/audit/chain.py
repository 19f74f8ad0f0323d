"""The hash chain: the sealer that links new events into it, and its verification.

`record()` inserts events without touching any shared row, so audited reads and writes never
wait for each other. `seal()` then takes the one chain-head lock and links every event not yet
sealed, in id order, as a block: each gets the next position (`seq`, 1, 2, 3… with no gap) and
the hash of its content and of the event sealed before it. An event whose transaction commits
after later ids were sealed (PostgreSQL hands out ids before commit) is simply sealed in the
next block: the chain's order is `seq`, and nothing committed is ever left out. Ids lost to
rolled-back transactions leave no gap in `seq`.
"""

import hashlib
import json
import logging
import os
import threading
import time
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connections, transaction

from .models import GENESIS_HASH, AuditChainHead, AuditEvent

logger = logging.getLogger("cpms.audit")

SEAL_BLOCK = 5000
HASHED = ["previous_hash", "created_at", "actor_id", "ip", "action", "target_type", "target_id", "data"]


def content_hash(previous_hash, created_at, actor_id, ip, action, target_type, target_id, data) -> str:
    content = json.dumps(
        [previous_hash, created_at.isoformat(), actor_id, ip, action, target_type, target_id, data],
        sort_keys=True,
        separators=(",", ":"),
        default=str,
    )
    return hashlib.sha256(content.encode()).hexdigest()


def event_hash(event: AuditEvent) -> str:
    return content_hash(*(getattr(event, name) for name in HASHED))


def lock_head() -> AuditChainHead | None:
    """The chain head, locked; None while another sealer holds it (it will seal our events too)."""
    head = AuditChainHead.objects.select_for_update(skip_locked=True).filter(pk=1).first()
    if head is None and not AuditChainHead.objects.filter(pk=1).exists():
        head, _ = AuditChainHead.objects.select_for_update().get_or_create(pk=1)
    return head


def seal_block(limit: int = SEAL_BLOCK) -> int | None:
    """Link one block of unsealed events into the chain; how many were sealed, None if the lock was busy."""
    with transaction.atomic():
        head = lock_head()
        if head is None:
            return None
        pending = list(AuditEvent.objects.filter(seq__isnull=True).order_by("id")[:limit])
        for event in pending:
            head.last_seq += 1
            event.seq, event.previous_hash = head.last_seq, head.last_hash
            event.hash = head.last_hash = event_hash(event)
        if pending:
            AuditEvent.objects.bulk_update(pending, ["seq", "previous_hash", "hash"], batch_size=500)
            head.save(update_fields=["last_seq", "last_hash"])
        return len(pending)


def seal(*, busy_retries: int = 20) -> int:
    """Seal every event committed so far (the regular job, or after each commit in-process).

    While another sealer holds the lock, it may have looked for pending events before ours were
    committed: try again a little later rather than leave them pending until the next event.
    """
    total = 0
    while True:
        sealed = seal_block()
        if sealed is None and busy_retries > 0:
            busy_retries -= 1
            time.sleep(0.05)
            continue
        total += sealed or 0
        if not sealed or sealed < SEAL_BLOCK:
            return total


_last_checkpoint = time.monotonic()


def seal_and_checkpoint() -> None:
    """Seal, and write a checkpoint when AUDIT_CHECKPOINT_INTERVAL seconds have passed."""
    global _last_checkpoint
    seal()
    interval = settings.AUDIT_CHECKPOINT_INTERVAL
    if interval and time.monotonic() - _last_checkpoint >= interval:
        _last_checkpoint = time.monotonic()
        from .checkpoints import write_checkpoint

        write_checkpoint()


class BackgroundSealer:
    """One thread per process that seals in blocks what the request threads committed.

    A request only sets an event after its commit; the thread wakes, waits a moment so that a
    block gathers, and seals everything pending with its own connection. Nothing is lost if the
    process ends first: unsealed events stay in the table for the next sealer. `wait_until_sealed`
    blocks until the events committed before it are sealed and the thread is idle (a shutdown, a test).
    """

    GATHER_SECONDS = 0.02

    def __init__(self):
        self.wanted = threading.Event()
        self.lock = threading.Lock()
        self.thread: threading.Thread | None = None
        self.pid = None
        self.progress = threading.Condition()
        self.requested = 0  # requests so far, each made after its events were committed
        self.served = 0  # how many of them a finished pass has sealed
        self.running = False  # a pass is under way

    def request(self) -> None:
        with self.lock:
            if self.thread is None or self.pid != os.getpid() or not self.thread.is_alive():
                self.pid = os.getpid()  # after a fork (gunicorn), the parent's thread is not ours
                self.thread = threading.Thread(target=self.run, name="audit-sealer", daemon=True)
                self.thread.start()
        with self.progress:
            self.requested += 1
        self.wanted.set()

    def run(self) -> None:
        failures = 0
        while True:
            self.wanted.wait()
            with self.progress:
                self.running = True
            time.sleep(self.GATHER_SECONDS)
            self.wanted.clear()
            with self.progress:
                covered = self.requested  # their events were committed: this pass will see them
            try:
                seal_and_checkpoint()
                failures = 0
                with self.progress:
                    self.served = max(self.served, covered)
            except Exception:  # e.g. "database is locked" on a busy SQLite: try again, later and later
                failures += 1
                logger.exception("Sealing audit events failed (%d in a row); trying again.", failures)
                time.sleep(min(60, 2**failures / 10))
                self.wanted.set()
            finally:
                connections.close_all()  # this thread's connections
                with self.progress:
                    self.running = False
                    self.progress.notify_all()

    def wait_until_sealed(self, timeout: float | None = None) -> bool:
        """Wait until the thread has sealed every event requested so far and is idle (no pass under
        way or due); False on timeout."""
        with self.progress:
            target = self.requested
            return self.progress.wait_for(
                lambda: self.served >= target and not self.running and not self.wanted.is_set(), timeout
            )


background_sealer = BackgroundSealer()


def seal_after_commit() -> None:
    """Run by `record()` on commit when AUDIT_SEAL_ON_COMMIT."""
    if settings.AUDIT_SEAL_IN_BACKGROUND:
        background_sealer.request()
    else:
        seal_and_checkpoint()


@dataclass
class Problem:
    kind: str  # broken, rebuilt, truncated, head, bad_checkpoint
    message: str
    event_id: int | None = None


@dataclass
class Report:
    full: bool
    start_seq: int = 0  # verified from the event after this one (0: from the first)
    checked: int = 0
    last_seq: int = 0
    pending: int = 0
    checkpoints: int = 0
    problems: list[Problem] = field(default_factory=list)

    @property
    def intact(self) -> bool:
        return not self.problems


def verify_chain(*, full: bool = False, checkpoints=None, bad_checkpoints=()) -> Report:
    """Walk the chain from the newest signed checkpoint (or, `full`, from the first event).

    Reports the first broken link (an event changed, removed or inserted), a chain that does not
    reach the hash a signed checkpoint saw at its position (rebuilt), a chain shorter than a
    checkpoint saw (truncated), a head that disagrees with the last event, and checkpoints whose
    signature does not hold.
    """
    if checkpoints is None:
        from .checkpoints import read_checkpoints

        checkpoints, bad_checkpoints = read_checkpoints()
    report = Report(full=full, checkpoints=len(checkpoints))
    report.problems += [Problem("bad_checkpoint", message) for message in bad_checkpoints]
    by_seq = {checkpoint.seq: checkpoint for checkpoint in checkpoints}
    previous_seq, previous_hash = 0, GENESIS_HASH
    newest = max(checkpoints, key=lambda checkpoint: checkpoint.seq, default=None)
    if not full and newest is not None and newest.seq > 0:
        anchor = AuditEvent.objects.filter(seq=newest.seq).values_list("hash", flat=True).first()
        if anchor is not None and anchor == newest.hash:
            previous_seq, previous_hash = newest.seq, anchor
        # Otherwise the walk from the first event says what happened (rebuilt, truncated, broken).
    report.start_seq = previous_seq
    # The head after the checkpoints, and the walk up to it: what the sealers add meanwhile is left
    # to the next run, and no checkpoint read here can be ahead of this head.
    head = read_head()
    rows = (
        AuditEvent.objects.filter(seq__gt=previous_seq, seq__lte=head[0])
        .order_by("seq")
        .values_list("id", "seq", "hash", *HASHED)
        .iterator(chunk_size=5000)
    )
    for event_id, seq, stored_hash, *content in rows:
        if seq != previous_seq + 1:
            report.problems.append(
                Problem(
                    "broken",
                    f"events {previous_seq + 1} to {seq - 1} of the chain were removed "
                    f"(before event {event_id}).",
                    event_id,
                )
            )
            break
        if content[0] != previous_hash or content_hash(*content) != stored_hash:
            report.problems.append(
                Problem(
                    "broken",
                    f"broken at event {event_id} (position {seq}, {content[4]}, {content[1]}): "
                    "it, or an event before it, was changed or removed.",
                    event_id,
                )
            )
            break
        if (checkpoint := by_seq.get(seq)) and checkpoint.hash != stored_hash:
            report.problems.append(rebuilt(checkpoint, event_id))
            break
        previous_seq, previous_hash = seq, stored_hash
        report.checked += 1
    else:
        check_end(report, (previous_seq, previous_hash), head, checkpoints)
    report.last_seq = previous_seq
    report.pending = AuditEvent.objects.filter(seq__isnull=True).count()
    return report


def rebuilt(checkpoint, event_id) -> Problem:
    return Problem(
        "rebuilt",
        f"rebuilt: the event at position {checkpoint.seq} does not have the hash the checkpoint signed "
        f"at {checkpoint.at} saw; the chain was rewritten up to there or after.",
        event_id,
    )


def read_head() -> tuple[int, str]:
    return AuditChainHead.objects.filter(pk=1).values_list("last_seq", "last_hash").first() or (
        0,
        GENESIS_HASH,
    )


def check_end(report: Report, last: tuple[int, str], head: tuple[int, str], checkpoints) -> None:
    """After an unbroken walk: does the chain reach what the head and every checkpoint saw?"""
    last_seq = last[0]
    if head != last:
        report.problems.append(
            Problem(
                "head",
                f"broken at its end: the last events were removed (the chain ends at position {last_seq}, "
                f"its head says {head[0]}).",
            )
        )
    for checkpoint in sorted(checkpoints, key=lambda checkpoint: checkpoint.seq):
        if checkpoint.seq > last_seq:
            report.problems.append(
                Problem(
                    "truncated",
                    f"truncated: the checkpoint signed at {checkpoint.at} saw {checkpoint.seq} events, "
                    f"the chain has {last_seq}.",
                )
            )
            break
