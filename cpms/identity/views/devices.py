"""Manage my mobile devices (authenticator apps), and the authenticator-app step of signing in."""

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from cpms.audit.middleware import client_ip

from ..actions.signin import Throttled, do_check_second_factor
from ..actions.totp import (
    do_cancel_totp_device,
    do_confirm_totp_device,
    do_remove_totp_device,
    do_rename_totp_device,
    do_start_totp_device,
    grouped_secret,
    provisioning_uri,
    verify_totp,
)
from ..decorators import require_account_change
from ..first_factor import after_new_factor, remember_where_to_go_on
from ..forms import CodeForm, DeviceNameForm
from ..models import Method, TotpDevice
from ..queries import (
    code_already_used,
    get_totp_device_for_user,
    is_last_totp_device,
    list_totp_devices,
    pending_device,
    unused_count,
)
from ..sessions import AMR
from .mailbox_proof import SETTING_UP_A_DEVICE
from .signin import finish_signin, pending_second_factor_user, second_factor_context, too_many_attempts

PENDING_KEY = "totp.pending_id"
WRONG_CODE = gettext_lazy(
    "This code is not correct. Check the time on your phone, and enter the newest code."
)
USED_CODE = gettext_lazy(
    "This code was already used. Wait until your app shows the next code, then enter it."
)


def qr_svg(uri: str) -> str:
    """The QR code as inline SVG markup (segno escapes the title)."""
    svg = segno.make(uri, error="m").svg_inline(
        scale=4, title=_("QR code for your authenticator app"), omitsize=True
    )
    return svg.replace("<svg ", '<svg role="img" ', 1)


@login_required
def mobile_devices(request: HttpRequest) -> HttpResponse:
    devices = list_totp_devices(request.user)
    return render(
        request,
        "identity/mobile_devices.html",
        {"devices": devices, "recovery_codes_left": unused_count(request.user)},
    )


@never_cache
@require_account_change(continue_text=SETTING_UP_A_DEVICE)
@require_http_methods(["GET", "POST"])
def mobile_device_add(request: HttpRequest) -> HttpResponse:
    """Name the app, then scan the QR code and type the first code to confirm it."""
    remember_where_to_go_on(request)
    device = pending_device(request.user, request.session.get(PENDING_KEY))
    action = request.POST.get("action")
    if request.method == "POST" and action == "cancel":
        if device is not None:
            do_cancel_totp_device(acting_user=request.user, device=device)
        request.session.pop(PENDING_KEY, None)
        return redirect("identity:mobile-devices")
    if device is None or action == "start":
        return _add_start(request)
    return _add_confirm(request, device)


def _add_start(request: HttpRequest) -> HttpResponse:
    starting = request.method == "POST" and request.POST.get("action") == "start"
    form = DeviceNameForm(request.POST if starting else None, user=request.user)
    if starting and form.is_valid():
        device = do_start_totp_device(acting_user=request.user, name=form.cleaned_data["name"])
        request.session[PENDING_KEY] = device.pk
        return redirect("identity:mobile-device-add")
    if request.method == "POST" and not starting:
        messages.error(request, _("This app was not confirmed within a day. Please start again."))
    return render(request, "identity/mobile_device_add.html", {"form": form, "step": "name"})


def _add_confirm(request: HttpRequest, device: TotpDevice) -> HttpResponse:
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if do_confirm_totp_device(acting_user=request.user, device=device, code=form.cleaned_data["code"]):
            request.session.pop(PENDING_KEY, None)
            messages.success(
                request, _("Your authenticator app “%(name)s” is ready.") % {"name": device.name}
            )
            go_on_to = after_new_factor(request, AMR[Method.TOTP])
            if go_on_to:
                return redirect(go_on_to)
            if not unused_count(request.user):
                messages.info(
                    request,
                    format_html(
                        '{} <a class="alert-link" href="{}">{}</a>',
                        _("If you lose your phone, recovery codes let you sign in."),
                        reverse("identity:recovery-codes"),
                        _("Generate recovery codes"),
                    ),
                )
            return redirect("identity:mobile-devices")
        form.add_error("code", WRONG_CODE)
    uri = provisioning_uri(device, request.user)
    return render(
        request,
        "identity/mobile_device_add.html",
        {
            "form": form,
            "step": "confirm",
            "device": device,
            "qr_svg": qr_svg(uri),
            "otpauth_uri": uri,  # opens the app on the phone that holds it
            "secret": grouped_secret(device.secret),
        },
    )


@require_account_change
@require_http_methods(["GET", "POST"])
def mobile_device_rename(request: HttpRequest, pk: int) -> HttpResponse:
    device = get_totp_device_for_user(request.user, pk)
    form = DeviceNameForm(
        request.POST or None, user=request.user, device=device, initial={"name": device.name}
    )
    if request.method == "POST" and form.is_valid():
        do_rename_totp_device(acting_user=request.user, device=device, name=form.cleaned_data["name"])
        messages.success(request, _("The authenticator app was renamed."))
        return redirect("identity:mobile-devices")
    return render(request, "identity/mobile_device_rename.html", {"form": form, "device": device})


@require_account_change
@require_http_methods(["GET", "POST"])
def mobile_device_remove(request: HttpRequest, pk: int) -> HttpResponse:
    device = get_totp_device_for_user(request.user, pk)
    if request.method == "POST":
        do_remove_totp_device(acting_user=request.user, device=device)
        messages.success(request, _("The authenticator app “%(name)s” was removed.") % {"name": device.name})
        return redirect("identity:mobile-devices")
    last_factor = is_last_totp_device(request.user, device)
    return render(
        request, "identity/mobile_device_remove.html", {"device": device, "last_factor": last_factor}
    )


@require_http_methods(["GET", "POST"])
def signin_totp(request: HttpRequest) -> HttpResponse:
    """Sign-in step: the 6-digit code of an authenticator app, after the password."""
    user = pending_second_factor_user(request)
    if user is None:
        return redirect("identity:login")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        code = form.cleaned_data["code"]
        try:
            device = do_check_second_factor(
                user=user, method=Method.TOTP, ip=client_ip(request), verify=lambda: verify_totp(user, code)
            )
        except Throttled as throttled:
            form.add_error(None, too_many_attempts(throttled))
        else:
            if device is not None:
                return finish_signin(request, user, ["password", Method.TOTP])
            form.add_error("code", USED_CODE if code_already_used(user, code) else WRONG_CODE)
    return render(request, "identity/signin_totp.html", {"form": form, **second_factor_context(request)})
