"""Every action code the audit trail records, with a human label and a category.

A code used in `record(…)` but missing here fails cpms/audit/tests/test_catalogue.py. Codes
built at run time (`identity.oidc.<error>`) are covered by a pattern ending in `.*`.
"""

from dataclasses import dataclass
from fnmatch import fnmatchcase

from django.utils.translation import gettext_lazy as _

CATEGORIES = {
    "security": _("Security"),
    "account": _("Account"),
    "access": _("Access"),
    "oidc": _("Single sign-on"),
    "clinical": _("Clinical"),
    "patients": _("Patients"),
    "panels": _("Panels"),
    "meetings": _("Meetings"),
    "imaging": _("Images"),
    "reports": _("Reports"),
    "research": _("Research"),
    "api": _("API"),
    "other": _("Other"),
}


@dataclass(frozen=True)
class Action:
    code: str
    label: str
    category: str

    @property
    def category_label(self) -> str:
        return CATEGORIES[self.category]


def _actions(category: str, labels: dict) -> dict[str, Action]:
    return {code: Action(code, label, category) for code, label in labels.items()}


CATALOGUE: dict[str, Action] = {
    **_actions(
        "security",
        {
            "identity.signin.succeeded": _("Signed in"),
            "identity.signin.password_failed": _("Wrong password at sign-in"),
            "identity.signin.code_failed": _("Wrong code at sign-in"),
            "identity.signout": _("Signed out"),
            "identity.session.ended": _("Session ended"),
            "identity.session.expired": _("Session expired"),
            "identity.session.ended_by_staff": _("Session ended by an administrator"),
            "identity.user.deactivated": _("Account deactivated by an administrator"),
            "identity.user.reactivated": _("Account reactivated by an administrator"),
            "identity.user.changed_in_admin": _("Account changed in the administration"),
            "identity.user.groups_changed_in_admin": _("Account's groups changed in the administration"),
            "identity.password.changed": _("Password changed"),
            "identity.password.set": _("Password set through a link"),
            "identity.password.link_requested": _("Password link requested"),
            "identity.password.link_refused": _("Password link refused (too many)"),
            "identity.panic": _("All devices deleted (PANIC)"),
            "identity.factor_setup.link_sent": _("Link to set up a device sent"),
            "identity.factor_setup.link_refused": _("Link to set up a device refused (too many)"),
            "identity.factor_setup.confirmed": _("Device set-up confirmed by e-mail"),
            "identity.totp.added": _("Authenticator app added"),
            "identity.totp.renamed": _("Authenticator app renamed"),
            "identity.totp.removed": _("Authenticator app removed"),
            "identity.phone.added": _("Phone number added"),
            "identity.phone.removed": _("Phone number removed"),
            "identity.sms.code_sent": _("SMS code sent"),
            "identity.security_key.added": _("Security key added"),
            "identity.security_key.renamed": _("Security key renamed"),
            "identity.security_key.removed": _("Security key removed"),
            "identity.security_key.sign_count_regressed": _("Security key signature counter went back"),
            "identity.recovery_codes.generated": _("Recovery codes generated"),
            "identity.recovery_code.used": _("Recovery code used"),
        },
    ),
    **_actions(
        "account",
        {
            "identity.account.created": _("New account"),
            "identity.account.signup_for_existing_email": _(
                "Sign-up attempted with an existing e-mail address"
            ),
            "identity.account.configured": _("Account settings changed"),
            "identity.account.deleted": _("Account deleted"),
            "identity.email.change_requested": _("E-mail change requested"),
            "identity.email.change_refused": _("E-mail change refused"),
            "identity.email.changed": _("E-mail address changed"),
        },
    ),
    **_actions(
        "oidc",
        {
            "identity.service.consented": _("Consent given to a service"),
            "identity.service.signed_out": _("Signed out of a service"),
            "identity.oidc.*": _("Single sign-on request refused"),
        },
    ),
    **_actions(
        "access",
        {
            "access.request.submitted": _("Request submitted"),
            "access.request.withdrawn": _("Request withdrawn"),
            "access.request.approved": _("Request approved"),
            "access.request.rejected": _("Request rejected"),
            "access.grant.revoked": _("Access revoked"),
            "access.grant.renewed": _("Guest access renewed"),
            "access.grant.expiry_notice": _("Notice of guest access expiring sent"),
            "access.grant.created_in_admin": _("Access created by an administrator"),
            "access.grant.changed_in_admin": _("Access changed by an administrator"),
            "access.grant.deleted_in_admin": _("Access deleted by an administrator"),
        },
    ),
    **_actions("clinical", {"clinical.preferences.saved": _("ERN preferences saved")}),
    **_actions(
        "patients",
        {
            "patients.patient.enrolled": _("Patient enrolled"),
            "patients.patient.viewed": _("Patient record read"),
            "patients.patient.removed": _("Patient removed from the centre"),
            "patients.consent.recorded": _("Consent recorded"),
            "patients.document.downloaded": _("Signed consent form downloaded"),
            "patients.keys.rotated": _("Patient keys rotated"),
            "patients.case.viewed": _("Case viewed"),
            "patients.case.saved": _("Case section saved"),
            "patients.case.draft_saved": _("Case draft kept"),
            "patients.case.draft_discarded": _("Case draft discarded"),
            "patients.case.attachment_added": _("Attachment added to the case"),
            "patients.case.attachment_downloaded": _("Case attachment downloaded"),
            "patients.case.attachment_removed": _("Attachment removed from the case"),
            "patients.case.exported": _("Case exported (Phenopacket or FHIR)"),
            "patients.case.prefilled_from_file": _("Case filled from a file"),
        },
    ),
    **_actions(
        "panels",
        {
            "panels.panel.viewed": _("Panel read"),
            # -- requests and triage
            "panels.panel.requested": _("Panel requested (draft)"),
            "panels.panel.draft_changed": _("Panel request changed"),
            "panels.panel.discarded": _("Panel request discarded"),
            "panels.panel.submitted": _("Panel request submitted"),
            "panels.panel.accepted": _("Panel request accepted"),
            "panels.panel.returned": _("Panel request returned to the requester"),
            "panels.panel.answered": _("Returned panel request answered and resubmitted"),
            "panels.panel.forwarded": _("Panel request forwarded"),
            # -- members, invitations and experts
            "panels.member.invited": _("Expert invited to a panel"),
            "panels.invitation.accepted": _("Invitation to a panel accepted"),
            "panels.invitation.declined": _("Invitation to a panel declined"),
            "panels.member.removed": _("Member removed from a panel"),
            "panels.expert_group.created": _("Expert group created"),
            "panels.expert_group.changed": _("Expert group changed"),
            "panels.expert_group.deleted": _("Expert group deleted"),
            # -- discussion
            "panels.contribution.added": _("Contribution added to a panel"),
            "panels.attachment.downloaded": _("Attachment of a contribution downloaded"),
            "panels.information.requested": _("More information requested from the requester"),
            "panels.information.answered": _("Request for more information answered"),
            # -- outcome, close and archive
            "panels.outcome.drafted": _("Outcome version drafted"),
            "panels.outcome.submitted": _("Outcome submitted for signature"),
            "panels.outcome.signed": _("Outcome signed by a member"),
            "panels.outcome.changes_requested": _("Changes asked to the outcome"),
            "panels.outcome.completed": _("Outcome signed by everyone, letter made"),
            "panels.outcome.letter_downloaded": _("Outcome letter downloaded"),
            "panels.panel.closed": _("Panel closed"),
            "panels.panel.sent_to_research": _("Panel case sent to the research store"),
            "panels.panel.archived": _("Panel archived"),
            # -- notifications
            "panels.notifications.settings_changed": _("Notification settings changed"),
        },
    ),
    **_actions(
        "meetings",
        {
            "meetings.meeting.viewed": _("Meeting read"),
            # -- scheduling
            "meetings.meeting.scheduled": _("Meeting scheduled"),
            "meetings.meeting.changed": _("Meeting changed"),
            "meetings.meeting.cancelled": _("Meeting cancelled"),
            "meetings.invitee.added": _("Invitee added to a meeting"),
            "meetings.invitee.removed": _("Invitee taken off a meeting"),
            "meetings.invitation.answered": _("Meeting invitation answered"),
            # -- my meetings and the calendar feed
            "meetings.feed.created": _("Personal calendar feed created"),
            "meetings.feed.renewed": _("Personal calendar feed given a new address"),
            "meetings.feed.revoked": _("Personal calendar feed turned off"),
            # -- the room
            "meetings.room.entered": _("Meeting room opened by its organiser"),
            "meetings.room.knocked": _("Knocked at the meeting's lobby"),
            "meetings.room.rejoined": _("Back in the meeting room after a lost connection"),
            "meetings.room.admitted": _("Admitted to the meeting room"),
            "meetings.room.refused": _("Turned away at the meeting's lobby"),
            "meetings.room.left": _("Left the meeting room"),
            "meetings.room.connection_refused": _("Connection to the meeting room refused"),
            "meetings.chat.sent": _("Meeting chat message sent"),
            "meetings.agenda.moved": _("Meeting moved to another agenda item"),
            "meetings.notes.saved": _("Meeting notes saved"),
        },
    ),
    **_actions(
        "imaging",
        {
            "imaging.study.viewed": _("Study opened"),
            # -- intake
            "imaging.upload.started": _("Image upload started"),
            "imaging.upload.files_added": _("Image files announced"),
            "imaging.upload.file_received": _("Image file received"),
            "imaging.upload.finished": _("Image upload finished"),
            "imaging.upload.processed": _("Image upload de-identified"),
            "imaging.upload.abandoned": _("Abandoned image upload swept"),
            "imaging.series.masked": _("Region of a series masked"),
            "imaging.study.confirmed": _("Study confirmed and shared"),
            # -- viewer and annotations
            "imaging.annotation.added": _("Annotation drawn on a study"),
            "imaging.annotation.changed": _("Annotation on a study changed"),
            "imaging.annotation.deleted": _("Annotation on a study deleted"),
        },
    ),
    **_actions(
        "reports",
        {
            # -- reports: KPIs and activity reports
            "reports.kpis.viewed": _("ERN KPIs viewed"),
            "reports.report.requested": _("Activity report requested"),
            "reports.report.downloaded": _("Activity report downloaded"),
        },
    ),
    **_actions(
        "research",
        {
            # -- research: the anonymised store, its sweep, queries
            "research.sweep.ran": _("Research store swept (cases added, updated, removed)"),
            "research.query.run": _("Research query run"),
            "research.query.exported": _("Research query exported as CSV"),
            "research.query.saved": _("Research query saved"),
            "research.query.deleted": _("Saved research query deleted"),
        },
    ),
    **_actions(
        "api",
        {
            # -- api: the REST API
            "api.token.refused": _("API access token refused (scope, factors or sign-in)"),
        },
    ),
}

PATTERNS = [action for code, action in CATALOGUE.items() if code.endswith(".*")]


def find(code: str) -> Action | None:
    """The catalogue entry of this code, or of the pattern it matches; None when not catalogued."""
    if action := CATALOGUE.get(code):
        return action
    return next((action for action in PATTERNS if fnmatchcase(code, action.code)), None)


def describe(code: str) -> Action:
    """Its entry, or the code itself as its label (an event recorded by an older version)."""
    return find(code) or Action(code, code, "other")
