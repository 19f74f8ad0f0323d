"""Accounts and everything that verifies who a person is."""

import secrets
import string
import uuid
import zoneinfo
from functools import cache

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cpms.lib.crypto import EncryptedTextField

USERNAME_ALPHABET = string.ascii_lowercase + string.digits


def new_username() -> str:
    """`n` + 7 random characters, like `n00axup3`."""
    return "n" + "".join(secrets.choice(USERNAME_ALPHABET) for _ in range(7))


@cache
def time_zone_names() -> list[str]:
    """The IANA time zones this machine knows, sorted (like "Europe/Brussels")."""
    return sorted(zoneinfo.available_timezones() - {"localtime", "Factory"})


def validate_time_zone(value: str) -> None:
    # Not `choices`: the list follows the tzdata installed, and a migration must not.
    if value not in time_zone_names():
        raise ValidationError(_("Please choose a time zone from the list."), code="invalid_time_zone")


def default_time_zone() -> str:
    return settings.TIME_ZONE


class Method(models.TextChoices):
    """Verification methods offered at sign-in."""

    PASSWORD = "password", _("Password")
    SMS = "sms", _("Mobile Phone + SMS")
    TOTP = "totp", _("Authenticator app")
    WEBAUTHN = "webauthn", _("Security Key or Trusted Platform")


class User(AbstractUser):
    email = models.EmailField(_("e-mail"), max_length=254)
    email_language = models.CharField(
        _("e-mail language"), max_length=2, default="en", choices=settings.EMAIL_LANGUAGES
    )
    # Blank: no preference, the strongest method the account has is offered first.
    preferred_method = models.CharField(
        _("preferred verification method"), max_length=10, choices=Method.choices, blank=True
    )
    security_emails = models.BooleanField(_("e-mail me about every security event"), default=True)
    # Dates and times on pages and in e-mails are shown in this zone.
    time_zone = models.CharField(
        _("time zone"), max_length=64, default=default_time_zone, validators=[validate_time_zone]
    )
    is_external = models.BooleanField(default=True)
    privacy_acknowledged_at = models.DateTimeField(null=True, blank=True)
    # Set by PANIC: the first new second factor then needs proof of the mailbox (actions.mailbox_proof).
    factors_reset_at = models.DateTimeField(null=True, blank=True)
    # Had a second factor since the mailbox was last proven (a password reset through the e-mailed
    # link, or the link after PANIC): a session verified by the password alone then changes nothing
    # but PANIC (decorators.account_change_refusal).
    had_second_factor = models.BooleanField(default=False)
    # Given to other services (OpenID Connect `sub`, WebAuthn user handle): stable, opaque, not the pk.
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)

    REQUIRED_FIELDS = ["email"]
    objects = UserManager()

    class Meta:
        constraints = [models.UniqueConstraint(Lower("email"), name="identity_user_email_unique_ci")]
        # Signing in with a username looks it up whatever its case (queries.users_with_username).
        indexes = [models.Index(Lower("username"), name="identity_user_username_ci")]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    @property
    def display_username(self) -> str:
        return f"{self.username} (External)" if self.is_external else self.username


class EmailLink(models.Model):
    """A single-use, expiring link sent by e-mail. Only a hash of its token is stored."""

    class Purpose(models.TextChoices):
        SET_PASSWORD = "set_password", _("Choose a password")
        CHANGE_EMAIL = "change_email", _("Confirm a new e-mail address")
        CONFIRM_SETUP = "confirm_setup", _("Confirm it is you who sets up a new device")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="email_links")
    purpose = models.CharField(max_length=20, choices=Purpose.choices)
    token_hash = models.CharField(max_length=64, unique=True)
    new_email = models.EmailField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.purpose} link for {self.user_id}"

    @property
    def is_expired(self) -> bool:
        return timezone.now() >= self.expires_at


class TotpDevice(models.Model):
    """An authenticator app (RFC 6238). The shared secret is encrypted at rest."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="totp_devices")
    name = models.CharField(_("name"), max_length=60)
    secret = EncryptedTextField()
    confirmed = models.BooleanField(default=False)
    last_used_step = models.BigIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.name


class PhoneNumber(models.Model):
    """A mobile phone number in E.164 form, usable for SMS codes once verified."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="phone_numbers")
    number = models.CharField(_("mobile phone number"), max_length=20)
    verified_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "number"], name="identity_phone_unique_per_user")
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def masked(self) -> str:
        return self.number[:3] + " " + "•" * (len(self.number) - 6) + self.number[-3:]


class SmsCode(models.Model):
    """A 6-digit code sent by SMS: stored hashed, single use, valid for a few minutes."""

    phone = models.ForeignKey(PhoneNumber, on_delete=models.CASCADE, related_name="codes")
    purpose = models.CharField(max_length=20)
    code_hash = models.CharField(max_length=128)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["phone", "purpose", "-created_at"])]

    def __str__(self) -> str:
        return f"SMS code for phone {self.phone_id}"


class SecurityKey(models.Model):
    """A WebAuthn credential: a security key, a trusted platform or a passkey."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="security_keys")
    name = models.CharField(_("name"), max_length=60)
    credential_id = models.BinaryField(unique=True)
    public_key = models.BinaryField()
    sign_count = models.BigIntegerField(default=0)
    transports = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.name


class RecoveryCode(models.Model):
    """One of ten single-use codes for signing in when the phone is lost.

    Stored as a keyed hash (HMAC-SHA256, see actions.recovery); codes made before that carry a
    password hash (`argon2$…`), still accepted until they are used or replaced.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="recovery_codes"
    )
    code_hash = models.CharField(max_length=128)
    created_at = models.DateTimeField(default=timezone.now)
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"recovery code {self.pk} of {self.user_id}"


class UserSession(models.Model):
    """A signed-in browser session, shown in "Display my sessions" and ended from there."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="login_sessions"
    )
    session_key = models.CharField(max_length=40, unique=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    methods = models.JSONField(default=list)
    started_at = models.DateTimeField(default=timezone.now)
    last_active_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-last_active_at", "-id"]
        indexes = [models.Index(fields=["user", "ended_at"])]

    def __str__(self) -> str:
        return f"session {self.pk} of {self.user_id}"


class Throttle(models.Model):
    """Failures counted for one (scope, key); see cpms.identity.throttle."""

    key = models.CharField(max_length=64, unique=True)
    failures = models.PositiveIntegerField(default=0)
    locked_until = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.failures} failures"


# -- One login, many services: OpenID Connect (clients, tokens and grants are django-oauth-toolkit's)


class ServiceSettings(models.Model):
    """What CPMS Login asks of an OpenID Connect client (a service), next to DOT's Application.

    "Trusted" (no consent screen) is the Application's own `skip_authorization`.
    """

    application = models.OneToOneField(
        settings.OAUTH2_PROVIDER_APPLICATION_MODEL, on_delete=models.CASCADE, related_name="cpms_settings"
    )
    requires_two_factors = models.BooleanField(
        _("requires two factors"),
        default=True,
        help_text=_("Users are asked for a second factor before this service receives a token."),
    )
    allowed_scopes = models.CharField(
        _("allowed scopes"),
        max_length=200,
        default="openid profile email cpms",
        help_text=_("Space-separated, among: openid profile email cpms."),
    )

    class Meta:
        verbose_name = _("service settings")
        verbose_name_plural = _("service settings")

    def __str__(self) -> str:
        return f"settings of application {self.application_id}"


class ServiceConsent(models.Model):
    """The scopes a user agreed to share with a service, asked the first time they sign in to it."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    application = models.ForeignKey(
        settings.OAUTH2_PROVIDER_APPLICATION_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    scopes = models.CharField(max_length=200)
    granted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "application"], name="identity_consent_unique")
        ]

    def __str__(self) -> str:
        return f"consent of {self.user_id} to application {self.application_id}"


class ServiceSignIn(models.Model):
    """A service signed in through one browser session: listed in "Display my sessions".

    `methods` ("amr") and `verified_at` ("auth_time") are those of the browser session when the
    service was last authorised; the ID token, minted later at the token endpoint, reads them here.
    """

    login_session = models.ForeignKey(UserSession, on_delete=models.CASCADE, related_name="service_signins")
    application = models.ForeignKey(
        settings.OAUTH2_PROVIDER_APPLICATION_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    methods = models.JSONField(default=list)
    verified_at = models.DateTimeField()
    started_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["started_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["login_session", "application"],
                condition=models.Q(ended_at=None),
                name="identity_one_live_service_signin",
            )
        ]

    def __str__(self) -> str:
        return f"application {self.application_id} in session {self.login_session_id}"


class ServiceCredential(models.Model):
    """An authorisation code, access token or refresh token issued through a service sign-in.

    A code is remembered by its hash (with neither token set), so that its reuse is recognised and
    the tokens issued with it (same `code_hash`, refreshed ones included) are revoked.
    """

    signin = models.ForeignKey(ServiceSignIn, on_delete=models.CASCADE, related_name="credentials")
    code_hash = models.CharField(max_length=64, db_index=True)
    access_token = models.OneToOneField(
        settings.OAUTH2_PROVIDER_ACCESS_TOKEN_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="cpms_credential",
    )
    refresh_token = models.OneToOneField(
        settings.OAUTH2_PROVIDER_REFRESH_TOKEN_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="cpms_credential",
    )
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"credential {self.pk} of service sign-in {self.signin_id}"
