"""Every read of patient data that a page needs, with the permission check built in.

Each function answers 404 (Http404) whether the patient is missing or not the user's: a user of one
centre cannot tell another centre's patients from no patients at all. A patient is reached only from
the centres where the user holds an HP grant in force (read once per request, so a revoked grant or a
withdrawn consent counts from the next request on), and every read of one patient is audited.
"""

import unicodedata
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.http import Http404

from cpms.access.models import GUEST_CODE, OrganisationNode
from cpms.access.queries.grants import HP
from cpms.access.queries.pages import KeysetPage
from cpms.access.queries.scopes import Access, access_for
from cpms.audit.catalogue import describe
from cpms.audit.models import AuditEvent
from cpms.audit.record import record
from cpms.lib.crypto import blind_index
from cpms.lib.sql import compiled_once

from .models import CaseDiagnosis, Patient
from .models.patient import ConsentStatus, Sex

APPLICATION = "cpms"
PAGE_SIZE = 25
COUNT_LIMIT = 1000
MAX_SEARCH_LENGTH = 100
HISTORY_LIMIT = 200
VIEWED = "patients.patient.viewed"
# What a list shows: never an identifying field (not even decrypted for nothing).
LIST_FIELDS = (
    "pseudonym",
    "centre_id",
    "sex_at_birth",
    "year_of_birth",
    "care_consent",
    "registries_consent",
    "research_contact_consent",
)


# -- scopes


def hp_centre_ids(access: Access) -> list[int]:
    """The centres where the user holds an HP grant in force: the only ones whose patients they see."""
    return sorted(
        {grant.organisation_id for grant in access.in_application(APPLICATION) if grant.profile_code == HP}
    )


def list_centres_for_user(request) -> list[OrganisationNode]:
    """The healthcare providers where the user is an HP (never "0000 Guest Access"), by code; one query."""
    centres = OrganisationNode.objects.filter(
        pk__in=hp_centre_ids(access_for(request)), kind=OrganisationNode.Kind.INSTITUTION
    ).exclude(code=GUEST_CODE)
    return list(centres.select_related("ern").order_by("code"))


def _centre_query(centre_id: int) -> QuerySet[OrganisationNode]:
    institutions = OrganisationNode.objects.filter(kind=OrganisationNode.Kind.INSTITUTION)
    return institutions.exclude(code=GUEST_CODE).select_related("ern").filter(pk=centre_id)


# On every patient list: its SQL is built once (building it cost ten times running it).
_centre = compiled_once(_centre_query)


def get_centre_for_user(request, centre_id: int) -> OrganisationNode:
    """One of the user's HP centres; 404 for any other (or a guest access node)."""
    if centre_id not in hp_centre_ids(access_for(request)):
        raise Http404
    if not (found := _centre(centre_id)):
        raise Http404
    return found[0]


def patients_of(request) -> QuerySet[Patient]:
    """The enrolled (not removed) patients of the user's HP centres: the scope of every patient page."""
    return Patient.objects.at_centres(hp_centre_ids(access_for(request))).filter(removed_at=None)


# -- one patient


def find_patient_for_user(request, pseudonym: str) -> Patient:
    """A patient of one of the user's HP centres, still enrolled; 404 otherwise. Not audited: for the
    writes that audit what they do (an action records its own event)."""
    if not isinstance(pseudonym, str) or len(pseudonym) > 20:
        raise Http404
    try:
        return patients_of(request).select_related("centre", "ern").get(pseudonym=pseudonym)
    except Patient.DoesNotExist:
        raise Http404 from None


def get_patient_for_user(request, pseudonym: str, *, what: str = "") -> Patient:
    """A patient of one of the user's HP centres, still enrolled; 404 otherwise.

    Every call is a read of the patient and is audited (`patients.patient.viewed`, with what was read:
    `what`, or the name of the page; the IP comes from the request), so call it once per request.
    """
    patient = find_patient_for_user(request, pseudonym)
    match = getattr(request, "resolver_match", None)
    page = what or (match.view_name if match else "")
    record(request.user, VIEWED, patient, {"pseudonym": patient.pseudonym, "what": page})
    return patient


def may_open_panel(patient: Patient) -> bool:
    """Without consent for care in force, no new panel for this patient."""
    return patient.care_consent == ConsentStatus.GIVEN


def with_research_consent(patients: QuerySet[Patient]) -> QuerySet[Patient]:
    """Only the patients whose consent for ERN registries and databases is in force: the only ones
    research data may come from. Read at each request: a withdrawal counts from the next one."""
    return patients.filter(registries_consent=ConsentStatus.GIVEN)


# -- blind indexes: exact look-ups without the identifier in clear


def fold(value: str) -> str:
    """Case, accents and spacing do not make another person: "  Ébert-Müller " == "ebert-muller"."""
    decomposed = unicodedata.normalize("NFKD", value or "")
    plain = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(plain.casefold().split())


def normalise_hospital_number(value: str) -> str:
    return "".join((value or "").split()).upper()


def hospital_number_index(centre_id: int, hospital_number: str) -> str:
    number = normalise_hospital_number(hospital_number)
    return blind_index(number, purpose=f"hospital-number:{centre_id}") if number else ""


def identity_index(centre_id: int, given_names: str, family_name: str, birth_date: str) -> str:
    if not (given_names and family_name and birth_date):
        return ""
    value = f"{fold(given_names)}\x1f{fold(family_name)}\x1f{birth_date}"
    return blind_index(value, purpose=f"identity:{centre_id}")


def find_duplicates(*, centre_id: int, hospital_number: str, given_names: str, family_name: str, birth_date):
    """Patients already enrolled at the centre with the same hospital number, or the same names and
    date of birth (at most 5, newest first); the caller has checked the centre is the user's."""
    indexes = {
        "hospital_number_index": hospital_number_index(centre_id, hospital_number),
        "identity_index": identity_index(centre_id, given_names, family_name, birth_date),
    }
    found = []
    for name, value in indexes.items():
        if value:
            rows = Patient.objects.at_centres([centre_id]).filter(removed_at=None, **{name: value})
            found.extend(rows.order_by("-id")[:5])
    return list({patient.pk: patient for patient in found}.values())[:5]


# -- the centre's list


@dataclass
class PatientRow:
    """A line of the centre's list, its labels translated once per page rather than once per cell."""

    patient: Patient
    main_diagnosis: object | None = None  # a coding Concept, or None: no diagnosis recorded yet
    sex: str = ""
    consents: tuple[tuple[str, str], ...] = ()  # (status value, its label) of care, registries, contact


class PatientPage(KeysetPage):
    """A page of the centre's list (KeysetPage's cursors and links), whose count stops at COUNT_LIMIT."""

    @property
    def total_is_capped(self) -> bool:
        return self.total > COUNT_LIMIT

    @property
    def count_limit(self) -> int:
        return COUNT_LIMIT


def parse_position(value) -> int | None:
    if isinstance(value, str) and value.isdigit() and len(value) < 19:
        return int(value) or None
    return None


def page_of_patients(
    centre: OrganisationNode, *, query: str = "", after: str = "", before: str = "", size: int = PAGE_SIZE
) -> PatientPage:
    """The centre's patients, newest first, by position (`id`) on the (centre, -id) index; 2 queries
    (count, the page with its main diagnoses), whatever the number of patients or the page."""
    patients = Patient.objects.at_centres([centre.pk]).filter(removed_at=None).only(*LIST_FIELDS)
    if query := (query or "").strip()[:MAX_SEARCH_LENGTH]:
        patients = patients.filter(
            Q(pseudonym=query.upper()) | Q(hospital_number_index=hospital_number_index(centre.pk, query))
        )
    # Counted up to a limit: "more than 1,000" says enough, and costs the same at any size.
    total = patients.order_by()[: COUNT_LIMIT + 1].count()
    if not total:
        return PatientPage()
    patients = with_main_diagnosis(patients)
    if (position := parse_position(after)) is not None:
        found = list(patients.filter(pk__lt=position).order_by("-id")[: size + 1])
        more_after, more_before = len(found) > size, True
        found = found[:size]
    elif (position := parse_position(before)) is not None:
        found = list(patients.filter(pk__gt=position).order_by("id")[: size + 1])
        more_after, more_before = True, len(found) > size
        found = found[:size][::-1]
    else:
        found = list(patients.order_by("-id")[: size + 1])
        more_after, more_before = len(found) > size, False
        found = found[:size]
    if not found:
        return PatientPage(total=total)
    sexes = {value: str(label) for value, label in Sex.choices}
    statuses = {value: str(label) for value, label in ConsentStatus.choices}

    def row(patient: Patient) -> PatientRow:
        consents = (patient.care_consent, patient.registries_consent, patient.research_contact_consent)
        diagnosis = MainDiagnosis(patient.main_code, patient.main_label) if patient.main_code else None
        return PatientRow(
            patient,
            diagnosis,
            sexes.get(patient.sex_at_birth, ""),
            tuple((value, statuses.get(value, "")) for value in consents),
        )

    return PatientPage(
        rows=[row(patient) for patient in found],
        total=total,
        next_cursor=str(found[-1].pk) if more_after else "",
        previous_cursor=str(found[0].pk) if more_before else "",
    )


def with_main_diagnosis(patients: QuerySet[Patient]) -> QuerySet[Patient]:
    """Each patient with `main_code` and `main_label` of their main diagnosis (None without one), in
    the same query as the page: a list pays one round trip per page, not per column."""
    main = CaseDiagnosis.objects.unscoped().filter(case__patient_id=OuterRef("pk"), is_main=True)
    return patients.annotate(
        main_code=Subquery(main.values("concept__code")[:1]),
        main_label=Subquery(main.values("concept__label")[:1]),
    )


@dataclass(frozen=True)
class MainDiagnosis:
    code: str
    label: str


# -- a patient's access history


@dataclass(frozen=True)
class AccessEntry:
    at: object
    action: object  # the catalogue's Action
    actor: object | None
    actor_id: int | None
    ip: str | None
    what: str


def access_history(patient: Patient, *, limit: int = HISTORY_LIMIT) -> list[AccessEntry]:
    """Who read or changed the patient, when, from where and what, newest first; two queries."""
    events = list(
        AuditEvent.objects.filter(target_type=Patient._meta.label_lower, target_id=str(patient.pk))
        .only("created_at", "action", "actor_id", "ip", "data")
        .order_by("-id")[:limit]
    )
    actors = get_user_model().objects.in_bulk({event.actor_id for event in events if event.actor_id})
    return [
        AccessEntry(
            event.created_at,
            describe(event.action),
            actors.get(event.actor_id),
            event.actor_id,
            event.ip,
            str(event.data.get("what", "")),
        )
        for event in events
    ]
