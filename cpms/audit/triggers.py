"""Database triggers that keep audit events append-only, for SQLite and PostgreSQL.

The one change allowed is the sealer's: giving an unsealed event its place in the chain (seq,
previous_hash, hash) once, with every recorded column left as it was. The hash chain and the
signed checkpoints detect tampering; the triggers prevent it for anyone who is not the database
owner (who can drop them — and then the chain and the checkpoints still tell).
"""

# The columns an event is recorded with: never changed, by anyone.
RECORDED = ["id", "created_at", "actor_id", "ip", "action", "target_type", "target_id", "data"]

SQLITE_CHANGED = " OR ".join(f"NEW.{column} IS NOT OLD.{column}" for column in RECORDED)
PG_RECORDED = ", ".join(RECORDED)

SQLITE = {
    "create": [
        "CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_auditevent "
        f"WHEN OLD.seq IS NOT NULL OR NEW.seq IS NULL OR {SQLITE_CHANGED} "
        "BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END",
        "CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_auditevent "
        "BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END",
    ],
    "drop": ["DROP TRIGGER IF EXISTS audit_event_no_update", "DROP TRIGGER IF EXISTS audit_event_no_delete"],
}
POSTGRESQL = {
    "create": [
        "CREATE OR REPLACE FUNCTION audit_event_append_only() RETURNS trigger AS $$ BEGIN "
        "IF TG_OP = 'UPDATE' AND OLD.seq IS NULL AND NEW.seq IS NOT NULL "
        f"AND ROW(NEW.{PG_RECORDED.replace(', ', ', NEW.')}) "
        f"IS NOT DISTINCT FROM ROW(OLD.{PG_RECORDED.replace(', ', ', OLD.')}) THEN RETURN NEW; END IF; "
        "RAISE EXCEPTION 'audit events are append-only'; END; $$ LANGUAGE plpgsql",
        # Row-level, so that emptying an already empty table (test flushes) is allowed.
        "CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE ON audit_auditevent "
        "FOR EACH ROW EXECUTE FUNCTION audit_event_append_only()",
    ],
    "drop": ["DROP TRIGGER IF EXISTS audit_event_append_only ON audit_auditevent"],
}

# As migration 0002 created them, before events were sealed: no change at all.
FIRST_VERSION = {
    "sqlite": {
        "create": [
            "CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_auditevent "
            "BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END",
            SQLITE["create"][1],
        ],
        "drop": SQLITE["drop"],
    },
    "postgresql": {
        "create": [
            "CREATE OR REPLACE FUNCTION audit_event_append_only() RETURNS trigger AS $$ "
            "BEGIN RAISE EXCEPTION 'audit events are append-only'; END; $$ LANGUAGE plpgsql",
            POSTGRESQL["create"][1],
        ],
        "drop": POSTGRESQL["drop"],
    },
}


def statements(connection, action: str, *, version=None) -> list[str]:
    versions = version or {"sqlite": SQLITE, "postgresql": POSTGRESQL}
    return versions.get(connection.vendor, {}).get(action, [])


def empty_for_tests(connection) -> None:
    """Transactional tests flush the database after each test: empty the trail first."""
    from .models import AuditChainHead, AuditEvent

    run(connection, "drop")
    AuditEvent.objects.all()._raw_delete(AuditEvent.objects.db)
    AuditChainHead.objects.all().delete()
    run(connection, "create")


def run(connection, action: str, *, version=None) -> None:
    with connection.cursor() as cursor:
        for sql in statements(connection, action, version=version):
            cursor.execute(sql)
