import io

from cryptography.fernet import Fernet
from django.core.management import call_command
from django.db import connection

from cpms.lib import crypto

from ..documents import read_document, store_document
from ..models import Patient
from ..queries import hospital_number_index
from .factories import PDF_BYTES, pdf_upload


def raw_given_names(patient) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT given_names FROM patients_patient WHERE id = %s", [patient.pk])
        return cursor.fetchone()[0]


def use_keys(settings, keys):
    settings.FIELD_ENCRYPTION_KEYS = keys
    crypto._fernet.cache_clear()


def test_it_re_encrypts_with_the_newest_key_so_the_old_one_can_go(world, settings):
    old = settings.FIELD_ENCRYPTION_KEYS[0]
    new = Fernet.generate_key().decode()
    before = raw_given_names(world.patient)
    document = store_document(
        patient=world.patient, upload=pdf_upload(), kind="consent_form", uploaded_by=None
    )
    try:
        use_keys(settings, [new, old])
        call_command("rotate_patient_keys", stdout=io.StringIO())
        assert raw_given_names(world.patient) != before
        use_keys(settings, [new])
        patient = Patient.objects.at_centres([world.de22.pk]).get()
        assert patient.given_names == "Mathilde" and patient.hospital_number == "TUE-4471-93"
        document.refresh_from_db()
        assert read_document(document) == PDF_BYTES
    finally:
        use_keys(settings, [old])


def test_it_recomputes_the_blind_indexes_with_a_new_key(world, settings):
    settings.BLIND_INDEX_KEY = "a new blind index key, long enough"
    assert world.patient.hospital_number_index != hospital_number_index(world.de22.pk, "TUE-4471-93")
    call_command("rotate_patient_keys", stdout=io.StringIO())
    patient = Patient.objects.at_centres([world.de22.pk]).get()
    assert patient.hospital_number_index == hospital_number_index(world.de22.pk, "TUE-4471-93")
