"""Manage my Security Keys and Trusted Platforms, and sign in with one (WebAuthn, passkeys included).

The browser half is static/identity/webauthn.js: it asks an *-options endpoint for the options,
lets the browser talk to the authenticator, and posts the answer back as JSON
({"name": …, "credential": …} or {"credential": …}); we answer {"redirect": url} or {"error": text}.
"""

import json

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.request import split_domain_port
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cpms.audit.middleware import client_ip

from .. import signin_state
from ..actions.security_keys import (
    RelyingParty,
    SecurityKeyProblem,
    authentication_options,
    do_add_security_key,
    do_remove_security_key,
    do_rename_security_key,
    do_verify_passkey,
    do_verify_security_key,
    passkey_options,
    registration_options,
)
from ..actions.signin import Throttled, do_check_second_factor, ensure_not_throttled, reserve_attempt
from ..decorators import require_account_change, require_account_change_json
from ..first_factor import after_new_factor, remember_where_to_go_on
from ..forms import SecurityKeyNameForm
from ..models import Method
from ..queries import get_security_key_for_user, is_last_security_key, list_security_keys
from ..sessions import AMR
from ..throttle import release
from .mailbox_proof import SETTING_UP_A_DEVICE
from .signin import finish_signin, pending_second_factor_user, second_factor_context, too_many_attempts


def relying_party(request: HttpRequest) -> RelyingParty:
    host = request.get_host()
    rp_id = getattr(settings, "WEBAUTHN_RP_ID", "") or split_domain_port(host)[0]
    return RelyingParty(id=rp_id, name=settings.WEBAUTHN_RP_NAME, origin=f"{request.scheme}://{host}")


def json_body(request: HttpRequest) -> dict | None:
    try:
        body = json.loads(request.body or b"{}")
    except (ValueError, RecursionError):
        return None
    return body if isinstance(body, dict) else None


def json_error(message, status: int = 400, **extra) -> JsonResponse:
    return JsonResponse({"error": str(message), **extra}, status=status)


def not_understood() -> JsonResponse:
    return json_error(_("The request was not understood. Please reload the page and try again."))


# -- Manage my Security Keys and Trusted Platforms


@login_required
@require_GET
def security_keys(request: HttpRequest) -> HttpResponse:
    return render(request, "identity/security_keys.html", {"keys": list_security_keys(request.user)})


@require_account_change(continue_text=SETTING_UP_A_DEVICE)  # outside require_GET: its page posts here
@require_GET
def security_key_add(request: HttpRequest) -> HttpResponse:
    remember_where_to_go_on(request)
    return render(request, "identity/security_key_add.html", {"form": SecurityKeyNameForm(user=request.user)})


@require_account_change_json("identity:security-key-add")
@require_POST
def security_key_register_options(request: HttpRequest) -> HttpResponse:
    """Body {"name": …}: the name is checked before the authenticator is bothered."""
    body = json_body(request)
    if body is None or not isinstance(body.get("name"), str):
        return not_understood()
    form = SecurityKeyNameForm({"name": body["name"]}, user=request.user)
    if not form.is_valid():
        return json_error(form.errors["name"][0], field="name")
    try:
        options, challenge = registration_options(user=request.user, rp=relying_party(request))
    except SecurityKeyProblem as problem:
        return json_error(problem)
    signin_state.keep_challenge(request.session, "register", challenge, user_id=request.user.pk)
    return HttpResponse(options, content_type="application/json")


@require_account_change_json("identity:security-key-add")
@require_POST
def security_key_register(request: HttpRequest) -> JsonResponse:
    """Body {"name": …, "credential": <the browser's RegistrationResponseJSON>}."""
    body = json_body(request)
    if body is None or not isinstance(body.get("name"), str) or not isinstance(body.get("credential"), dict):
        return not_understood()
    challenge = signin_state.pop_challenge(request.session, "register", user_id=request.user.pk)
    if challenge is None:
        return json_error(_("This registration has expired or was already used. Please try again."))
    form = SecurityKeyNameForm({"name": body["name"]}, user=request.user)
    if not form.is_valid():
        return json_error(form.errors["name"][0], field="name")
    try:
        key = do_add_security_key(
            acting_user=request.user,
            name=form.cleaned_data["name"],
            credential=body["credential"],
            challenge=challenge,
            rp=relying_party(request),
        )
    except SecurityKeyProblem as problem:
        return json_error(problem)
    messages.success(request, _("Your security key “%(name)s” was added.") % {"name": key.name})
    go_on_to = after_new_factor(request, AMR[Method.WEBAUTHN])
    return JsonResponse({"redirect": go_on_to or reverse("identity:security-keys")})


@require_account_change
@require_http_methods(["GET", "POST"])
def security_key_rename(request: HttpRequest, pk: int) -> HttpResponse:
    key = get_security_key_for_user(request.user, pk)
    form = SecurityKeyNameForm(request.POST or None, user=request.user, key=key, initial={"name": key.name})
    if request.method == "POST" and form.is_valid():
        do_rename_security_key(acting_user=request.user, key=key, name=form.cleaned_data["name"])
        messages.success(request, _("Your security key was renamed."))
        return redirect("identity:security-keys")
    return render(request, "identity/security_key_rename.html", {"key": key, "form": form})


@require_account_change
@require_http_methods(["GET", "POST"])
def security_key_remove(request: HttpRequest, pk: int) -> HttpResponse:
    key = get_security_key_for_user(request.user, pk)
    if request.method == "POST":
        do_remove_security_key(acting_user=request.user, key=key)
        messages.success(request, _("Your security key “%(name)s” was removed.") % {"name": key.name})
        return redirect("identity:security-keys")
    last_factor = is_last_security_key(request.user)
    return render(request, "identity/security_key_remove.html", {"key": key, "last_factor": last_factor})


# -- Sign in with a Security Key or Trusted Platform (after the password), or with a passkey alone


def signin_expired() -> JsonResponse:
    return json_error(
        _("Your sign-in has expired. Please start again."), status=403, redirect=reverse("identity:login")
    )


@require_GET
def signin_webauthn(request: HttpRequest) -> HttpResponse:
    if pending_second_factor_user(request) is None:
        return redirect("identity:login")
    return render(
        request,
        "identity/signin_webauthn.html",
        {**second_factor_context(request), "method": Method.WEBAUTHN},
    )


@require_POST
def signin_webauthn_options(request: HttpRequest) -> HttpResponse:
    user = pending_second_factor_user(request)
    if user is None:
        return signin_expired()
    try:
        ensure_not_throttled("code", user.pk, client_ip(request))
        options, challenge = authentication_options(user=user, rp=relying_party(request))
    except Throttled as throttled:
        return json_error(too_many_attempts(throttled), status=429)
    except SecurityKeyProblem as problem:
        return json_error(problem)
    signin_state.keep_challenge(request.session, "signin", challenge, user_id=user.pk)
    return HttpResponse(options, content_type="application/json")


def verify_key_answer(verify) -> tuple:
    """(key, None) or (None, the SecurityKeyProblem): for do_check_second_factor, which counts a None."""
    try:
        return verify(), None
    except SecurityKeyProblem as problem:
        return None, problem


@require_POST
def signin_webauthn_verify(request: HttpRequest) -> JsonResponse:
    """Body {"credential": <the browser's AuthenticationResponseJSON>}."""
    user = pending_second_factor_user(request)
    if user is None:
        return signin_expired()
    try:
        ensure_not_throttled("code", user.pk, client_ip(request))
    except Throttled as throttled:
        return json_error(too_many_attempts(throttled), status=429)
    body = json_body(request)
    if body is None or not isinstance(body.get("credential"), dict):
        return not_understood()
    challenge = signin_state.pop_challenge(request.session, "signin", user_id=user.pk)
    if challenge is None:
        return json_error(_("This sign-in attempt has expired or was already used. Please try again."))
    outcome: list = []

    def verify():
        key, problem = verify_key_answer(
            lambda: do_verify_security_key(
                user=user, credential=body["credential"], challenge=challenge, rp=relying_party(request)
            )
        )
        outcome.append(problem)
        return key

    try:
        key = do_check_second_factor(
            user=user, method=Method.WEBAUTHN.value, ip=client_ip(request), verify=verify
        )
    except Throttled as throttled:
        return json_error(too_many_attempts(throttled), status=429)
    if key is None:
        return json_error(outcome[0])
    return json_redirect(finish_signin(request, user, ["password", Method.WEBAUTHN]))


def json_redirect(response: HttpResponse) -> JsonResponse:
    """A redirect as the page's script expects it, with the cookies the redirect set."""
    answer = JsonResponse({"redirect": response.url})
    answer.cookies = response.cookies
    return answer


@require_POST
def signin_passkey_options(request: HttpRequest) -> HttpResponse:
    """From the first sign-in page: options for any passkey of this site (no account named yet)."""
    options, challenge = passkey_options(rp=relying_party(request))
    signin_state.begin(request.session, None, next_url=request.GET.get("next", ""))
    signin_state.keep_challenge(request.session, "passkey", challenge)
    return HttpResponse(options, content_type="application/json")


@require_POST
def signin_passkey_verify(request: HttpRequest) -> JsonResponse:
    """Body {"credential": …}: a passkey that verified its user signs in alone (two factors in one)."""
    challenge = signin_state.pop_challenge(request.session, "passkey")
    if challenge is None:
        return json_error(_("This sign-in attempt has expired or was already used. Please try again."))
    body = json_body(request)
    if body is None or not isinstance(body.get("credential"), dict):
        return not_understood()
    ip = client_ip(request)
    try:
        reservation = reserve_attempt({"code:ip": ip})
    except Throttled as throttled:
        return json_error(too_many_attempts(throttled), status=429)
    try:
        key = do_verify_passkey(
            credential=body["credential"],
            challenge=challenge,
            rp=relying_party(request),
        )
    except SecurityKeyProblem as problem:
        return json_error(problem)
    release(reservation)
    return json_redirect(finish_signin(request, key.user, [Method.WEBAUTHN, "user_verified"]))
