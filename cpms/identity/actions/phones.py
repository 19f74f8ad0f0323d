"""Mobile phone numbers and the 6-digit codes sent to them by SMS.

A number is stored in E.164 form ("+33612345678") and can sign its owner in only once a
code sent to it was typed back. Codes are random, valid for 10 minutes, single use, and
only their HMAC is stored; a new code replaces the unused ones of the same phone and
purpose. Sending is limited per account (throttle scope "sms:account"), so nobody can make
us send SMS by the hundred; wrong codes count on the "code" counters like any other code.
"""

import hashlib
import hmac
import re
import secrets
from datetime import timedelta

import phonenumbers
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from cpms.audit.record import record
from cpms.lib.i18n import lazy_format
from cpms.lib.sms import send_sms_on_commit

from .. import throttle
from ..models import Method, PhoneNumber, SmsCode, User
from ..notify import security_event
from .mailbox_proof import remember_second_factor
from .signin import Throttled, do_check_second_factor, do_record_code_success

SIGNIN = "signin"
VERIFY = "verify"
CODE_LIFETIME = timedelta(minutes=10)
MAX_PHONES = 5
MOBILE_TYPES = {phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE}
ALLOWED_CHARACTERS = re.compile(r"^\+?[\d\s().\-/]*$")


# -- Numbers


def parse_mobile_number(raw: str, region: str | None = None) -> str:
    """The number in E.164 form, or ValidationError saying what is wrong with it.

    `raw` is either international ("+33 6 12 34 56 78", "0033 6 …") or national with
    `region` (an ISO country code such as "FR").
    """
    raw = (raw or "").strip()
    if not ALLOWED_CHARACTERS.match(raw) or not any(ch.isdigit() for ch in raw):
        raise ValidationError(
            _("Enter a phone number with digits only, for example +33 6 12 34 56 78."), code="malformed"
        )
    if raw.startswith("00"):
        raw = "+" + raw[2:]
    if not raw.startswith("+") and not region:
        raise ValidationError(
            _("Choose a country, or enter the number in international format: + and the country code first."),
            code="not_international",
        )
    try:
        number = phonenumbers.parse(raw, None if raw.startswith("+") else region)
    except phonenumbers.NumberParseException as error:
        raise ValidationError(
            _("This is not a valid phone number. Check the country code and the digits."), code="malformed"
        ) from error
    reason = phonenumbers.is_possible_number_with_reason(number)
    if reason in (phonenumbers.ValidationResult.TOO_SHORT, phonenumbers.ValidationResult.INVALID_LENGTH):
        raise ValidationError(_("This phone number is too short."), code="too_short")
    if reason == phonenumbers.ValidationResult.TOO_LONG:
        raise ValidationError(_("This phone number is too long."), code="too_long")
    if not phonenumbers.is_valid_number(number):
        raise ValidationError(
            _("This is not a valid phone number. Check the country code and the digits."), code="invalid"
        )
    if phonenumbers.number_type(number) not in MOBILE_TYPES:
        raise ValidationError(
            _("This is not a mobile phone number. Codes are sent by SMS: please enter a mobile number."),
            code="not_mobile",
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def international_format(number: str) -> str:
    """ "+33612345678" → "+33 6 12 34 56 78"."""
    try:
        parsed = phonenumbers.parse(number, None)
    except phonenumbers.NumberParseException:
        return number
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


@transaction.atomic
def do_add_phone(*, acting_user: User, number: str) -> PhoneNumber:
    """Add `number` (E.164) unverified and text it a code. Raises ValidationError or Throttled.

    Adding a number that is still waiting for verification sends it a new code instead.
    """
    phone = PhoneNumber.objects.select_for_update().filter(user=acting_user, number=number).first()
    if phone is not None and phone.verified_at is not None:
        raise ValidationError(_("You have already added this number."), code="duplicate")
    if phone is None:
        if PhoneNumber.objects.filter(user=acting_user).count() >= MAX_PHONES:
            raise ValidationError(
                _("You can add up to %(max)d mobile phone numbers. Remove one first."),
                code="too_many",
                params={"max": MAX_PHONES},
            )
        try:
            with transaction.atomic():
                phone = PhoneNumber.objects.create(user=acting_user, number=number)
        except IntegrityError as error:  # the same number, added a moment ago in another tab
            raise ValidationError(_("You have already added this number."), code="duplicate") from error
    do_send_sms_code(phone=phone, purpose=VERIFY)
    return phone


@transaction.atomic
def do_verify_phone(*, acting_user: User, phone: PhoneNumber, code: str, ip: str | None) -> bool:
    """Mark the number verified if `code` is its current code. Raises Throttled while locked out."""
    if not do_check_sms_code(phone=phone, purpose=VERIFY, code=code, ip=ip):
        return False
    phone.verified_at = timezone.now()
    phone.save(update_fields=["verified_at"])
    remember_second_factor(acting_user)
    do_record_code_success(user=acting_user)
    record(acting_user, "identity.phone.added", phone, {"number": phone.number})
    security_event(
        acting_user,
        lazy_format(_("A mobile phone number (%(number)s) was added to your account."), number=phone.masked),
    )
    return True


@transaction.atomic
def do_remove_phone(*, acting_user: User, phone: PhoneNumber) -> None:
    was_verified = phone.verified_at is not None
    if was_verified:
        remember_second_factor(acting_user)
    record(acting_user, "identity.phone.removed", phone, {"number": phone.number, "verified": was_verified})
    masked = phone.masked
    phone.delete()
    security_event(
        acting_user,
        lazy_format(_("A mobile phone number (%(number)s) was removed from your account."), number=masked),
    )


# -- Codes


def hash_code(phone: PhoneNumber, purpose: str, code: str) -> str:
    """An HMAC keyed with SECRET_KEY and bound to the phone and purpose: a leaked table tells nothing."""
    message = f"sms:{phone.pk}:{purpose}:{code}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()


def new_code() -> str:
    return f"{secrets.randbelow(10**6):06d}"


def sms_text(user: User, code: str) -> str:
    with translation.override(user.email_language):
        return gettext("Your CPMS Login code is %(code)s. It is valid for %(minutes)d minutes.") % {
            "code": code,
            "minutes": CODE_LIFETIME.seconds // 60,
        }


def ensure_can_send(user_id: int) -> None:
    verdict = throttle.check({"sms:account": str(user_id)})
    if not verdict.allowed:
        raise Throttled(verdict)


@transaction.atomic
def do_send_sms_code(*, phone: PhoneNumber, purpose: str) -> None:
    """Text a new code to `phone` after commit; earlier unused codes stop working.

    Raises Throttled when this account asked for too many codes lately.
    """
    ensure_can_send(phone.user_id)
    throttle.fail({"sms:account": str(phone.user_id)})  # every SMS counts, and costs
    now = timezone.now()
    SmsCode.objects.filter(phone=phone, purpose=purpose, used_at=None, expires_at__gt=now).update(
        expires_at=now
    )
    code = new_code()
    SmsCode.objects.create(
        phone=phone,
        purpose=purpose,
        code_hash=hash_code(phone, purpose, code),
        created_at=now,
        expires_at=now + CODE_LIFETIME,
    )
    record(phone.user, "identity.sms.code_sent", phone, {"purpose": purpose})
    # A code that arrives after it expired is no use: the queue drops it instead.
    send_sms_on_commit(phone.number, sms_text(phone.user, code), expires=CODE_LIFETIME.total_seconds())


@transaction.atomic
def verify_sms_code(*, phone: PhoneNumber, purpose: str, code: str) -> bool:
    """True, once, if `code` is the current, unexpired code of `phone` for `purpose`.

    No throttling here: callers check and count failures (see do_check_sms_code).
    """
    code = (code or "").replace(" ", "").strip()
    if len(code) != 6 or not code.isdigit():
        return False
    now = timezone.now()
    current = (
        SmsCode.objects.select_for_update()
        .filter(phone=phone, purpose=purpose, used_at=None, expires_at__gt=now)
        .order_by("-created_at", "-id")
        .first()
    )
    if current is None or not hmac.compare_digest(current.code_hash, hash_code(phone, purpose, code)):
        return False
    # The conditional update makes the code single use even if two requests race.
    return SmsCode.objects.filter(pk=current.pk, used_at=None).update(used_at=now) == 1


@transaction.atomic
def do_check_sms_code(*, phone: PhoneNumber, purpose: str, code: str, ip: str | None) -> bool:
    """verify_sms_code with throttling: raises Throttled while locked out, counts a wrong code.

    A right code also lifts the limit on sending codes, and marks the phone as used at sign-in.
    """
    user = phone.user
    verify = lambda: verify_sms_code(phone=phone, purpose=purpose, code=code)  # noqa: E731
    if not do_check_second_factor(user=user, method=Method.SMS, ip=ip, verify=verify):
        return False
    throttle.forgive("sms:account", str(user.pk))
    if purpose == SIGNIN:
        phone.last_used_at = timezone.now()
        phone.save(update_fields=["last_used_at"])
    return True
