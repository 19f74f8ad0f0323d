"""Panels for tests, and the people around them.

Shared by the panels tests: add new helpers at the end, do not change existing ones.
"""

from types import SimpleNamespace

from django.utils import timezone

from cpms.access.tests.factories import make_grant
from cpms.patients.tests.factories import in_cpms, make_patient_world
from cpms.test import make_user

from ..models import Membership, Panel, PanelStatus, Urgency


def make_panel(
    patient,
    requester,
    *,
    status: str = PanelStatus.OPEN,
    lead=None,
    urgency: str = Urgency.ROUTINE,
    question: str = "Is this an early-onset SCA? Which genes would you test next?",
    shared_sections=("status", "history", "diagnosis", "phenotype", "genetics"),
    **extra,
) -> Panel:
    """A panel on `patient`'s case, requested by `requester` at the patient's centre.

    An open (or later) panel has a lead (the requester unless `lead` is given), who is its first member.
    """
    now = timezone.now()
    past_draft = status != PanelStatus.DRAFT
    opened = status in (PanelStatus.OPEN, PanelStatus.CLOSED, PanelStatus.ARCHIVED)
    lead = (lead or requester) if opened else None
    panel = Panel(
        patient=patient,
        ern_id=patient.ern_id,
        centre=patient.centre,
        requester=requester,
        lead=lead,
        question=question,
        urgency=urgency,
        shared_sections=list(shared_sections),
        status=status,
        submitted_at=now if past_draft else None,
        accepted_at=now if opened else None,
        **extra,
    )
    panel.save()
    if lead is not None:
        add_member(panel, lead, role=Membership.Role.LEAD, via=Membership.Via.LEAD)
    return panel


def add_member(panel: Panel, user, *, status: str = Membership.Status.ACCEPTED, **extra) -> Membership:
    answered = timezone.now() if status != Membership.Status.INVITED else None
    return Membership.objects.create(
        panel=panel, user=user, status=status, answered_at=answered, invited_by=panel.lead, **extra
    )


def make_panel_world() -> SimpleNamespace:
    """The patients' access-matrix world (cpms/patients/tests/factories.py) and a panel on its patient.

    Added: triager, Coordinator of ERN-RND (HP at DE05); dispatcher, Dispatcher of ERN-RND (HP at DE05);
    expert, HP at DE05, an accepted member; invited, HP at DE05, invited and not yet answering;
    `panel`: open, requested and led by `enrolling` (HP at DE22, the patient's centre), with `expert`
    and (as a member) the guest HP `guest_member` of ERN-RND's guest access. `other_centre`, `guest`,
    `researcher` and `other_ern` stay outside the panel.
    """
    world = make_patient_world()
    de05 = world.de05
    world.triager = in_cpms(make_user("ncoord01", "clara@example.org", "Clara", "Nowak"), de05)
    make_grant(world.triager, de05, "coordinator")
    world.dispatcher = in_cpms(make_user("ndisp001", "dario@example.org", "Dario", "Conti"), de05)
    make_grant(world.dispatcher, de05, "dispatcher")
    world.expert = in_cpms(make_user("nexpert1", "erik@example.org", "Erik", "Larsen"), de05)
    world.invited = in_cpms(make_user("ninvite1", "ines@example.org", "Ines", "Moreau"), de05)
    world.guest_member = in_cpms(
        make_user("nguestm1", "gustav@example.org", "Gustav", "Berg"), world.rnd.guest
    )
    world.panel = make_panel(world.patient, world.enrolling)
    add_member(world.panel, world.expert)
    add_member(world.panel, world.guest_member)
    add_member(world.panel, world.invited, status=Membership.Status.INVITED)
    return world
