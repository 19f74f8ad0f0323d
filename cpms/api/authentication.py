"""Who calls the API: the holder of an access token from CPMS Login, and nobody else.

A token is accepted only if it is known and not expired (a revoked one is gone: django-oauth-toolkit
deletes it), carries the `cpms` scope, was issued through a service sign-in (ServiceSignIn) that is
still live and verified with two factors (its `methods`: the token's `amr`), and belongs to an
active account. What the user may then see is the pages' gate (permissions.CpmsGate).

A known token refused for its scope, its factors or its ended sign-in is a security event
(`api.token.refused`); an unknown one is only a 401 (it names nobody).
"""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from oauth2_provider.models import get_access_token_model
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication

from cpms.audit.record import record
from cpms.identity.oidc import ACR_TWO_FACTORS, acr_for, checksum, signin_is_live

SCOPE = "cpms"
REFUSED = "api.token.refused"
MAX_TOKEN_LENGTH = 255


class InsufficientScope(exceptions.PermissionDenied):
    """RFC 6750 §3.1: a valid token without what the call needs is a 403, not a 401."""

    default_code = "insufficient_scope"


def bearer_token(request) -> str | None:
    """The token of `Authorization: Bearer …`, None without that header; AuthenticationFailed if malformed."""
    header = request.META.get("HTTP_AUTHORIZATION", "")
    if not header:
        return None
    scheme, _space, token = header.partition(" ")
    if scheme.lower() != "bearer":
        return None
    token = token.strip()
    if not token or len(token) > MAX_TOKEN_LENGTH or not token.isascii() or " " in token:
        raise exceptions.AuthenticationFailed(_("The bearer token is malformed."), code="invalid_token")
    return token


def refuse(token, reason: str, error: exceptions.APIException):
    record(token.user, REFUSED, None, {"reason": reason, "client_id": token.application.client_id})
    raise error


class CpmsTokenAuthentication(BaseAuthentication):
    """`Authorization: Bearer <access token>`; one query for the token, its user and its sign-in."""

    def authenticate(self, request):
        raw = bearer_token(request)
        if raw is None:
            return None
        token = (
            get_access_token_model()
            .objects.select_related("user", "application", "cpms_credential__signin__login_session")
            .filter(token_checksum=checksum(raw))
            .first()
        )
        if token is None or token.is_expired() or token.user is None or not token.user.is_active:
            raise exceptions.AuthenticationFailed(
                _("The access token is unknown, expired or revoked."), code="invalid_token"
            )
        credential = getattr(token, "cpms_credential", None)
        if credential is None or not signin_is_live(credential.signin):
            refuse(
                token,
                "signin_ended",
                exceptions.AuthenticationFailed(
                    _("The sign-in this token was issued through has ended."), code="invalid_token"
                ),
            )
        if not token.allow_scopes([SCOPE]):
            refuse(token, "scope", InsufficientScope(_("The access token lacks the “cpms” scope.")))
        if acr_for(credential.signin.methods) != ACR_TWO_FACTORS:
            refuse(
                token,
                "one_factor",
                InsufficientScope(
                    _("The access token was issued through a sign-in with one factor: two are required.")
                ),
            )
        return token.user, token

    def authenticate_header(self, request) -> str:
        return 'Bearer realm="cpms", scope="cpms"'


class CpmsTokenScheme(OpenApiAuthenticationExtension):
    """The OpenAPI document names the scheme: a bearer token from CPMS Login's OpenID Connect."""

    target_class = CpmsTokenAuthentication
    name = "cpmsLogin"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "An access token from CPMS Login (authorization code flow with PKCE at "
            "/o/authorize/, token at /o/token/; discovery at /.well-known/openid-configuration) with "
            "the `cpms` scope, issued through a sign-in with two factors.",
        }
