"""The people and places of the test world, and helpers for tests (as healthchecks' hc/test.py).

People (fixtures of the root conftest.py):
- alice: password only, writes in English;
- bob: password + authenticator app, writes in German;
- charlie: password + mobile phone, writes in French.
Places, built with cpms/access/tests/factories.py:
- rnd: CPMS / ERN-RND / Germany / DE22 Tubingen and DE05 Berlin (and 0000 Guest Access);
- nmd: CPMS / EURO-NMD / Germany / DE42 Essen.
Roles: `coordinator` (bob coordinates ERN-RND), `bob_hp` (bob's HP grant at DE22).
A test module that needs other people or places builds them with these helpers, under other names.
"""

import re
import time

import pyotp
import pytest
from django.conf import settings
from django.core import mail
from django.db import transaction
from django.test import Client
from django.utils import timezone

from cpms.access.tests.factories import make_coordinator, make_grant, make_tree
from cpms.identity import signin_state
from cpms.identity.models import PhoneNumber, TotpDevice, User, UserSession
from cpms.identity.signin_state import SignIn

PASSWORD = "correct horse battery staple"


def built_once_per_module(build):
    """A fixture whose value is `build()`, built once for the test module that defines it: in a
    transaction that each test's own (pytest-django's `db`, a savepoint) nests in, rolled back after
    the module's last test. Each test starts from what `build()` made. Only for modules of `db` tests
    (a transactional test would commit inside it), and only for objects the tests do not change."""

    @pytest.fixture(scope="module")
    def fixture(django_db_setup, django_db_blocker):
        with django_db_blocker.unblock(), transaction.atomic():
            yield build()
            transaction.set_rollback(True)

    return fixture


def make_user(username: str, email: str, first_name: str, last_name: str, **extra) -> User:
    return User.objects.create_user(
        username=username, email=email, first_name=first_name, last_name=last_name, password=PASSWORD, **extra
    )


def make_alice() -> User:
    return make_user("nalice01", "alice@example.org", "Alice", "Martin")


def make_bob() -> User:
    user = make_user("nbob0002", "bob@example.org", "Bob", "Schmidt", email_language="de")
    add_authenticator(user)
    return user


def make_charlie() -> User:
    user = make_user("nchar003", "charlie@example.org", "Charlie", "Dupont", email_language="fr")
    add_phone(user)
    return user


TUBINGEN = ("DE22", "University Hospital and Faculty of Medicine Tubingen")
BERLIN = ("DE05", "Charité Berlin")
ESSEN = ("DE42", "Essen")


def make_rnd():
    """CPMS / ERN-RND / Germany / DE22 Tubingen (its `hcp`), DE05 Berlin and 0000 Guest Access."""
    return make_tree(institutions=(TUBINGEN, BERLIN))


def make_nmd():
    """CPMS / EURO-NMD / Germany / DE42 Essen (its `hcp`)."""
    return make_tree(ern_code="EURO-NMD", ern_name="Neuromuscular Diseases", institutions=(ESSEN,))


def make_coordinator_of(user: User, place):
    """`user` coordinates the ERN of `place` (a tree from make_rnd or make_nmd)."""
    return make_coordinator(user, place.hcp)


def make_hp_at(user: User, place):
    """`user` holds the HP profile at the first institution of `place`."""
    return make_grant(user, place.hcp)


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
