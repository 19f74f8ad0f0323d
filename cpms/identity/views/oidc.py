"""OpenID Connect endpoints: django-oauth-toolkit's views with CPMS Login's rules.

- authorize: a service that requires two factors never gets a code for a password-only session
  (step-up, or a page asking to set up a second factor); consent is asked the first time a user
  signs in to a service (never for trusted services) and remembered; the code is linked to this
  browser session (see cpms.identity.oidc).
- token, revoke, userinfo, logout: bad requests get the standard error responses and are audited as
  `identity.oidc.<error>`.
"""

import base64
import json
import re
import time
from urllib.parse import parse_qsl, unquote_plus, urlencode, urlsplit, urlunsplit

from django.contrib import messages
from django.contrib.auth import logout as auth_logout
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from oauth2_provider import views as oauth_views
from oauth2_provider.exceptions import FatalClientError, InvalidOIDCClientError, OAuthToolkitError
from oauth2_provider.views.mixins import OAuthLibMixin
from oauthlib.openid.connect.core.exceptions import ConsentRequired, InteractionRequired, LoginRequired

from cpms.audit.record import record

from .. import signin_state
from ..actions.oidc import do_end_service_signin, do_record_consent
from ..actions.sessions import do_sign_out
from ..models import Method
from ..oidc import ACR_TWO_FACTORS, ACR_VALUES, service_settings
from ..queries import find_service, get_service_signin_for_user, has_consented, methods_for, signed_in_here
from ..sessions import has_two_factors, verified_at, verified_methods

ERROR_CODE = re.compile(r"^[a-z_]{1,40}$")


def client_id_from(request: HttpRequest, limit: int | None = 255) -> str:
    """The client_id a request names: a parameter, or the user part of HTTP Basic authentication."""
    client_id = request.POST.get("client_id") or request.GET.get("client_id")
    if not client_id:
        scheme, _, credentials = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "basic" or not credentials:
            return ""
        try:
            client_id = unquote_plus(base64.b64decode(credentials).decode().partition(":")[0])
        except ValueError:  # not base64, or not text
            return ""
    return client_id[:limit]


def audit_error(
    request: HttpRequest, error: str, description: str = "", *, by_user: bool = True, **data
) -> None:
    """`identity.oidc.<error>`, with the client and what went wrong (never a token or a code).

    by_user: the browser's user made the request (authorize, logout), not a service (token, userinfo).
    """
    error = error if ERROR_CODE.match(error or "") else "invalid_request"
    user = getattr(request, "user", None)
    record(
        user if by_user and user is not None and user.is_authenticated else None,
        f"identity.oidc.{error}",
        None,
        {
            "client_id": client_id_from(request).replace("\x00", ""),  # PostgreSQL's JSON refuses NUL
            "error": error,
            "description": str(description or "")[:300],
            **data,
        },
    )


def audit_error_response(request: HttpRequest, response: HttpResponse, **data) -> None:
    """Audit a JSON error answered by the token, revocation or userinfo endpoint."""
    try:
        body = json.loads(response.content or b"{}")
    except ValueError:
        body = {}
    error = body.get("error") if isinstance(body, dict) else None
    if not error:  # RFC 6750: the error is in the WWW-Authenticate challenge
        found = re.search(r'error="([a-z_]+)"', response.headers.get("WWW-Authenticate", ""))
        error = found.group(1) if found else "invalid_request"
    description = body.get("error_description", "") if isinstance(body, dict) else ""
    audit_error(request, error, description, by_user=False, **data)


def has_nul_byte(request: HttpRequest) -> bool:
    """PostgreSQL cannot compare text with NUL bytes: DOT's look-ups of such values would fail (500)."""
    values = [client_id_from(request, limit=None)]
    for data in (request.GET, request.POST):
        for key, items in data.lists():
            values.append(key)
            values.extend(items)
    return any("\x00" in value for value in values)


def without_parameter(path: str, name: str) -> str:
    parsed = urlsplit(path)
    query = [(key, value) for key, value in parse_qsl(parsed.query, keep_blank_values=True) if key != name]
    return urlunsplit(parsed._replace(query=urlencode(query)))


class AuthorizationView(oauth_views.AuthorizationView):
    template_name = "identity/oidc_consent.html"

    def get(self, request, *args, **kwargs):
        try:
            scopes, credentials = self.validate_authorization_request(request)
        except OAuthToolkitError as error:
            return self.error_response(error, application=None)
        application = find_service(credentials["client_id"])
        prompt = set(request.GET.get("prompt", "").split())
        if not signed_in_here(request.session.session_key):
            auth_logout(request)  # a session that did not sign in through our pages: sign in again
            return redirect_to_login(request.get_full_path())
        if prompt & {"login", "create"}:
            return super().get(request, *args, **kwargs)  # DOT sends the user to sign in again
        if response := self.verification_response(request, application, credentials, prompt):
            return response
        if not application.skip_authorization and "resource" not in request.GET:
            if "consent" not in prompt and has_consented(request.user, application, scopes):
                return self.approve(request, application, scopes, credentials)
            if "none" in prompt:
                return self.error_response(self.client_error(ConsentRequired, credentials), application)
        return super().get(request, *args, **kwargs)

    @staticmethod
    def client_error(error_class, credentials) -> OAuthToolkitError:
        """An error sent back to the (validated) redirect URI."""
        return OAuthToolkitError(
            error=error_class(state=credentials.get("state")), redirect_uri=credentials["redirect_uri"]
        )

    def verification_response(self, request, application, credentials, prompt) -> HttpResponse | None:
        """None if this session verified as the service needs; otherwise where to go first."""
        acr_values = request.GET.get("acr_values", "").split()
        needs_two = service_settings(application).requires_two_factors or ACR_TWO_FACTORS in acr_values
        missing_factor = needs_two and not has_two_factors(request)
        try:
            max_age = int(request.GET["max_age"]) if "max_age" in request.GET else None
        except ValueError:
            max_age = None
        too_old = max_age is not None and time.time() - (verified_at(request) or 0) > max_age
        if not missing_factor and not too_old:
            return None
        if "none" in prompt:
            error_class = InteractionRequired if missing_factor else LoginRequired
            return self.error_response(self.client_error(error_class, credentials), application)
        if missing_factor and methods_for(request.user.pk) == [Method.PASSWORD]:
            return render(
                request, "identity/oidc_second_factor_needed.html", {"application": application}, status=403
            )
        # Back here once verified; without max_age, which that verification has just satisfied
        # (max_age=0 would send the user round in circles).
        next_url = (
            without_parameter(request.get_full_path(), "max_age") if too_old else request.get_full_path()
        )
        signin_state.begin(request.session, request.user.pk, next_url=next_url, second_factor=missing_factor)
        if missing_factor:
            messages.info(
                request,
                _("%(service)s needs two-factor verification: choose a method with a second factor.")
                % {"service": application.name or _("This service")},
            )
        return redirect(reverse("identity:signin-method") + "?" + urlencode({"reverify": 1}))

    def approve(self, request, application, scopes, credentials) -> HttpResponse:
        """The user agreed to these scopes before: answer at once, as DOT does for trusted services."""
        if isinstance(credentials.get("ui_locales"), list):
            credentials["ui_locales"] = " ".join(credentials["ui_locales"])
        try:
            uri, _headers, _body, _status = self.create_authorization_response(
                request=request, scopes=" ".join(scopes), credentials=credentials, allow=True
            )
        except OAuthToolkitError as error:
            return self.error_response(error, application)
        return self.redirect(uri, application)

    def create_authorization_response(self, request, scopes, credentials, allow):
        """Link the code to this browser session: how it verified, and when (cpms.identity.oidc)."""
        credentials = {
            **credentials,
            "cpms_session_key": request.session.session_key,
            "cpms_methods": verified_methods(request),
            "cpms_verified_at": verified_at(request),
        }
        response = super().create_authorization_response(request, scopes, credentials, allow)
        self.approved_scopes = scopes.split() if scopes else []
        return response

    def form_valid(self, form):
        """The consent form was sent (allow or deny)."""
        application = find_service(form.cleaned_data["client_id"])
        if application is None:
            return self.fatal_error(_("Unknown service."), status=400)
        needs_two = service_settings(application).requires_two_factors
        if form.cleaned_data.get("allow") and needs_two and not has_two_factors(self.request):
            return self.fatal_error(_("This service needs two-factor verification."), status=403)
        self.approved_scopes = None
        response = super().form_valid(form)
        if form.cleaned_data.get("allow") and self.approved_scopes is not None:
            do_record_consent(
                acting_user=self.request.user, application=application, scopes=self.approved_scopes
            )
        return response

    def form_invalid(self, form):
        return self.fatal_error(_("The request is incomplete."), status=400)

    def fatal_error(self, description, *, status: int) -> HttpResponse:
        audit_error(self.request, "invalid_request", description)
        return render(
            self.request,
            "identity/oidc_error.html",
            {"error": {"error": "invalid_request", "description": description}},
            status=status,
        )

    def error_response(self, error, application, **kwargs):
        """Audit, then redirect to the client with the error, or (bad client, bad redirect URI) show it."""
        oauthlib_error = error.oauthlib_error
        audit_error(self.request, oauthlib_error.error, oauthlib_error.description)
        redirect_to_client, response = OAuthLibMixin.error_response(self, error, **kwargs)
        if redirect_to_client and not isinstance(error, FatalClientError):
            return self.redirect(response["url"], application)
        return render(
            self.request,
            "identity/oidc_error.html",
            {"error": oauthlib_error},
            status=oauthlib_error.status_code,
        )


class TokenView(oauth_views.TokenView):
    def post(self, request, *args, **kwargs):
        response = super().post(request, *args, **kwargs)
        if response.status_code >= 400:
            audit_error_response(request, response, grant_type=request.POST.get("grant_type", "")[:60])
        return response


class RevokeTokenView(oauth_views.RevokeTokenView):
    def post(self, request, *args, **kwargs):
        response = super().post(request, *args, **kwargs)
        if response.status_code >= 400:
            audit_error_response(request, response)
        return response


class UserInfoView(oauth_views.UserInfoView):
    def _create_userinfo_response(self, request):
        if "access_token" in request.GET:  # RFC 9700 §4.3.2: never in the URL (logs, history, Referer)
            response = JsonResponse(
                {
                    "error": "invalid_request",
                    "error_description": "Send the access token in the Authorization header.",
                },
                status=400,
            )
            response["WWW-Authenticate"] = 'Bearer error="invalid_request"'
            audit_error_response(request, response)
            return response
        response = super()._create_userinfo_response(request)
        # A request without any token (a browser, a crawler) is answered 401 but is not an attack.
        if response.status_code >= 400 and "Authorization" in request.headers:
            audit_error_response(request, response)
        return response


class DiscoveryView(oauth_views.ConnectDiscoveryInfoView):
    """DOT's discovery document, plus what CPMS Login adds (acr values, refresh, revocation, consent)."""

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        data = json.loads(response.content)
        data.update(
            acr_values_supported=ACR_VALUES,
            grant_types_supported=["authorization_code", "refresh_token"],
            revocation_endpoint=self._get_endpoint_url(request, "revoke-token"),
            prompt_values_supported=["none", "login", "consent"],
            # DOT lists HS256 too; every service signs with our RSA keys (the admin offers nothing else).
            id_token_signing_alg_values_supported=["RS256"],
        )
        extended = JsonResponse(data)
        extended["Access-Control-Allow-Origin"] = "*"
        return extended


class LogoutView(oauth_views.RPInitiatedLogoutView):
    """RP-initiated logout: ends this browser session too, and revokes its services' tokens."""

    template_name = "identity/oidc_logout.html"

    def get_request_application(self, id_token, client_id):
        if client_id:  # DOT would answer an unknown client_id with a 500
            application = find_service(client_id)
            if application is None:
                raise InvalidOIDCClientError()
            return application
        return super().get_request_application(id_token, client_id)

    def do_logout(self, application=None, post_logout_redirect_uri=None, state=None, token_user=None):
        if self.request.user.is_authenticated:
            do_sign_out(
                acting_user=self.request.user,
                session_key=self.request.session.session_key,
                data={"client_id": application.client_id if application else "", "via": "oidc"},
            )
        return super().do_logout(application, post_logout_redirect_uri, state, token_user)

    def error_response(self, error):
        audit_error(self.request, error.error or "invalid_request", error.description)
        return super().error_response(error)


@login_required
@require_POST
def service_signin_end(request: HttpRequest, pk: int) -> HttpResponse:
    """ "Sign out of <service>" on the sessions page: its tokens from that session are revoked."""
    signin = get_service_signin_for_user(request.user, pk)
    do_end_service_signin(acting_user=request.user, signin=signin)
    messages.success(
        request,
        _("You are signed out of %(service)s in that session.") % {"service": signin.application.name},
    )
    return redirect("identity:sessions")
