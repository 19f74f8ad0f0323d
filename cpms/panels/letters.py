"""The outcome letter: a signed outcome as a PDF for the requester's hospital file.

Rendered with WeasyPrint from templates/panels/letters/outcome_letter.html (as the patients' model
consent forms are), in the requester's language when CPMS speaks it. The letter names the patient
by the ERN pseudonym only: the template is given no identifying field. Stored encrypted through
Django's storage, as patients' documents are (cpms/patients/documents.py).
"""

import uuid

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.template.loader import render_to_string
from django.utils import translation

from cpms.lib.crypto import decrypt_bytes, encrypt_bytes

from .models import OutcomeVersion, Signoff
from .queries.outcome import accepted_memberships

TEMPLATE = "panels/letters/outcome_letter.html"


def letter_language(version: OutcomeVersion) -> str:
    wanted = version.panel.requester.email_language
    return wanted if wanted in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def letter_context(version: OutcomeVersion) -> dict:
    panel = version.panel
    signatures = (
        Signoff.objects.filter(version=version, decision=Signoff.Decision.SIGNED)
        .select_related("user")
        .order_by("created_at", "id")
    )
    return {
        "panel": panel,
        "pseudonym": panel.patient.pseudonym,
        "version": version,
        "members": accepted_memberships(panel),
        "signatures": list(signatures),
    }


def render_letter(version: OutcomeVersion) -> bytes:
    from weasyprint import HTML  # a heavy import, for this step only

    language = letter_language(version)
    with translation.override(language):
        html = render_to_string(TEMPLATE, {**letter_context(version), "language": language})
    return HTML(string=html).write_pdf()


def store_letter(version: OutcomeVersion) -> str:
    """Render the letter of a signed version and keep it encrypted; the storage name, for the row."""
    pdf = render_letter(version)
    return default_storage.save(
        f"panels/{version.panel_id}/{uuid.uuid4().hex}.enc", ContentFile(encrypt_bytes(pdf))
    )


def read_letter(version: OutcomeVersion) -> bytes:
    with default_storage.open(version.letter_storage_name, "rb") as file:
        return decrypt_bytes(file.read())
