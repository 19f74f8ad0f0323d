"""Re-encrypt every identifying field of patient data with the newest key, and recompute the blind
indexes with the current BLIND_INDEX_KEY.

Rotation: put the new Fernet key first in CPMS_FIELD_KEYS (the old ones after it still decrypt), run
this command, then drop the old keys. For a new blind index key, set CPMS_BLIND_INDEX_KEY and run it.
Safe to run again; rows are done in batches, each batch in its own transaction.
"""

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction

from cpms.audit.record import record
from cpms.lib.crypto import EncryptedTextField
from cpms.patients.documents import rotate_document
from cpms.patients.models import Document, Patient
from cpms.patients.queries import hospital_number_index, identity_index

BATCH = 500


def encrypted_fields(model) -> list[str]:
    return [field.name for field in model._meta.concrete_fields if isinstance(field, EncryptedTextField)]


def reindex(patient: Patient) -> None:
    patient.hospital_number_index = hospital_number_index(patient.centre_id, patient.hospital_number)
    patient.identity_index = identity_index(
        patient.centre_id, patient.given_names, patient.family_name, patient.birth_date
    )


def rotate_model(model) -> int:
    """Read each row (decrypting with any key) and write its encrypted fields back (the newest key)."""
    fields = encrypted_fields(model)
    if model is Patient:
        fields += ["hospital_number_index", "identity_index"]
    rows = model._base_manager.order_by("pk")  # unscoped on purpose: every row of every centre
    done, last_pk = 0, 0
    while batch := list(rows.filter(pk__gt=last_pk)[:BATCH]):
        if model is Patient:
            for patient in batch:
                reindex(patient)
        with transaction.atomic():
            model._base_manager.bulk_update(batch, fields)
        done += len(batch)
        last_pk = batch[-1].pk
    return done


def rotate_documents() -> int:
    done = 0
    for document in Document.objects.unscoped().order_by("pk").iterator(chunk_size=BATCH):
        rotate_document(document)
        done += 1
    return done


class Command(BaseCommand):
    help = "Re-encrypt patient data with the newest field key and recompute the blind indexes."

    def handle(self, *args, **options):
        counts = {}
        for model in apps.get_app_config("patients").get_models():
            if encrypted_fields(model):
                counts[model._meta.label_lower] = rotate_model(model)
        counts["stored documents"] = rotate_documents()
        record(None, "patients.keys.rotated", None, {"rows": counts})
        for label, count in counts.items():
            self.stdout.write(f"{label}: {count} rows re-encrypted")
