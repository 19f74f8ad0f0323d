import pytest
from django.core.cache import cache

from cpms.access.tests.factories import make_request
from cpms.test import make_alice, make_bob, make_charlie, make_coordinator_of, make_hp_at, make_nmd, make_rnd

pytest_plugins = ["cpms.lib.tests.broker"]  # a real Redis and Celery worker: the `broker` fixture

# The longest tests (minutes under load), started first so that xdist's workers do not wait on one of
# them at the end of the run: the every-page walk, then the other browser tests, then these.
LONG_TESTS = (
    "e2e/test_every_page.py::",
    "cpms/coding/tests/test_similarity.py::test_it_ranks_the_right_disease_in_the_top_ten",
    "cpms/lib/tests/test_tasks.py::test_a_message_survives_its_worker_killed_mid_task",
    "cpms/audit/tests/test_catalogue.py::test_it_finds_the_codes_recorded_in_the_source",
)


def _start_rank(item) -> int:
    if item.nodeid.startswith(LONG_TESTS[0]):
        return 0
    if item.get_closest_marker("browser"):
        return 1
    if item.nodeid.startswith(LONG_TESTS[1:]):
        return 2
    return 3


def pytest_collection_modifyitems(items):
    items.sort(key=_start_rank)  # stable: the order within each rank is the collection's


@pytest.fixture(autouse=True)
def _fresh_state(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.SMS_BACKEND = "cpms.outbox.backends.OutboxSmsBackend"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.AUDIT_CHECKPOINT_INTERVAL = 0  # no checkpoints of test databases in var/
    settings.AUDIT_SEAL_IN_BACKGROUND = False  # sealed right after commit, in the test's thread
    cache.clear()


# The people and places of the test world: see cpms/test.py.
@pytest.fixture
def alice(db):
    return make_alice()


@pytest.fixture
def bob(db):
    return make_bob()


@pytest.fixture
def charlie(db):
    return make_charlie()


@pytest.fixture
def rnd(db):
    """CPMS / ERN-RND / Germany / DE22 Tubingen, DE05 Berlin (and 0000 Guest Access)."""
    return make_rnd()


@pytest.fixture
def nmd(db):
    """CPMS / EURO-NMD / Germany / DE42 Essen."""
    return make_nmd()


@pytest.fixture
def coordinator(bob, rnd):
    """Bob coordinates ERN-RND."""
    make_coordinator_of(bob, rnd)
    return bob


@pytest.fixture
def terminologies(db):
    """A few dozen real HPO, ORPHA and ICD-10 concepts and genes (cpms.coding.testing.SAMPLE_*),
    imported by the code of `manage.py load_terminologies`: HP:0001250 Seizure (synonym "Fits"),
    ORPHA:558 Marfan syndrome, G40.3, SCN1A …"""
    from cpms.coding.testing import load_sample

    load_sample()


@pytest.fixture
def bob_hp(bob, rnd):
    """Bob (password + authenticator app) is an HP at DE22 in ERN-RND: his grant."""
    return make_hp_at(bob, rnd)


@pytest.fixture
def pending(alice, rnd):
    """Alice asks for the HP profile at DE22 (ERN-RND)."""
    return make_request(alice, rnd.hcp, "hp", comment="Neurologist, movement disorders clinic.")
