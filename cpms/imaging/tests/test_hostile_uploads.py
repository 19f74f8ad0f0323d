"""Hostile uploads: each refused file gets a clear message, and nothing else of the upload is lost."""

import zipfile

import pytest

from cpms.imaging.models import Instance, Study, Upload, UploadFile
from cpms.imaging.synthetic import SyntheticPatient
from cpms.panels.tests.factories import make_panel_world
from cpms.test import sign_in

from .intake_helpers import announce, mr_study, send, start, zip_of


@pytest.fixture
def world(db):
    """The panels' world with no study yet: these tests look at what the intake stores."""
    return make_panel_world()


def refusals(upload: dict) -> dict[str, str]:
    rows = UploadFile.objects.filter(upload_id=upload["upload"], status="refused")
    return {row.name: row.refusal for row in rows}


def good_files(slices=3):
    return mr_study(slices=slices, burned_in_series=False)[1]


def test_a_non_dicom_file_named_dcm_is_refused_and_the_rest_kept(client, world):
    sign_in(client, world.enrolling)
    files = [*good_files(), ("report.dcm", b"%PDF-1.7\n" + b"not an image " * 500)]
    upload = send(client, world.patient, files)
    assert refusals(upload) == {
        "report.dcm": "Not a DICOM file (its content is not DICOM, whatever its name)."
    }
    assert Instance.objects.count() == 3


def test_a_truncated_file_is_refused(client, world):
    sign_in(client, world.enrolling)
    files = good_files()
    name, data = files[0]
    files[0] = (name, data[: len(data) // 2])
    upload = send(client, world.patient, files)
    assert "truncated" in refusals(upload)[name]
    assert Instance.objects.count() == 2


def test_a_claimed_10_gb_file_is_refused_before_anything_is_read(client, world):
    sign_in(client, world.enrolling)
    upload = start(client, world.patient)
    items = announce(client, upload, [("huge.dcm", b"")], sizes={"huge.dcm": 10 * 1024**3})
    huge = items["huge.dcm"]
    message = huge["refusal"].replace("\xa0", " ")
    assert huge["status"] == "refused" and "10.0 GB" in message and "1.0 GB" in message
    response = client.put(
        f"{huge['chunk']}?offset=0", data=b"x" * 10, content_type="application/octet-stream"
    )
    assert response.status_code == 200 and response.json()["received"] == 0  # nothing kept


def test_a_zip_is_unpacked_into_its_files(client, world):
    sign_in(client, world.enrolling)
    upload = send(client, world.patient, [("study.zip", zip_of(good_files(4)))])
    assert Instance.objects.count() == 4
    row = Upload.objects.get(pk=upload["upload"])
    assert (row.files_total, row.files_done, row.files_refused) == (4, 4, 0)


def test_a_path_traversal_name_in_a_zip_is_refused_and_the_rest_kept(client, world):
    sign_in(client, world.enrolling)
    files = good_files(2)
    evil = files[0][1]
    archive = zip_of(
        [*files, ("../../etc/cron.d/evil.dcm", evil), ("/abs/x.dcm", evil), ("C:\\win\\y.dcm", evil)]
    )
    upload = send(client, world.patient, [("study.zip", archive)])
    refused = refusals(upload)
    assert len(refused) == 3 and all("path traversal" in message for message in refused.values())
    assert Instance.objects.count() == 2


def test_a_zip_bomb_is_refused(client, world, settings):
    sign_in(client, world.enrolling)
    bomb = zip_of([("zeros.dcm", b"\0" * (50 * 1024**2)), *good_files(2)])
    assert len(bomb) < 200 * 1024
    upload = send(client, world.patient, [("bomb.zip", bomb)])
    assert "ZIP bomb" in refusals(upload)["bomb.zip/zeros.dcm"]
    assert Instance.objects.count() == 2
    settings.IMAGING_MAX_ZIP_TOTAL_BYTES = 10 * 1024**2  # the whole archive is too large unpacked
    upload = send(client, world.patient, [("bomb2.zip", bomb)])
    assert "ZIP bomb" in refusals(upload)["bomb2.zip"]


def test_too_many_entries_and_nested_archives(client, world, settings):
    sign_in(client, world.enrolling)
    settings.IMAGING_MAX_UPLOAD_FILES = 3
    upload = send(client, world.patient, [("many.zip", zip_of([(f"{i}.dcm", b"x") for i in range(5)]))])
    assert "may have 3 at most" in refusals(upload)["many.zip"]
    settings.IMAGING_MAX_UPLOAD_FILES = 100
    inner = zip_of(good_files(1))
    upload = send(client, world.patient, [("outer.zip", zip_of([("inner.zip", inner), *good_files(1)]))])
    assert "archive inside the archive" in refusals(upload)["outer.zip/inner.zip"]
    assert Instance.objects.count() == 1


def test_a_damaged_zip_is_refused(client, world):
    sign_in(client, world.enrolling)
    archive = zip_of(good_files(2), compression=zipfile.ZIP_STORED)
    upload = send(client, world.patient, [("cut.zip", archive[: len(archive) // 2]), *good_files(1)])
    assert "damaged" in refusals(upload)["cut.zip"]
    assert Instance.objects.count() == 1


def test_a_file_of_another_patient_is_refused(client, world):
    sign_in(client, world.enrolling)
    stranger = SyntheticPatient(name="DOE^JOHN", patient_id="XYZ-0001", birth_date="19500101")
    _, theirs = mr_study(slices=1, burned_in_series=False, patient=stranger)
    upload = send(client, world.patient, [*good_files(2), ("theirs.dcm", theirs[0][1])])
    assert "Wrong patient" in refusals(upload)["theirs.dcm"]
    assert Instance.objects.count() == 2


def test_without_a_hospital_number_the_first_file_is_the_reference(client, world):
    sign_in(client, world.enrolling)
    world.patient.hospital_number = ""
    world.patient.save()
    stranger = SyntheticPatient(name="DOE^JOHN", patient_id="XYZ-0001", birth_date="19500101")
    _, theirs = mr_study(slices=1, burned_in_series=False, patient=stranger)
    upload = send(client, world.patient, [*good_files(2), ("theirs.dcm", theirs[0][1])])
    assert list(refusals(upload)) == ["theirs.dcm"]


def test_a_study_already_sent_for_another_patient_is_refused(client, world):
    from cpms.patients.tests.factories import make_patient

    sign_in(client, world.enrolling)
    files = good_files(1)
    send(client, world.patient, files)
    twin = make_patient(
        world.de22, given_names="Other", hospital_number="TUE-4471-93", enrolled_by=world.enrolling
    )
    upload = send(client, twin, files)
    assert "another patient" in refusals(upload)[files[0][0]]
    assert Study.objects.of_patients([twin.pk]).count() == 0


def test_the_same_files_twice_are_kept_once(client, world):
    sign_in(client, world.enrolling)
    files = good_files(2)
    send(client, world.patient, files)
    send(client, world.patient, files)
    assert Instance.objects.count() == 2 and Study.objects.of_patients([world.patient.pk]).count() == 1
