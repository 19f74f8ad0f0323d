"""The sign-in in progress, kept in the session: this module alone reads and writes its keys, as
access/wizard.py does the wizard's. Views and tests call these functions, never the raw keys.

request.session holds, before login() (or while a signed-in user verifies again):
- signin.user_id: the account the identifier names; None for one that names no account (the
  pages look the same). Its presence says a sign-in is under way.
- signin.identifier: what the user typed; signin.next: where to go once signed in.
- signin.password_ok: the password was right (or a signed-in user verifies again): a second factor
  is owed. signin.reverify: that signed-in user skipped the password (their session verified it).
- signin.second_factor: this verification must end with a second factor.
- signin.sms_phone_id: the phone chosen to receive the SMS code.
- webauthn.<purpose>: the challenge given to the browser, for "signin" (a key after the password),
  "passkey" (no account named yet) or "register" (a new key): used once, for 5 minutes.
Nothing in it is trusted: the views load the user again (active accounts only) at every step.
"""

import time
from dataclasses import dataclass

from django.contrib.sessions.backends.base import SessionBase
from webauthn.helpers import base64url_to_bytes, bytes_to_base64url

USER_ID = "signin.user_id"
IDENTIFIER = "signin.identifier"
NEXT_URL = "signin.next"
PASSWORD_OK = "signin.password_ok"
REVERIFY = "signin.reverify"
SECOND_FACTOR = "signin.second_factor"
SMS_PHONE_ID = "signin.sms_phone_id"
KEYS = (USER_ID, IDENTIFIER, PASSWORD_OK, REVERIFY, SECOND_FACTOR, NEXT_URL, SMS_PHONE_ID)
CHALLENGE_LIFETIME_SECONDS = 5 * 60


@dataclass(frozen=True)
class SignIn:
    """What a session holds of its sign-in in progress (for the pages and for tests)."""

    user_id: int | None
    identifier: str
    next_url: str
    owes_second_factor: bool
    skipped_password: bool
    second_factor_required: bool
    sms_phone_id: int | None


def begin(
    session: SessionBase,
    user_id: int | None,
    *,
    identifier: str = "",
    next_url: str = "",
    second_factor: bool = False,
) -> None:
    """Start a sign-in (or a verification of the signed-in user); `second_factor`: password alone won't do."""
    end(session)
    session[USER_ID] = user_id
    session[IDENTIFIER] = identifier
    session[NEXT_URL] = next_url
    if second_factor:
        session[SECOND_FACTOR] = True


def start_second_factor(session: SessionBase, *, password_verified: bool) -> None:
    """The password was right (or the signed-in user verifies again without it): a second factor is next."""
    session[PASSWORD_OK] = True
    session[REVERIFY] = not password_verified


def current(session: SessionBase) -> SignIn | None:
    """The sign-in under way in this session, or None."""
    if not started(session):
        return None
    return SignIn(
        user_id=user_id(session),
        identifier=identifier(session),
        next_url=next_url(session),
        owes_second_factor=owes_second_factor(session),
        skipped_password=bool(session.get(REVERIFY)),
        second_factor_required=bool(session.get(SECOND_FACTOR)),
        sms_phone_id=chosen_phone_id(session),
    )


def started(session: SessionBase) -> bool:
    return USER_ID in session


def user_id(session: SessionBase) -> int | None:
    return session.get(USER_ID)


def identifier(session: SessionBase) -> str:
    return session.get(IDENTIFIER, "") or ""


def next_url(session: SessionBase) -> str:
    return session.get(NEXT_URL, "") or ""


def owes_second_factor(session: SessionBase) -> bool:
    """The password was right (or a signed-in user verifies again): only a second factor is missing."""
    return bool(session.get(PASSWORD_OK))


def reverifying(session: SessionBase, user) -> bool:
    """A signed-in user verifies again with a second factor alone."""
    return bool(session.get(REVERIFY)) and user.is_authenticated


def choose_phone(session: SessionBase, phone_id: int) -> None:
    session[SMS_PHONE_ID] = phone_id


def chosen_phone_id(session: SessionBase) -> int | None:
    return session.get(SMS_PHONE_ID)


def forget_phone(session: SessionBase) -> None:
    session.pop(SMS_PHONE_ID, None)


def end(session: SessionBase) -> None:
    """Forget the sign-in (read where it was going first: next_url)."""
    for key in KEYS:
        session.pop(key, None)


def keep_challenge(
    session: SessionBase, purpose: str, challenge: bytes, *, user_id: int | None = None
) -> None:
    """The WebAuthn challenge given to the browser for `purpose`, and to which account's user."""
    session[f"webauthn.{purpose}"] = {
        "challenge": bytes_to_base64url(challenge),
        "user": user_id,
        "at": time.time(),
    }


def pop_challenge(session: SessionBase, purpose: str, *, user_id: int | None = None) -> bytes | None:
    """The challenge kept for `purpose`, once; None if missing, used, expired or another account's."""
    kept = session.pop(f"webauthn.{purpose}", None)
    if not isinstance(kept, dict) or kept.get("user") != user_id:
        return None
    if time.time() - kept.get("at", 0) > CHALLENGE_LIFETIME_SECONDS:
        return None
    return base64url_to_bytes(kept["challenge"])
