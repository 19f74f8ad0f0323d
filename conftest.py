import fcntl
import hashlib
import sqlite3
import tempfile
from contextlib import contextmanager
from pathlib import Path

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


# What gives pytest-django's tests their database; a test without one cannot touch it (pytest-django
# refuses), so its result is the same on every database.
DATABASE_FIXTURES = {"db", "transactional_db", "django_db_reset_sequences", "django_db_serialized_rollback"}


def pytest_addoption(parser):
    parser.addoption(
        "--database-tests-only",
        action="store_true",
        help="run only the tests that use the database (the suite's second run, on PostgreSQL)",
    )


def _on_postgresql() -> bool:
    from django.conf import settings

    return settings.DATABASES["default"]["ENGINE"].endswith("postgresql")


def _uses_database(item) -> bool:
    marked = item.get_closest_marker("django_db") is not None
    return marked or not DATABASE_FIXTURES.isdisjoint(item.fixturenames)


def pytest_collection_modifyitems(config, items):
    if config.getoption("database_tests_only"):
        config.hook.pytest_deselected(items=[item for item in items if not _uses_database(item)])
        items[:] = [item for item in items if _uses_database(item)]
    if not _on_postgresql():  # deselected, not skipped: they run in the suite's PostgreSQL run
        config.hook.pytest_deselected(items=[item for item in items if item.get_closest_marker("postgresql")])
        items[:] = [item for item in items if not item.get_closest_marker("postgresql")]
    items.sort(key=_start_rank)  # stable: the order within each rank is the collection's


# Transactional tests (the browser tests, the worker's) flush the database after each test. PostgreSQL's
# TRUNCATE costs per table, whether it holds rows or not (a new file for each of ~90 tables: 1.2 to 4 s a
# flush on this machine under load), while DELETE of the few rows a test leaves costs ~0.1 s. Triggers are
# off for the flush, so neither the foreign keys nor the audit trail's append-only trigger stand in the way;
# that needs a superuser (scripts/test.sh's role), else TRUNCATE as before.
def _postgresql_flush_by_delete():
    from django.db.backends.postgresql.operations import DatabaseOperations

    truncate = DatabaseOperations.sql_flush

    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        with self.connection.cursor() as cursor:
            cursor.execute("SHOW is_superuser")
            superuser = cursor.fetchone()[0] == "on"
        if not tables or reset_sequences or not superuser:
            return truncate(self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade)
        deletes = [
            f"{style.SQL_KEYWORD('DELETE FROM')} {style.SQL_FIELD(self.quote_name(t))}" for t in tables
        ]
        return ["SET LOCAL session_replication_role = replica", *deletes]

    DatabaseOperations.sql_flush = sql_flush


_postgresql_flush_by_delete()


# Migrate once, clone per worker. Migrating a test database takes ~50 s; each xdist worker did it for
# itself. One process (the first to take the lock) migrates a template, kept in the system temp dir
# under a hash of every migration file and of uv.lock (the migrations of Django and third parties);
# each worker then copies it: SQLite's backup API into its in-memory database, PostgreSQL's
# CREATE DATABASE … TEMPLATE. A later run with the same migrations reuses the template; --create-db
# builds it again (once per run, whichever worker comes first). --reuse-db and --no-migrations keep
# pytest-django's own set-up.
ROOT = Path(__file__).resolve().parent


def _migrations_hash() -> str:
    digest = hashlib.sha256()
    for path in sorted([*ROOT.glob("cpms/*/migrations/*.py"), ROOT / "uv.lock"]):
        digest.update(str(path.relative_to(ROOT)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


@contextmanager
def _locked(folder: Path):
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / "lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        yield


class TemplateDatabase:
    """One connection's migrated template: built under the lock when missing, then cloned."""

    def __init__(self, connection, folder: Path, run_id: str, rebuild: bool):
        self.connection = connection
        self.folder = folder
        self.run_id = run_id
        self.rebuild = rebuild
        self.migrate_into = connection.creation.create_test_db  # Django's own: create and migrate
        if connection.vendor == "sqlite":
            self.name = str(folder / "template.sqlite3")
        else:  # named after the database itself, before it becomes the test database
            self.name = f"{connection.settings_dict['NAME']}_template_{folder.name[-16:]}"[:63]

    def create_test_db(self, verbosity=1, autoclobber=False, serialize=True, keepdb=False):
        """Stands in for connection.creation.create_test_db in Django's setup_databases."""
        creation = self.connection.creation
        test_name = creation._get_test_db_name()
        if verbosity >= 1:
            creation.log(f"Cloning test database for alias {self.connection.alias!r} from its template...")
        with _locked(self.folder):
            if (self.rebuild and self._built_by() != self.run_id) or not self._exists():
                self._build()
            self._clone_into(test_name)
        if serialize:
            self.connection._test_serialized_contents = creation.serialize_db_to_string()
        return test_name

    def _built_by(self) -> str:
        marker = self.folder / f"{self.connection.vendor}.run"
        return marker.read_text() if marker.exists() else ""

    def _exists(self) -> bool:
        if self.connection.vendor == "sqlite":
            return Path(self.name).exists()
        with self.connection._nodb_cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [self.name])
            return cursor.fetchone() is not None

    def _build(self):
        from django.conf import settings

        settings_dict = self.connection.settings_dict
        old_name, old_test_name = settings_dict["NAME"], settings_dict["TEST"]["NAME"]
        building = self.name + ".building" if self.connection.vendor == "sqlite" else self.name
        settings_dict["TEST"]["NAME"] = building
        try:
            self.migrate_into(verbosity=0, autoclobber=True, serialize=False)
            self._close()
        finally:
            settings_dict["NAME"], settings_dict["TEST"]["NAME"] = old_name, old_test_name
            settings.DATABASES[self.connection.alias]["NAME"] = old_name
        if self.connection.vendor == "sqlite":
            with sqlite3.connect(building) as template:
                template.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
            template.close()
            Path(building).replace(self.name)
        (self.folder / f"{self.connection.vendor}.run").write_text(self.run_id)

    def _clone_into(self, test_name: str):
        from django.conf import settings

        self._close()
        settings.DATABASES[self.connection.alias]["NAME"] = test_name
        self.connection.settings_dict["NAME"] = test_name
        if self.connection.vendor == "sqlite":
            self.connection.ensure_connection()  # the in-memory database lives as long as this connection
            template = sqlite3.connect(f"file:{self.name}?mode=ro", uri=True)
            template.backup(self.connection.connection)
            template.close()
            return
        quote = self.connection.ops.quote_name
        with self.connection._nodb_cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS {quote(test_name)}")
            cursor.execute(f"CREATE DATABASE {quote(test_name)} TEMPLATE {quote(self.name)}")

    def _close(self):
        self.connection.close()
        if hasattr(self.connection, "close_pool"):
            self.connection.close_pool()  # CREATE DATABASE … TEMPLATE wants no connection to the template


def _clonable(connection) -> bool:
    if connection.vendor == "sqlite":
        return connection.creation.is_in_memory_db(connection.creation._get_test_db_name())
    return connection.vendor == "postgresql"


@pytest.fixture(scope="session")
def django_db_setup(
    request,
    django_test_environment,
    django_db_blocker,
    django_db_use_migrations,
    django_db_keepdb,
    django_db_createdb,
    django_db_modify_db_settings,
):
    """pytest-django's django_db_setup, each test database cloned from a template instead of migrated."""
    from django.db import connections
    from django.test.utils import setup_databases, teardown_databases
    from pytest_django.fixtures import _disable_migrations, _get_databases_for_setup

    if not django_db_use_migrations:
        _disable_migrations()
    keepdb = django_db_keepdb and not django_db_createdb
    aliases, serialized_aliases = _get_databases_for_setup(request.session.items)
    folder = Path(tempfile.gettempdir()) / f"cpms-test-template-{_migrations_hash()}"
    run_id = getattr(request.config, "workerinput", {}).get("testrunuid") or str(id(request.config))
    templated = []
    if django_db_use_migrations and not keepdb:
        for alias in aliases:
            connection = connections[alias]
            if _clonable(connection) and not connection.settings_dict["TEST"].get("MIRROR"):
                template = TemplateDatabase(connection, folder, run_id, rebuild=django_db_createdb)
                connection.creation.create_test_db = template.create_test_db
                templated.append(connection)
    try:
        with django_db_blocker.unblock():
            db_cfg = setup_databases(
                verbosity=request.config.option.verbose,
                interactive=False,
                aliases=aliases,
                serialized_aliases=serialized_aliases,
                keepdb=keepdb,
            )
    finally:
        for connection in templated:
            del connection.creation.create_test_db  # Django's own method again, for the teardown
    yield
    if not django_db_keepdb:
        with django_db_blocker.unblock():
            try:
                teardown_databases(db_cfg, verbosity=request.config.option.verbose)
            except Exception as exc:  # as pytest-django does: a warning, not an error of the last test
                request.node.warn(pytest.PytestWarning(f"Error tearing down the test databases: {exc!r}"))


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
