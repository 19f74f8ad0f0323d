"""Per-request context for the audit trail (the client's IP address)."""

from contextvars import ContextVar

current_ip: ContextVar[str | None] = ContextVar("audit_current_ip", default=None)
