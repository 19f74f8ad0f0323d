from contextlib import contextmanager

import pytest
from django.db import connection

from cpms.audit import triggers


@pytest.fixture(autouse=True)
def _checkpoints_in_a_temporary_folder(settings, tmp_path):
    settings.AUDIT_CHECKPOINT_DIR = tmp_path / "audit-checkpoints"
    settings.AUDIT_CHECKPOINT_KEY = "test-checkpoint-key"


@contextmanager
def as_database_owner():
    """Someone who can drop the triggers, as an attacker with the database owner's rights could."""
    triggers.run(connection, "drop")
    try:
        yield
    finally:
        triggers.run(connection, "create")
