"""The codes of authenticator apps (RFC 6238 TOTP), without the database: which time step a code is
for. A code is accepted one time step early or late (valid_window=1); an unconfirmed app older
than a day can no longer be confirmed."""

import hmac
from datetime import timedelta

import pyotp
from django.utils import timezone

VALID_WINDOW = 1
UNCONFIRMED_LIFETIME = timedelta(days=1)


def matching_step(secret: str, code: str, now=None) -> int | None:
    """The time step whose code is `code`, within the valid window; None if none matches."""
    code = (code or "").strip()
    if len(code) != 6 or not code.isdigit():
        return None
    totp = pyotp.TOTP(secret)
    current = totp.timecode(now or timezone.now())
    for step in range(current - VALID_WINDOW, current + VALID_WINDOW + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None
