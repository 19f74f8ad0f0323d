"""The append-only, hash-chained audit trail.

`record()` only inserts an event; the sealer (`cpms.audit.chain.seal`) then gives each new
event, in id order and under one lock, its place in the chain (`seq`) and the hash that links
it to the previous one. Editing or removing a sealed row breaks the chain at that point;
rebuilding the chain after it, or cutting off its end, disagrees with the signed checkpoints
kept outside the database (see `manage.py verify_audit_chain`). Actors and targets are stored
as plain identifiers, not foreign keys: deleting an account leaves its events in place,
pointing to a person who is no longer identifiable (pseudonymised).
"""

from django.db import models

GENESIS_HASH = "0" * 64


class AuditEvent(models.Model):
    created_at = models.DateTimeField(db_index=True)
    actor_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    action = models.CharField(max_length=100, db_index=True)
    target_type = models.CharField(max_length=100, blank=True)
    target_id = models.CharField(max_length=64, blank=True)
    data = models.JSONField(default=dict, blank=True)
    # Set once by the sealer (the database triggers refuse any other change): the position in the
    # chain, 1, 2, 3… with no gap, and the hashes linking it to the event sealed before it.
    seq = models.BigIntegerField(null=True, blank=True, unique=True)
    previous_hash = models.CharField(max_length=64, blank=True)
    hash = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(fields=["target_type", "target_id", "id"]),
            models.Index(fields=["id"], condition=models.Q(seq__isnull=True), name="audit_event_unsealed"),
        ]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M:%S} {self.action} by {self.actor_id}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("Audit events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("Audit events are append-only.")


class AuditChainHead(models.Model):
    """One row, locked by the sealer only: the last sealed event's position and hash."""

    last_hash = models.CharField(max_length=64, default=GENESIS_HASH)
    last_seq = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.last_seq} {self.last_hash}"
