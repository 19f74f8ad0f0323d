import pytest
from django.core.cache import cache

from cpms.test import add_authenticator, add_phone, make_user

pytest_plugins = ["cpms.lib.tests.broker"]  # a real Redis and Celery worker: the `broker` fixture


@pytest.fixture(autouse=True)
def _fresh_state(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.SMS_BACKEND = "cpms.outbox.backends.OutboxSmsBackend"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.AUDIT_CHECKPOINT_INTERVAL = 0  # no checkpoints of test databases in var/
    settings.AUDIT_SEAL_IN_BACKGROUND = False  # sealed right after commit, in the test's thread
    cache.clear()


@pytest.fixture
def alice(db):
    return make_user("nalice01", "alice@example.org", "Alice", "Martin")


@pytest.fixture
def bob(db):
    user = make_user("nbob0002", "bob@example.org", "Bob", "Schmidt", email_language="de")
    add_authenticator(user)
    return user


@pytest.fixture
def charlie(db):
    user = make_user("nchar003", "charlie@example.org", "Charlie", "Dupont", email_language="fr")
    add_phone(user)
    return user
