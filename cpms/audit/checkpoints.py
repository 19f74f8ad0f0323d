"""Signed checkpoints of the chain, kept outside the database.

A checkpoint is the chain head's position and hash at a moment, signed (HMAC-SHA256) with
AUDIT_CHECKPOINT_KEY, a key the database never sees. Each one is appended as a JSON line to
AUDIT_CHECKPOINT_DIR/checkpoints.jsonl and written to the log, places someone who rewrites the
database cannot rewrite. Whoever rebuilds the chain after editing a row, or cuts off its newest
events, cannot make it agree with the checkpoints without the key.
"""

import hashlib
import hmac
import json
import logging
import os
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .chain import Report, lock_head, seal, verify_chain
from .models import GENESIS_HASH, AuditChainHead

logger = logging.getLogger("cpms.audit.checkpoint")

FILE_NAME = "checkpoints.jsonl"
SIGNED = ("v", "seq", "hash", "at", "key")


@dataclass(frozen=True)
class Checkpoint:
    seq: int
    hash: str
    at: str


class ChainNotIntact(Exception):
    def __init__(self, report: Report):
        super().__init__("; ".join(problem.message for problem in report.problems))
        self.report = report


def key_id(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()[:12]


def signature(fields: dict, key: str) -> str:
    message = json.dumps([fields[name] for name in SIGNED], separators=(",", ":"))
    return hmac.new(key.encode(), message.encode(), hashlib.sha256).hexdigest()


def checkpoint_file() -> Path:
    return Path(settings.AUDIT_CHECKPOINT_DIR) / FILE_NAME


def append_line(path: Path, line: str) -> None:
    """One write() in append mode: lines from several processes never interleave."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, (line + "\n").encode())
        os.fsync(fd)
    finally:
        os.close(fd)


def write_checkpoint() -> Checkpoint:
    """Seal what is committed, verify from the last checkpoint, and sign the head. For the regular job.

    Raises ChainNotIntact (and signs nothing) when the verification finds a problem.
    """
    seal()
    report = verify_chain()
    if not report.intact:
        logger.error("Audit chain not intact, no checkpoint written: %s", ChainNotIntact(report))
        raise ChainNotIntact(report)
    return sign_head()


def sign_head() -> Checkpoint:
    """Append a signed checkpoint of the chain head as it is (write_checkpoint verifies first)."""
    key = settings.AUDIT_CHECKPOINT_KEY
    with transaction.atomic():
        head = lock_head() or AuditChainHead.objects.select_for_update().get(pk=1)
        fields = {
            "v": 1,
            "seq": head.last_seq,
            "hash": head.last_hash or GENESIS_HASH,
            "at": timezone.now().isoformat(),
            "key": key_id(key),
        }
        line = json.dumps({**fields, "sig": signature(fields, key)}, separators=(",", ":"))
        append_line(checkpoint_file(), line)
    logger.info("Audit checkpoint %s", line)
    return Checkpoint(fields["seq"], fields["hash"], fields["at"])


def parse(line: str, key: str) -> Checkpoint:
    """The checkpoint on this line; ValueError if it is not one we signed."""
    try:
        fields = json.loads(line)
        if not isinstance(fields, dict) or fields.get("v") != 1:
            raise ValueError("not a checkpoint")
        expected = signature(fields, key)
        if not isinstance(fields.get("sig"), str) or not hmac.compare_digest(fields["sig"], expected):
            raise ValueError(
                "its signature does not hold"
                if fields.get("key") == key_id(key)
                else "it was signed with another key (AUDIT_CHECKPOINT_KEY changed?)"
            )
        if not isinstance(fields["seq"], int) or not isinstance(fields["hash"], str):
            raise ValueError("not a checkpoint")
    except (KeyError, TypeError, json.JSONDecodeError) as error:
        raise ValueError("not a checkpoint") from error
    return Checkpoint(fields["seq"], fields["hash"], fields["at"])


def read_checkpoints(path: Path | None = None) -> tuple[list[Checkpoint], list[str]]:
    """The signed checkpoints, and a message for each line that is not one."""
    path = path or checkpoint_file()
    if not path.exists():
        return [], []
    key = settings.AUDIT_CHECKPOINT_KEY
    checkpoints, bad = [], []
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        if not line.strip():
            continue
        try:
            checkpoints.append(parse(line, key))
        except ValueError as error:
            bad.append(f"bad checkpoint on line {number} of {path}: {error}.")
    return checkpoints, bad
