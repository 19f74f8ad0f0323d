from django.core.files.storage import default_storage
from django.urls import reverse

from cpms.audit.models import AuditEvent
from cpms.test import sign_in

from ..models import CaseDraft, Document, Patient
from .factories import pdf_upload


def url(patient):
    return reverse("patients:patient-remove", args=[patient.pseudonym])


def test_it_sends_anonymous_visitors_to_sign_in(client, world):
    assert client.post(url(world.patient)).url.startswith(reverse("identity:login"))


def test_it_answers_404_to_an_hp_of_another_centre(client, world):
    sign_in(client, world.other_centre)
    assert client.post(url(world.patient), {"pseudonym": world.patient.pseudonym}).status_code == 404
    assert Patient.objects.unscoped().get().removed_at is None


def test_it_asks_for_the_pseudonym(client, world):
    sign_in(client, world.enrolling)
    page = client.post(url(world.patient), {"pseudonym": "CPMS-WRONG"}).content.decode()
    assert "This is not the pseudonym of this patient." in page
    assert Patient.objects.unscoped().get().removed_at is None


def test_it_erases_the_identity_and_the_forms_and_keeps_the_pseudonymised_trail(
    client, world, django_capture_on_commit_callbacks
):
    sign_in(client, world.enrolling)
    consents = reverse("patients:consent-record", args=[world.patient.pseudonym])
    client.post(
        consents, {"kind": "care", "status": "given", "date": "2026-11-30", "consent_form": pdf_upload()}
    )
    stored = Document.objects.unscoped().get().storage_name
    CaseDraft(patient=world.patient, section="history", user=world.enrolling, data={"x": ["Jane"]}).save()
    with django_capture_on_commit_callbacks(execute=True):  # the bytes go once the removal commits
        response = client.post(url(world.patient), {"pseudonym": world.patient.pseudonym.lower()})
    assert response.status_code == 302
    patient = Patient.objects.unscoped().get()
    assert patient.removed_at is not None
    assert (patient.given_names, patient.family_name, patient.birth_date, patient.hospital_number) == (
        "",
    ) * 4
    assert patient.hospital_number_index == patient.identity_index == ""
    assert not Document.objects.unscoped().exists() and not default_storage.exists(stored)
    assert AuditEvent.objects.filter(target_id=str(patient.pk)).count() >= 2
    removed = AuditEvent.objects.get(action="patients.patient.removed")
    assert removed.data == {"pseudonym": patient.pseudonym, "documents_erased": 1, "drafts_erased": 1}
    assert not patient.case_drafts.exists()
    assert client.get(reverse("patients:patient-detail", args=[patient.pseudonym])).status_code == 404


def test_it_makes_the_same_queries_at_two_sizes(client, world, django_assert_num_queries):
    sign_in(client, world.enrolling)
    client.get(url(world.patient))
    with django_assert_num_queries(5):
        client.get(url(world.patient))
