"""Requesting a panel and the triage of requests for assistance.

The requester (an HP of the patient's centre) writes a draft, changes or discards it, and submits it
(only with consent for care in force, and with a question). The coordinators and dispatchers of the
ERN that handles it then accept it (it opens, with a panel lead), return it to the requester with a
question (who answers and resubmits), or forward it to another thematic area or ERN.

Each function re-checks who acts and in what state the panel is, after locking it: PermissionDenied
for the wrong person, PanelActionRefused (with a message for the page) for the wrong state.
"""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cpms.access.queries.scopes import access_of
from cpms.audit.record import record
from cpms.patients.models import Patient
from cpms.patients.queries import hp_centre_ids, may_open_panel

from ..models import Membership, Notification, Panel, PanelStatus, TriageNote
from ..notifications import notify
from ..queries import triage_ern_ids
from ..queries.requests import lead_choices, triager_ids
from . import PanelActionRefused, lock_panel, require_status, touch

REQUEST_FIELDS = ("ern", "thematic_area", "question", "urgency", "wished_answer_date", "shared_sections")


# -- checks


def require_hp_at(acting_user, centre_id: int) -> None:
    if centre_id not in hp_centre_ids(access_of(acting_user)):
        raise PermissionDenied


def require_requester(acting_user, panel: Panel) -> None:
    """The panel's requester, still an HP at the requesting centre."""
    if panel.requester_id != acting_user.pk:
        raise PermissionDenied
    require_hp_at(acting_user, panel.centre_id)


def require_triager(acting_user, panel: Panel) -> None:
    """A coordinator or dispatcher (in force) of the ERN that handles the panel now."""
    if panel.ern_id not in triage_ern_ids(access_of(acting_user)):
        raise PermissionDenied


def require_care_consent(patient: Patient) -> None:
    if not may_open_panel(patient):
        raise PanelActionRefused(
            _("This patient's consent for care is not in force: no panel can be requested for them.")
        )


def fresh_patient(patient_id: int) -> Patient:
    """The patient as the database holds it now (a consent may have been withdrawn since)."""
    return Patient.objects.unscoped().only("id", "pseudonym", "care_consent").get(pk=patient_id)


def require_area_in_ern(values: dict) -> None:
    area, ern = values.get("thematic_area"), values["ern"]
    if area is not None and area.ern_id != ern.pk:
        raise PanelActionRefused(_("This thematic area is not one of %(ern)s.") % {"ern": ern.code})


def pseudonym_of(panel: Panel) -> str:
    return panel.patient.pseudonym


def value_of(panel: Panel, name: str):
    value = getattr(panel, f"{name}_id") if name in ("ern", "thematic_area") else getattr(panel, name)
    return value.isoformat() if hasattr(value, "isoformat") else value


# -- the requester: draft, change, discard, submit


@transaction.atomic
def do_request_panel(*, acting_user, patient: Patient, **values) -> Panel:
    """A draft request for a panel on `patient`'s case; `values` are the fields of REQUEST_FIELDS."""
    require_hp_at(acting_user, patient.centre_id)
    require_care_consent(fresh_patient(patient.pk))
    require_area_in_ern(values)
    panel = Panel(
        patient=patient, centre_id=patient.centre_id, requester=acting_user, status=PanelStatus.DRAFT
    )
    for name in REQUEST_FIELDS:
        setattr(panel, name, values[name])
    panel.save()
    record(
        acting_user,
        "panels.panel.requested",
        panel,
        {"pseudonym": patient.pseudonym, "ern": panel.ern.code, "urgency": panel.urgency},
    )
    return panel


@transaction.atomic
def do_change_panel_request(*, acting_user, panel: Panel, **values) -> Panel:
    """Change a draft (the requester's alone)."""
    require_requester(acting_user, panel)
    locked = lock_panel(panel)
    require_status(locked, PanelStatus.DRAFT)
    require_area_in_ern(values)
    before = {name: value_of(locked, name) for name in REQUEST_FIELDS}
    for name in REQUEST_FIELDS:
        setattr(locked, name, values[name])
    changes = {
        name: {"old": before[name], "new": value_of(locked, name)}
        for name in REQUEST_FIELDS
        if before[name] != value_of(locked, name)
    }
    touch(locked, *REQUEST_FIELDS)
    if changes:
        record(
            acting_user, "panels.panel.draft_changed", locked, {"pseudonym": pseudonym_of(panel), **changes}
        )
    return locked


@transaction.atomic
def do_discard_panel_request(*, acting_user, panel: Panel) -> None:
    """Delete a draft that was never submitted (nobody else ever saw it)."""
    require_requester(acting_user, panel)
    locked = lock_panel(panel)
    require_status(locked, PanelStatus.DRAFT)
    record(acting_user, "panels.panel.discarded", locked, {"pseudonym": pseudonym_of(panel)})
    locked.delete()


@transaction.atomic
def do_submit_panel_request(*, acting_user, panel: Panel) -> Panel:
    """Send the draft to the ERN's coordinators and dispatchers (urgent ones are flagged at once)."""
    require_requester(acting_user, panel)
    locked = lock_panel(panel)
    require_status(locked, PanelStatus.DRAFT)
    require_care_consent(fresh_patient(locked.patient_id))
    if not locked.question.strip():
        raise PanelActionRefused(_("Write the question to the panel before submitting the request."))
    locked.status = PanelStatus.SUBMITTED
    locked.submitted_at = timezone.now()
    touch(locked, "status", "submitted_at")
    TriageNote.objects.create(panel=locked, author=acting_user, kind=TriageNote.Kind.SUBMITTED)
    record(
        acting_user,
        "panels.panel.submitted",
        locked,
        {"pseudonym": pseudonym_of(panel), "ern": locked.ern_id, "urgency": locked.urgency},
    )
    notify(triager_ids(locked.ern_id), Notification.Kind.SUBMITTED, locked, actor=acting_user)
    return locked


@transaction.atomic
def do_answer_panel_request(
    *, acting_user, panel: Panel, text: str, question: str, shared_sections: list[str]
) -> Panel:
    """The requester answers the triage's question, may change the question and the shared
    sections, and the request goes back to the ERN's queue."""
    require_requester(acting_user, panel)
    locked = lock_panel(panel)
    require_status(locked, PanelStatus.RETURNED)
    require_care_consent(fresh_patient(locked.patient_id))
    if not text.strip() or not question.strip():
        raise PanelActionRefused(_("Write your answer and the question to the panel."))
    changes = {
        name: {"old": getattr(locked, name), "new": new}
        for name, new in (("question", question), ("shared_sections", shared_sections))
        if getattr(locked, name) != new
    }
    locked.question, locked.shared_sections = question, shared_sections
    locked.status = PanelStatus.SUBMITTED
    touch(locked, "question", "shared_sections", "status")
    TriageNote.objects.create(panel=locked, author=acting_user, kind=TriageNote.Kind.ANSWERED, text=text)
    record(acting_user, "panels.panel.answered", locked, {"pseudonym": pseudonym_of(panel), **changes})
    notify(triager_ids(locked.ern_id), Notification.Kind.ANSWERED, locked, actor=acting_user)
    return locked


# -- the ERN's coordinators and dispatchers: accept, return, forward


def lock_for_triage(acting_user, panel: Panel) -> Panel:
    require_triager(acting_user, panel)
    locked = lock_panel(panel)
    require_triager(acting_user, locked)  # forwarded to another ERN in the meantime
    require_status(locked, PanelStatus.SUBMITTED)
    return locked


@transaction.atomic
def do_accept_panel_request(*, acting_user, panel: Panel, lead=None) -> Panel:
    """Open the panel; its lead is the requester unless another HP of the ERN is named."""
    locked = lock_for_triage(acting_user, panel)
    lead = lead or locked.requester
    if lead.pk != locked.requester_id and lead.pk not in {user.pk for user in lead_choices(locked)}:
        raise PanelActionRefused(_("The panel lead must be an HP of %(ern)s.") % {"ern": locked.ern.code})
    locked.status = PanelStatus.OPEN
    locked.accepted_at = timezone.now()
    locked.lead = lead
    touch(locked, "status", "accepted_at", "lead")
    Membership.objects.update_or_create(
        panel=locked,
        user=lead,
        defaults={
            "role": Membership.Role.LEAD,
            "status": Membership.Status.ACCEPTED,
            "via": Membership.Via.LEAD,
            "invited_by": acting_user,
            "answered_at": locked.accepted_at,
            "removed_at": None,
        },
    )
    TriageNote.objects.create(panel=locked, author=acting_user, kind=TriageNote.Kind.ACCEPTED)
    record(acting_user, "panels.panel.accepted", locked, {"pseudonym": pseudonym_of(panel), "lead": lead.pk})
    notify([locked.requester_id, lead.pk], Notification.Kind.ACCEPTED, locked, actor=acting_user)
    return locked


@transaction.atomic
def do_return_panel_request(*, acting_user, panel: Panel, text: str) -> Panel:
    """Back to the requester with a question; they answer and resubmit."""
    if not text.strip():
        raise PanelActionRefused(_("Write the question to the requester."))
    locked = lock_for_triage(acting_user, panel)
    locked.status = PanelStatus.RETURNED
    touch(locked, "status")
    TriageNote.objects.create(panel=locked, author=acting_user, kind=TriageNote.Kind.RETURNED, text=text)
    record(acting_user, "panels.panel.returned", locked, {"pseudonym": pseudonym_of(panel)})
    notify([locked.requester_id], Notification.Kind.RETURNED, locked, actor=acting_user)
    return locked


@transaction.atomic
def do_forward_panel_request(*, acting_user, panel: Panel, ern, thematic_area=None, text: str = "") -> Panel:
    """To another thematic area of the ERN, or to another ERN, whose triagers are told."""
    locked = lock_for_triage(acting_user, panel)
    require_area_in_ern({"ern": ern, "thematic_area": thematic_area})
    area_id = thematic_area.pk if thematic_area else None
    if ern.pk == locked.ern_id and area_id == locked.thematic_area_id:
        raise PanelActionRefused(_("The request is already there: choose another thematic area or ERN."))
    TriageNote.objects.create(
        panel=locked,
        author=acting_user,
        kind=TriageNote.Kind.FORWARDED,
        text=text,
        from_ern_id=locked.ern_id,
        to_ern=ern,
        from_area_id=locked.thematic_area_id,
        to_area=thematic_area,
    )
    changes = {
        "ern": {"old": locked.ern_id, "new": ern.pk},
        "thematic_area": {"old": locked.thematic_area_id, "new": area_id},
    }
    locked.ern, locked.thematic_area = ern, thematic_area
    touch(locked, "ern", "thematic_area")
    record(acting_user, "panels.panel.forwarded", locked, {"pseudonym": pseudonym_of(panel), **changes})
    notify(
        [*triager_ids(ern.pk), locked.requester_id], Notification.Kind.FORWARDED, locked, actor=acting_user
    )
    return locked
