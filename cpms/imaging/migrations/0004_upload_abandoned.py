"""Uploads left untouched are swept (cpms/imaging/abandoned.py): when each was last touched, and
the state it is left in. An existing upload was last touched when it finished, or else started."""

import django.utils.timezone
from django.db import migrations, models
from django.db.models import F
from django.db.models.functions import Coalesce


def touched_when_last_seen(apps, schema_editor):
    Upload = apps.get_model("imaging", "Upload")
    Upload.objects.update(touched_at=Coalesce(F("finished_at"), F("created_at")))


class Migration(migrations.Migration):
    dependencies = [("imaging", "0003_upload_file_name_encrypted")]

    operations = [
        migrations.AddField(
            model_name="upload",
            name="touched_at",
            field=models.DateTimeField(default=django.utils.timezone.now),
        ),
        migrations.RunPython(touched_when_last_seen, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="upload",
            name="status",
            field=models.CharField(
                choices=[
                    ("receiving", "Receiving files"),
                    ("processing", "De-identifying"),
                    ("done", "Done"),
                    ("failed", "Failed"),
                    ("abandoned", "Abandoned"),
                ],
                default="receiving",
                max_length=12,
            ),
        ),
        migrations.AddIndex(
            model_name="upload",
            index=models.Index(fields=["status", "touched_at"], name="imaging_upload_touched"),
        ),
    ]
