"""Reads of CPMS Login: who an identifier names, which verification methods an account has set up,
My Account's security overview, and the user's own devices, phones, keys, sessions and services.

A `get_<thing>_for_user` raises Http404 whether the row is missing or someone else's.
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from importlib import import_module

from django.conf import settings
from django.db.models import Count, Exists, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce, Lower
from django.http import Http404
from django.utils import timezone
from oauth2_provider.models import get_application_model

from .models import (
    EmailLink,
    Method,
    PhoneNumber,
    RecoveryCode,
    SecurityKey,
    ServiceConsent,
    ServiceSignIn,
    SmsCode,
    TotpDevice,
    User,
    UserSession,
)
from .totp_codes import UNCONFIRMED_LIFETIME, matching_step

RECENT_SIGNINS = 5
FEW_RECOVERY_CODES = 3


def count_of(queryset) -> Coalesce:
    rows = queryset.filter(user=OuterRef("pk")).order_by().values("user").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(rows, output_field=IntegerField()), 0)


@dataclass(frozen=True)
class SecurityOverview:
    apps: int
    phones: int
    keys: int
    recovery_codes_left: int
    recent_signins: list[UserSession]

    @property
    def second_factors(self) -> int:
        return self.apps + self.phones + self.keys

    @property
    def gaps(self) -> list[str]:
        """What to fix, most urgent first: "no_second_factor", "one_second_factor", "recovery_codes"."""
        if not self.second_factors:
            return ["no_second_factor"]
        gaps = ["one_second_factor"] if self.second_factors == 1 else []
        if self.recovery_codes_left <= FEW_RECOVERY_CODES:
            gaps.append("recovery_codes")
        return gaps


def security_overview(user: User) -> SecurityOverview:
    """The user's own second factors, recovery codes left and last sign-ins: two queries."""
    counts = (
        User.objects.filter(pk=user.pk)
        .annotate(
            apps=count_of(TotpDevice.objects.filter(confirmed=True)),
            phones=count_of(PhoneNumber.objects.filter(verified_at__isnull=False)),
            keys=count_of(SecurityKey.objects.all()),
            recovery_codes_left=count_of(RecoveryCode.objects.filter(used_at=None)),
        )
        .values("apps", "phones", "keys", "recovery_codes_left")
        .get()
    )
    recent = list(UserSession.objects.filter(user=user).order_by("-started_at", "-id")[:RECENT_SIGNINS])
    return SecurityOverview(**counts, recent_signins=recent)


METHOD_STRENGTH = [Method.WEBAUTHN, Method.TOTP, Method.PASSWORD, Method.SMS]


def users_with_email(email: str) -> QuerySet[User]:
    """The account with this e-mail address, whatever its case: LOWER(email) = LOWER(%s) is answered
    by the unique index on LOWER(email) (email__iexact, a LIKE on SQLite, reads the whole table)."""
    return User.objects.alias(email_ci=Lower("email")).filter(email_ci=Lower(Value(email.strip())))


def users_with_username(username: str) -> QuerySet[User]:
    """The account with this username, whatever its case: LOWER(username) = LOWER(%s) is answered by
    the index on LOWER(username) (username__iexact, a LIKE on SQLite, reads the whole table)."""
    username_ci = Lower(Value(username.strip()))
    return User.objects.alias(username_ci=Lower("username")).filter(username_ci=username_ci)


def find_signin_user(identifier: str) -> User | None:
    identifier = identifier.strip()
    users = users_with_email(identifier) if "@" in identifier else users_with_username(identifier)
    user = users.filter(is_active=True).first()
    return user if user and user.has_usable_password() else None


def methods_for(user_id: int | None) -> list[str]:
    """The methods this account has set up; an unknown account looks like a password-only one."""
    user = (
        User.objects.filter(pk=user_id)
        .annotate(
            has_phone=Exists(PhoneNumber.objects.filter(user=OuterRef("pk"), verified_at__isnull=False)),
            has_app=Exists(TotpDevice.objects.filter(user=OuterRef("pk"), confirmed=True)),
            has_key=Exists(SecurityKey.objects.filter(user=OuterRef("pk"))),
        )
        .first()
        if user_id
        else None
    )
    methods = [Method.PASSWORD]
    if user is not None:
        if user.has_phone:
            methods.append(Method.SMS)
        if user.has_app:
            methods.append(Method.TOTP)
        if user.has_key:
            methods.append(Method.WEBAUTHN)
    return methods


def second_factors(methods: list[str]) -> list[str]:
    return [m for m in methods if m != Method.PASSWORD]


def default_method(user: User | None, methods: list[str]) -> str:
    """The user's preference, else the strongest method they have — never SMS unless chosen."""
    if user is not None and user.preferred_method in methods:
        return user.preferred_method
    return next((m for m in METHOD_STRENGTH if m in methods), methods[0])


# -- Accounts


def get_active_user(user_id: int | None) -> User | None:
    return User.objects.filter(pk=user_id, is_active=True).first() if user_id else None


def find_user_by_email(email: str) -> User | None:
    return users_with_email(email).first()


def username_taken(username: str) -> bool:
    return User.objects.filter(username=username).exists()


def email_taken(email: str, *, by_other_than: User) -> bool:
    return users_with_email(email).exclude(pk=by_other_than.pk).exists()


def links_in_last_hour(user: User, purpose: str) -> int:
    """How many e-mail links for `purpose` the user was sent in the last hour."""
    since = timezone.now() - timedelta(hours=1)
    return EmailLink.objects.filter(user=user, purpose=purpose, created_at__gte=since).count()


def live_setup_link_exists(user: User) -> bool:
    return EmailLink.objects.filter(
        user=user,
        purpose=EmailLink.Purpose.CONFIRM_SETUP,
        used_at=None,
        expires_at__gt=timezone.now(),
    ).exists()


def needs_mailbox_proof(user: User) -> bool:
    """The account has only its password, but pressed PANIC or had a second factor, and its
    mailbox was not proven since: a password-only session must prove the mailbox to change it."""
    if user.factors_reset_at is None and not user.had_second_factor:
        return False
    return methods_for(user.pk) == [Method.PASSWORD]


def only_second_factor(user: User, method: str) -> bool:
    """`method` is the only kind of second factor the account has."""
    return second_factors(methods_for(user.pk)) == [method]


# -- Authenticator apps


def list_totp_devices(user: User):
    return TotpDevice.objects.filter(user=user, confirmed=True)


def get_totp_device_for_user(user: User, device_id: int) -> TotpDevice:
    """The user's confirmed app, or Http404 whether it is missing or someone else's."""
    device = list_totp_devices(user).filter(pk=device_id).first()
    if device is None:
        raise Http404
    return device


def totp_name_taken(user: User, name: str, *, except_device: TotpDevice | None = None) -> bool:
    others = list_totp_devices(user).filter(name__iexact=name)
    if except_device is not None:
        others = others.exclude(pk=except_device.pk)
    return others.exists()


def is_last_totp_device(user: User, device: TotpDevice) -> bool:
    """Removing this app leaves the account without a second factor."""
    others = list_totp_devices(user).exclude(pk=device.pk)
    return only_second_factor(user, Method.TOTP) and not others.exists()


def pending_totp_devices(user: User):
    """The user's unconfirmed apps still young enough to confirm."""
    return TotpDevice.objects.filter(
        user=user, confirmed=False, created_at__gt=timezone.now() - UNCONFIRMED_LIFETIME
    )


def pending_device(user: User, device_id) -> TotpDevice | None:
    """The user's unconfirmed app `device_id`, if it is still young enough to confirm."""
    return pending_totp_devices(user).filter(pk=device_id).first() if device_id else None


def code_already_used(user: User, code: str) -> bool:
    """`code` is right for one of the user's apps now, but its time step was already accepted."""
    now = timezone.now()
    for device in list_totp_devices(user):
        step = matching_step(device.secret, code, now)
        if step is not None and step <= device.last_used_step:
            return True
    return False


# -- Phone numbers


def list_phones(user: User) -> list[PhoneNumber]:
    return list(PhoneNumber.objects.filter(user=user))


def verified_phones(user: User):
    return PhoneNumber.objects.filter(user=user, verified_at__isnull=False)


def get_phone_for_user(user: User, pk: int) -> PhoneNumber:
    """The user's phone number, or Http404 whether it is missing or someone else's."""
    phone = PhoneNumber.objects.filter(pk=pk, user=user).first()
    if phone is None:
        raise Http404
    return phone


def is_last_phone(user: User, phone: PhoneNumber) -> bool:
    """Removing this number leaves the account without a second factor."""
    return (
        phone.verified_at is not None
        and not verified_phones(user).exclude(pk=phone.pk).exists()
        and only_second_factor(user, Method.SMS)
    )


def has_pending_code(phone: PhoneNumber, purpose: str) -> bool:
    """Whether a code sent to this phone for `purpose` can still be used."""
    return SmsCode.objects.filter(
        phone=phone, purpose=purpose, used_at=None, expires_at__gt=timezone.now()
    ).exists()


# -- Security keys


def list_security_keys(user: User):
    return SecurityKey.objects.filter(user=user).order_by("created_at", "id")


def get_security_key_for_user(user: User, pk: int) -> SecurityKey:
    """The user's key, or Http404 whether it is missing or someone else's."""
    key = SecurityKey.objects.filter(pk=pk, user=user).first()
    if key is None:
        raise Http404
    return key


def security_key_name_taken(user: User, name: str, *, except_key: SecurityKey | None = None) -> bool:
    same = SecurityKey.objects.filter(user=user, name__iexact=name)
    if except_key is not None:
        same = same.exclude(pk=except_key.pk)
    return same.exists()


def is_last_security_key(user: User) -> bool:
    """Removing one key leaves the account without a second factor."""
    return only_second_factor(user, Method.WEBAUTHN) and SecurityKey.objects.filter(user=user).count() == 1


# -- Recovery codes


def unused_count(user: User) -> int:
    """How many of the user's recovery codes are left."""
    return RecoveryCode.objects.filter(user=user, used_at=None).count()


# -- Sessions


def session_store_class():
    return import_module(settings.SESSION_ENGINE).SessionStore


def live_sessions_for(user: User) -> list[UserSession]:
    """The user's sessions not ended and whose Django session still exists, last active first."""
    store = session_store_class()
    login_sessions = UserSession.objects.filter(user=user, ended_at=None)
    if hasattr(store, "get_model_class"):  # database-backed stores (db, cached_db): one query
        alive = store.get_model_class().objects.filter(expire_date__gt=timezone.now())
        return list(login_sessions.filter(session_key__in=alive.values("session_key")))
    return [s for s in login_sessions if store().exists(s.session_key)]


def get_session_for_user(user: User, session_id: int) -> UserSession:
    """One of the user's sessions not yet ended; Http404 if it is missing, ended or someone else's."""
    login_session = UserSession.objects.filter(pk=session_id, user=user, ended_at=None).first()
    if login_session is None:
        raise Http404
    return login_session


def live_login_session(session_key: str | None) -> UserSession | None:
    """The entry of a browser session that signed in through our pages and was not ended."""
    return UserSession.objects.filter(session_key=session_key, ended_at=None).first() if session_key else None


def signed_in_here(session_key: str | None) -> bool:
    return bool(session_key) and UserSession.objects.filter(session_key=session_key, ended_at=None).exists()


def abandoned_session_ids(now: float) -> list[int]:
    """Sessions not ended whose row says they may be past a timeout (the sweep checks each)."""
    moment = datetime.fromtimestamp(now, tz=UTC)
    idle_since = moment - timedelta(seconds=settings.SESSION_IDLE_TIMEOUT)
    started_before = moment - timedelta(seconds=settings.SESSION_ABSOLUTE_TIMEOUT)
    # last_active_at is written at most once a minute, never later than the session's own "seen at".
    candidates = UserSession.objects.filter(ended_at=None).filter(
        Q(last_active_at__lt=idle_since) | Q(started_at__lt=started_before)
    )
    return list(candidates.values_list("pk", flat=True))


def panic_counts(user: User) -> dict[str, int]:
    """What PANIC removes, for the confirmation page and the audit trail."""
    return {
        "authenticator_apps": TotpDevice.objects.filter(user=user).count(),
        "phone_numbers": PhoneNumber.objects.filter(user=user).count(),
        "security_keys": SecurityKey.objects.filter(user=user).count(),
        "recovery_codes": RecoveryCode.objects.filter(user=user, used_at=None).count(),
        "sessions": UserSession.objects.filter(user=user, ended_at=None).count(),
    }


# -- Services (OpenID Connect)


def find_service(client_id: str):
    """The registered service (DOT application) with this client_id, or None."""
    return get_application_model().objects.filter(client_id=client_id).first()


def live_service_signins(login_sessions) -> dict[int, list[ServiceSignIn]]:
    """The services signed in through each of these browser sessions (one query), by session id."""
    found: dict[int, list[ServiceSignIn]] = {}
    signins = ServiceSignIn.objects.filter(login_session__in=login_sessions, ended_at=None).select_related(
        "application"
    )
    for signin in signins:
        found.setdefault(signin.login_session_id, []).append(signin)
    return found


def get_service_signin_for_user(user: User, signin_id: int) -> ServiceSignIn:
    """One of the user's live service sign-ins; Http404 if missing, ended or someone else's."""
    signin = (
        ServiceSignIn.objects.filter(pk=signin_id, login_session__user=user, ended_at=None)
        .select_related("application")
        .first()
    )
    if signin is None:
        raise Http404
    return signin


def has_consented(user: User, application, scopes: list[str]) -> bool:
    consent = ServiceConsent.objects.filter(user=user, application=application).first()
    return consent is not None and set(scopes) <= set(consent.scopes.split())
