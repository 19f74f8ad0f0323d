"""Database triggers that refuse UPDATE and DELETE on audit events, for SQLite and PostgreSQL.

The hash chain detects tampering; the triggers prevent it for anyone who is not the
database owner (who can drop them — and then the chain still tells).
"""

SQLITE = {
    "create": [
        "CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_auditevent "
        "BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END",
        "CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_auditevent "
        "BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END",
    ],
    "drop": ["DROP TRIGGER IF EXISTS audit_event_no_update", "DROP TRIGGER IF EXISTS audit_event_no_delete"],
}
POSTGRESQL = {
    "create": [
        "CREATE OR REPLACE FUNCTION audit_event_append_only() RETURNS trigger AS $$ "
        "BEGIN RAISE EXCEPTION 'audit events are append-only'; END; $$ LANGUAGE plpgsql",
        # Row-level, so that emptying an already empty table (test flushes) is allowed.
        "CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE ON audit_auditevent "
        "FOR EACH ROW EXECUTE FUNCTION audit_event_append_only()",
    ],
    "drop": ["DROP TRIGGER IF EXISTS audit_event_append_only ON audit_auditevent"],
}


def statements(connection, action: str) -> list[str]:
    return {"sqlite": SQLITE, "postgresql": POSTGRESQL}.get(connection.vendor, {}).get(action, [])


def empty_for_tests(connection) -> None:
    """Transactional tests flush the database after each test: empty the trail first."""
    from .models import AuditChainHead, AuditEvent

    run(connection, "drop")
    AuditEvent.objects.all()._raw_delete(AuditEvent.objects.db)
    AuditChainHead.objects.all().delete()
    run(connection, "create")


def run(connection, action: str) -> None:
    with connection.cursor() as cursor:
        for sql in statements(connection, action):
            cursor.execute(sql)
