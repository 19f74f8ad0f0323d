"""Who may change an account, and who may see patient data: one rule each, in one place.

The changes to one's own account (every view decorated with require_account_change):
- the password, the e-mail address, the account's settings (e-mail language, preferred method,
  security e-mails), deleting the account;
- adding, renaming and removing an authenticator app, a phone number or a security key, and new
  recovery codes.
Only taking access away is open to every signed-in session, verified however: signing out, ending
a session, and PANIC (which works with the password alone, for a user who lost their phone).

And refuse_nul_bytes: the OpenID Connect endpoints answer a NUL byte with the standard's error.
"""

from dataclasses import dataclass
from functools import wraps
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import signin_state
from .models import Method
from .queries import methods_for, needs_mailbox_proof
from .sessions import has_two_factors, recently_verified
from .views.mailbox_proof import CHANGING_THE_ACCOUNT, mailbox_proof_page
from .views.oidc import audit_error, has_nul_byte

VERIFY_AGAIN = "verify_again"
SECOND_FACTOR = "second_factor"
MAILBOX = "mailbox"


@dataclass(frozen=True)
class Refusal:
    """Why this session may not change its account now; `next_step` says what the user does next."""

    next_step: str  # VERIFY_AGAIN, SECOND_FACTOR or MAILBOX
    message: Promise


def account_change_refusal(request) -> Refusal | None:
    """None if this session may change its account now, else why not.

    A session verified by the password alone changes nothing (PANIC aside) on an account that has,
    or had since its mailbox was last proven, a second factor: else a stolen password could press
    PANIC, sign in again and take the account. It proves the mailbox when no factor is left.
    """
    if not recently_verified(request):
        return Refusal(VERIFY_AGAIN, gettext_lazy("This change needs a fresh verification of who you are."))
    if has_two_factors(request):
        return None
    if methods_for(request.user.pk) != [Method.PASSWORD]:
        return Refusal(
            SECOND_FACTOR,
            gettext_lazy(
                "You signed in with your password only. To change your account, verify with your "
                "second factor. Lost it? Use “Delete all my devices (PANIC)” under My Account."
            ),
        )
    if needs_mailbox_proof(request.user):
        return Refusal(MAILBOX, gettext_lazy("Please open the link we sent to your e-mail address first."))
    return None


def verified_enough_to_change(request) -> bool:
    return account_change_refusal(request) is None


def begin_reverification(request, next_url: str) -> str:
    """Start verifying the signed-in user again; returns where to send them."""
    signin_state.begin(request.session, request.user.pk, next_url=next_url, second_factor=True)
    return reverse("identity:signin-method") + "?" + urlencode({"reverify": 1})


def require_account_change(view=None, *, continue_text=CHANGING_THE_ACCOUNT):
    """The view changes the signed-in user's account: see account_change_refusal.

    A refused session is sent to verify again (with its second factor when the account has one), or
    shown the page that e-mails the link proving the mailbox (`continue_text` ends its sentence).
    """

    def decorator(view):
        @login_required
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            refusal = account_change_refusal(request)
            if refusal is None:
                return view(request, *args, **kwargs)
            if refusal.next_step == MAILBOX:
                return mailbox_proof_page(request, continue_text)
            if refusal.next_step == SECOND_FACTOR:
                messages.info(request, refusal.message)
            return redirect(begin_reverification(request, request.get_full_path()))

        return wrapper

    return decorator(view) if view is not None else decorator


def require_account_change_json(page_url_name: str):
    """require_account_change for JSON endpoints: a 403 whose "redirect" is where to go next."""

    def decorator(view):
        @login_required
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            refusal = account_change_refusal(request)
            if refusal is None:
                return view(request, *args, **kwargs)
            page = reverse(page_url_name)
            if refusal.next_step == MAILBOX:
                target = page
            else:
                if refusal.next_step == SECOND_FACTOR:
                    messages.info(request, refusal.message)
                target = begin_reverification(request, page)
            return JsonResponse({"error": str(refusal.message), "redirect": target}, status=403)

        return wrapper

    return decorator


def require_two_factors(view):
    """Pages that change who may see patient data need a session verified with two factors.

    A password-only session is asked for its second factor (or to set one up first).
    """

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if has_two_factors(request):
            return view(request, *args, **kwargs)
        if methods_for(request.user.pk) == [Method.PASSWORD]:
            messages.info(request, _("This page needs two-factor verification: set up a second factor."))
            return redirect("identity:my-account")
        return redirect(begin_reverification(request, request.get_full_path()))

    return wrapper


def refuse_nul_bytes(view, *, page: bool = False):
    """Answer a request with a NUL byte in a parameter with the standard's invalid_request, audited:
    a page for browsers (`page`), JSON for services. Attributes such as csrf_exempt are kept."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not has_nul_byte(request):
            return view(request, *args, **kwargs)
        description = "The request contains a NUL character."
        audit_error(request, "invalid_request", description, by_user=page)
        if page:
            error = {"error": "invalid_request", "description": description}
            return render(request, "identity/oidc_error.html", {"error": error}, status=400)
        return JsonResponse({"error": "invalid_request", "error_description": description}, status=400)

    return wrapper
