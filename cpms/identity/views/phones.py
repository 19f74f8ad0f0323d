"""Manage my mobile phone numbers, and the "Mobile Phone + SMS" sign-in step."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from cpms.audit.middleware import client_ip

from .. import signin_state
from ..actions.phones import (
    SIGNIN,
    VERIFY,
    do_add_phone,
    do_check_sms_code,
    do_remove_phone,
    do_send_sms_code,
    do_verify_phone,
    international_format,
)
from ..actions.signin import Throttled
from ..decorators import require_account_change
from ..first_factor import after_new_factor, remember_where_to_go_on
from ..forms import CodeForm, PhoneChoiceForm, PhoneNumberForm
from ..models import Method, PhoneNumber
from ..queries import get_phone_for_user, has_pending_code, is_last_phone, list_phones, verified_phones
from ..sessions import AMR
from .mailbox_proof import SETTING_UP_A_DEVICE
from .signin import finish_signin, pending_second_factor_user, second_factor_context, too_many_attempts

WRONG_CODE = gettext_lazy(
    "This code is not correct, or it has expired. Check the last SMS, or send a new code."
)


def too_many_codes(throttled: Throttled) -> str:
    return _("Too many codes were sent. Please wait %(minutes)d minutes before asking for a new one.") % {
        "minutes": throttled.minutes
    }


# -- Manage my mobile phone numbers


@login_required
def phone_numbers(request: HttpRequest) -> HttpResponse:
    return render(request, "identity/phone_numbers.html", {"phones": list_phones(request.user)})


@require_account_change(continue_text=SETTING_UP_A_DEVICE)
@require_http_methods(["GET", "POST"])
def phone_number_add(request: HttpRequest) -> HttpResponse:
    remember_where_to_go_on(request)
    form = PhoneNumberForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            phone = do_add_phone(acting_user=request.user, number=form.cleaned_data["number"])
        except ValidationError as error:
            form.add_error("number", error)
        except Throttled as throttled:
            form.add_error(None, too_many_codes(throttled))
        else:
            return redirect("identity:phone-number-verify", pk=phone.pk)
    return render(request, "identity/phone_number_add.html", {"form": form})


@require_account_change(continue_text=SETTING_UP_A_DEVICE)
@require_http_methods(["GET", "POST"])
def phone_number_verify(request: HttpRequest, pk: int) -> HttpResponse:
    phone = get_phone_for_user(request.user, pk)
    if phone.verified_at is not None:
        messages.info(request, _("This number is already verified."))
        return redirect("identity:phone-numbers")
    resend = request.POST.get("action") == "resend"
    form = CodeForm(request.POST if request.method == "POST" and not resend else None)
    send_problem = ""
    if resend:
        try:
            do_send_sms_code(phone=phone, purpose=VERIFY)
        except Throttled as throttled:
            send_problem = too_many_codes(throttled)
        else:
            messages.success(request, _("A new code was sent."))
            return redirect("identity:phone-number-verify", pk=phone.pk)
    elif request.method == "POST" and form.is_valid():
        try:
            verified = do_verify_phone(
                acting_user=request.user, phone=phone, code=form.cleaned_data["code"], ip=client_ip(request)
            )
        except Throttled as throttled:
            form.add_error(None, too_many_attempts(throttled))
        else:
            if verified:
                messages.success(
                    request, _("Your mobile phone number is verified. You can now sign in with it.")
                )
                return redirect(after_new_factor(request, AMR[Method.SMS]) or "identity:phone-numbers")
            form.add_error("code", WRONG_CODE)
    return render(
        request,
        "identity/phone_number_verify.html",
        {
            "phone": phone,
            "number": international_format(phone.number),
            "form": form,
            "pending": has_pending_code(phone, VERIFY),
            "send_problem": send_problem,
        },
    )


@require_account_change
@require_http_methods(["GET", "POST"])
def phone_number_remove(request: HttpRequest, pk: int) -> HttpResponse:
    phone = get_phone_for_user(request.user, pk)
    if request.method == "POST":
        do_remove_phone(acting_user=request.user, phone=phone)
        messages.success(request, _("The mobile phone number was removed."))
        return redirect("identity:phone-numbers")
    last_factor = is_last_phone(request.user, phone)
    return render(request, "identity/phone_number_remove.html", {"phone": phone, "last_factor": last_factor})


# -- Sign in with "Mobile Phone + SMS"


@require_http_methods(["GET", "POST"])
def signin_sms(request: HttpRequest) -> HttpResponse:
    """The second step after the password: a code sent by SMS to one of the verified numbers."""
    user = pending_second_factor_user(request)
    if user is None:
        return redirect("identity:login")
    phones = list(verified_phones(user))
    if not phones:
        messages.error(request, _("Your account has no verified mobile phone number. Choose another method."))
        return redirect("identity:signin-method")
    action = request.POST.get("action", "")
    phone = next((p for p in phones if p.pk == signin_state.chosen_phone_id(request.session)), None)
    if phone is None and len(phones) == 1:
        phone = phones[0]
    if phone is None or action == "choose" or (request.method == "GET" and "choose" in request.GET):
        return choose_phone(request, phones, action == "choose")
    signin_state.choose_phone(request.session, phone.pk)
    context = {
        "phone": phone,
        "several": len(phones) > 1,
        "send_problem": "",
        **second_factor_context(request),
    }
    form = CodeForm(request.POST if request.method == "POST" and action != "resend" else None)
    if action == "resend" or (request.method == "GET" and not has_pending_code(phone, SIGNIN)):
        try:
            do_send_sms_code(phone=phone, purpose=SIGNIN)
        except Throttled as throttled:
            context["send_problem"] = too_many_codes(throttled)
        else:
            if action == "resend":
                messages.success(request, _("A new code was sent."))
                return redirect("identity:signin-sms")
    elif request.method == "POST" and form.is_valid():
        try:
            ok = do_check_sms_code(
                phone=phone, purpose=SIGNIN, code=form.cleaned_data["code"], ip=client_ip(request)
            )
        except Throttled as throttled:
            form.add_error(None, too_many_attempts(throttled))
        else:
            if ok:
                signin_state.forget_phone(request.session)
                return finish_signin(request, user, ["password", Method.SMS])
            form.add_error("code", WRONG_CODE)
    context.update(form=form, pending=has_pending_code(phone, SIGNIN))
    return render(request, "identity/signin_sms.html", context)


def choose_phone(request: HttpRequest, phones: list[PhoneNumber], submitted: bool) -> HttpResponse:
    """Several verified numbers: the user picks which one receives the code."""
    form = PhoneChoiceForm(request.POST if submitted else None, phones=phones)
    if submitted and form.is_valid():
        signin_state.choose_phone(request.session, form.cleaned_data["phone"])
        return redirect("identity:signin-sms")
    return render(
        request,
        "identity/signin_sms.html",
        {"choose_form": form, **second_factor_context(request)},
    )
