from django.contrib import messages
from django.contrib.auth import logout as auth_logout
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from ..actions.account_settings import (
    TooManyEmailChanges,
    do_configure_account,
    do_confirm_email_change,
    do_delete_account,
    do_request_email_change,
)
from ..decorators import require_account_change
from ..forms import ConfigureAccountForm, DeleteAccountForm, EmailForm
from ..links import LinkProblem, find_usable_link
from ..models import EmailLink, Method
from ..queries import methods_for
from .mailbox_proof import CHANGING_THE_EMAIL, DELETING_THE_ACCOUNT

NO_PREFERENCE = gettext_lazy("No preference: the strongest method I have set up")


def link_problem(request: HttpRequest, problem: LinkProblem) -> HttpResponse:
    status = 404 if problem.reason == "invalid" else 410
    return render(
        request,
        "identity/link_problem.html",
        {"reason": problem.reason, "purpose": "change_email"},
        status=status,
    )


@require_account_change  # else a stolen password could turn off the security e-mails
@require_http_methods(["GET", "POST"])
def configure_account(request: HttpRequest) -> HttpResponse:
    user = request.user
    methods = methods_for(user.pk)
    # Only the methods set up on the account; no preference (blank) offers the strongest first,
    # never SMS: SMS is offered first only when chosen here.
    form = ConfigureAccountForm(
        request.POST if request.method == "POST" else None,
        instance=user,
        initial={"preferred_method": user.preferred_method if user.preferred_method in methods else ""},
    )
    form.fields["preferred_method"].choices = [("", NO_PREFERENCE)] + [(m, Method(m).label) for m in methods]
    if request.method == "POST" and form.is_valid():
        try:
            do_configure_account(
                acting_user=user,
                email_language=form.cleaned_data["email_language"],
                preferred_method=form.cleaned_data["preferred_method"],
                security_emails=form.cleaned_data["security_emails"],
                time_zone=form.cleaned_data["time_zone"],
            )
        except ValidationError as error:  # a device was removed in another tab meanwhile
            form.add_error("preferred_method", error)
        else:
            messages.success(request, _("Your settings were saved."))
            return redirect("identity:my-account")
    return render(request, "identity/configure_account.html", {"form": form})


@require_account_change(continue_text=CHANGING_THE_EMAIL)
@require_http_methods(["GET", "POST"])
def change_email(request: HttpRequest) -> HttpResponse:
    form = EmailForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        new_email = form.cleaned_data["email"].strip()
        if new_email.lower() == request.user.email.lower():
            form.add_error("email", _("This is already your e-mail address."))
        else:
            try:
                do_request_email_change(acting_user=request.user, new_email=new_email)
            except TooManyEmailChanges:
                form.add_error(None, _("You asked for too many e-mail changes. Please try again in an hour."))
            else:
                return render(request, "identity/change_email_sent.html", {"email": new_email})
    return render(request, "identity/change_email.html", {"form": form})


@require_http_methods(["GET", "POST"])
def change_email_confirm(request: HttpRequest, token: str) -> HttpResponse:
    """Public: the link is opened from the new mailbox, perhaps in a browser that is signed out.

    GET only shows the address, so that mail scanners that open links change nothing.
    """
    try:
        link = find_usable_link(token, EmailLink.Purpose.CHANGE_EMAIL)
    except LinkProblem as problem:
        return link_problem(request, problem)
    if request.method == "POST":
        try:
            user = do_confirm_email_change(token=token)
        except LinkProblem as problem:  # used in another tab a moment ago
            return link_problem(request, problem)
        if user is None:
            return render(
                request,
                "identity/change_email_confirm.html",
                {"new_email": link.new_email, "taken": True},
                status=409,
            )
        messages.success(request, _("Your e-mail address is now %(email)s.") % {"email": user.email})
        if request.user.is_authenticated and request.user.pk == user.pk:
            return redirect("identity:account-details")
        return redirect("identity:login")
    return render(request, "identity/change_email_confirm.html", {"new_email": link.new_email})


@require_account_change(continue_text=DELETING_THE_ACCOUNT)
@require_http_methods(["GET", "POST"])
def delete_account(request: HttpRequest) -> HttpResponse:
    form = DeleteAccountForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        do_delete_account(acting_user=request.user)
        auth_logout(request)
        return render(request, "identity/account_deleted.html")
    return render(request, "identity/delete_account.html", {"form": form})
