"""`record(actor, action, target, data)`: the one way to write to the audit trail."""

import hashlib
import json
import re

from django.db import models, transaction
from django.utils import timezone

from .context import current_ip
from .models import GENESIS_HASH, AuditChainHead, AuditEvent

SECRET_WORDS = {"password", "secret", "token", "code", "otp", "key", "challenge", "pin"}
EMAIL = re.compile(r"^([^@]{1,2})[^@]*(@.*)$")


def is_secret(key: str) -> bool:
    """ "new_password", "code_hash", "recovery_codes", "private-key" are; "webauthn_credentials" is not."""
    return any(word.removesuffix("s") in SECRET_WORDS for word in re.split(r"[_\-\s.]+", key.lower()))


def mask_value(key: str, value):
    if is_secret(key):
        return "***"
    if isinstance(value, str):
        if EMAIL.match(value):
            return EMAIL.sub(r"\1***\2", value)
        if key in {"phone", "number"} and len(value) > 4:
            return "*" * (len(value) - 4) + value[-4:]
    if isinstance(value, dict):
        return mask(value)
    if isinstance(value, list | tuple):
        return [mask_value(key, item) for item in value]
    return value


def mask(data: dict) -> dict:
    """Never keep secrets in the trail, and keep only enough of an address to recognise it."""
    return {key: mask_value(key, value) for key, value in data.items()}


def event_hash(event: AuditEvent) -> str:
    content = json.dumps(
        [
            event.previous_hash,
            event.created_at.isoformat(),
            event.actor_id,
            event.ip,
            event.action,
            event.target_type,
            event.target_id,
            event.data,
        ],
        sort_keys=True,
        separators=(",", ":"),
        default=str,
    )
    return hashlib.sha256(content.encode()).hexdigest()


def describe_target(target) -> tuple[str, str]:
    if target is None:
        return "", ""
    if isinstance(target, models.Model):
        return target._meta.label_lower, str(target.pk)
    return type(target).__name__.lower(), str(target)


def record(actor, action: str, target=None, data: dict | None = None, *, ip: str | None = None) -> AuditEvent:
    """Append one event to the trail; `actor` is a user, a user id or None (anonymous/system)."""
    actor_id = getattr(actor, "pk", actor)
    target_type, target_id = describe_target(target)
    # JSON round trip so the hash is computed on exactly what the database will return.
    clean_data = json.loads(json.dumps(mask(data or {}), default=str))
    with transaction.atomic():
        head, _ = AuditChainHead.objects.select_for_update().get_or_create(pk=1)
        event = AuditEvent(
            created_at=timezone.now(),
            actor_id=actor_id,
            ip=ip or current_ip.get(),
            action=action,
            target_type=target_type,
            target_id=target_id,
            data=clean_data,
            previous_hash=head.last_hash or GENESIS_HASH,
        )
        event.hash = event_hash(event)
        event.save()
        head.last_hash = event.hash
        head.save(update_fields=["last_hash"])
    return event


def first_broken_link(batch_size: int = 2000) -> AuditEvent | None:
    """The first event whose hash or link to its predecessor does not match, or None."""
    previous = GENESIS_HASH
    for event in AuditEvent.objects.order_by("id").iterator(chunk_size=batch_size):
        if event.previous_hash != previous or event_hash(event) != event.hash:
            return event
        previous = event.hash
    head = AuditChainHead.objects.filter(pk=1).first()
    if head and head.last_hash != previous:
        return AuditEvent(
            action="(the last events were removed)", previous_hash=previous, hash=head.last_hash
        )
    return None
