"""Attachments of the case: PDF or images checked by content, stored encrypted, downloaded, removed."""

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cpms.audit.models import AuditEvent
from cpms.patients.models import CaseAttachment, Document

from .case_helpers import case_world, signed_in

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


@pytest.fixture(autouse=True)
def storage(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {**settings.STORAGES["default"], "OPTIONS": {"location": tmp_path}},
    }


@pytest.fixture
def world():
    return case_world()


@pytest.fixture
def hana(world):
    return signed_in(world.hana)


URL = reverse("patients:case-section", kwargs={"pseudonym": "RND-CASE0001", "section": "attachments"})


def attachment_url(name, attachment):
    return reverse(name, kwargs={"pseudonym": "RND-CASE0001", "attachment_id": attachment.pk})


def upload(client, name="MRI report.pdf", data=PDF, description="MRI, March"):
    return client.post(URL, {"file": SimpleUploadedFile(name, data), "description": description})


def test_it_attaches_a_pdf_stored_encrypted_and_audited(hana, world):
    response = upload(hana)
    assert response.status_code == 302 and response.url == URL
    attachment = CaseAttachment.objects.unscoped().select_related("document").get()
    assert (attachment.description, attachment.document.name) == ("MRI, March", "MRI report.pdf")
    with default_storage.open(attachment.document.storage_name, "rb") as file:
        assert b"%PDF" not in file.read()
    event = AuditEvent.objects.get(action="patients.case.attachment_added")
    assert event.data["content_type"] == "application/pdf" and "name" not in event.data
    page = hana.get(URL).content.decode()
    assert (
        "MRI report.pdf" in page and attachment_url("patients:case-attachment-download", attachment) in page
    )


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("report.pdf", b"not a pdf at all", "report.pdf is not a real PDF file, or it is damaged."),
        ("report.docx", PDF, "report.docx is not a type of file accepted here."),
        ("big.pdf", PDF + b"0" * (20 * 1024 * 1024), "big.pdf is larger than 20.0"),
    ],
)
def test_it_refuses_a_wrong_file_with_a_message(hana, name, data, message):
    response = upload(hana, name=name, data=data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Document.objects.unscoped().exists()


def test_it_refuses_a_submit_without_a_file(hana):
    response = hana.post(URL, {"description": "nothing"})
    assert response.status_code == 400 and "This field is required" in response.content.decode()


def test_it_downloads_the_file_and_audits_it(hana):
    upload(hana)
    attachment = CaseAttachment.objects.unscoped().get()
    response = hana.get(attachment_url("patients:case-attachment-download", attachment))
    assert response.status_code == 200
    assert response.content == PDF and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="MRI report.pdf"'
    assert AuditEvent.objects.filter(action="patients.case.attachment_downloaded").exists()


def test_it_hides_attachments_from_another_centre_and_anonymous_visitors(hana, world, client):
    upload(hana)
    attachment = CaseAttachment.objects.unscoped().get()
    otto = signed_in(world.otto)
    for name in ("patients:case-attachment-download", "patients:case-attachment-remove"):
        assert otto.post(attachment_url(name, attachment)).status_code in (404, 405)
        assert otto.get(attachment_url(name, attachment)).status_code in (404, 405)
        response = client.get(attachment_url(name, attachment))
        assert response.status_code == 302 and response.url.startswith("/login/")
    assert otto.get(attachment_url("patients:case-attachment-download", attachment)).status_code == 404
    assert otto.post(attachment_url("patients:case-attachment-remove", attachment)).status_code == 404
    assert CaseAttachment.objects.unscoped().exists()


def test_it_removes_an_attachment_and_its_bytes(hana, django_capture_on_commit_callbacks):
    upload(hana)
    attachment = CaseAttachment.objects.unscoped().select_related("document").get()
    storage_name = attachment.document.storage_name
    with django_capture_on_commit_callbacks(execute=True):  # the bytes go once the removal commits
        response = hana.post(attachment_url("patients:case-attachment-remove", attachment))
    assert response.status_code == 302
    assert not CaseAttachment.objects.unscoped().exists() and not Document.objects.unscoped().exists()
    assert not default_storage.exists(storage_name)
    assert AuditEvent.objects.filter(action="patients.case.attachment_removed").exists()
    assert hana.get(attachment_url("patients:case-attachment-download", attachment)).status_code == 404
