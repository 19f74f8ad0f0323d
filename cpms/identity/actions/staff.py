"""What staff do to other people's accounts from the Django admin: deactivate, reactivate, end a session."""

from django.db import transaction

from cpms.audit.record import record

from ..models import User, UserSession
from .sessions import end_sessions


@transaction.atomic
def do_deactivate_user(*, acting_user: User, user: User) -> bool:
    """The account can no longer sign in and every session ends; False if it was inactive already."""
    if not User.objects.filter(pk=user.pk, is_active=True).update(is_active=False):
        return False
    user.is_active = False
    ended = end_sessions(UserSession.objects.filter(user=user, ended_at=None))
    record(acting_user, "identity.user.deactivated", user, {"sessions_ended": ended})
    return True


@transaction.atomic
def do_reactivate_user(*, acting_user: User, user: User) -> bool:
    if not User.objects.filter(pk=user.pk, is_active=False).update(is_active=True):
        return False
    user.is_active = True
    record(acting_user, "identity.user.reactivated", user, {})
    return True


@transaction.atomic
def do_end_session_for_staff(*, acting_user: User, login_session: UserSession) -> bool:
    if login_session.ended_at is not None:
        return False
    end_sessions([login_session])
    record(
        acting_user,
        "identity.session.ended_by_staff",
        login_session,
        {"user": login_session.user_id, "ip": login_session.ip},
    )
    return True
