"""Demo panels for the embedded default: one in each state on the demo patients, so that every demo
person has something to do (the README's "Panels: who has what to do" says what).

Rows are written directly with the models, with the triage notes, memberships, contributions,
outcome versions, sign-offs and notifications each state implies. Safe to run again: a demo panel
already there (same title, same requester) is left as it is. Needs the demo people and patients
(`load_demo_data`, `load_demo_patients`); `make run` loads all three.
"""

import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from cpms.clinical.management.commands.load_demo_data import institution
from cpms.clinical.models import ThematicArea
from cpms.identity.models import User
from cpms.patients.models import Patient
from cpms.patients.queries import hospital_number_index

from ...models import (
    Contribution,
    Membership,
    Notification,
    OutcomeVersion,
    Panel,
    PanelStatus,
    Signoff,
    TriageNote,
    Urgency,
)

HELENA, JONAS, LENA, SOFIA = (
    "helena.weber@demo.cpms.eu",
    "jonas.braun@demo.cpms.eu",
    "lena.fischer@demo.cpms.eu",
    "sofia.rossi@demo.cpms.eu",
)
# hospital number → centre
PATIENTS = {
    "TUE-100231": "DE22",  # Klara, Dravet syndrome
    "TUE-100874": "DE22",  # Maximilian, undiagnosed
    "TUE-101102": "DE22",  # Emine
    "UKB-55120": "DE05",  # Paul, Duchenne
    "UKB-55377": "DE05",  # Greta
}
ALL_SECTIONS = ["status", "history", "diagnosis", "phenotype", "genetics"]


@dataclass
class DemoPanel:
    title: str
    patient: str  # hospital number
    requester: str
    status: str
    area: str
    question: str
    urgency: str = Urgency.ROUTINE
    days_ago: int = 10
    wished_in_days: int | None = 30
    lead: str = ""
    members: list[str] = field(default_factory=list)  # accepted
    invited: list[str] = field(default_factory=list)
    contributors: list[str] = field(default_factory=list)
    asks_information: str = ""  # a member whose request for more information waits for the requester
    returned_by: str = ""  # a triager who returned the request with a question
    outcome: str = ""  # "", "to_sign" or "signed"


DEMO_PANELS = [
    DemoPanel(
        "Second opinion on an SCN1A variant",
        "TUE-100231",
        JONAS,
        PanelStatus.DRAFT,
        "ataxia-hsp",
        "Does the SCN1A variant explain the whole picture, or should we look further?",
        days_ago=1,
    ),
    DemoPanel(
        "Rapidly progressive weakness in a boy with Duchenne",
        "UKB-55120",
        LENA,
        PanelStatus.SUBMITTED,
        "",  # a neuromuscular question: no ERN-RND thematic area fits, the coordinator may forward it
        "Sudden loss of ambulation over three weeks: what else should we rule out before changing treatment?",
        urgency=Urgency.URGENT,
        days_ago=0,
        wished_in_days=3,
    ),
    DemoPanel(
        "Undiagnosed intellectual disability with microcephaly",
        "TUE-100874",
        JONAS,
        PanelStatus.SUBMITTED,
        "leukoencephalopathies",
        "Trio exome was negative. Which investigations would the panel suggest next?",
        days_ago=2,
    ),
    DemoPanel(
        "Late-onset dystonia, unclear cause",
        "UKB-55377",
        LENA,
        PanelStatus.RETURNED,
        "dystonia-nbia",
        "Is a brain iron accumulation disorder likely, and which gene panel would you order?",
        days_ago=6,
        returned_by=HELENA,
    ),
    DemoPanel(
        "Dravet syndrome: treatment after failure of two drugs",
        "TUE-100231",
        JONAS,
        PanelStatus.OPEN,
        "ataxia-hsp",
        "Seizures persist on valproate and clobazam. Which add-on would the panel recommend?",
        urgency=Urgency.URGENT,
        days_ago=12,
        wished_in_days=5,
        members=[LENA, SOFIA],
        contributors=[LENA],
        asks_information=SOFIA,
    ),
    DemoPanel(
        "Chorea in a young adult with a negative HTT test",
        "TUE-101102",
        HELENA,
        PanelStatus.OPEN,
        "chorea-hd",
        "HTT repeat is normal. Which Huntington's disease phenocopies should we test?",
        days_ago=40,
        wished_in_days=-7,
        members=[JONAS],
        invited=[LENA, SOFIA],
    ),
    DemoPanel(
        "Hypotonia and developmental delay: outcome to agree",
        "TUE-100874",
        JONAS,
        PanelStatus.OPEN,
        "leukoencephalopathies",
        "MRI shows hypomyelination. Does the panel agree on a leukodystrophy work-up?",
        days_ago=30,
        wished_in_days=10,
        members=[LENA, SOFIA],
        contributors=[LENA, SOFIA],
        outcome="to_sign",
    ),
    DemoPanel(
        "Duchenne muscular dystrophy: steroid regimen",
        "UKB-55120",
        LENA,
        PanelStatus.CLOSED,
        "",
        "Daily or intermittent steroids for this boy, given his weight gain?",
        days_ago=90,
        members=[JONAS, SOFIA],
        contributors=[JONAS, SOFIA],
        outcome="signed",
    ),
    DemoPanel(
        "Febrile seizures in infancy: first review",
        "TUE-100231",
        JONAS,
        PanelStatus.ARCHIVED,
        "ataxia-hsp",
        "Recurrent febrile seizures from six months: is genetic testing warranted?",
        days_ago=400,
        members=[LENA, HELENA],
        contributors=[LENA, HELENA],
        outcome="signed",
    ),
]


class Command(BaseCommand):
    help = "Add demo panels in each state on the demo patients (ERN-RND), with their members and threads."

    def handle(self, *args, **options):
        if not settings.EMBEDDED:
            raise CommandError("Demo panels are only for the embedded default (no DATABASE_URL).")
        people = {email: self.person(email) for email in (HELENA, JONAS, LENA, SOFIA)}
        patients = {number: self.patient(number, code) for number, code in PATIENTS.items()}
        created = 0
        for demo in DEMO_PANELS:
            requester = people[demo.requester]
            if Panel.objects.requested_by(requester).filter(title=demo.title).exists():
                continue
            with transaction.atomic():
                DemoPanelWriter(demo, people, patients[demo.patient]).write()
            created += 1
        self.stdout.write(f"Demo panels: {created} added, {len(DEMO_PANELS) - created} already there.")

    @staticmethod
    def person(email: str) -> User:
        user = User.objects.filter(email__iexact=email).first()
        if user is None:
            raise CommandError("Load the demo people first: manage.py load_demo_data")
        return user

    @staticmethod
    def patient(number: str, centre_code: str) -> Patient:
        centre = institution("ERN-RND", "DE", centre_code)
        patient = (
            Patient.objects.unscoped()
            .filter(centre=centre, hospital_number_index=hospital_number_index(centre.pk, number))
            .filter(removed_at=None)
            .first()
        )
        if patient is None:
            raise CommandError("Load the demo patients first: manage.py load_demo_patients")
        return patient


class DemoPanelWriter:
    """One demo panel and every row its state implies, on a clock that starts `days_ago`."""

    def __init__(self, demo: DemoPanel, people: dict[str, User], patient: Patient):
        self.demo, self.people, self.patient = demo, people, patient
        self.start = timezone.now() - datetime.timedelta(days=demo.days_ago, hours=2)
        self.triager = people[HELENA]

    def at(self, hours: float) -> datetime.datetime:
        """A moment `hours` after the request was written, never in the future."""
        return min(self.start + datetime.timedelta(hours=hours), timezone.now())

    def write(self) -> Panel:
        demo = self.demo
        status = demo.status
        opened = status in (PanelStatus.OPEN, PanelStatus.CLOSED, PanelStatus.ARCHIVED)
        requester = self.people[demo.requester]
        lead = self.people[demo.lead or demo.requester] if opened else None
        wished = (
            timezone.localdate(self.start) + datetime.timedelta(days=demo.days_ago + demo.wished_in_days)
            if demo.wished_in_days is not None
            else None
        )
        panel = Panel(
            patient=self.patient,
            ern_id=self.patient.ern_id,
            centre_id=self.patient.centre_id,
            thematic_area=ThematicArea.objects.filter(ern_id=self.patient.ern_id, code=demo.area).first()
            if demo.area
            else None,
            requester=requester,
            lead=lead,
            title=demo.title,
            question=demo.question,
            urgency=demo.urgency,
            wished_answer_date=wished,
            shared_sections=ALL_SECTIONS,
            status=status,
            created_at=self.start,
            submitted_at=self.at(1) if status != PanelStatus.DRAFT else None,
            accepted_at=self.at(4) if opened else None,
            updated_at=self.at(1),
        )
        panel.save()
        self.panel = panel
        if status != PanelStatus.DRAFT:
            self.triage(requester, lead)
        if opened:
            self.members(lead)
            self.thread(requester)
            self.outcome(lead)
        if status in (PanelStatus.CLOSED, PanelStatus.ARCHIVED):
            panel.closed_at = self.at(24 * 20)
            self.notify([*self.member_users(), requester], Notification.Kind.CLOSED, lead, panel.closed_at)
        if status == PanelStatus.ARCHIVED:
            panel.archived_at = self.at(24 * 30)
        panel.updated_at = max(filter(None, (panel.updated_at, panel.closed_at, panel.archived_at)))
        panel.save()
        return panel

    def notify(self, recipients, kind, actor, when, *, read: bool = False) -> None:
        Notification.objects.bulk_create(
            Notification(
                recipient=user,
                kind=kind,
                panel=self.panel,
                actor=actor,
                urgent=self.panel.is_urgent,
                created_at=when,
                read_at=when if read else None,
                emailed_at=when,
            )
            for user in recipients
            if user != actor
        )

    def triage(self, requester: User, lead: User | None) -> None:
        panel = self.panel
        TriageNote.objects.create(
            panel=panel, author=requester, kind=TriageNote.Kind.SUBMITTED, created_at=panel.submitted_at
        )
        done = panel.status != PanelStatus.SUBMITTED
        self.notify([self.triager], Notification.Kind.SUBMITTED, requester, panel.submitted_at, read=done)
        if self.demo.returned_by:
            returner = self.people[self.demo.returned_by]
            when = self.at(3)
            TriageNote.objects.create(
                panel=panel,
                author=returner,
                kind=TriageNote.Kind.RETURNED,
                text="Could you share the genetics section and the age at onset? The dystonia "
                "thematic area will want them before accepting.",
                created_at=when,
            )
            self.notify([requester], Notification.Kind.RETURNED, returner, when)
            panel.updated_at = when
        if lead is not None:
            TriageNote.objects.create(
                panel=panel, author=self.triager, kind=TriageNote.Kind.ACCEPTED, created_at=panel.accepted_at
            )
            self.notify([requester], Notification.Kind.ACCEPTED, self.triager, panel.accepted_at, read=True)
            panel.updated_at = panel.accepted_at

    def member_users(self) -> list[User]:
        return [self.people[email] for email in self.demo.members]

    def members(self, lead: User) -> None:
        panel, when = self.panel, self.panel.accepted_at
        Membership.objects.create(
            panel=panel,
            user=lead,
            role=Membership.Role.LEAD,
            status=Membership.Status.ACCEPTED,
            via=Membership.Via.LEAD,
            invited_at=when,
            answered_at=when,
            last_read_at=when,
        )
        for index, user in enumerate(self.member_users()):
            answered = self.at(6 + index)
            Membership.objects.create(
                panel=panel,
                user=user,
                status=Membership.Status.ACCEPTED,
                invited_by=lead,
                invited_at=self.at(5),
                answered_at=answered,
            )
            self.notify([user], Notification.Kind.INVITED, lead, self.at(5), read=True)
            self.notify([lead], Notification.Kind.INVITATION_ACCEPTED, user, answered, read=True)
        for email in self.demo.invited:
            user = self.people[email]
            Membership.objects.create(panel=panel, user=user, invited_by=lead, invited_at=self.at(5))
            self.notify([user], Notification.Kind.INVITED, lead, self.at(5))

    def thread(self, requester: User) -> None:
        panel = self.panel
        opinions = [
            "From the phenotype I would first rule out a second hit: has a methylation study been done?",
            "I agree. In our centre we would also repeat the MRI with susceptibility-weighted imaging.",
        ]
        for index, email in enumerate(self.demo.contributors):
            author, when = self.people[email], self.at(24 * (2 + index))
            Contribution.objects.create(panel=panel, author=author, text=opinions[index % 2], created_at=when)
            panel.first_contribution_at = panel.first_contribution_at or when
            others = [user for user in (panel.lead, *self.member_users()) if user != author]
            self.notify(others, Notification.Kind.CONTRIBUTION, author, when, read=True)
            panel.updated_at = when
        if self.demo.asks_information:
            author, when = self.people[self.demo.asks_information], self.at(24 * 4)
            Contribution.objects.create(
                panel=panel,
                author=author,
                kind=Contribution.Kind.INFORMATION_REQUEST,
                text="Could the requester add the EEG reports and the current doses?",
                created_at=when,
            )
            self.notify([requester], Notification.Kind.INFORMATION_REQUESTED, author, when)
            panel.updated_at = when

    def outcome(self, lead: User) -> None:
        if not self.demo.outcome:
            return
        panel = self.panel
        submitted = self.at(24 * 8)
        version = OutcomeVersion.objects.create(
            panel=panel,
            number=1,
            author=lead,
            findings="The case is consistent with the working diagnosis; no red flag for another cause.",
            recommendations="Continue the current plan; add the investigations listed below.",
            treatment_plan="No change of treatment before the results.",
            follow_up="Review in three months, or earlier if symptoms progress.",
            created_at=self.at(24 * 7),
            submitted_at=submitted,
        )
        signers = [self.people[email] for email in self.demo.contributors if self.people[email] != lead]
        self.notify(
            signers, Notification.Kind.OUTCOME_TO_SIGN, lead, submitted, read=self.demo.outcome == "signed"
        )
        panel.updated_at = submitted
        if self.demo.outcome != "signed":
            return
        for index, user in enumerate(signers):
            when = self.at(24 * (9 + index))
            Signoff.objects.create(
                version=version, user=user, decision=Signoff.Decision.SIGNED, created_at=when
            )
            self.notify([lead], Notification.Kind.SIGNED, user, when, read=True)
        version.signed_at = self.at(24 * (9 + len(signers)))
        version.save(update_fields=["signed_at"])
        panel.outcome_signed_at = version.signed_at
