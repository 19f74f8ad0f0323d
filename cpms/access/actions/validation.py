"""Decisions on access requests, and the lifecycle of grants: approve, reject, revoke, renew, expire.

Every function re-checks who may act (the views check first, through queries.validation), locks
the row it changes, records an audit event and e-mails the person concerned after commit, in
their e-mail language.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cpms.audit.models import AuditEvent
from cpms.audit.record import record
from cpms.lib.email import send_email_on_commit

from ..models import GUEST_CODE, GUEST_GRANT_LIFETIME, AccessRequest, Grant, OrganisationNode
from ..queries.scopes import access_of

EXPIRY_NOTICE_WINDOW = timedelta(days=14)
EXPIRY_NOTICE = "access.grant.expiry_notice"
GRANT_RELATED = ("user", "application", "organisation__parent", "ern", "profile")


def email_user(user, template: str, context: dict) -> None:
    send_email_on_commit(
        user.email, f"access/email/{template}", {"user": user, **context}, language=user.email_language
    )


def lock_pending_request(acting_user, access_request: AccessRequest) -> AccessRequest:
    """The request, locked and re-read, once we know `acting_user` may decide it now."""
    locked = (
        AccessRequest.objects.select_for_update(of=("self",))
        .select_related("requester", "application", "organisation__parent", "ern", "profile__requires")
        .get(pk=access_request.pk)
    )
    if not access_of(acting_user).can_validate(locked.ern_id, locked.application_id):
        raise PermissionDenied
    if locked.requester_id == acting_user.pk:
        raise ValidationError(
            _("Nobody decides their own request: another coordinator or an administrator will.")
        )
    if locked.status != AccessRequest.Status.PENDING:
        raise ValidationError(
            _("This request was already %(status)s: nothing was changed.")
            % {"status": locked.get_status_display().lower()}
        )
    return locked


def check_prerequisite(access_request: AccessRequest) -> None:
    """Coordinator and Dispatcher need an active HP grant in the same ERN and application."""
    required = access_request.profile.requires
    if required is None:
        return
    held = (
        Grant.objects.active()
        .filter(
            user_id=access_request.requester_id,
            application_id=access_request.application_id,
            ern_id=access_request.ern_id,
            profile=required,
        )
        .exists()
    )
    if not held:
        raise ValidationError(
            _(
                "%(profile)s needs an active %(required)s access in %(ern)s, and the requester has "
                "none. Approve an %(required)s request for this ERN first, or reject this one."
            )
            % {
                "profile": access_request.profile.display_name,
                "required": required.display_name,
                "ern": access_request.ern.label,
            }
        )


def check_not_already_granted(access_request: AccessRequest) -> None:
    duplicate = (
        Grant.objects.active()
        .filter(
            user_id=access_request.requester_id,
            organisation_id=access_request.organisation_id,
            profile_id=access_request.profile_id,
        )
        .exists()
    )
    if duplicate:
        raise ValidationError(
            _("The requester already holds this access. Reject this request (for a guest, renew the grant).")
        )


@transaction.atomic
def do_approve_access_request(*, acting_user, access_request: AccessRequest, note: str = "") -> Grant:
    access_request = lock_pending_request(acting_user, access_request)
    check_prerequisite(access_request)
    check_not_already_granted(access_request)
    now = timezone.now()
    organisation = access_request.organisation
    grant = Grant.objects.create(
        user=access_request.requester,
        application=access_request.application,
        organisation=organisation,
        ern=access_request.ern,
        profile=access_request.profile,
        request=access_request,
        approved_by=acting_user,
        created_at=now,
        expires_at=now + GUEST_GRANT_LIFETIME if organisation.is_guest else None,
    )
    access_request.status = AccessRequest.Status.APPROVED
    access_request.decided_at = now
    access_request.decided_by = acting_user
    access_request.decision_note = note.strip()
    access_request.save(update_fields=["status", "decided_at", "decided_by", "decision_note"])
    record(
        acting_user,
        "access.request.approved",
        access_request,
        {
            "grant": grant.pk,
            "requester": access_request.requester_id,
            "organisation": organisation.pk,
            "profile": access_request.profile.code,
            "expires_at": grant.expires_at,
        },
    )
    email_user(
        access_request.requester, "request_approved", {"access_request": access_request, "grant": grant}
    )
    return grant


@transaction.atomic
def do_reject_access_request(*, acting_user, access_request: AccessRequest, reason: str) -> AccessRequest:
    reason = reason.strip()
    if not reason:
        raise ValidationError(_("Give the reason for the rejection: the requester will read it."))
    access_request = lock_pending_request(acting_user, access_request)
    access_request.status = AccessRequest.Status.REJECTED
    access_request.decided_at = timezone.now()
    access_request.decided_by = acting_user
    access_request.decision_note = reason
    access_request.save(update_fields=["status", "decided_at", "decided_by", "decision_note"])
    record(
        acting_user,
        "access.request.rejected",
        access_request,
        {"requester": access_request.requester_id, "profile": access_request.profile.code},
    )
    email_user(access_request.requester, "request_rejected", {"access_request": access_request})
    return access_request


def lock_grant(acting_user, grant: Grant) -> Grant:
    locked = Grant.objects.select_for_update(of=("self",)).select_related(*GRANT_RELATED).get(pk=grant.pk)
    if not access_of(acting_user).can_validate(locked.ern_id, locked.application_id):
        raise PermissionDenied
    if locked.revoked_at is not None:
        raise ValidationError(_("This access was already revoked: nothing was changed."))
    if locked.user_id == acting_user.pk:
        raise ValidationError(
            _("Nobody revokes or renews their own access: another coordinator or an administrator will.")
        )
    return locked


@transaction.atomic
def do_revoke_grant(*, acting_user, grant: Grant, reason: str) -> Grant:
    """Takes effect on the user's next request: every check reads Grant.objects.active()."""
    reason = reason.strip()
    if not reason:
        raise ValidationError(_("Give the reason for the revocation: the person will read it."))
    grant = lock_grant(acting_user, grant)
    grant.revoked_at = timezone.now()
    grant.revoked_by = acting_user
    grant.revoke_reason = reason
    grant.save(update_fields=["revoked_at", "revoked_by", "revoke_reason"])
    record(
        acting_user,
        "access.grant.revoked",
        grant,
        {"user": grant.user_id, "organisation": grant.organisation_id, "profile": grant.profile.code},
    )
    email_user(grant.user, "grant_revoked", {"grant": grant})
    return grant


@transaction.atomic
def do_renew_grant(*, acting_user, grant: Grant) -> Grant:
    """A guest grant lives GUEST_GRANT_LIFETIME more days from now; its holder is told the new date."""
    grant = lock_grant(acting_user, grant)
    if not grant.organisation.is_guest:
        raise ValidationError(_("Only guest access expires; this one does not need renewing."))
    previous = grant.expires_at
    grant.expires_at = timezone.now() + GUEST_GRANT_LIFETIME
    grant.save(update_fields=["expires_at"])
    record(
        acting_user,
        "access.grant.renewed",
        grant,
        {"user": grant.user_id, "previous_expires_at": previous, "expires_at": grant.expires_at},
    )
    email_user(grant.user, "grant_renewed", {"grant": grant})
    return grant


# -- Guest expiry notices (manage.py expire_guest_grants)


@dataclass
class ExpirySummary:
    notified: int = 0
    already_notified: int = 0


def expiring_guest_grants(now=None):
    """Active guest grants that expire within EXPIRY_NOTICE_WINDOW, soonest first."""
    now = now or timezone.now()
    return (
        Grant.objects.active(at=now)
        .filter(organisation__code=GUEST_CODE, organisation__kind=OrganisationNode.Kind.INSTITUTION)
        .filter(expires_at__lte=now + EXPIRY_NOTICE_WINDOW)
        .select_related(*GRANT_RELATED)
        .order_by("expires_at", "id")
    )


def notice_already_sent(grant: Grant) -> bool:
    """A notice for this grant's current expiry date: renewing moves the date, so a new one goes out."""
    return AuditEvent.objects.filter(
        action=EXPIRY_NOTICE,
        target_type=Grant._meta.label_lower,
        target_id=str(grant.pk),
        data__expires_at=grant.expires_at.isoformat(),
    ).exists()


def do_notify_expiring_guest_grants(*, now=None) -> ExpirySummary:
    """E-mail once each holder of a guest grant that expires within EXPIRY_NOTICE_WINDOW.

    There is no "notified" field on Grant: the audit trail remembers each notice, keyed by the
    grant and its expiry date.
    """
    summary = ExpirySummary()
    for grant in expiring_guest_grants(now):
        with transaction.atomic():
            # Serialise concurrent runs on this grant, then look again.
            Grant.objects.select_for_update().filter(pk=grant.pk).values_list("pk").first()
            if notice_already_sent(grant):
                summary.already_notified += 1
                continue
            record(
                None,
                EXPIRY_NOTICE,
                grant,
                {"user": grant.user_id, "expires_at": grant.expires_at.isoformat()},
            )
            email_user(grant.user, "guest_grant_expiring", {"grant": grant})
            summary.notified += 1
    return summary
