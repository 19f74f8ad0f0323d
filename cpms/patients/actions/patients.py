"""Writes of patients: enrolment at a centre, removal from it. Each atomic, re-checked, audited."""

import datetime
import secrets
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone

from cpms.access.models import OrganisationNode
from cpms.access.queries.scopes import access_of
from cpms.audit.record import record

from ..documents import erase_document, store_document
from ..models import Consent, Document, Patient
from ..models.patient import ConsentKind, ConsentStatus
from ..queries import hospital_number_index, hp_centre_ids, identity_index

# Crockford's base 32 without the letters that read as digits: easy to say on the phone, no I/L/O/U.
PSEUDONYM_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
PSEUDONYM_LENGTH = 10  # 50 bits of chance: never derived from who the patient is
IDENTIFYING_FIELDS = ("given_names", "family_name", "birth_date", "hospital_number", "national_id")
CONSENT_FIELDS = {
    ConsentKind.CARE: "care_consent",
    ConsentKind.REGISTRIES: "registries_consent",
    ConsentKind.RESEARCH_CONTACT: "research_contact_consent",
}


@dataclass(frozen=True)
class Identity:
    given_names: str
    family_name: str
    birth_date: datetime.date
    hospital_number: str
    national_id: str = ""


def new_pseudonym() -> str:
    """ "CPMS-7KQ2M9XD3F": random, and checked unused (a clash is also refused by the unique column)."""
    while True:
        pseudonym = "CPMS-" + "".join(secrets.choice(PSEUDONYM_ALPHABET) for _ in range(PSEUDONYM_LENGTH))
        if not Patient.objects.unscoped().filter(pseudonym=pseudonym).exists():
            return pseudonym


def check_hp_at(acting_user, centre: OrganisationNode) -> None:
    if centre.is_guest or centre.pk not in hp_centre_ids(access_of(acting_user)):
        raise PermissionDenied


def do_enrol_patient(
    *,
    acting_user,
    centre: OrganisationNode,
    identity: Identity,
    sex_at_birth: str,
    country_of_residence: str,
    vital_status: str,
    consents: dict[str, str],
    consent_date: datetime.date,
    consent_form=None,
) -> Patient:
    """Enrol a patient at `centre` with the consents given at enrolment (care must be given).

    `consents` maps each ConsentKind to a ConsentStatus; `consent_form` is a checked upload (the
    signed form) or None. The pseudonym is random; identifying fields are encrypted by their fields.
    """
    check_hp_at(acting_user, centre)
    if consents.get(ConsentKind.CARE) != ConsentStatus.GIVEN:
        raise PermissionDenied("Consent for care is required to enrol a patient.")
    birth_date = identity.birth_date.isoformat()
    for _attempt in range(3):
        try:
            with transaction.atomic():
                patient = Patient(
                    pseudonym=new_pseudonym(),
                    centre=centre,
                    ern_id=centre.ern_id,
                    given_names=identity.given_names.strip(),
                    family_name=identity.family_name.strip(),
                    birth_date=birth_date,
                    hospital_number=identity.hospital_number.strip(),
                    national_id=identity.national_id.strip(),
                    hospital_number_index=hospital_number_index(centre.pk, identity.hospital_number),
                    identity_index=identity_index(
                        centre.pk, identity.given_names, identity.family_name, birth_date
                    ),
                    sex_at_birth=sex_at_birth,
                    year_of_birth=identity.birth_date.year,
                    country_of_residence=country_of_residence,
                    vital_status=vital_status,
                    enrolled_by=acting_user,
                )
                patient.save()
                form = None
                if consent_form is not None:
                    form = store_document(
                        patient=patient,
                        upload=consent_form,
                        kind=Document.Kind.CONSENT_FORM,
                        uploaded_by=acting_user,
                    )
                for kind, status in consents.items():
                    if status != ConsentStatus.NOT_ASKED:
                        add_consent(patient, kind, status, consent_date, form, acting_user)
                patient.save(update_fields=list(CONSENT_FIELDS.values()))
                record(
                    acting_user,
                    "patients.patient.enrolled",
                    patient,
                    {"pseudonym": patient.pseudonym, "centre": centre.code, "consents": consents},
                )
                return patient
        except IntegrityError:  # two enrolments drew the same pseudonym at the same instant
            continue
    raise IntegrityError("No free pseudonym after three attempts.")


def add_consent(patient: Patient, kind: str, status: str, date, form, acting_user) -> Consent:
    """A new recording of one consent; the patient's mirror field follows (saved by the caller)."""
    consent = Consent(
        patient=patient, kind=kind, status=status, date=date, form=form, recorded_by=acting_user
    )
    consent.save()
    setattr(patient, CONSENT_FIELDS[kind], status)
    return consent


def lock_patient(acting_user, patient: Patient) -> Patient:
    locked = (
        Patient.objects.unscoped().select_for_update(of=("self",)).select_related("centre").get(pk=patient.pk)
    )
    check_hp_at(acting_user, locked.centre)
    return locked


def do_remove_patient(*, acting_user, patient: Patient) -> Patient:
    """Remove a patient from the centre: erase the identifying fields, their indexes, every document
    (signed forms, case attachments) and the case's unsaved drafts. The pseudonym, the coded case and
    the audit trail (which never held identity) stay."""
    with transaction.atomic():
        locked = lock_patient(acting_user, patient)
        if locked.is_removed:
            return locked
        documents = list(locked.documents.all())
        for document in documents:
            erase_document(document)
        drafts, _ = locked.case_drafts.all().delete()  # unvalidated typing, which may name the patient
        for name in IDENTIFYING_FIELDS:
            setattr(locked, name, "")
        locked.hospital_number_index = locked.identity_index = ""
        locked.removed_at = timezone.now()
        locked.save(
            update_fields=[*IDENTIFYING_FIELDS, "hospital_number_index", "identity_index", "removed_at"]
        )
        record(
            acting_user,
            "patients.patient.removed",
            locked,
            {"pseudonym": locked.pseudonym, "documents_erased": len(documents), "drafts_erased": drafts},
        )
    return locked
