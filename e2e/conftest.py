"""Browser tests: Playwright driving Debian's Chromium against pytest-django's live server."""

import os
import shutil
import threading
import time
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.servers.basehttp import WSGIServer
from django.db import connection
from django.test.testcases import LiveServerThread
from playwright.sync_api import sync_playwright

from cpms.audit import triggers

# Playwright's sync API runs an event loop in this thread; Django's ORM calls from the test are safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


class SerialWSGIServer(WSGIServer):
    """The live server, one request at a time. On SQLite the test database is in memory and its one
    connection is shared with the server's threads: two requests at once (an upload sending files in
    parallel) would interleave their statements on it and break its transaction. Answers close their
    connection (Django's server does so when it is not threaded), so nothing waits for a keep-alive."""

    def __init__(self, *args, connections_override=None, **kwargs):
        super().__init__(*args, **kwargs)


def _test_database_is_in_memory() -> bool:
    database = django_settings.DATABASES["default"]
    return database["ENGINE"].endswith("sqlite3") and not database.get("TEST", {}).get("NAME")


if _test_database_is_in_memory():
    LiveServerThread.server_class = SerialWSGIServer

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser():
    executable = shutil.which("chromium")
    if executable is None:
        pytest.fail("Debian's chromium is missing: `make test` installs it (apt-get install chromium).")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(autouse=True)
def _flushable_audit_trail(transactional_db):
    yield
    triggers.empty_for_tests(connection)


@pytest.fixture
def site(live_server):
    """The live server's address with a host name (WebAuthn refuses IP addresses)."""
    return live_server.url.replace("127.0.0.1", "localhost")


@pytest.fixture
def page(browser, site, settings):
    settings.SITE_URL = site
    context = browser.new_context(base_url=site, locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


AXE = Path(__file__).resolve().parent.parent / "node_modules/axe-core/axe.min.js"


def accessibility_violations(page, injected: bool = False) -> list[str]:
    """axe-core's serious and critical findings on the current page.

    `injected=True` when the context already runs axe on each page (`context.add_init_script(path=AXE)`).
    """
    if not injected:
        page.evaluate(AXE.read_text())  # not a <script> tag: the Content-Security-Policy would refuse it
    # The colours a control settles on, never a button half-way through its hover fade.
    page.wait_for_function("() => !document.getAnimations().some((a) => a instanceof CSSTransition)")
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['id']}: {v['help']} — {', '.join(str(node['target']) for node in v['nodes'][:3])}"
        for v in result["violations"]
        if v["impact"] in {"serious", "critical"}
    ]


@pytest.fixture(scope="session")
def asgi_site():
    """The ASGI application (config/asgi.py) under daphne on 127.0.0.1:<free port>, as
    http://localhost:<port>: pytest-django's live server speaks WSGI only, and the meeting room needs
    WebSocket. In a thread of the test process, it sees the test database on SQLite (the in-memory
    test database is shared between this process's connections) as on PostgreSQL (the transactional
    test commits); under xdist each worker has its own server and database. Twisted's reactor starts
    once per process, so the server is started once per session, here for every module that needs it."""
    from daphne.endpoints import build_endpoint_description_strings
    from daphne.server import Server  # installs Twisted's asyncio reactor: import it here, not earlier

    from config.asgi import application

    ready = threading.Event()
    server = Server(
        application=application,
        endpoints=build_endpoint_description_strings(host="127.0.0.1", port=0),
        signal_handlers=False,
        ready_callable=ready.set,
        verbosity=0,
    )
    thread = threading.Thread(target=server.run, name="daphne", daemon=True)
    thread.start()
    assert ready.wait(10), "daphne did not start"
    for _ in range(100):
        if server.listening_addresses:
            break
        time.sleep(0.05)
    port = server.listening_addresses[0][1]
    yield f"http://localhost:{port}"
    from twisted.internet import reactor

    reactor.callFromThread(reactor.stop)
    thread.join(5)
