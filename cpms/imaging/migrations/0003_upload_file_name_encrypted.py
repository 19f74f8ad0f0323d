"""UploadFile.name kept the browser's path ("Doe_John/IMG001.dcm"), client_key too, and the
refusals of a too large or empty file repeated the name: the name is now encrypted, the key a keyed
hash (cpms.imaging.intake.file_key), and the refusals no longer name the file. Existing rows are
rewritten the same way."""

from django.db import migrations

import cpms.lib.crypto


def protect_names(apps, schema_editor):
    from cpms.imaging.intake import file_key

    UploadFile = apps.get_model("imaging", "UploadFile")
    rows = list(UploadFile.objects.order_by("pk").values_list("pk", "upload_id", "client_key", "name", "refusal"))
    keys = {(upload_id, key) for _, upload_id, key, _, _ in rows}
    for pk, upload_id, key, name, refusal in rows:
        # A ZIP entry's key is its archive's key, "#", its index: kept so, with the archive's hashed.
        parent, _, index = key.rpartition("#")
        if parent and index.isdigit() and (upload_id, parent) in keys:
            new_key = f"{file_key(upload_id, parent)}#{index}"
        else:
            new_key = file_key(upload_id, key)
        if name and refusal.startswith(f"{name} is "):
            refusal = "It is " + refusal[len(f"{name} is ") :]
        elif name and name in refusal:
            refusal = refusal.replace(name, "…")
        UploadFile.objects.filter(pk=pk).update(client_key=new_key, name_encrypted=name, refusal=refusal)


class Migration(migrations.Migration):
    dependencies = [("imaging", "0002_intake")]

    operations = [
        migrations.AddField(
            model_name="uploadfile",
            name="name_encrypted",
            field=cpms.lib.crypto.EncryptedTextField(default="", verbose_name="file name"),
            preserve_default=False,
        ),
        migrations.RunPython(protect_names, migrations.RunPython.noop, elidable=False),
        migrations.RemoveField(model_name="uploadfile", name="name"),
        migrations.RenameField(model_name="uploadfile", old_name="name_encrypted", new_name="name"),
    ]
