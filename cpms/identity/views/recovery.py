"""Recovery codes: how many are left, new ones (shown once), and signing in with one."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from cpms.audit.middleware import client_ip

from ..actions.recovery import CODE_COUNT, do_generate_recovery_codes, do_use_recovery_code
from ..actions.signin import Throttled, do_check_second_factor
from ..decorators import require_account_change
from ..forms import RecoveryCodeForm
from ..queries import unused_count
from .signin import finish_signin, pending_second_factor_user, second_factor_context, too_many_attempts

WRONG_CODE = gettext_lazy("This recovery code is not correct, or it was used already.")


def codes_left_message(remaining: int) -> str:
    return ngettext(
        "You have %(count)d unused recovery code left. If your phone is lost, set up a new "
        "verification device, then generate new recovery codes.",
        "You have %(count)d unused recovery codes left. If your phone is lost, set up a new "
        "verification device, then generate new recovery codes.",
        remaining,
    ) % {"count": remaining}


@login_required
@require_http_methods(["GET", "POST"])
def recovery_codes(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        return regenerate_recovery_codes(request)
    return render(
        request, "identity/recovery_codes.html", {"unused": unused_count(request.user), "total": CODE_COUNT}
    )


@never_cache
@require_account_change
@require_POST
def regenerate_recovery_codes(request: HttpRequest) -> HttpResponse:
    """New codes, shown in this response only: they are never stored in plain text."""
    codes = do_generate_recovery_codes(acting_user=request.user)
    return render(
        request,
        "identity/recovery_codes.html",
        {"codes": codes, "codes_text": "\n".join(codes) + "\n", "unused": len(codes), "total": CODE_COUNT},
    )


@require_http_methods(["GET", "POST"])
def signin_recovery(request: HttpRequest) -> HttpResponse:
    """Sign-in step for a lost phone: one of the recovery codes, after the password."""
    user = pending_second_factor_user(request)
    if user is None:
        return redirect("identity:login")
    form = RecoveryCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        code = form.cleaned_data["code"]
        try:
            remaining = do_check_second_factor(
                user=user,
                method="recovery",
                ip=client_ip(request),
                verify=lambda: do_use_recovery_code(user=user, code=code),
            )
        except Throttled as throttled:
            form.add_error(None, too_many_attempts(throttled))
        else:
            if remaining is not None:
                response = finish_signin(request, user, ["password", "recovery"])
                messages.warning(request, codes_left_message(remaining))
                return response
            form.add_error("code", WRONG_CODE)
    return render(
        request,
        "identity/signin_recovery.html",
        {"form": form, **second_factor_context(request)},
    )
