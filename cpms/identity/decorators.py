from functools import wraps
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from .actions.signin import methods_for
from .models import Method
from .sessions import begin_signin, has_two_factors, recently_verified


def verified_enough_to_change(request) -> bool:
    """Verified in the last 10 minutes, and with a second factor if the account has one.

    Otherwise a stolen password alone could add the thief's own device to an account with two factors.
    """
    if not recently_verified(request):
        return False
    return has_two_factors(request) or methods_for(request.user.pk) == [Method.PASSWORD]


def begin_reverification(request, next_url: str) -> str:
    """Start verifying the signed-in user again; returns where to send them."""
    begin_signin(request, request.user.pk, next_url=next_url, second_factor=True)
    return reverse("identity:signin-method") + "?" + urlencode({"reverify": 1})


def require_recent_verification(view):
    """Changing a factor, the e-mail or the password needs a fresh verification: see
    verified_enough_to_change."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not verified_enough_to_change(request):
            return redirect(begin_reverification(request, request.get_full_path()))
        return view(request, *args, **kwargs)

    return wrapper


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
