from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from ..actions.accounts import do_change_password
from ..decorators import require_account_change
from ..forms import ChangePasswordForm
from ..queries import security_overview
from ..sessions import keep_session_after_password_change, method_labels, verified_methods
from .mailbox_proof import CHANGING_THE_PASSWORD
from .sessions import describe_session


@login_required
def my_account(request: HttpRequest) -> HttpResponse:
    """My Account opens with the security overview: what is set up, and what fixes each gap."""
    overview = security_overview(request.user)
    current_key = request.session.session_key
    return render(
        request,
        "identity/my_account.html",
        {
            "overview": overview,
            "signins": [describe_session(s, current_key) for s in overview.recent_signins],
        },
    )


@login_required
def account_details(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "identity/account_details.html",
        {"verified_methods": method_labels(verified_methods(request))},
    )


@require_account_change(continue_text=CHANGING_THE_PASSWORD)
@require_http_methods(["GET", "POST"])
def change_password(request: HttpRequest) -> HttpResponse:
    form = ChangePasswordForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        do_change_password(
            acting_user=request.user,
            new_password=form.cleaned_data["new_password"],
            current_session_key=request.session.session_key,
        )
        keep_session_after_password_change(request, request.user)
        messages.success(request, _("Your password was changed."))
        return redirect("identity:my-account")
    return render(request, "identity/change_password.html", {"form": form})
