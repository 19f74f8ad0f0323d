"""Shared personas and helpers for tests.

alice: an HP with a password only. bob: password + authenticator app. charlie: password + phone.
"""

import re
import time

import pyotp
from django.core import mail
from django.test import Client
from django.utils import timezone

from cpms.identity.models import PhoneNumber, TotpDevice, User, UserSession

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


def last_email_to(address: str):
    return next(m for m in reversed(mail.outbox) if address in m.to)


def link_in(message) -> str:
    """The first link to this site in an e-mail body, as a path."""
    url = re.search(r"https?://[^\s]+", message.body).group(0)
    return re.sub(r"^https?://[^/]+", "", url)
