"""Security keys, trusted platforms and passkeys (WebAuthn), through py_webauthn.

A ceremony has two halves. `*_options` makes the options the browser passes to
navigator.credentials.create()/get() and a fresh random challenge, which the caller keeps in
the session and gives back — once — to `do_add_security_key` or `do_verify_security_key`.
"""

from dataclasses import dataclass

import webauthn
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from webauthn.helpers import parse_authentication_credential_json, parse_registration_credential_json
from webauthn.helpers.exceptions import WebAuthnException
from webauthn.helpers.structs import (
    AttestationConveyancePreference,
    AuthenticatorSelectionCriteria,
    AuthenticatorTransport,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from cpms.audit.record import changes, record
from cpms.lib.i18n import lazy_format

from ..models import SecurityKey, User
from ..notify import security_event
from ..queries import list_security_keys
from .mailbox_proof import remember_second_factor

MAX_KEYS_PER_USER = 20
TIMEOUT_MS = 5 * 60 * 1000
# Whatever a malformed credential can make the parsers raise: all become a SecurityKeyProblem.
BAD_CREDENTIAL = (WebAuthnException, ValueError, TypeError, KeyError, AttributeError, IndexError)


class SecurityKeyProblem(Exception):
    """Why a key could not be registered or used; `str()` is a message for the user."""


@dataclass(frozen=True)
class RelyingParty:
    """Who asks: the RP ID (a domain), its display name and the exact origin the browser reports."""

    id: str
    name: str
    origin: str


def _descriptors(keys) -> list[PublicKeyCredentialDescriptor]:
    known = {t.value for t in AuthenticatorTransport}
    return [
        PublicKeyCredentialDescriptor(
            id=bytes(key.credential_id),
            transports=[AuthenticatorTransport(t) for t in key.transports if t in known] or None,
        )
        for key in keys
    ]


def user_handle(user: User) -> bytes:
    """The WebAuthn user handle: the account's public id, stable and free of personal data."""
    return user.public_id.bytes


def registration_options(*, user: User, rp: RelyingParty) -> tuple[str, bytes]:
    """(options as JSON, challenge): the user's keys are excluded so none is registered twice."""
    if SecurityKey.objects.filter(user=user).count() >= MAX_KEYS_PER_USER:
        raise SecurityKeyProblem(
            _("You already have %(count)d security keys. Remove one before adding another.")
            % {"count": MAX_KEYS_PER_USER}
        )
    options = webauthn.generate_registration_options(
        rp_id=rp.id,
        rp_name=rp.name,
        user_id=user_handle(user),
        user_name=user.email or user.username,
        user_display_name=user.get_full_name() or user.username,
        timeout=TIMEOUT_MS,
        attestation=AttestationConveyancePreference.NONE,
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.PREFERRED,
            user_verification=UserVerificationRequirement.PREFERRED,
        ),
        exclude_credentials=_descriptors(list_security_keys(user)),
    )
    return webauthn.options_to_json(options), options.challenge


@transaction.atomic
def do_add_security_key(
    *, acting_user: User, name: str, credential: dict, challenge: bytes, rp: RelyingParty
) -> SecurityKey:
    """Verify the browser's answer to `registration_options` and save the new key."""
    try:
        parsed = parse_registration_credential_json(credential)
        verified = webauthn.verify_registration_response(
            credential=parsed, expected_challenge=challenge, expected_rp_id=rp.id, expected_origin=rp.origin
        )
    except BAD_CREDENTIAL as error:
        raise SecurityKeyProblem(
            _("The security key's answer could not be verified. Please try again.")
        ) from error
    if SecurityKey.objects.filter(credential_id=verified.credential_id).exists():
        raise SecurityKeyProblem(_("This security key is already registered."))
    transports = sorted({t.value for t in parsed.response.transports or []})
    try:
        with transaction.atomic():
            key = SecurityKey.objects.create(
                user=acting_user,
                name=name,
                credential_id=verified.credential_id,
                public_key=verified.credential_public_key,
                sign_count=verified.sign_count,
                transports=transports,
            )
    except IntegrityError as error:  # the same credential, saved a moment ago by another request
        raise SecurityKeyProblem(_("This security key is already registered.")) from error
    remember_second_factor(acting_user)
    record(
        acting_user,
        "identity.security_key.added",
        key,
        {
            "name": name,
            "transports": transports,
            "aaguid": verified.aaguid,
            "verified": verified.user_verified,
        },
    )
    security_event(
        acting_user,
        lazy_format(_("A security key or trusted platform named “%(name)s” was added."), name=name),
    )
    return key


@transaction.atomic
def do_rename_security_key(*, acting_user: User, key: SecurityKey, name: str) -> None:
    old_name, key.name = key.name, name
    key.save(update_fields=["name"])
    record(acting_user, "identity.security_key.renamed", key, changes({"name": old_name}, key, ["name"]))
    security_event(
        acting_user,
        lazy_format(_("Your security key “%(old)s” was renamed to “%(new)s”."), old=old_name, new=name),
    )


@transaction.atomic
def do_remove_security_key(*, acting_user: User, key: SecurityKey) -> None:
    name = key.name
    remember_second_factor(acting_user)
    record(acting_user, "identity.security_key.removed", key, {"name": name})
    key.delete()
    security_event(acting_user, lazy_format(_("Your security key “%(name)s” was removed."), name=name))


def authentication_options(*, user: User, rp: RelyingParty) -> tuple[str, bytes]:
    """(options as JSON, challenge) for signing in with one of the user's keys."""
    keys = list(list_security_keys(user))
    if not keys:
        raise SecurityKeyProblem(
            _("Your account has no security key. Please choose another verification method.")
        )
    options = webauthn.generate_authentication_options(
        rp_id=rp.id,
        timeout=TIMEOUT_MS,
        allow_credentials=_descriptors(keys),
        user_verification=UserVerificationRequirement.PREFERRED,
    )
    return webauthn.options_to_json(options), options.challenge


def passkey_options(*, rp: RelyingParty) -> tuple[str, bytes]:
    """(options as JSON, challenge) for signing in with a passkey: no account named yet, so no
    allowed credentials (the authenticator offers its discoverable ones), and user verification
    required, for the passkey is both factors at once."""
    options = webauthn.generate_authentication_options(
        rp_id=rp.id, timeout=TIMEOUT_MS, user_verification=UserVerificationRequirement.REQUIRED
    )
    return webauthn.options_to_json(options), options.challenge


def _parsed(credential: dict):
    try:
        return parse_authentication_credential_json(credential)
    except BAD_CREDENTIAL as error:
        raise SecurityKeyProblem(_("This security key could not be verified. Please try again.")) from error


def do_verify_security_key(
    *, user: User, credential: dict, challenge: bytes, rp: RelyingParty
) -> SecurityKey:
    """The user's key that signed `challenge`, with its counter moved on; SecurityKeyProblem otherwise.

    A signature counter that did not grow (while the authenticator keeps one) means two copies of
    the key may exist: refused, recorded and e-mailed. Counting the failure is the caller's job.
    """
    parsed = _parsed(credential)
    key = SecurityKey.objects.filter(user=user, credential_id=parsed.raw_id).first()
    if key is None:
        raise SecurityKeyProblem(_("This security key is not registered for your account."))
    return _verified_with(key, parsed, challenge, rp, user_verification=False)


def do_verify_passkey(*, credential: dict, challenge: bytes, rp: RelyingParty) -> SecurityKey:
    """The registered passkey that signed `challenge` and verified its user (PIN, biometrics); its
    account is `key.user`. SecurityKeyProblem otherwise, the same for an unknown key."""
    parsed = _parsed(credential)
    key = (
        SecurityKey.objects.select_related("user")
        .filter(credential_id=parsed.raw_id, user__is_active=True)
        .first()
    )
    handle = parsed.response.user_handle
    if key is None or (handle is not None and handle != user_handle(key.user)):
        raise SecurityKeyProblem(_("This passkey is not registered with CPMS Login."))
    return _verified_with(key, parsed, challenge, rp, user_verification=True)


def _verified_with(key: SecurityKey, parsed, challenge: bytes, rp: RelyingParty, *, user_verification: bool):
    refused = SecurityKeyProblem(_("This security key could not be verified. Please try again."))
    user = key.user
    try:
        verified = webauthn.verify_authentication_response(
            credential=parsed,
            expected_challenge=challenge,
            expected_rp_id=rp.id,
            expected_origin=rp.origin,
            credential_public_key=bytes(key.public_key),
            credential_current_sign_count=0,  # the counter is checked below, so that it can be recorded
            require_user_verification=user_verification,
        )
    except BAD_CREDENTIAL as error:
        raise refused from error
    if verified.new_sign_count != 0 and verified.new_sign_count <= key.sign_count:
        record(
            user,
            "identity.security_key.sign_count_regressed",
            key,
            {"name": key.name, "stored": key.sign_count, "received": verified.new_sign_count},
        )
        security_event(
            user,
            lazy_format(
                _(
                    "Your security key “%(name)s” was refused: its usage counter went backwards, "
                    "which can mean that it was copied."
                ),
                name=key.name,
            ),
        )
        raise refused
    key.sign_count = verified.new_sign_count
    key.last_used_at = timezone.now()
    key.save(update_fields=["sign_count", "last_used_at"])
    return key
