"""Reads of a panel's outcome: its versions, who signs them, where the signing stands, and whether
the panel may close. The permission checks sit here, so that views and actions share them.

Who signs: the panel lead and every accepted member who wrote a contribution (a request for
information or its answer does not count). Signatures are per version: a new version of the
draft replaces the submitted one, and only the signatures of the current version count.
"""

import difflib
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from cpms.access.queries.grants import COORDINATOR
from cpms.access.queries.scopes import Access, access_for
from cpms.patients.models import Patient
from cpms.patients.queries import with_research_consent

from ..models import Contribution, Membership, OutcomeVersion, Panel, PanelStatus, Signoff
from . import APPLICATION, PanelAccess

MIN_CONTRIBUTING_MEMBERS = 2
SECTION_LABELS = {
    "findings": gettext_lazy("Findings"),
    "recommendations": gettext_lazy("Recommendations"),
    "treatment_plan": gettext_lazy("Proposed treatment plan"),
    "follow_up": gettext_lazy("Follow-up"),
}
SECTIONS = tuple(SECTION_LABELS)


# -- who may do what (PermissionDenied: on the panel, with the wrong role → 403)


def require_reader(found: PanelAccess) -> None:
    """The outcome tab: members, the requester, and the ERN's triage (an invitee sees the invitation only)."""
    if not found.may_read_case:
        raise PermissionDenied


def require_lead(found: PanelAccess) -> None:
    if not found.is_lead:
        raise PermissionDenied


def require_letter_reader(found: PanelAccess) -> None:
    """The letter is for the requester's hospital file, and for the members who wrote it."""
    if not (found.is_requester or found.is_member):
        raise PermissionDenied


def is_coordinator_of_ern(access: Access, panel: Panel) -> bool:
    return panel.ern_id in access.ern_ids(APPLICATION, profiles=(COORDINATOR,))


def require_archiver(request, found: PanelAccess) -> None:
    """Archiving: the panel lead, or a coordinator of the panel's ERN."""
    if not (found.is_lead or is_coordinator_of_ern(access_for(request), found.panel)):
        raise PermissionDenied


# -- the people


def contributing_memberships(panel: Panel):
    """Accepted members who wrote at least one contribution, with their user. One query."""
    authors = Contribution.objects.filter(panel=panel, kind=Contribution.Kind.CONTRIBUTION).values(
        "author_id"
    )
    return (
        Membership.objects.filter(panel=panel, status=Membership.Status.ACCEPTED, user_id__in=authors)
        .select_related("user")
        .order_by("invited_at", "id")
    )


def signer_memberships(panel: Panel) -> list[Membership]:
    """Who signs the outcome: the lead and the members who contributed, the lead first. One query."""
    authors = Contribution.objects.filter(panel=panel, kind=Contribution.Kind.CONTRIBUTION).values(
        "author_id"
    )
    memberships = (
        Membership.objects.filter(panel=panel, status=Membership.Status.ACCEPTED)
        .filter(Q(user_id=panel.lead_id) | Q(user_id__in=authors))
        .select_related("user")
        .order_by("invited_at", "id")
    )
    return sorted(memberships, key=lambda m: m.user_id != panel.lead_id)


def accepted_memberships(panel: Panel) -> list[Membership]:
    memberships = Membership.objects.filter(panel=panel, status=Membership.Status.ACCEPTED).select_related(
        "user"
    )
    return sorted(memberships.order_by("invited_at", "id"), key=lambda m: m.user_id != panel.lead_id)


# -- the versions


def latest_version(panel: Panel) -> OutcomeVersion | None:
    return OutcomeVersion.objects.filter(panel=panel).order_by("-number").first()


def signed_version(panel: Panel) -> OutcomeVersion | None:
    return OutcomeVersion.objects.filter(panel=panel, signed_at__isnull=False).order_by("-number").first()


@dataclass
class SignerRow:
    membership: Membership
    signoff: Signoff | None

    @property
    def user(self):
        return self.membership.user


@dataclass
class OutcomeState:
    """Everything the outcome tab shows. A fixed few queries, whatever the number of versions."""

    versions: list[OutcomeVersion]
    current: OutcomeVersion | None
    signers: list[SignerRow] = field(default_factory=list)
    my_signoff: Signoff | None = None
    i_sign: bool = False
    change_requests: list[Signoff] = field(default_factory=list)

    @property
    def under_signature(self) -> bool:
        return bool(self.current and self.current.submitted_at and not self.current.signed_at)

    @property
    def is_signed(self) -> bool:
        return bool(self.current and self.current.signed_at)


def outcome_state(found: PanelAccess) -> OutcomeState:
    panel = found.panel
    versions = list(OutcomeVersion.objects.filter(panel=panel).select_related("author").order_by("-number"))
    current = versions[0] if versions else None
    state = OutcomeState(versions=versions, current=current)
    if current is None:
        return state
    state.change_requests = list(
        Signoff.objects.filter(version__panel=panel, decision=Signoff.Decision.CHANGES_REQUESTED)
        .select_related("user", "version")
        .order_by("-created_at", "-id")
    )
    if current.submitted_at is None:
        return state
    signoffs = {s.user_id: s for s in Signoff.objects.filter(version=current)}
    state.signers = [SignerRow(m, signoffs.get(m.user_id)) for m in signer_memberships(panel)]
    state.i_sign = found.is_member and any(row.user.pk == found.user_id for row in state.signers)
    state.my_signoff = signoffs.get(found.user_id)
    return state


def find_version(panel: Panel, number) -> OutcomeVersion:
    try:
        return OutcomeVersion.objects.get(panel=panel, number=int(number))
    except (OutcomeVersion.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


# -- what changed between two versions


@dataclass(frozen=True)
class Piece:
    kind: str  # "same", "added" or "removed"
    text: str


@dataclass(frozen=True)
class SectionChange:
    name: str
    label: str
    pieces: list[Piece]

    @property
    def changed(self) -> bool:
        return any(piece.kind != "same" for piece in self.pieces)


def word_diff(old: str, new: str) -> list[Piece]:
    """The words removed and added from `old` to `new` (whitespace kept with its word)."""
    old_words, new_words = old.split(" "), new.split(" ")
    pieces = []
    matcher = difflib.SequenceMatcher(a=old_words, b=new_words, autojunk=False)
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            pieces.append(Piece("same", " ".join(old_words[a1:a2])))
            continue
        if a2 > a1:
            pieces.append(Piece("removed", " ".join(old_words[a1:a2])))
        if b2 > b1:
            pieces.append(Piece("added", " ".join(new_words[b1:b2])))
    return [piece for piece in pieces if piece.text]


def compare_versions(old: OutcomeVersion, new: OutcomeVersion) -> list[SectionChange]:
    return [
        SectionChange(
            name,
            SECTION_LABELS[name],
            word_diff(getattr(old, name), getattr(new, name)),
        )
        for name in SECTIONS
    ]


# -- closing


def reasons_not_to_close(panel: Panel, contributing: int, signed: bool) -> list[str]:
    """Why the panel cannot close yet, in the words the page shows; empty when it can."""
    reasons = []
    if panel.status != PanelStatus.OPEN:
        reasons.append(
            _("This panel is %(status)s: only an open panel closes.") % {"status": panel.get_status_display()}
        )
        return reasons
    if contributing < MIN_CONTRIBUTING_MEMBERS:
        reasons.append(
            ngettext(
                "Only %(count)d member has contributed to the discussion: a panel closes once at least "
                "two members have contributed (panels with fewer are not counted in monitoring).",
                "Only %(count)d members have contributed to the discussion: a panel closes once at least "
                "two members have contributed (panels with fewer are not counted in monitoring).",
                contributing,
            )
            % {"count": contributing}
        )
    if not signed:
        reasons.append(
            _(
                "The outcome is not signed yet: every member who contributed, "
                "and the panel lead, signs it first."
            )
        )
    return reasons


@dataclass(frozen=True)
class CloseCheck:
    contributing: list[Membership]
    signed: OutcomeVersion | None
    reasons: list[str]

    @property
    def may_close(self) -> bool:
        return not self.reasons


def close_check(panel: Panel) -> CloseCheck:
    contributing = list(contributing_memberships(panel))
    signed = signed_version(panel)
    return CloseCheck(
        contributing, signed, reasons_not_to_close(panel, len(contributing), signed is not None)
    )


def may_send_to_research(panel: Panel) -> bool:
    """A closed panel, not sent yet, whose patient's consent for ERN registries is in force (read now)."""
    if panel.status != PanelStatus.CLOSED or panel.sent_to_research_at is not None:
        return False
    return with_research_consent(Patient.objects.unscoped().filter(pk=panel.patient_id)).exists()
