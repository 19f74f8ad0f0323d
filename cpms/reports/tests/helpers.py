"""Hand-built activity of ERN-RND in 2025 with known answers (see `build_activity`)."""

import datetime
from types import SimpleNamespace

from cpms.access.tests.factories import make_grant
from cpms.clinical.models import ThematicArea
from cpms.coding.models import Concept
from cpms.identity.models import UserSession
from cpms.panels.models import Contribution, Panel, PanelStatus, Urgency
from cpms.panels.tests.factories import make_panel
from cpms.patients.models import Case, CaseDiagnosis, Patient
from cpms.patients.tests.factories import make_patient
from cpms.test import make_user

from ..kpis import Filters, Period

UTC = datetime.UTC
YEAR_2025 = Period(datetime.date(2025, 1, 1), datetime.date(2025, 12, 1))


def at(year, month, day, hour=12) -> datetime.datetime:
    return datetime.datetime(year, month, day, hour, tzinfo=UTC)


def panel_with_clock(world, *, patient=None, status=PanelStatus.CLOSED, centre=None, **clock) -> Panel:
    panel = make_panel(
        patient or world.patient,
        world.enrolling,
        status=status,
        urgency=clock.pop("urgency", Urgency.ROUTINE),
    )
    fields = {
        "submitted_at": None,
        "accepted_at": None,
        "outcome_signed_at": None,
        "closed_at": None,
        **clock,
    }
    if centre is not None:
        fields["centre_id"] = centre.pk
    Panel.objects.unscoped().filter(pk=panel.pk).update(**fields)
    panel.refresh_from_db()
    return panel


def contribute(panel, author, when, kind=Contribution.Kind.CONTRIBUTION) -> Contribution:
    return Contribution.objects.create(
        panel=panel, author=author, text="My opinion.", kind=kind, created_at=when
    )


def diagnose(patient, *codes) -> None:
    case, _ = Case.objects.unscoped().get_or_create(patient=patient)
    for system, code, label in codes:
        concept, _ = Concept.objects.get_or_create(system=system, code=code, defaults={"label": label})
        CaseDiagnosis.objects.unscoped().create(case=case, concept=concept, certainty="confirmed")


def session(user, when, key) -> None:
    UserSession.objects.create(user=user, session_key=key, started_at=when, last_active_at=when)


def build_activity(world) -> SimpleNamespace:
    """ERN-RND's panels of 2025 (world.panel itself was requested now, outside the year):

    p1 routine DE22: requested 10 Mar, opened 12 Mar, signed 20 Mar (10 days), closed 25 Mar; 3 contributions
    p2 routine DE22 Ataxia: requested 15 Mar, opened 1 Apr, signed 14 Apr (30 days), closed 20 Apr; 1
    p3 routine DE05: requested 1 May, opened 2 May, signed 21 May (20 days), closed 1 Jun; an info request
    p4 urgent DE22: requested 1 Jun, opened 1 Jun, signed 3 Jun (2 days, wished 2 Jun: late), closed 5 Jun; 1
    p5 urgent DE22 (patient2): requested 1 Jul, opened 1 Jul, signed 5 Jul (4 days, wished 10 Jul), still open
    p6 routine: requested 20 Dec 2024, opened 5 Jan 2025, wished 2020: past its wished date
    p7: requested in 2026; a draft: never counted; a EURO-NMD panel: another ERN.
    """
    area = ThematicArea.objects.create(ern_id=world.rnd.ern.pk, code="ataxia", name="Ataxia")
    patient2 = make_patient(world.de22, given_names="Jonas", hospital_number="TUE-2")
    old_patient = make_patient(world.de22, given_names="Old", hospital_number="TUE-3")
    removed = make_patient(world.de22, given_names="Gone", hospital_number="TUE-4")
    nmd_patient = make_patient(world.nmd.hcp, given_names="Nora", hospital_number="ESS-1")
    Patient.objects.unscoped().filter(pk=world.patient.pk).update(enrolled_at=at(2025, 2, 1))
    Patient.objects.unscoped().filter(pk=patient2.pk).update(enrolled_at=at(2025, 8, 1))
    Patient.objects.unscoped().filter(pk=old_patient.pk).update(enrolled_at=at(2024, 6, 1))
    Patient.objects.unscoped().filter(pk=removed.pk).update(
        enrolled_at=at(2025, 3, 1), removed_at=at(2025, 4, 1)
    )
    Patient.objects.unscoped().filter(pk=nmd_patient.pk).update(enrolled_at=at(2025, 3, 1))
    orpha_558 = ("orpha", "ORPHA:558", "Marfan syndrome")
    diagnose(world.patient, orpha_558, ("icd10", "Q87.4", "Marfan syndrome"))
    diagnose(patient2, orpha_558, ("orpha", "ORPHA:100", "Ataxia-telangiectasia"))
    diagnose(old_patient, ("orpha", "ORPHA:999", "Never in a panel"))

    p1 = panel_with_clock(
        world,
        submitted_at=at(2025, 3, 10),
        accepted_at=at(2025, 3, 12),
        outcome_signed_at=at(2025, 3, 20),
        closed_at=at(2025, 3, 25),
    )
    p2 = panel_with_clock(
        world,
        submitted_at=at(2025, 3, 15),
        accepted_at=at(2025, 4, 1),
        outcome_signed_at=at(2025, 4, 14),
        closed_at=at(2025, 4, 20),
        thematic_area_id=area.pk,
    )
    p3 = panel_with_clock(
        world,
        centre=world.de05,
        submitted_at=at(2025, 5, 1),
        accepted_at=at(2025, 5, 2),
        outcome_signed_at=at(2025, 5, 21),
        closed_at=at(2025, 6, 1),
    )
    p4 = panel_with_clock(
        world,
        urgency=Urgency.URGENT,
        submitted_at=at(2025, 6, 1),
        accepted_at=at(2025, 6, 1),
        outcome_signed_at=at(2025, 6, 3),
        closed_at=at(2025, 6, 5),
        wished_answer_date=datetime.date(2025, 6, 2),
    )
    p5 = panel_with_clock(
        world,
        patient=patient2,
        status=PanelStatus.OPEN,
        urgency=Urgency.URGENT,
        submitted_at=at(2025, 7, 1),
        accepted_at=at(2025, 7, 1),
        outcome_signed_at=at(2025, 7, 5),
        wished_answer_date=datetime.date(2025, 7, 10),
    )
    p6 = panel_with_clock(
        world,
        status=PanelStatus.OPEN,
        submitted_at=at(2024, 12, 20),
        accepted_at=at(2025, 1, 5),
        wished_answer_date=datetime.date(2020, 1, 1),
    )
    p7 = panel_with_clock(world, status=PanelStatus.SUBMITTED, submitted_at=at(2026, 1, 5))
    make_panel(world.patient, world.enrolling, status=PanelStatus.DRAFT)
    nmd_panel = panel_with_clock(
        world,
        patient=nmd_patient,
        submitted_at=at(2025, 3, 1),
        accepted_at=at(2025, 3, 2),
        closed_at=at(2025, 3, 3),
    )
    Panel.objects.unscoped().filter(pk=nmd_panel.pk).update(
        ern_id=world.nmd.ern.pk, centre_id=world.nmd.hcp.pk
    )

    for day in (14, 15):
        contribute(p1, world.expert, at(2025, 3, day))
    contribute(p1, world.enrolling, at(2025, 3, 16))
    contribute(p2, world.expert, at(2025, 4, 5))
    contribute(p3, world.expert, at(2025, 5, 5), kind=Contribution.Kind.INFORMATION_REQUEST)
    contribute(p4, world.enrolling, at(2025, 6, 2))
    contribute(p7, world.expert, at(2026, 1, 6))
    contribute(nmd_panel, world.other_ern, at(2025, 3, 2))

    # Active users: expert (DE05) and enrolling (DE22) signed in during 2025; other_ern is of EURO-NMD,
    # triager signed in only in 2024, a revoked HP in 2025.
    session(world.expert, at(2025, 5, 1), "s1")
    session(world.expert, at(2025, 6, 1), "s2")
    session(world.enrolling, at(2025, 2, 1), "s3")
    session(world.other_ern, at(2025, 5, 1), "s4")
    session(world.triager, at(2024, 5, 1), "s5")
    revoked = make_user("nrevok01", "rev@example.org", "Rita", "Revoked")
    make_grant(revoked, world.de22, "hp", revoked_at=at(2024, 1, 1))
    session(revoked, at(2025, 5, 1), "s6")
    return SimpleNamespace(area=area, panels=[p1, p2, p3, p4, p5, p6, p7])


def filters(world, **extra) -> Filters:
    return Filters(ern=world.rnd.ern, period=extra.pop("period", YEAR_2025), **extra)
