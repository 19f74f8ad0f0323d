"""The regular job that beat sends every five minutes: seal, verify, sign a checkpoint."""

import pytest
from django.conf import settings

from cpms.audit.checkpoints import read_checkpoints
from cpms.audit.record import record
from cpms.audit.tasks import write_audit_checkpoint

pytestmark = pytest.mark.django_db


def test_it_is_scheduled_by_beat():
    assert settings.CELERY_BEAT_SCHEDULE["audit-checkpoint"]["task"] == write_audit_checkpoint.name


def test_it_seals_the_committed_events_and_appends_a_signed_checkpoint(alice):
    for number in range(3):
        record(alice, "test.event", alice, {"number": number})
    seq = write_audit_checkpoint.apply().get()
    checkpoints, problems = read_checkpoints()
    assert problems == []
    assert [checkpoint.seq for checkpoint in checkpoints] == [seq]
    assert seq >= 3
