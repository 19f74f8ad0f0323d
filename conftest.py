import pytest
from django.core.cache import cache

from cpms.access.tests.factories import make_coordinator, make_tree
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


# The places of the test world; a test module that needs other institutions defines its own `rnd`.
@pytest.fixture
def rnd(db):
    """CPMS / ERN-RND / Germany / DE22 (and 0000 Guest Access)."""
    return make_tree()


@pytest.fixture
def nmd(db):
    """CPMS / EURO-NMD / Germany / DE42 Essen."""
    return make_tree(
        ern_code="EURO-NMD", ern_name="Neuromuscular Diseases", institutions=(("DE42", "Essen"),)
    )


@pytest.fixture
def coordinator(bob, rnd):
    """Bob coordinates ERN-RND."""
    make_coordinator(bob, rnd.hcp)
    return bob


@pytest.fixture
def terminologies(db):
    """A few dozen real HPO, ORPHA and ICD-10 concepts and genes (cpms.coding.testing.SAMPLE_*),
    imported by the code of `manage.py load_terminologies`: HP:0001250 Seizure (synonym "Fits"),
    ORPHA:558 Marfan syndrome, G40.3, SCN1A …"""
    from cpms.coding.testing import load_sample

    load_sample()
