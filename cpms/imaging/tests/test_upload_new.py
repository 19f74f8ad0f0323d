"""Sending a study from the case: the whole path, what is stored, and what is never stored."""

import io

import pydicom
import pytest
from django.urls import reverse

from cpms.imaging.intake import folder_of
from cpms.imaging.models import Instance, Series, Study, Upload, UploadFile
from cpms.imaging.stores import image_store
from cpms.imaging.synthetic import SyntheticPatient
from cpms.panels.tests.factories import make_panel_world
from cpms.test import sign_in

from .intake_helpers import announce, finish, mr_study, put, put_file, send, start


@pytest.fixture
def world(db):
    """The panels' world with no study yet: these tests look at what the intake stores."""
    return make_panel_world()


def test_it_shows_the_page_to_the_enrolling_centre(client, world):
    sign_in(client, world.enrolling)
    response = client.get(reverse("imaging:upload-new", args=(world.patient.pseudonym,)))
    assert response.status_code == 200
    assert b"data-imaging-upload" in response.content and b"webkitdirectory" in response.content


@pytest.mark.parametrize("role", ["other_centre", "guest", "researcher", "other_ern", "expert"])
def test_anyone_else_gets_404(client, world, role):
    sign_in(client, getattr(world, role))
    url = reverse("imaging:upload-new", args=(world.patient.pseudonym,))
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404
    assert not Upload.objects.exists()


def test_anonymous_is_sent_to_sign_in(client, world):
    response = client.get(reverse("imaging:upload-new", args=(world.patient.pseudonym,)))
    assert response.status_code == 302 and reverse("identity:login") in response.url


def test_it_groups_a_study_into_its_series(client, world):
    sign_in(client, world.enrolling)
    _, files = mr_study(slices=5)
    upload = send(client, world.patient, list(reversed(files)))
    study = Study.objects.of_patients([world.patient.pk]).get()
    assert study.status == Study.Status.REVIEW and study.series_count == 2 and study.instance_count == 7
    assert study.burned_in_risk and study.modalities == "MR"
    first = study.series.get(number=1)
    assert list(first.instances.values_list("slice_position", flat=True)) == [0.0, 3.0, 6.0, 9.0, 12.0]
    assert first.burned_in_reasons == [] and study.series.get(number=2).burned_in_reasons
    row = Upload.objects.get(pk=upload["upload"])
    assert (row.status, row.files_total, row.files_done, row.files_refused) == ("done", 7, 7, 0)
    assert not folder_of(row.pk, 0).parent.exists()  # the raw bytes are gone


def test_no_stored_instance_keeps_anything_of_the_identity(client, world):
    sign_in(client, world.enrolling)
    synthetic, files = mr_study(slices=6)
    originals = [pydicom.dcmread(io.BytesIO(data)) for _, data in files]
    original_uids = {
        str(ds[k].value)
        for ds in originals
        for k in ("StudyInstanceUID", "SeriesInstanceUID", "SOPInstanceUID", "FrameOfReferenceUID")
    }
    patient = SyntheticPatient()
    secrets = [
        patient.name,
        patient.name.split("^")[0],
        "MATHILDE",
        patient.patient_id,
        patient.birth_date,
        "HOUSE",
        "Tübingen",
        synthetic.accession_number,
        "ACME MEDICAL",
    ]
    send(client, world.patient, files)
    instances = list(Instance.objects.all())
    assert len(instances) == len(files)
    for instance in instances:
        data = image_store().read(instance.stored_name)
        for secret in secrets:
            assert secret.encode() not in data, (secret, instance.stored_name)
        for uid in original_uids:
            assert uid.encode() not in data
        ds = pydicom.dcmread(io.BytesIO(data))
        assert not [element for element in ds.iterall() if element.tag.is_private]
        assert ds.PatientName == world.patient.pseudonym and ds.PatientID == world.patient.pseudonym
        assert ds.get("PatientBirthDate", "") == ""
        assert instance.stored_name.startswith(ds.StudyInstanceUID)


def test_it_resumes_after_an_interrupted_chunk(client, world):
    sign_in(client, world.enrolling)
    _, files = mr_study(slices=2, burned_in_series=False)
    upload = start(client, world.patient)
    items = announce(client, upload, files)
    name, data = files[0]
    item = items[name]
    assert put(client, item, data[:10000], 0).json()["received"] == 10000
    # The connection drops mid-chunk: the browser sends that piece again, and a stale one.
    again = put(client, item, data[5000:15000], 5000)
    assert again.status_code == 409 and again.json()["received"] == 10000
    # A reload: the page announces the same files again and learns where each stands.
    again = announce(client, upload, files)
    assert again[name]["received"] == 10000 and again[name]["id"] == item["id"]
    put_file(client, again[name], data)
    put_file(client, again[files[1][0]], files[1][1])
    finish(client, upload)
    assert Instance.objects.count() == 2
    assert UploadFile.objects.filter(status="accepted").count() == 2


def test_a_chunk_past_the_end_or_without_offset_is_refused(client, world):
    sign_in(client, world.enrolling)
    upload = start(client, world.patient)
    item = announce(client, upload, [("a.dcm", b"x" * 100)])["a.dcm"]
    assert put(client, item, b"y" * 101, 0).status_code == 400
    assert client.put(item["chunk"], data=b"y", content_type="application/octet-stream").status_code == 400
    assert (
        client.put(
            f"{item['chunk']}?offset=-3", data=b"y", content_type="application/octet-stream"
        ).status_code
        == 400
    )
    bad = client.post(upload["files"], b"{not json", content_type="application/json")
    assert bad.status_code == 400 and bad.json()["error"]


def test_an_upload_is_its_senders_alone(client, world):
    sign_in(client, world.enrolling)
    upload = start(client, world.patient)
    item = announce(client, upload, [("a.dcm", b"x" * 100)])["a.dcm"]
    client.logout()
    sign_in(client, world.other_centre)
    assert client.get(upload["files"]).status_code == 404
    assert put(client, item, b"x" * 100, 0).status_code == 404
    assert client.post(upload["finish"]).status_code == 404
    assert client.get(upload["progress"]).status_code == 404


def test_the_progress_page_follows_the_upload(client, world):
    sign_in(client, world.enrolling)
    _, files = mr_study(slices=2)
    upload = send(client, world.patient, files, run=False)
    page = client.get(upload["progress"])
    assert page.status_code == 200 and b'hx-trigger="every 1s"' in page.content
    from cpms.imaging.processing import process_upload

    process_upload(upload["upload"])
    partial = client.get(upload["progress"], headers={"HX-Request": "true"})
    assert b'data-upload-status="done"' in partial.content and b"hx-trigger" not in partial.content
    assert (
        reverse(
            "imaging:study-review", args=(Study.objects.of_patients([world.patient.pk]).get().pk,)
        ).encode()
        in partial.content
    )


def test_the_case_page_shows_the_images_section(client, world):
    sign_in(client, world.enrolling)
    _, files = mr_study(slices=2)
    send(client, world.patient, files)
    page = client.get(reverse("patients:case-detail", args=(world.patient.pseudonym,)))
    assert page.status_code == 200
    assert b'id="images-heading"' in page.content
    assert reverse("imaging:upload-new", args=(world.patient.pseudonym,)).encode() in page.content
    assert b"Check and share" in page.content
    assert Series.objects.count() == 2


def test_a_chunk_and_the_progress_have_pinned_query_counts(client, world, django_assert_num_queries):
    sign_in(client, world.enrolling)
    upload = start(client, world.patient)
    items = announce(client, upload, [("a.dcm", b"x" * 300)])
    put(client, items["a.dcm"], b"x" * 100, 0)
    with django_assert_num_queries(8):
        put(client, items["a.dcm"], b"x" * 100, 100)
    with django_assert_num_queries(5):
        client.get(upload["progress"], headers={"HX-Request": "true"})


def test_the_waiting_bytes_are_encrypted_and_a_refused_size_counts_once(client, world):
    sign_in(client, world.enrolling)
    _, files = mr_study(slices=1, burned_in_series=False)
    name, data = files[0]
    upload = start(client, world.patient)
    item = announce(client, upload, [(name, data)])[name]
    put(client, item, data[:20000], 0)
    [waiting] = list(folder_of(upload["upload"], item["id"]).glob("*.enc"))
    raw = waiting.read_bytes()
    assert b"GR\xc3\x9cNWALD" not in raw and b"TUE-4471-93" not in raw and b"DICM" not in raw
    announce(client, upload, [(name, data), ("big.dcm", b"")], sizes={"big.dcm": 2 * 1024**3})
    announce(client, upload, [("big.dcm", b""), (name, data)], sizes={"big.dcm": 2 * 1024**3})
    row = Upload.objects.get(pk=upload["upload"])
    assert (row.files_total, row.files_refused, row.files_done) == (2, 1, 1)
