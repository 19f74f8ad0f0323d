"""Helpers of the requests and triage tests: thematic areas, panels in each state of the triage."""

from cpms.clinical.tests.factories import NMD_AREAS, make_areas
from cpms.patients.models import Patient
from cpms.patients.models.patient import ConsentStatus

from ..models import Notification, PanelStatus, TriageNote, Urgency
from .factories import make_panel


def with_areas(world):
    """ERN-RND's and EURO-NMD's thematic areas on the world (world.ataxia, world.ftd, world.dystrophies)."""
    rnd = make_areas(world.rnd.ern)
    nmd = make_areas(world.nmd.ern, NMD_AREAS)
    world.ataxia, world.chorea, world.ftd = rnd
    world.dystrophies, world.neuropathies = nmd
    return world


def draft(world, **extra):
    return make_panel(world.patient, world.enrolling, status=PanelStatus.DRAFT, shared_sections=(), **extra)


def submitted(world, *, urgency=Urgency.ROUTINE, submitted_at=None, patient=None, **extra):
    panel = make_panel(
        patient or world.patient, world.enrolling, status=PanelStatus.SUBMITTED, urgency=urgency, **extra
    )
    if submitted_at is not None:
        panel.submitted_at = submitted_at
        panel.save(update_fields=["submitted_at"])
    TriageNote.objects.create(panel=panel, author=world.enrolling, kind=TriageNote.Kind.SUBMITTED)
    return panel


def returned(world, question="Which variant was found?"):
    panel = submitted(world)
    panel.status = PanelStatus.RETURNED
    panel.save(update_fields=["status"])
    TriageNote.objects.create(panel=panel, author=world.triager, kind=TriageNote.Kind.RETURNED, text=question)
    return panel


def withdraw_care_consent(patient) -> None:
    Patient.objects.unscoped().filter(pk=patient.pk).update(care_consent=ConsentStatus.WITHDRAWN)


def notified(kind: str, panel) -> set[int]:
    """Who was notified of `kind` about `panel`."""
    return set(Notification.objects.filter(kind=kind, panel=panel).values_list("recipient_id", flat=True))
