"""CPMS Login as an OpenID Connect provider: django-oauth-toolkit's validator, with our claims and links.

- `sub` is an opaque, stable identifier: the account's public id, never the e-mail or username.
- `acr` / `amr` / `auth_time` tell how the user verified in the browser session that authorised the
  service. The ID token is minted at the token endpoint, which has no browser session, so the
  authorisation records a ServiceSignIn (session, methods, time) and links the code to it; the
  tokens issued for the code are linked to it too, so ending the browser session revokes them.
- A reused authorisation code revokes the tokens issued with it (RFC 6749 §4.1.2).
"""

import base64
import hashlib
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from jwcrypto import jws
from oauth2_provider.models import (
    get_access_token_model,
    get_grant_model,
    get_refresh_token_model,
    revoke_access_token,
)
from oauth2_provider.oauth2_validators import OAuth2Validator
from oauth2_provider.scopes import SettingsScopes
from oauth2_provider.settings import oauth2_settings
from oauth2_provider.utils import jwk_from_pem
from oauthlib.oauth2.rfc6749 import errors

from .models import ServiceCredential, ServiceSettings, ServiceSignIn, UserSession
from .oidc_claims import claims_for, registered_claim_names

# Authentication Context Class References: how strongly the user verified (published in discovery).
ACR_PASSWORD = "cpms:pwd"
ACR_TWO_FACTORS = "cpms:2fa"
ACR_VALUES = [ACR_PASSWORD, ACR_TWO_FACTORS]

SCOPE_DESCRIPTIONS = {
    "openid": _("Know who you are (an identifier for your account) and how you verified"),
    "profile": _("Your name and language"),
    "email": _("Your e-mail address"),
    "cpms": _("Your CPMS access: applications, organisations and profiles you were granted"),
}
STANDARD_CLAIMS = ["sub", "name", "given_name", "family_name", "locale", "email", "email_verified"]
ID_TOKEN_CLAIMS = ["acr", "amr", "auth_time"]


def subject_for(user) -> str:
    """A stable, opaque `sub`: the account's public id, never the e-mail, username or database id."""
    return str(user.public_id)


def acr_for(methods: list[str]) -> str:
    return ACR_TWO_FACTORS if len(set(methods)) >= 2 else ACR_PASSWORD


def code_hash(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


def service_settings(application) -> ServiceSettings:
    """The service's settings, or the defaults (two factors, every scope) when none were saved."""
    found = ServiceSettings.objects.filter(application=application).first()
    return found or ServiceSettings(application=application)


def signing_jwks() -> dict[str, object]:
    """The active and inactive signing keys by key id (their thumbprint, as in DOT's JWKS)."""
    pems = [oauth2_settings.OIDC_RSA_PRIVATE_KEY, *oauth2_settings.OIDC_RSA_PRIVATE_KEYS_INACTIVE]
    keys = [jwk_from_pem(pem) for pem in pems if pem]
    return {key.thumbprint(): key for key in keys}


class ServiceScopes(SettingsScopes):
    """Scopes with translated descriptions; a service may ask only for its allowed scopes."""

    def get_all_scopes(self):
        return {scope: SCOPE_DESCRIPTIONS.get(scope, scope) for scope in oauth2_settings.SCOPES}

    def get_available_scopes(self, application=None, request=None, *args, **kwargs):
        scopes = list(oauth2_settings._SCOPES)
        if application is None:
            return scopes
        allowed = set(service_settings(application).allowed_scopes.split())
        return [scope for scope in scopes if scope in allowed]


class CpmsOAuth2Validator(OAuth2Validator):
    # -- Claims

    def get_oidc_claims(self, token, token_handler, request):
        user, scopes = request.user, set(request.scopes)
        claims = {"sub": subject_for(user)}
        if "profile" in scopes:
            claims.update(
                name=user.get_full_name(),
                given_name=user.first_name,
                family_name=user.last_name,
                locale=user.email_language,
            )
        if "email" in scopes:
            # An account proves its address: its password is chosen through a link e-mailed there.
            claims.update(email=user.email, email_verified=True)
        claims.update(claims_for(user, sorted(scopes)))
        return claims

    def get_discovery_claims(self, request):
        return STANDARD_CLAIMS + ID_TOKEN_CLAIMS + registered_claim_names()

    def get_id_token_dictionary(self, token, token_handler, request):
        claims, expiration_time = super().get_id_token_dictionary(token, token_handler, request)
        signin = getattr(request, "cpms_signin", None)
        if signin is not None:
            claims["auth_time"] = int(signin.verified_at.timestamp())
            claims["amr"] = list(signin.methods)
            claims["acr"] = acr_for(signin.methods)
        return claims, expiration_time

    def validate_silent_login(self, request):
        return True  # prompt=none: our AuthorizationView answers for anonymous and step-up cases

    def validate_silent_authorization(self, request):
        return True  # prompt=none: our AuthorizationView answers consent_required itself

    # -- Keys: an id_token_hint signed before a key rotation still verifies

    def _get_key_for_token(self, token):
        unverified = jws.JWS()
        unverified.deserialize(token)
        kid = unverified.jose_header.get("kid")
        key = signing_jwks().get(kid) if kid else None
        return key or super()._get_key_for_token(token)

    # -- Authorisation codes and tokens, linked to the browser session that authorised them

    def save_authorization_code(self, client_id, code, request, *args, **kwargs):
        with transaction.atomic():
            super().save_authorization_code(client_id, code, request, *args, **kwargs)
            signin = self._record_signin(request)
            if signin is not None:
                ServiceCredential.objects.create(signin=signin, code_hash=code_hash(code["code"]))

    def _record_signin(self, request) -> ServiceSignIn | None:
        """The service sign-in for this browser session, with how the session verified now."""
        session_key = getattr(request, "cpms_session_key", None)
        login_session = (
            UserSession.objects.filter(session_key=session_key, ended_at=None).first()
            if session_key
            else None
        )
        if login_session is None:
            return None
        methods = list(getattr(request, "cpms_methods", None) or [])
        verified = getattr(request, "cpms_verified_at", None)
        verified_at = datetime.fromtimestamp(verified, tz=UTC) if verified else timezone.now()
        signin, created = ServiceSignIn.objects.get_or_create(
            login_session=login_session,
            application=request.client,
            ended_at=None,
            defaults={"methods": methods, "verified_at": verified_at},
        )
        if not created:
            signin.methods = methods
            signin.verified_at = verified_at
            signin.save(update_fields=["methods", "verified_at"])
        return signin

    def validate_code(self, client_id, code, client, request, *args, **kwargs):
        """As DOT's, but a wrong PKCE verifier, an expired or a reused code each get their description,
        and the tokens are linked to the service sign-in that the code came from.

        oauthlib answers `invalid_grant` either way; the description reaches the client and the audit trail.
        """
        hashed = code_hash(code)
        grant = get_grant_model().objects.filter(code=code, application=client).first()
        if grant is None:
            if revoke_tokens_of_code(hashed, client):
                raise errors.InvalidGrantError(
                    description="The authorization code was already used: the tokens issued with it "
                    "are revoked.",
                    request=request,
                )
            raise errors.InvalidGrantError(
                description="Unknown or expired authorization code.", request=request
            )
        if grant.is_expired():
            raise errors.InvalidGrantError(description="The authorization code has expired.", request=request)
        verifier = getattr(request, "code_verifier", None)
        if grant.code_challenge and verifier and not pkce_matches(grant, verifier):
            raise errors.InvalidGrantError(
                description="The PKCE code verifier does not match the code challenge.", request=request
            )
        credential = (
            ServiceCredential.objects.filter(code_hash=hashed, signin__application=client)
            .select_related("signin__login_session")
            .first()
        )
        if credential is not None and not signin_is_live(credential.signin):
            raise errors.InvalidGrantError(
                description="The session that authorized this code has ended.", request=request
            )
        if not super().validate_code(client_id, code, client, request, *args, **kwargs):
            return False
        request.cpms_signin = credential.signin if credential else None
        request.cpms_code_hash = hashed
        return True

    def validate_refresh_token(self, refresh_token, client, request, *args, **kwargs):
        if not super().validate_refresh_token(refresh_token, client, request, *args, **kwargs):
            return False
        credential = (
            ServiceCredential.objects.filter(refresh_token=request.refresh_token_instance)
            .select_related("signin__login_session")
            .first()
        )
        if credential is not None and not signin_is_live(credential.signin):
            return False
        request.cpms_signin = credential.signin if credential else None
        request.cpms_code_hash = credential.code_hash if credential else ""
        return True

    def invalidate_authorization_code(self, client_id, code, request, *args, **kwargs):
        """As DOT's; but when the code is gone, another request exchanged it at the same moment: the
        tokens issued with it (to either request) are revoked, as for any reused code."""
        try:
            super().invalidate_authorization_code(client_id, code, request, *args, **kwargs)
        except errors.InvalidGrantError:
            revoke_tokens_of_code(code_hash(code), request.client)
            raise

    def _save_bearer_token(self, token, request, *args, **kwargs):
        super()._save_bearer_token(token, request, *args, **kwargs)
        signin = getattr(request, "cpms_signin", None)
        if signin is None:
            return
        access_token = get_access_token_model().objects.filter(token_checksum=checksum(token["access_token"]))
        refresh_token = (
            get_refresh_token_model()
            .objects.filter(token_checksum=checksum(token["refresh_token"]), revoked=None)
            .first()
            if token.get("refresh_token")
            else None
        )
        hashed = getattr(request, "cpms_code_hash", "")
        access_token = access_token.first()
        if access_token is not None:
            ServiceCredential.objects.get_or_create(
                access_token=access_token, defaults={"signin": signin, "code_hash": hashed}
            )
        if refresh_token is not None:
            ServiceCredential.objects.get_or_create(
                refresh_token=refresh_token, defaults={"signin": signin, "code_hash": hashed}
            )


def signin_is_live(signin: ServiceSignIn) -> bool:
    """A service sign-in lasts no longer than its browser session: not ended, and within the session's
    absolute lifetime (a refreshing service cannot outlive it; the browser may never come back to end it)."""
    if signin.ended_at is not None:
        return False
    started = signin.login_session.started_at
    return timezone.now() - started <= timedelta(seconds=settings.SESSION_ABSOLUTE_TIMEOUT)


def pkce_matches(grant, verifier: str) -> bool:
    if grant.code_challenge_method == "S256":
        digest = hashlib.sha256(verifier.encode()).digest()
        return base64.urlsafe_b64encode(digest).rstrip(b"=").decode() == grant.code_challenge
    return verifier == grant.code_challenge


def revoke_tokens_of_code(hashed: str, client) -> bool:
    """True if tokens were issued with this code (so it is being reused): revoke them all."""
    issued = ServiceCredential.objects.filter(code_hash=hashed, signin__application=client).exclude(
        access_token=None, refresh_token=None
    )
    if not issued.exists():
        return False
    revoke_credentials(issued)
    return True


def checksum(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def revoke_credentials(credentials) -> int:
    """Revoke the access and refresh tokens among these credentials; returns how many were live."""
    revoked = 0
    for credential in list(credentials.select_related("access_token", "refresh_token")):
        if credential.refresh_token_id and credential.refresh_token.revoked is None:
            credential.refresh_token.revoke()  # also deletes the access token it is bound to
            revoked += 1
        elif credential.access_token_id:
            access_token = get_access_token_model().objects.filter(pk=credential.access_token_id).first()
            if access_token is not None:
                revoke_access_token(access_token)
                revoked += 1
    return revoked
