"""Writes of consents: one recording (given, refused or withdrawn) with its date and signed form."""

import datetime

from django.db import transaction

from cpms.audit.record import record

from ..documents import store_document
from ..models import Consent, Document, Patient
from .patients import CONSENT_FIELDS, add_consent, lock_patient


def do_record_consent(
    *, acting_user, patient: Patient, kind: str, status: str, date: datetime.date, form=None
) -> Consent:
    """Record a consent; it is in force at once (the patient's mirror field), so a withdrawal
    counts from the next request on. `form` is a checked upload (the signed form) or None."""
    with transaction.atomic():
        locked = lock_patient(acting_user, patient)
        if locked.is_removed:
            raise Patient.DoesNotExist
        old = getattr(locked, CONSENT_FIELDS[kind])
        document = None
        if form is not None:
            document = store_document(
                patient=locked, upload=form, kind=Document.Kind.CONSENT_FORM, uploaded_by=acting_user
            )
        consent = add_consent(locked, kind, status, date, document, acting_user)
        locked.save(update_fields=[CONSENT_FIELDS[kind]])
        record(
            acting_user,
            "patients.consent.recorded",
            locked,
            {
                "pseudonym": locked.pseudonym,
                "what": kind,
                CONSENT_FIELDS[kind]: {"old": old, "new": status},
                "date": date.isoformat(),
                "form": bool(document),
            },
        )
    setattr(patient, CONSENT_FIELDS[kind], status)
    return consent
