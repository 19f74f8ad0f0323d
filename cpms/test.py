"""Shared personas and helpers for tests.

alice: an HP with a password only. bob: password + authenticator app. charlie: password + phone.
"""

import re
import time

import pyotp
from django.conf import settings
from django.core import mail
from django.test import Client
from django.utils import timezone

from cpms.identity import signin_state
from cpms.identity.models import PhoneNumber, TotpDevice, User, UserSession
from cpms.identity.signin_state import SignIn

PASSWORD = "correct horse battery staple"


def make_user(username: str, email: str, first_name: str, last_name: str, **extra) -> User:
    return User.objects.create_user(
        username=username, email=email, first_name=first_name, last_name=last_name, password=PASSWORD, **extra
    )


def add_authenticator(user: User, name: str = "My phone") -> TotpDevice:
    return TotpDevice.objects.create(user=user, name=name, secret=pyotp.random_base32(), confirmed=True)


def add_phone(user: User, number: str = "+33612345678") -> PhoneNumber:
    return PhoneNumber.objects.create(user=user, number=number, verified_at=timezone.now())


def sign_in(client: Client, user: User, methods=("pwd", "otp")) -> Client:
    """A signed-in, freshly verified session, as the sign-in views would leave it."""
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    session = client.session
    now = time.time()
    session.update(
        {
            "session.started_at": now,
            "session.seen_at": now,
            "verified.methods": list(methods),
            "verified.at": now,
        }
    )
    session.save()
    UserSession.objects.create(user=user, session_key=session.session_key, methods=list(methods))
    return client


def start_signin(
    client: Client, user: User | None, *, next_url: str = "", password_ok: bool = True
) -> Client:
    """A sign-in under way, as the pages leave it after the password (`password_ok`: a second factor is
    next) or, with password_ok=False, after the e-mail address or username."""
    session = client.session
    identifier = user.email if user is not None else "nobody@example.org"
    signin_state.begin(session, user.pk if user else None, identifier=identifier, next_url=next_url)
    if password_ok:
        signin_state.start_second_factor(session, password_verified=True)
    session.save()
    client.cookies[settings.SESSION_COOKIE_NAME] = session.session_key  # a new one after a sign-out
    return client


def signin_in_progress(client: Client) -> SignIn | None:
    """The sign-in under way in the client's session (who, where to go next …), or None."""
    return signin_state.current(client.session)


def last_email_to(address: str):
    return next(m for m in reversed(mail.outbox) if address in m.to)


def link_in(message) -> str:
    """The first link to this site in an e-mail body, as a path."""
    url = re.search(r"https?://[^\s]+", message.body).group(0)
    return re.sub(r"^https?://[^/]+", "", url)
