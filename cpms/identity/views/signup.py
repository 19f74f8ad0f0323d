from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout as auth_logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from cpms.audit.middleware import client_ip

from .. import throttle
from ..actions.accounts import do_create_account, do_request_password_link, do_set_password
from ..forms import CreateAccountForm, EmailForm, NewPasswordForm
from ..links import LinkProblem, find_usable_link
from ..models import EmailLink


@require_http_methods(["GET", "POST"])
def create_account(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("identity:my-account")  # already has an account, and is signed in to it
    form = CreateAccountForm(request.POST or None)
    if request.method == "POST":
        counters = {"signup:ip": client_ip(request)}
        verdict = throttle.check(counters)
        if not verdict.allowed:
            form.add_error(
                None,
                _(
                    "Too many accounts were created from your network. "
                    "Please try again in %(minutes)d minutes."
                )
                % {"minutes": verdict.minutes},
            )
        elif form.is_valid():
            # Every creation counts, so that one network cannot create accounts by the hundred.
            throttle.fail(counters)
            data = form.cleaned_data
            do_create_account(
                first_name=data["first_name"],
                last_name=data["last_name"],
                email=data["email"],
                email_language=data["email_language"],
            )
            request.session["signup.email"] = data["email"]
            return redirect("identity:create-account-done")
    return render(request, "identity/create_account.html", {"form": form})


def create_account_done(request: HttpRequest) -> HttpResponse:
    return render(
        request, "identity/create_account_done.html", {"email": request.session.get("signup.email", "")}
    )


def privacy_statement(request: HttpRequest) -> HttpResponse:
    return render(request, "identity/privacy_statement.html", {"privacy": settings.PRIVACY})


@require_http_methods(["GET", "POST"])
def set_password(request: HttpRequest, token: str) -> HttpResponse:
    try:
        link = find_usable_link(token, EmailLink.Purpose.SET_PASSWORD)
    except LinkProblem as problem:
        return render(
            request,
            "identity/link_problem.html",
            {"reason": problem.reason},
            status=410 if problem.reason != "invalid" else 404,
        )
    form = NewPasswordForm(request.POST or None, user=link.user)
    if request.method == "POST" and form.is_valid():
        try:
            user = do_set_password(token=token, password=form.cleaned_data["new_password"])
        except LinkProblem as problem:  # used by another tab a moment ago
            return render(request, "identity/link_problem.html", {"reason": problem.reason}, status=410)
        if request.user.is_authenticated and request.user.pk == user.pk:
            auth_logout(request)  # its sessions were all ended, this one included
        messages.success(request, _("Your password is set. You can now sign in."))
        return redirect("identity:login")
    return render(request, "identity/set_password.html", {"form": form, "account": link.user})


@require_http_methods(["GET", "POST"])
def password_link_request(request: HttpRequest) -> HttpResponse:
    """ "Forgot your password?", and a new link when one was used or expired."""
    form = EmailForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        do_request_password_link(email=form.cleaned_data["email"])
        return render(request, "identity/password_link_sent.html", {"email": form.cleaned_data["email"]})
    return render(request, "identity/password_link_request.html", {"form": form})
