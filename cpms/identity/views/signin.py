from django.contrib import messages
from django.contrib.auth import logout as auth_logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from cpms.audit.middleware import client_ip

from ..actions.sessions import do_sign_out
from ..actions.signin import (
    Throttled,
    default_method,
    do_check_password,
    do_record_code_success,
    do_record_signin,
    find_signin_user,
    methods_for,
)
from ..forms import IdentifierForm, MethodForm, PasswordForm
from ..models import Method, User
from ..sessions import (
    AMR,
    begin_signin,
    complete_signin,
    pop_next_url,
    signin_started,
    signin_user_id,
)

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
    """Step 1: e-mail address or username."""
    form = IdentifierForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        identifier = form.cleaned_data["identifier"].strip()
        user = find_signin_user(identifier)
        begin_signin(
            request, user.pk if user else None, identifier=identifier, next_url=request.POST.get("next", "")
        )
        return redirect("identity:signin-method")
    return render(request, "identity/login.html", {"form": form, "next": request.GET.get("next", "")})


@require_http_methods(["GET", "POST"])
def signin_method(request: HttpRequest) -> HttpResponse:
    """Step 2: "Choose your verification method", among those the account has set up."""
    if not signin_started(request):
        return redirect("identity:login")
    user_id = signin_user_id(request)
    user = User.objects.filter(pk=user_id).first() if user_id else None
    methods = methods_for(user_id)
    if request.session.get("signin.second_factor") and len(methods) > 1:
        methods.remove(Method.PASSWORD)  # what asked for this verification needs a second factor
    form = MethodForm(
        request.POST or None, methods=methods, initial={"method": default_method(user, methods)}
    )
    if request.method == "POST" and form.is_valid():
        request.session["signin.method"] = form.cleaned_data["method"]
        request.session["signin.password_ok"] = False
        return redirect("identity:signin-password")
    return render(
        request,
        "identity/signin_method.html",
        {
            "form": form,
            "identifier": request.session.get("signin.identifier", ""),
            "reverify": request.user.is_authenticated,
            "for_cpms": request.session.get("signin.next", "").startswith("/cpms/"),
        },
    )


@require_http_methods(["GET", "POST"])
def signin_password(request: HttpRequest) -> HttpResponse:
    """Step 3: the password; then the second factor of the chosen method, if any."""
    method = request.session.get("signin.method")
    if not signin_started(request) or method is None:
        return redirect("identity:login")
    form = PasswordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = do_check_password(
                user_id=signin_user_id(request),
                identifier=request.session["signin.identifier"],
                password=form.cleaned_data["password"],
                ip=client_ip(request),
            )
        except Throttled as throttled:
            form.add_error(None, too_many_attempts(throttled))
        else:
            if user is None:
                form.add_error(None, WRONG_PASSWORD)
            elif method == Method.PASSWORD:
                return finish_signin(request, user, ["password"])
            else:
                request.session["signin.password_ok"] = True
                return redirect(SECOND_FACTOR_STEP[method])
    return render(
        request,
        "identity/signin_password.html",
        {
            "form": form,
            "identifier": request.session.get("signin.identifier", ""),
            "method": Method(method),
        },
    )


def too_many_attempts(throttled: Throttled) -> str:
    return _("Too many failed attempts. Please wait %(minutes)d minutes and try again.") % {
        "minutes": throttled.minutes
    }


def pending_second_factor_user(request: HttpRequest) -> User | None:
    """The user who gave the right password and now owes a second factor, or None."""
    if not request.session.get("signin.password_ok"):
        return None
    return User.objects.filter(pk=signin_user_id(request), is_active=True).first()


def finish_signin(request: HttpRequest, user: User, ways: list[str]) -> HttpResponse:
    """Sign in after `ways` ("password" plus a Method or "recovery") were verified."""
    methods = [AMR[way] for way in ways]
    if len(ways) > 1:
        do_record_code_success(user=user)
    if request.user.is_authenticated and request.user.pk != user.pk:
        # Another account signs in in this browser: the previous one is signed out for good.
        do_sign_out(
            acting_user=request.user, session_key=request.session.session_key, data={"replaced_by": user.pk}
        )
    complete_signin(request, user, methods)
    do_record_signin(user=user, methods=methods)
    return redirect(safe_next(request, pop_next_url(request)))


@require_POST
def logout(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        do_sign_out(acting_user=request.user, session_key=request.session.session_key)
    auth_logout(request)
    messages.success(request, _("You are signed out."))
    return redirect("identity:login")
