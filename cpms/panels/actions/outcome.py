"""The outcome and the end of a panel: draft in versions, submit for signature, sign or ask for
changes, the letter once everyone has signed; close, send to the research store, archive.

Each function locks the panel, re-checks the acting user's place (PermissionDenied) and the
panel's state (PanelActionRefused, with the message the page shows), writes, records and notifies.
"""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cpms.access.queries.scopes import access_of
from cpms.audit.record import record

from ..letters import store_letter
from ..models import Membership, Notification, OutcomeVersion, Panel, PanelStatus, Signoff
from ..notifications import notify
from ..queries.outcome import (
    SECTIONS,
    close_check,
    is_coordinator_of_ern,
    latest_version,
    may_send_to_research,
    signer_memberships,
)
from . import PanelActionRefused, lock_panel, require_status, touch

DRAFTED = "panels.outcome.drafted"
SUBMITTED = "panels.outcome.submitted"
SIGNED = "panels.outcome.signed"
CHANGES_REQUESTED = "panels.outcome.changes_requested"
COMPLETED = "panels.outcome.completed"
CLOSED = "panels.panel.closed"
SENT_TO_RESEARCH = "panels.panel.sent_to_research"
ARCHIVED = "panels.panel.archived"


def audit_data(panel: Panel, **data) -> dict:
    return {"pseudonym": panel.patient.pseudonym, "reference": panel.reference, **data}


def member_ids(panel: Panel) -> list[int]:
    return list(
        Membership.objects.filter(panel=panel, status=Membership.Status.ACCEPTED).values_list(
            "user_id", flat=True
        )
    )


def require_lead(acting_user, panel: Panel) -> None:
    """The panel lead, still an accepted member (re-read under the lock)."""
    is_member = Membership.objects.filter(
        panel=panel, user=acting_user, status=Membership.Status.ACCEPTED
    ).exists()
    if panel.lead_id != acting_user.pk or not is_member:
        raise PermissionDenied


def require_not_signed(version: OutcomeVersion | None) -> None:
    if version is not None and version.signed_at is not None:
        raise PanelActionRefused(_("The outcome is signed: it cannot change any more."))


# -- the outcome


@transaction.atomic
def do_save_outcome_draft(*, acting_user, panel: Panel, **sections: str) -> OutcomeVersion:
    """A new version of the draft (each save is one); it replaces a version submitted for signature."""
    panel = lock_panel(panel)
    require_lead(acting_user, panel)
    require_status(panel, PanelStatus.OPEN)
    previous = latest_version(panel)
    require_not_signed(previous)
    texts = {name: sections.get(name, "").strip() for name in SECTIONS}
    if previous is not None and all(getattr(previous, name) == texts[name] for name in SECTIONS):
        raise PanelActionRefused(
            _("Nothing changed since version %(number)d: no new version was made.")
            % {"number": previous.number}
        )
    version = OutcomeVersion.objects.create(
        panel=panel, number=(previous.number + 1) if previous else 1, author=acting_user, **texts
    )
    changed = [name for name in SECTIONS if previous is None or getattr(previous, name) != texts[name]]
    record(acting_user, DRAFTED, panel, audit_data(panel, version=version.number, changed=changed))
    touch(panel)
    return version


@transaction.atomic
def do_submit_outcome(*, acting_user, panel: Panel) -> OutcomeVersion:
    """Ask the lead and the members who contributed to sign the latest version."""
    panel = lock_panel(panel)
    require_lead(acting_user, panel)
    require_status(panel, PanelStatus.OPEN)
    version = latest_version(panel)
    if version is None:
        raise PanelActionRefused(_("There is no outcome to submit yet: draft it first."))
    require_not_signed(version)
    if version.submitted_at is not None:
        raise PanelActionRefused(
            _("Version %(number)d is already waiting for signatures.") % {"number": version.number}
        )
    version.submitted_at = timezone.now()
    version.save(update_fields=["submitted_at"])
    signers = [m.user_id for m in signer_memberships(panel)]
    record(acting_user, SUBMITTED, panel, audit_data(panel, version=version.number, signers=len(signers)))
    notify(signers, Notification.Kind.OUTCOME_TO_SIGN, panel, actor=acting_user)
    touch(panel)
    return version


def version_under_signature(panel: Panel) -> OutcomeVersion:
    version = latest_version(panel)
    if version is None or version.submitted_at is None:
        raise PanelActionRefused(_("No version of the outcome is waiting for signatures."))
    require_not_signed(version)
    return version


@transaction.atomic
def do_answer_outcome(*, acting_user, panel: Panel, decision: str, comment: str = "") -> Signoff:
    """A signer signs the version under signature, or asks for changes (the lead drafts a new one)."""
    panel = lock_panel(panel)
    require_status(panel, PanelStatus.OPEN)
    signers = signer_memberships(panel)
    if acting_user.pk not in {m.user_id for m in signers}:
        raise PermissionDenied
    version = version_under_signature(panel)
    if decision not in Signoff.Decision.values:
        raise PanelActionRefused(_("Choose to sign the outcome or to ask for changes."))
    if decision == Signoff.Decision.CHANGES_REQUESTED and acting_user.pk == panel.lead_id:
        raise PanelActionRefused(_("As the panel lead, draft a new version instead of asking for changes."))
    if Signoff.objects.filter(version=version, user=acting_user).exists():
        raise PanelActionRefused(
            _("You have already answered version %(number)d.") % {"number": version.number}
        )
    signoff = Signoff.objects.create(
        version=version, user=acting_user, decision=decision, comment=comment.strip()
    )
    if decision == Signoff.Decision.CHANGES_REQUESTED:
        record(acting_user, CHANGES_REQUESTED, panel, audit_data(panel, version=version.number))
        notify([panel.lead_id], Notification.Kind.CHANGES_REQUESTED, panel, actor=acting_user)
    else:
        record(acting_user, SIGNED, panel, audit_data(panel, version=version.number))
        complete_if_signed_by_all(acting_user, panel, version, signers)
    touch(panel)
    return signoff


def complete_if_signed_by_all(acting_user, panel: Panel, version: OutcomeVersion, signers) -> None:
    """Once every signer has signed this version: it is the panel's outcome, and its letter is made."""
    signed = set(
        Signoff.objects.filter(version=version, decision=Signoff.Decision.SIGNED).values_list(
            "user_id", flat=True
        )
    )
    if not {m.user_id for m in signers} <= signed:
        return
    now = timezone.now()
    version.signed_at = now
    version.panel = panel
    version.letter_storage_name = store_letter(version)
    version.save(update_fields=["signed_at", "letter_storage_name"])
    panel.outcome_signed_at = now
    panel.save(update_fields=["outcome_signed_at"])
    record(acting_user, COMPLETED, panel, audit_data(panel, version=version.number))
    notify([*member_ids(panel), panel.requester_id], Notification.Kind.SIGNED, panel, actor=acting_user)


# -- the end of a panel


@transaction.atomic
def do_close_panel(*, acting_user, panel: Panel) -> Panel:
    panel = lock_panel(panel)
    require_lead(acting_user, panel)
    check = close_check(panel)
    if not check.may_close:
        raise PanelActionRefused(" ".join(str(reason) for reason in check.reasons))
    panel.status = PanelStatus.CLOSED
    panel.closed_at = timezone.now()
    touch(panel, "status", "closed_at")
    record(acting_user, CLOSED, panel, audit_data(panel, contributing_members=len(check.contributing)))
    notify([*member_ids(panel), panel.requester_id], Notification.Kind.CLOSED, panel, actor=acting_user)
    return panel


@transaction.atomic
def do_send_panel_to_research(*, acting_user, panel: Panel) -> Panel:
    """Mark the closed panel's anonymised case for the research store (the research app reads it)."""
    panel = lock_panel(panel)
    require_lead(acting_user, panel)
    require_status(panel, PanelStatus.CLOSED)
    if panel.sent_to_research_at is not None:
        raise PanelActionRefused(_("This case was already sent to the research store."))
    if not may_send_to_research(panel):
        raise PanelActionRefused(
            _(
                "The patient has not consented to ERN registries and databases: "
                "the case stays out of research."
            )
        )
    panel.sent_to_research_at = timezone.now()
    touch(panel, "sent_to_research_at")
    record(acting_user, SENT_TO_RESEARCH, panel, audit_data(panel))
    return panel


@transaction.atomic
def do_archive_panel(*, acting_user, panel: Panel) -> Panel:
    """A closed panel leaves the working lists: by its lead, or a coordinator of its ERN."""
    panel = lock_panel(panel)
    if not is_coordinator_of_ern(access_of(acting_user), panel):
        require_lead(acting_user, panel)
    require_status(panel, PanelStatus.CLOSED)
    panel.status = PanelStatus.ARCHIVED
    panel.archived_at = timezone.now()
    touch(panel, "status", "archived_at")
    record(acting_user, ARCHIVED, panel, audit_data(panel))
    notify([*member_ids(panel), panel.requester_id], Notification.Kind.ARCHIVED, panel, actor=acting_user)
    return panel
