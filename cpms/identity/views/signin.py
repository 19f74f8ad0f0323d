"""Signing in: the e-mail address or username, then the password (the same page for every
identifier), then, only for an account with a second factor, its preferred second factor (with
"Choose another verification method"). A passkey signs in from the first page, without password
(views/security_keys.py). Until the password is right, an unknown account, a password-only one and
a two-factor one get the same pages, messages and cost."""

from django.contrib import messages
from django.contrib.auth import logout as auth_logout
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_http_methods, require_POST

from cpms.audit.middleware import client_ip

from .. import signin_state
from ..actions.sessions import do_sign_out
from ..actions.signin import Throttled, do_check_password, do_record_signin
from ..forms import IdentifierForm, MethodForm, PasswordForm
from ..models import Method, User
from ..queries import (
    default_method,
    find_signin_user,
    get_active_user,
    methods_for,
    second_factors,
    signed_in_here,
)
from ..sessions import AMR, complete_signin, device_nonce_for, remember_device, verified_methods

SECOND_FACTOR_STEP = {
    Method.SMS: "identity:signin-sms",
    Method.TOTP: "identity:signin-totp",
    Method.WEBAUTHN: "identity:signin-webauthn",
}
WRONG_PASSWORD = gettext_lazy(
    "The password is not correct, or there is no account with this e-mail address or username."
)


def safe_next(request: HttpRequest, url: str) -> str:
    ok = url and url_has_allowed_host_and_scheme(url, {request.get_host()}, require_https=request.is_secure())
    return url if ok else reverse("identity:my-account")


@require_http_methods(["GET", "POST"])
def login(request: HttpRequest) -> HttpResponse:
    """Step 1: e-mail address or username; or a passkey, which signs in at once."""
    next_url = request.GET.get("next", "")
    if request.method == "GET" and request.user.is_authenticated:
        return already_signed_in(request, next_url)
    form = IdentifierForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        identifier = form.cleaned_data["identifier"].strip()
        user = find_signin_user(identifier)
        signin_state.begin(
            request.session,
            user.pk if user else None,
            identifier=identifier,
            next_url=request.POST.get("next", ""),
        )
        return redirect("identity:signin-password")
    return render(request, "identity/login.html", {"form": form, "next": request.POST.get("next", next_url)})


def already_signed_in(request: HttpRequest, next_url: str) -> HttpResponse:
    """A signed-in user is sent on; one sent here by a service that asks for a fresh sign-in
    (OpenID Connect prompt=login) verifies again first."""
    if not next_url or safe_next(request, next_url) != next_url:
        return redirect("identity:my-account")
    signin_state.begin(request.session, request.user.pk, next_url=next_url)
    return redirect(reverse("identity:signin-method") + "?reverify=1")


@require_http_methods(["GET", "POST"])
def signin_password(request: HttpRequest) -> HttpResponse:
    """Step 2, the same for every identifier: the password. Then the second factor, if the account has one."""
    if not signin_state.started(request.session):
        return redirect("identity:login")
    form = PasswordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user_id = signin_state.user_id(request.session)
        try:
            user = do_check_password(
                user_id=user_id,
                identifier=signin_state.identifier(request.session),
                password=form.cleaned_data["password"],
                ip=client_ip(request),
                device=device_nonce_for(request, user_id),
            )
        except Throttled as throttled:
            form.add_error(None, too_many_attempts(throttled))
        else:
            if user is None:
                form.add_error(None, WRONG_PASSWORD)
            else:
                return after_password(request, user)
    return render(
        request,
        "identity/signin_password.html",
        {
            "form": form,
            "identifier": signin_state.identifier(request.session),
            "reverify": request.user.is_authenticated
            and request.user.pk == signin_state.user_id(request.session),
        },
    )


def after_password(request: HttpRequest, user: User) -> HttpResponse:
    factors = second_factors(methods_for(user.pk))
    if not factors:
        return finish_signin(request, user, ["password"])
    signin_state.start_second_factor(request.session, password_verified=True)
    return redirect(SECOND_FACTOR_STEP[default_method(user, factors)])


@require_http_methods(["GET", "POST"])
def signin_method(request: HttpRequest) -> HttpResponse:
    """ "Choose another verification method", among the account's second factors (after the password).

    Also where a signed-in user re-verifies: straight to their preferred second factor, or to the
    password for an account without one.
    """
    if not signin_state.started(request.session):
        return redirect("identity:login")
    user_id = signin_state.user_id(request.session)
    reverifying = request.user.is_authenticated and request.user.pk == user_id
    if reverifying and not signin_state.owes_second_factor(request.session):
        if not signed_in_here(request.session.session_key):
            return redirect("identity:signin-password")  # not through our pages: the password too
        factors = second_factors(methods_for(user_id))
        if not factors:
            return redirect("identity:signin-password")
        signin_state.start_second_factor(request.session, password_verified=False)
        return redirect(SECOND_FACTOR_STEP[default_method(request.user, factors)])
    user = pending_second_factor_user(request)
    if user is None:
        return redirect("identity:login")
    factors = second_factors(methods_for(user.pk))
    form = MethodForm(
        request.POST or None, methods=factors, initial={"method": default_method(user, factors)}
    )
    if request.method == "POST" and form.is_valid():
        return redirect(SECOND_FACTOR_STEP[form.cleaned_data["method"]])
    return render(
        request,
        "identity/signin_method.html",
        {**second_factor_context(request), "form": form, "reverify": reverifying},
    )


def too_many_attempts(throttled: Throttled) -> str:
    if throttled.seconds <= 60:
        return ngettext(
            "Too many failed attempts. Please wait %(seconds)d second and try again.",
            "Too many failed attempts. Please wait %(seconds)d seconds and try again.",
            throttled.seconds,
        ) % {"seconds": throttled.seconds}
    return ngettext(
        "Too many failed attempts. Please wait %(minutes)d minute and try again.",
        "Too many failed attempts. Please wait %(minutes)d minutes and try again.",
        throttled.minutes,
    ) % {"minutes": throttled.minutes}


def pending_second_factor_user(request: HttpRequest) -> User | None:
    """The user who gave the right password (or is signed in and re-verifies) and now owes a second
    factor, or None."""
    if not signin_state.owes_second_factor(request.session):
        return None
    return get_active_user(signin_state.user_id(request.session))


def second_factor_context(request: HttpRequest) -> dict:
    """What every second-factor page shows above its form."""
    signed_in_email = request.user.email if request.user.is_authenticated else ""
    return {
        "identifier": signin_state.identifier(request.session) or signed_in_email,
        "reverify": signin_state.reverifying(request.session, request.user),
        "for_cpms": signin_state.next_url(request.session).startswith("/cpms/"),
    }


def finish_signin(request: HttpRequest, user: User, ways: list[str]) -> HttpResponse:
    """Sign in after `ways` ("password" plus a Method or "recovery") were verified.

    A signed-in user who re-verified with a second factor alone keeps what the session verified
    before (its password), plus that factor.
    """
    methods = [AMR[way] for way in ways]
    next_url = signin_state.next_url(request.session)
    if signin_state.reverifying(request.session, request.user):
        methods = list(
            dict.fromkeys(verified_methods(request) + [m for m in methods if m != AMR["password"]])
        )
    with transaction.atomic():  # one commit for the session, its entry, the audit trail
        if request.user.is_authenticated and request.user.pk != user.pk:
            # Another account signs in in this browser: the previous one is signed out for good.
            do_sign_out(
                acting_user=request.user,
                session_key=request.session.session_key,
                data={"replaced_by": user.pk},
            )
        complete_signin(request, user, methods)
        do_record_signin(user=user, methods=methods)
    response = redirect(safe_next(request, next_url))
    remember_device(request, response, user)
    return response


@require_POST
def logout(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        do_sign_out(acting_user=request.user, session_key=request.session.session_key)
    auth_logout(request)
    messages.success(request, _("You are signed out."))
    return redirect("identity:login")
