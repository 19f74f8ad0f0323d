"""Patients for tests, and the people around them: the personas of the access matrix.

Shared by the patients tests: add new helpers at the end, do not change existing ones.
"""

import datetime
from types import SimpleNamespace

from django.core.files.uploadedfile import SimpleUploadedFile

from cpms.access.tests.factories import make_grant, make_tree
from cpms.clinical.tests.factories import complete_profile
from cpms.test import make_user

from ..actions.patients import new_pseudonym
from ..models import Consent, Patient
from ..models.patient import ConsentKind, ConsentStatus
from ..queries import hospital_number_index, identity_index

# A tiny whole PDF (cpms.lib.files checks the start and the end).
PDF_BYTES = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


def pdf_upload(name: str = "signed-consent.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF_BYTES, content_type="application/pdf")


def make_patient(
    centre,
    *,
    given_names: str = "Mathilde",
    family_name: str = "Grünwald",
    birth_date: datetime.date = datetime.date(1987, 3, 14),
    hospital_number: str = "TUE-4471-93",
    national_id: str = "",
    sex_at_birth: str = "female",
    consents=(ConsentKind.CARE,),
    enrolled_by=None,
) -> Patient:
    """A patient enrolled at `centre`, with the consents of `consents` given (care by default)."""
    iso = birth_date.isoformat()
    patient = Patient(
        pseudonym=new_pseudonym(),
        centre=centre,
        ern_id=centre.ern_id,
        given_names=given_names,
        family_name=family_name,
        birth_date=iso,
        hospital_number=hospital_number,
        national_id=national_id,
        hospital_number_index=hospital_number_index(centre.pk, hospital_number),
        identity_index=identity_index(centre.pk, given_names, family_name, iso),
        sex_at_birth=sex_at_birth,
        year_of_birth=birth_date.year,
        country_of_residence="DE",
        enrolled_by=enrolled_by,
    )
    for kind in consents:
        setattr(patient, f"{kind}_consent", ConsentStatus.GIVEN)
    patient.save()
    for kind in consents:
        Consent(
            patient=patient, kind=kind, status=ConsentStatus.GIVEN, date=datetime.date(2026, 11, 2)
        ).save()
    return patient


def in_cpms(user, organisation, profile_code: str = "hp"):
    """`user` holds `profile_code` at `organisation` and has been through first use."""
    make_grant(user, organisation, profile_code)
    if not hasattr(user, "_profile_done"):
        complete_profile(user)
        user._profile_done = True
    return user


def make_patient_world() -> SimpleNamespace:
    """ERN-RND with DE22 and DE05, EURO-NMD with DE42, and one person in each role of the access
    matrix (all signed in with two factors when a test signs them in):

    enrolling: HP at DE22 (where `patient` is enrolled); other_centre: HP at DE05, same ERN;
    guest: HP at ERN-RND's "0000 Guest Access"; researcher: Researcher at DE22 (no HP);
    other_ern: Coordinator (and HP) at DE42 of EURO-NMD.
    """
    rnd = make_tree(
        institutions=(
            ("DE22", "University Hospital and Faculty of Medicine Tubingen"),
            ("DE05", "University Hospital Bonn"),
        )
    )
    nmd = make_tree(ern_code="EURO-NMD", ern_name="Neuromuscular Diseases", institutions=(("DE42", "Essen"),))
    de22, de05 = rnd.institutions["DE22"], rnd.institutions["DE05"]
    enrolling = in_cpms(make_user("nhelena1", "helena@example.org", "Helena", "Weber"), de22)
    other_centre = in_cpms(make_user("nlena001", "lena@example.org", "Lena", "Fischer"), de05)
    guest = in_cpms(make_user("nsofia01", "sofia@example.org", "Sofia", "Rossi"), rnd.guest)
    researcher = in_cpms(make_user("npiet001", "piet@example.org", "Piet", "de Vries"), de22, "researcher")
    other_ern = in_cpms(make_user("nmarta01", "marta@example.org", "Marta", "Kowalska"), nmd.hcp)
    make_grant(other_ern, nmd.hcp, "coordinator")
    patient = make_patient(de22, enrolled_by=enrolling)
    return SimpleNamespace(
        rnd=rnd,
        nmd=nmd,
        de22=de22,
        de05=de05,
        patient=patient,
        enrolling=enrolling,
        other_centre=other_centre,
        guest=guest,
        researcher=researcher,
        other_ern=other_ern,
    )
