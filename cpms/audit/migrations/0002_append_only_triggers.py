from django.db import migrations

from cpms.audit.triggers import FIRST_VERSION, run


def create(apps, schema_editor):
    run(schema_editor.connection, "create", version=FIRST_VERSION)


def drop(apps, schema_editor):
    run(schema_editor.connection, "drop", version=FIRST_VERSION)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]
    operations = [migrations.RunPython(create, drop)]
