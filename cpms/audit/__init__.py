"""The append-only audit trail. Use `from cpms.audit.record import record`."""
