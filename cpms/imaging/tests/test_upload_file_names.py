"""The browser's paths may name the patient ("Doe_John/IMG001.dcm"): an upload keeps neither the
path nor the browser's key readable in the database (the name encrypted, the key a keyed hash), and
no refusal repeats the name; migration 0003 rewrites the rows stored before."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from cpms.imaging.intake import file_key
from cpms.imaging.models import UploadFile
from cpms.lib.crypto import decrypt
from cpms.panels.tests.factories import make_panel_world
from cpms.test import sign_in

from .intake_helpers import announce, mr_study, send, start, zip_of

PATH = "Doe_John/IMG001.dcm"


@pytest.fixture
def world(db):
    return make_panel_world()


def readable(rows) -> bool:
    """Whether "Doe" can be read in a stored row: the name must be a Fernet token (base64, which may
    happen to spell "Doe" by chance: it is decrypted instead), the key and refusal hold no "Doe"."""
    for name, key, refusal in rows:
        if not name.startswith("gAAAAA") or "Doe" in key or "Doe" in refusal:
            return True
    return False


def raw_rows() -> list[tuple[str, str, str]]:
    """The columns as the database holds them (no field decrypts them)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT name, client_key, refusal FROM imaging_uploadfile ORDER BY id")
        return [tuple(row) for row in cursor.fetchall()]


def test_it_keeps_neither_the_path_nor_the_key_readable(client, world):
    sign_in(client, world.enrolling)
    upload = start(client, world.patient)
    items = announce(client, upload, [(PATH, b"x" * 10)])
    assert items[PATH]["key"] == f"{PATH}|k" and items[PATH]["name"] == PATH  # the browser's, answered back
    [(name, key, _)] = raw_rows()
    assert not readable(raw_rows()) and decrypt(name) == PATH
    assert key == file_key(upload["upload"], f"{PATH}|k")
    assert UploadFile.objects.get().name == PATH  # the uploader's page still shows it


def test_it_finds_the_same_file_again_by_its_key(client, world):
    sign_in(client, world.enrolling)
    upload = start(client, world.patient)
    first = announce(client, upload, [(PATH, b"x" * 10)])
    again = announce(client, upload, [(PATH, b"x" * 10)])
    assert again[PATH]["id"] == first[PATH]["id"] and again[PATH]["key"] == f"{PATH}|k"
    assert UploadFile.objects.count() == 1


def test_it_does_not_name_the_file_in_a_refusal(client, world):
    sign_in(client, world.enrolling)
    upload = start(client, world.patient)
    items = announce(client, upload, [(PATH, b""), ("Doe_John/empty.dcm", b"")], sizes={PATH: 10 * 1024**3})
    assert items[PATH]["refusal"].startswith("It is 10.0")
    assert items["Doe_John/empty.dcm"]["refusal"] == "It is empty."
    assert not readable(raw_rows())


def test_it_encrypts_the_names_of_a_zips_entries(client, world):
    sign_in(client, world.enrolling)
    _, files = mr_study(slices=2, burned_in_series=False)
    archive = zip_of([(f"Doe_John/{name}", data) for name, data in files])
    upload = send(client, world.patient, [("Doe_John.zip", archive)])
    names = sorted(UploadFile.objects.filter(upload_id=upload["upload"]).values_list("name", flat=True))
    assert names == [
        "Doe_John.zip",
        "Doe_John.zip/Doe_John/T1/IM0000.dcm",
        "Doe_John.zip/Doe_John/T1/IM0001.dcm",
    ]
    assert not readable(raw_rows())


BEFORE = [("imaging", "0002_intake")]
AFTER = [("imaging", "0003_upload_file_name_encrypted")]


@pytest.mark.django_db(transaction=True)
def test_it_migrates_the_names_and_keys_stored_before():
    world = make_panel_world()
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    apps = executor.loader.project_state(BEFORE).apps
    Upload = apps.get_model("imaging", "Upload")
    OldFile = apps.get_model("imaging", "UploadFile")
    upload = Upload.objects.create(patient_id=world.patient.pk, user_id=world.enrolling.pk)
    OldFile.objects.create(upload=upload, client_key="Doe.zip|9|1", name="Doe.zip", size_bytes=9)
    OldFile.objects.create(upload=upload, client_key="Doe.zip|9|1#0", name="Doe.zip/a.dcm", size_bytes=3)
    OldFile.objects.create(
        upload=upload,
        client_key="Doe/big.dcm|1|1",
        name="Doe/big.dcm",
        size_bytes=1,
        status="refused",
        refusal="Doe/big.dcm is 10.0 GB: a file may be 1.0 GB at most.",
    )

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(AFTER)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

    rows = raw_rows()
    assert not readable(rows), rows
    rows = {row.name: row for row in UploadFile.objects.filter(upload_id=upload.pk)}
    assert set(rows) == {"Doe.zip", "Doe.zip/a.dcm", "Doe/big.dcm"}
    archive_key = file_key(upload.pk, "Doe.zip|9|1")
    assert rows["Doe.zip"].client_key == archive_key
    assert rows["Doe.zip/a.dcm"].client_key == f"{archive_key}#0"  # still found from its archive
    assert rows["Doe/big.dcm"].refusal == "It is 10.0 GB: a file may be 1.0 GB at most."
