"""The chain against an attacker with the database owner's rights, and the signed checkpoints."""

import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Max

from cpms.audit.chain import event_hash, seal, verify_chain
from cpms.audit.checkpoints import ChainNotIntact, checkpoint_file, read_checkpoints, write_checkpoint
from cpms.audit.models import AuditChainHead, AuditEvent
from cpms.audit.record import record

from .conftest import as_database_owner

pytestmark = pytest.mark.django_db


def record_sealed(actor, count: int, prefix: str = "test.event") -> list[AuditEvent]:
    events = [record(actor, f"{prefix}_{number}", actor, {"number": number}) for number in range(count)]
    seal()
    return list(AuditEvent.objects.filter(pk__in=[event.pk for event in events]).order_by("seq"))


def rebuild_chain_from(seq: int) -> None:
    """What the attacker did: recompute every hash from `seq` on, and fix the chain head."""
    previous = AuditEvent.objects.get(seq=seq - 1).hash if seq > 1 else "0" * 64
    for event in AuditEvent.objects.filter(seq__gte=seq).order_by("seq"):
        event.previous_hash = previous
        previous = event_hash(event)
        AuditEvent.objects.filter(pk=event.pk).update(previous_hash=event.previous_hash, hash=previous)
    last = AuditEvent.objects.order_by("-seq").first()
    AuditChainHead.objects.filter(pk=1).update(last_seq=last.seq if last else 0, last_hash=previous)


def problem_kinds(report) -> list[str]:
    return [problem.kind for problem in report.problems]


def test_it_verifies_an_intact_chain(alice, capsys):
    record_sealed(alice, 3)
    write_checkpoint()
    record_sealed(alice, 2)
    call_command("verify_audit_chain")
    assert "intact: 5 events (2 verified since the checkpoint at position 3" in capsys.readouterr().out
    call_command("verify_audit_chain", "--full")
    assert "intact: 5 events (5 verified from the first" in capsys.readouterr().out


def test_it_reports_the_first_broken_link_after_an_edit(alice):
    events = record_sealed(alice, 3)
    with as_database_owner():
        AuditEvent.objects.filter(pk=events[1].pk).update(action="test.rewritten")
    report = verify_chain(full=True)
    assert problem_kinds(report) == ["broken"]
    assert report.problems[0].event_id == events[1].pk
    with pytest.raises(CommandError, match=f"broken at event {events[1].pk}"):
        call_command("verify_audit_chain")


def test_it_detects_an_edit_with_the_chain_rebuilt_after_it(alice):
    events = record_sealed(alice, 5)
    write_checkpoint()
    record_sealed(alice, 2)
    with as_database_owner():
        AuditEvent.objects.filter(pk=events[1].pk).update(data={"number": 99})
        rebuild_chain_from(events[1].seq)
    assert verify_chain(checkpoints=[], bad_checkpoints=[]).intact  # without checkpoints, it would pass
    for full in (False, True):
        report = verify_chain(full=full)
        assert problem_kinds(report) == ["rebuilt"], full
        assert "position 5" in report.problems[0].message
    with pytest.raises(CommandError, match="rebuilt"):
        call_command("verify_audit_chain")


def test_it_detects_the_newest_events_cut_off_with_the_head_fixed(alice):
    record_sealed(alice, 4)
    write_checkpoint()
    with as_database_owner():
        AuditEvent.objects.filter(seq__gt=2).delete()
        rebuild_chain_from(3)  # only fixes the head: nothing after position 2 is left
    assert AuditChainHead.objects.get().last_seq == 2
    assert verify_chain(checkpoints=[], bad_checkpoints=[]).intact
    report = verify_chain()
    assert problem_kinds(report) == ["truncated"]
    assert "saw 4 events, the chain has 2" in report.problems[0].message
    with pytest.raises(CommandError, match="truncated"):
        call_command("verify_audit_chain", "--full")


def test_it_says_when_the_last_events_were_removed_and_the_head_left(alice):
    record_sealed(alice, 2)
    with as_database_owner():
        AuditEvent.objects.filter(seq=2).delete()
    with pytest.raises(CommandError, match="the last events were removed"):
        call_command("verify_audit_chain")


def test_it_detects_an_event_removed_from_the_middle(alice):
    events = record_sealed(alice, 3)
    with as_database_owner():
        AuditEvent.objects.filter(pk=events[1].pk).delete()
    report = verify_chain(full=True)
    assert problem_kinds(report) == ["broken"]
    assert "events 2 to 2 of the chain were removed" in report.problems[0].message


def test_it_detects_an_event_slipped_into_the_sealed_part(alice):
    events = record_sealed(alice, 3)
    with as_database_owner():
        for event in reversed(events[1:]):  # make room at position 2
            AuditEvent.objects.filter(pk=event.pk).update(seq=event.seq + 1)
        forged = AuditEvent(created_at=events[0].created_at, action="test.forged", data={})
        forged.seq, forged.previous_hash = 2, events[0].hash
        forged.hash = event_hash(forged)
        forged.save()
    report = verify_chain(full=True)
    assert problem_kinds(report) == ["broken"]
    assert report.problems[0].event_id == events[1].pk


def test_it_refuses_a_checkpoint_whose_signature_does_not_hold(alice, settings):
    record_sealed(alice, 2)
    write_checkpoint()
    path = checkpoint_file()
    line = json.loads(path.read_text())
    forged = {**line, "seq": 1}
    path.write_text(path.read_text() + json.dumps(forged) + "\nnot json\n")
    checkpoints, bad = read_checkpoints()
    assert len(checkpoints) == 1
    assert bad == [
        f"bad checkpoint on line 2 of {path}: its signature does not hold.",
        f"bad checkpoint on line 3 of {path}: not a checkpoint.",
    ]
    settings.AUDIT_CHECKPOINT_KEY = "another key"
    with pytest.raises(CommandError, match="signed with another key"):
        call_command("verify_audit_chain")


def test_it_verifies_incrementally_from_the_newest_checkpoint(alice):
    events = record_sealed(alice, 3)
    write_checkpoint()
    record_sealed(alice, 2)
    with as_database_owner():  # an old edit, without rebuilding: only the full check reads that far back
        AuditEvent.objects.filter(pk=events[0].pk).update(action="test.rewritten")
    incremental = verify_chain()
    assert (incremental.intact, incremental.start_seq, incremental.checked) == (True, 3, 2)
    assert problem_kinds(verify_chain(full=True)) == ["broken"]


def test_it_seals_late_commits_and_skips_ids_of_rolled_back_transactions(alice):
    first = record(alice, "test.first", alice)
    AuditEvent.objects.bulk_create(
        [AuditEvent(pk=first.pk + 10, created_at=first.created_at, action="test.gap")]
    )
    seal()
    # A transaction that took id first+5 commits after first+10 was sealed: it is sealed next.
    AuditEvent.objects.bulk_create(
        [AuditEvent(pk=first.pk + 5, created_at=first.created_at, action="test.late")]
    )
    assert seal() == 1
    sealed = list(AuditEvent.objects.order_by("seq").values_list("action", "seq"))
    assert sealed == [("test.first", 1), ("test.gap", 2), ("test.late", 3)]
    assert verify_chain(full=True).intact


def test_it_signs_no_checkpoint_of_a_broken_chain(alice):
    events = record_sealed(alice, 2)
    with as_database_owner():
        AuditEvent.objects.filter(pk=events[0].pk).update(action="test.rewritten")
    with pytest.raises(ChainNotIntact):
        write_checkpoint()
    with pytest.raises(CommandError, match="No checkpoint written"):
        call_command("audit_checkpoint")
    assert not checkpoint_file().exists()


def test_the_command_seals_and_writes_a_checkpoint_to_the_file_and_the_log(alice, caplog, capsys):
    record(alice, "test.one", alice)
    with caplog.at_level("INFO", logger="cpms.audit.checkpoint"):
        call_command("audit_checkpoint")
    assert "Checkpoint at position 1" in capsys.readouterr().out
    line = checkpoint_file().read_text().strip()
    assert json.loads(line)["seq"] == 1
    assert json.loads(line)["hash"] == AuditEvent.objects.get().hash
    assert line in caplog.text
    assert AuditEvent.objects.aggregate(Max("seq"))["seq__max"] == 1
