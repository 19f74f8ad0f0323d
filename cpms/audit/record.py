"""`record(actor, action, target, data)`: the one way to write to the audit trail."""

import json
import re

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone

from .chain import seal_after_commit
from .context import current_ip
from .models import AuditEvent

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
        if value and set(value) <= {"old", "new"}:  # changes(): masked as the field they are values of
            return {side: mask_value(key, item) for side, item in value.items()}
        return mask(value)
    if isinstance(value, list | tuple):
        return [mask_value(key, item) for item in value]
    return value


def mask(data: dict) -> dict:
    """Never keep secrets in the trail, and keep only enough of an address to recognise it."""
    return {key: mask_value(key, value) for key, value in data.items()}


def describe_target(target) -> tuple[str, str]:
    if target is None:
        return "", ""
    if isinstance(target, models.Model):
        return target._meta.label_lower, str(target.pk)
    return type(target).__name__.lower(), str(target)


def changes(old, new, fields) -> dict:
    """`{"field": {"old": …, "new": …}}` for each of `fields` whose value differs; old and new are
    objects or dicts. The one form the trail records changed values in."""

    def value(source, name):
        return source.get(name) if isinstance(source, dict) else getattr(source, name, None)

    return {
        name: {"old": value(old, name), "new": value(new, name)}
        for name in fields
        if value(old, name) != value(new, name)
    }


def record(actor, action: str, target=None, data: dict | None = None, *, ip: str | None = None) -> AuditEvent:
    """Append one event to the trail; `actor` is a user, a user id or None (anonymous/system).

    Only an INSERT, in the caller's transaction: no shared row is locked, so concurrent requests
    never wait for each other here. The event joins the hash chain when it is sealed, after commit
    (AUDIT_SEAL_ON_COMMIT) or by the regular job (`cpms.audit.chain.seal`).
    """
    actor_id = getattr(actor, "pk", actor)
    target_type, target_id = describe_target(target)
    # JSON round trip so that what is hashed is exactly what the database will return.
    clean_data = json.loads(json.dumps(mask(data or {}), default=str))
    event = AuditEvent(
        created_at=timezone.now(),
        actor_id=actor_id,
        ip=ip or current_ip.get(),
        action=action,
        target_type=target_type,
        target_id=target_id,
        data=clean_data,
    )
    event.save()
    if settings.AUDIT_SEAL_ON_COMMIT:
        transaction.on_commit(seal_after_commit)
    return event
