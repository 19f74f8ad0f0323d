"""Proof of the mailbox before a password-only session changes an account that had a second factor
(after PANIC, for instance): see actions.mailbox_proof and decorators.account_change_refusal."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from ..actions.mailbox_proof import (
    TooManySetupLinks,
    do_confirm_setup,
    do_send_setup_link,
)
from ..links import LinkProblem, find_usable_link
from ..models import EmailLink

SETTING_UP_A_DEVICE = gettext_lazy("Open it to continue setting up a new device.")
CHANGING_THE_EMAIL = gettext_lazy("Open it to continue changing your e-mail address.")
CHANGING_THE_PASSWORD = gettext_lazy("Open it to continue changing your password.")
DELETING_THE_ACCOUNT = gettext_lazy("Open it to continue deleting your account.")
CHANGING_THE_ACCOUNT = gettext_lazy("Open it to continue changing your account.")


def mailbox_proof_page(request: HttpRequest, continue_text=SETTING_UP_A_DEVICE) -> HttpResponse:
    """Send the link on first display; the page's button ("action=send_setup_link") sends it again."""
    again = request.method == "POST" and request.POST.get("action") == "send_setup_link"
    problem = ""
    try:
        sent = do_send_setup_link(acting_user=request.user, again=again)
    except TooManySetupLinks:
        problem = _("Too many links were sent. Please try again in an hour.")
    else:
        if again and sent:
            messages.success(request, _("A new link was sent."))
            return redirect(request.get_full_path())
    return render(
        request,
        "identity/mailbox_proof.html",
        {
            "email": request.user.email,
            "after_panic": request.user.factors_reset_at is not None,
            "continue_text": continue_text,
            "problem": problem,
        },
        status=429 if problem else 200,
    )


def link_problem(request: HttpRequest, problem: LinkProblem) -> HttpResponse:
    return render(
        request,
        "identity/link_problem.html",
        {"reason": problem.reason, "purpose": "confirm_setup"},
        status=404 if problem.reason == "invalid" else 410,
    )


@require_http_methods(["GET", "POST"])
def confirm_setup(request: HttpRequest, token: str) -> HttpResponse:
    """Public: the link is opened from the mailbox, perhaps in a browser that is signed out.

    GET only shows a button, so that mail scanners that open links change nothing.
    """
    try:
        find_usable_link(token, EmailLink.Purpose.CONFIRM_SETUP)
    except LinkProblem as problem:
        return link_problem(request, problem)
    if request.method == "POST":
        try:
            user = do_confirm_setup(token=token)
        except LinkProblem as problem:  # used in another tab a moment ago
            return link_problem(request, problem)
        if request.user.is_authenticated and request.user.pk == user.pk:
            messages.success(request, _("Thank you. You can now change your account or set up a new device."))
            return redirect("identity:my-account")
        messages.success(request, _("Thank you. Sign in, then set up a new device under My Account."))
        return redirect("identity:login")
    return render(request, "identity/confirm_setup.html")
