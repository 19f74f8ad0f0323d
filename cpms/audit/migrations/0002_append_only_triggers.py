from django.db import migrations

from cpms.audit.triggers import run


def create(apps, schema_editor):
    run(schema_editor.connection, "create")


def drop(apps, schema_editor):
    run(schema_editor.connection, "drop")


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]
    operations = [migrations.RunPython(create, drop)]
