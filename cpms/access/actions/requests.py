"""The requester's writes: submit access requests (the wizard's last step) and withdraw one.

Both re-check the rules against the database (a view's checks may be stale), record an audit
event per request, and e-mail after commit in each recipient's e-mail language.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cpms.audit.record import record
from cpms.identity.models import User
from cpms.lib.email import send_email_on_commit

from ..models import AccessProfile, AccessRequest, Application, OrganisationNode
from ..queries.grants import COORDINATOR, effective_grants
from ..queries.requests import request_problems

MAX_COMMENT_LENGTH = 2000


def validators_for(application: Application, ern_id: int, *, excluding: User) -> list[User]:
    """Who is told a request arrived: the ERN's active coordinators in the application, and administrators."""
    coordinators = (
        effective_grants()
        .filter(application=application, ern_id=ern_id, profile__code=COORDINATOR)
        .values("user_id")
    )
    return list(
        User.objects.filter(is_active=True)
        .filter(Q(is_superuser=True) | Q(pk__in=coordinators))
        .exclude(pk=excluding.pk)
        .order_by("pk")
    )


@transaction.atomic
def do_submit_access_requests(
    *,
    acting_user: User,
    application: Application,
    organisation: OrganisationNode,
    profiles: list[AccessProfile],
    comment: str = "",
) -> list[AccessRequest]:
    """One pending request per profile at the organisation, for the acting user.

    Raises ValidationError when a rule is broken, and IntegrityError when an identical pending
    request was created at the same moment (the database constraint decides).
    """
    comment = (comment or "").strip()
    if len(comment) > MAX_COMMENT_LENGTH:
        raise ValidationError(_("The comment is too long (at most 2,000 characters)."))
    problems = request_problems(acting_user, application, organisation, profiles)
    if problems:
        raise ValidationError(problems)
    now = timezone.now()
    created = []
    for profile in profiles:
        access_request = AccessRequest.objects.create(
            requester=acting_user,
            application=application,
            organisation=organisation,
            ern_id=organisation.ern_id,
            profile=profile,
            comment=comment,
            created_at=now,
        )
        record(
            acting_user,
            "access.request.submitted",
            access_request,
            {"application": application.pk, "organisation": organisation.pk, "profile": profile.pk},
        )
        created.append(access_request)
    context = {
        "requester": acting_user,
        "application": application,
        "organisation": organisation,
        "ern": organisation.ern,
        "profiles": profiles,  # named in each recipient's language when the e-mail is rendered
        "comment": comment,
    }
    send_email_on_commit(
        acting_user.email,
        "access/email/request_submitted",
        {"user": acting_user, **context},
        language=acting_user.email_language,
    )
    for validator in validators_for(application, organisation.ern_id, excluding=acting_user):
        send_email_on_commit(
            validator.email,
            "access/email/request_arrived",
            {"user": validator, **context},
            language=validator.email_language,
        )
    return created


@transaction.atomic
def do_withdraw_access_request(*, acting_user: User, access_request: AccessRequest) -> AccessRequest:
    """The requester withdraws their own pending request."""
    locked = AccessRequest.objects.select_for_update().filter(pk=access_request.pk).first()
    if locked is None or locked.requester_id != acting_user.pk:
        raise ValidationError(_("This request cannot be withdrawn."))
    if locked.status != AccessRequest.Status.PENDING:
        raise ValidationError(_("This request is no longer waiting for validation: it cannot be withdrawn."))
    locked.status = AccessRequest.Status.WITHDRAWN
    locked.decided_at = timezone.now()
    locked.decided_by = acting_user
    locked.save(update_fields=["status", "decided_at", "decided_by"])
    record(acting_user, "access.request.withdrawn", locked, {"profile": locked.profile_id})
    return locked
