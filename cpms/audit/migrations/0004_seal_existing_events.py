"""Number the events already chained (in id order, as they were chained) and let the sealer in."""

from django.db import migrations

from cpms.audit.models import GENESIS_HASH
from cpms.audit.triggers import FIRST_VERSION, run


def seal_existing(apps, schema_editor):
    AuditEvent = apps.get_model("audit", "AuditEvent")
    AuditChainHead = apps.get_model("audit", "AuditChainHead")
    run(schema_editor.connection, "drop", version=FIRST_VERSION)
    events = list(AuditEvent.objects.order_by("id").only("id", "hash"))
    for seq, event in enumerate(events, start=1):
        event.seq = seq
    AuditEvent.objects.bulk_update(events, ["seq"], batch_size=500)
    last_hash = events[-1].hash if events else GENESIS_HASH
    AuditChainHead.objects.update_or_create(pk=1, defaults={"last_seq": len(events), "last_hash": last_hash})
    run(schema_editor.connection, "create")


def unseal(apps, schema_editor):
    run(schema_editor.connection, "drop")
    apps.get_model("audit", "AuditEvent").objects.update(seq=None)
    run(schema_editor.connection, "create", version=FIRST_VERSION)


class Migration(migrations.Migration):
    dependencies = [("audit", "0003_sealed_chain_positions")]
    operations = [migrations.RunPython(seal_existing, unseal)]
