"""De-identification of one file: the Basic Profile, keyed UIDs, shifted dates, no private tags."""

import io
import zipfile

import pydicom
import pytest
from pydicom.filebase import DicomBytesIO
from pydicom.filewriter import write_dataset

from cpms.imaging.deidentify import (
    DicomRefused,
    NotDicom,
    Truncated,
    date_shift_days,
    deidentify,
    pseudonymous_uid,
    shift_date,
)
from cpms.imaging.synthetic import SyntheticPatient, SyntheticStudy, to_bytes

PSEUDONYM = "ERN-ITHACA-00042"


def read(data: bytes) -> pydicom.Dataset:
    return pydicom.dcmread(io.BytesIO(data))


@pytest.fixture
def study():
    return SyntheticStudy()


def test_it_removes_the_identity(study):
    original = study.series(slices=1)[0]
    before = read(original)
    out = deidentify(original, patient_pseudonym=PSEUDONYM)
    after = read(out.data)
    assert after.PatientName == PSEUDONYM and after.PatientID == PSEUDONYM
    assert after.get("PatientBirthDate", "") == ""
    assert after.PatientIdentityRemoved == "YES"
    raw = out.data
    patient = SyntheticPatient()
    for secret in (patient.name.split("^")[0], patient.patient_id, patient.birth_date, "Tübingen", "HOUSE"):
        assert secret.encode() not in raw, secret
    assert study.accession_number.encode() not in raw
    assert not any(element.tag.is_private for element in after.iterall())
    for keyword in ("StudyInstanceUID", "SeriesInstanceUID", "SOPInstanceUID", "FrameOfReferenceUID"):
        assert str(before[keyword].value).encode() not in raw
        assert after[keyword].value == pseudonymous_uid(before[keyword].value)
    assert after.file_meta.MediaStorageSOPInstanceUID == after.SOPInstanceUID
    assert after.SOPClassUID == before.SOPClassUID  # the standard's UIDs stay
    assert out.original_patient_id == patient.patient_id  # for the wrong-patient check only


def test_it_keeps_one_study_for_every_file_and_new_uids(study):
    files = study.series(slices=3) + study.series(slices=2, number=2)
    results = [deidentify(data, patient_pseudonym=PSEUDONYM) for data in files]
    assert len({r.study_uid for r in results}) == 1
    assert len({r.series_uid for r in results}) == 2
    assert len({r.sop_uid for r in results}) == 5
    assert results[0].study_uid != study.study_uid
    assert all(r.study_uid.startswith("2.25.") and len(r.study_uid) <= 64 for r in results)
    again = deidentify(files[0], patient_pseudonym=PSEUDONYM)
    assert again.sop_uid == results[0].sop_uid  # keyed, not random


def test_the_uid_key_changes_the_pseudonyms(study, settings):
    data = study.series(slices=1)[0]
    first = deidentify(data, patient_pseudonym=PSEUDONYM).study_uid
    settings.IMAGING_UID_KEY = "another key, held elsewhere"
    assert deidentify(data, patient_pseudonym=PSEUDONYM).study_uid != first


def test_it_shifts_dates_the_same_way_for_every_study_of_the_patient():
    days = date_shift_days(PSEUDONYM)
    assert 1 <= days <= 3650
    one = deidentify(SyntheticStudy(study_date="20260915").series(slices=1)[0], patient_pseudonym=PSEUDONYM)
    two = deidentify(SyntheticStudy(study_date="20260925").series(slices=1)[0], patient_pseudonym=PSEUDONYM)
    assert (two.study_date - one.study_date).days == 10
    assert one.study_date.strftime("%Y%m%d") == shift_date("20260915", days)
    assert read(one.data).StudyDate != "20260915"
    other = deidentify(SyntheticStudy().series(slices=1)[0], patient_pseudonym="ERN-ITHACA-00043")
    assert date_shift_days("ERN-ITHACA-00043") != days or other.study_date == one.study_date


def test_shift_date_handles_datetimes_and_garbage():
    assert shift_date("20260301", 1) == "20260228"
    assert shift_date("20260301101500.00+0100", 1) == "20260228101500.00+0100"
    assert shift_date("nonsense", 3) == ""
    assert shift_date("", 3) == ""


def test_it_groups_and_orders_slices(study):
    files = study.series(slices=4)
    results = [deidentify(data, patient_pseudonym=PSEUDONYM) for data in reversed(files)]
    positions = [r.slice_position for r in results]
    assert positions == [9.0, 6.0, 3.0, 0.0]
    assert results[0].modality == "MR" and results[0].rows == 128 and results[0].series_number == 1


def test_it_flags_burned_in_risk(study):
    flagged = deidentify(study.series(slices=1, burned_in=True)[0], patient_pseudonym=PSEUDONYM)
    assert flagged.burned_in_reasons == ["burned-in-annotation"]
    capture = deidentify(study.series(slices=1, modality="OT")[0], patient_pseudonym=PSEUDONYM)
    assert "secondary-capture" in capture.burned_in_reasons
    clean = deidentify(study.series(slices=1)[0], patient_pseudonym=PSEUDONYM)
    assert clean.burned_in_reasons == []
    ds = study._instance(pydicom.uid.generate_uid(), 0, 1, 16, 1, "", "US", False)
    ds.ImageType = ["DERIVED", "SECONDARY"]
    ultrasound = deidentify(to_bytes(ds), patient_pseudonym=PSEUDONYM)
    assert ultrasound.burned_in_reasons == ["ultrasound", "secondary-capture", "derived-secondary"]


def test_the_preview_shows_before_and_after(study):
    out = deidentify(study.series(slices=1)[0], patient_pseudonym=PSEUDONYM, with_preview=True)
    rows = {row["keyword"]: row for row in out.preview}
    assert rows["PatientName"]["before"] == SyntheticPatient().name
    assert rows["PatientName"]["after"] == PSEUDONYM
    assert rows["PatientBirthDate"]["after"] == ""
    assert rows["PrivateTags"] == {"keyword": "PrivateTags", "before": "3", "after": "0"}
    assert deidentify(study.series(slices=1)[0], patient_pseudonym=PSEUDONYM).preview == []


def test_it_refuses_what_is_not_dicom():
    with pytest.raises(NotDicom):
        deidentify(b"%PDF-1.7 a report, named scan.dcm" * 40, patient_pseudonym=PSEUDONYM)
    with pytest.raises(NotDicom):
        deidentify(b"", patient_pseudonym=PSEUDONYM)
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("a.txt", "hello")
    with pytest.raises(NotDicom):
        deidentify(archive.getvalue(), patient_pseudonym=PSEUDONYM)


def bare(ds: pydicom.Dataset) -> bytes:
    """The dataset alone, implicit VR little endian: no preamble, no "DICM", no file meta."""
    buffer = DicomBytesIO()
    buffer.is_little_endian, buffer.is_implicit_VR = True, True
    write_dataset(buffer, ds)
    return buffer.getvalue()


def test_it_reads_a_bare_dataset_only_with_the_core_tags(study):
    ds = read(study.series(slices=1)[0])
    data = bare(ds)
    assert data[128:132] != b"DICM"
    out = deidentify(data, patient_pseudonym=PSEUDONYM)
    assert read(out.data).PatientName == PSEUDONYM
    del ds.StudyInstanceUID
    with pytest.raises(NotDicom):
        deidentify(bare(ds), patient_pseudonym=PSEUDONYM)


@pytest.mark.parametrize("keep", [0.99, 0.5, 0.05])
def test_it_refuses_a_truncated_file(study, keep):
    data = study.series(slices=1)[0]
    with pytest.raises((Truncated, NotDicom)) as refused:
        deidentify(data[: int(len(data) * keep)], patient_pseudonym=PSEUDONYM)
    if keep > 0.1:
        assert refused.type is Truncated


def test_it_cleans_sequences_too(study):
    ds = read(study.series(slices=1)[0])
    item = pydicom.Dataset()
    item.ReferencedSOPClassUID = ds.SOPClassUID
    item.ReferencedSOPInstanceUID = "1.2.3.4.5.6.7.8.9"
    item.PerformingPhysicianName = "DR^NESTED^PERSON"
    item.ContentDate = "20260101"
    ds.AnatomicRegionSequence = [item]  # a sequence the profile keeps: what is inside is ours to clean
    out = read(deidentify(to_bytes(ds), patient_pseudonym=PSEUDONYM).data)
    nested = out.AnatomicRegionSequence[0]
    assert nested.ReferencedSOPInstanceUID == pseudonymous_uid("1.2.3.4.5.6.7.8.9")
    assert nested.ReferencedSOPClassUID == ds.SOPClassUID
    assert nested.PerformingPhysicianName == ""
    assert nested.ContentDate == shift_date("20260101", date_shift_days(PSEUDONYM))


def test_a_dicomdir_is_refused_as_an_index():
    ds = pydicom.Dataset()
    ds.file_meta = pydicom.dataset.FileMetaDataset()
    ds.file_meta.MediaStorageSOPClassUID = "1.2.840.10008.1.3.10"
    ds.file_meta.MediaStorageSOPInstanceUID = pydicom.uid.generate_uid()
    ds.file_meta.TransferSyntaxUID = pydicom.uid.ExplicitVRLittleEndian
    ds.FileSetID = "DISC"
    with pytest.raises(DicomRefused) as refused:
        deidentify(to_bytes(ds), patient_pseudonym=PSEUDONYM)
    assert "DICOMDIR" in str(refused.value.message)
