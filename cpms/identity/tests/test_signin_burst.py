"""Parallel guesses against a live server: each guess is counted before it is evaluated.

On PostgreSQL the live server answers each request in its own thread, with its own connection:
the guesses really race. On SQLite in memory the test's one connection serves every request, so
the server answers them one at a time (serialised); the count must hold there too.
"""

import re
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime

import pyotp
import pytest
import requests
from django.contrib.auth.hashers import MD5PasswordHasher
from django.core.servers.basehttp import WSGIServer
from django.db import connection, connections
from django.test.testcases import LiveServerThread, _StaticFilesHandler

from cpms.audit import triggers
from cpms.audit.models import AuditEvent
from cpms.identity.throttle import FREE_FAILURES
from cpms.test import PASSWORD

BURST = 20


class CountingHasher(MD5PasswordHasher):
    """The tests' MD5 hasher, counting the passwords it verified (the dummy check included)."""

    verified = 0
    lock = threading.Lock()

    def verify(self, password, encoded):
        with CountingHasher.lock:
            CountingHasher.verified += 1
        return super().verify(password, encoded)


class OneAtATimeWSGIServer(WSGIServer):
    def __init__(self, *args, connections_override=None, **kwargs):
        super().__init__(*args, **kwargs)  # LiveServerThread.run() has put the shared connection in place


class SerialLiveServerThread(LiveServerThread):
    server_class = OneAtATimeWSGIServer


@pytest.fixture
def server(transactional_db, settings):
    settings.PASSWORD_HASHERS = [f"{__name__}.CountingHasher"]
    CountingHasher.verified = 0
    shared = {c.alias: c for c in connections.all() if c.vendor == "sqlite" and c.is_in_memory_db()}
    for shared_connection in shared.values():
        shared_connection.inc_thread_sharing()
    thread_class = SerialLiveServerThread if shared else LiveServerThread
    thread = thread_class("localhost", _StaticFilesHandler, connections_override=shared, port=0)
    thread.daemon = True
    thread.start()
    thread.is_ready.wait()
    if thread.error:
        raise thread.error
    yield f"http://localhost:{thread.port}"
    thread.terminate()
    for shared_connection in shared.values():
        shared_connection.dec_thread_sharing()
    triggers.empty_for_tests(connection)


def csrf_token(page: str) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)


def at_password_step(server: str, identifier: str) -> tuple[requests.Session, str]:
    """A browser of its own that typed `identifier`: its session and the password page's CSRF token."""
    browser = requests.Session()
    login = browser.get(f"{server}/login/", timeout=30)
    page = browser.post(
        f"{server}/login/",
        {"csrfmiddlewaretoken": csrf_token(login.text), "identifier": identifier},
        timeout=30,
    )
    assert page.url.endswith("/login/password/"), page.url
    return browser, csrf_token(page.text)


def all_at_once(calls) -> list[requests.Response]:
    start = threading.Barrier(len(calls))

    def fire(call):
        start.wait()
        return call()

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(fire, calls))


def guess(server, browser, token, password):
    return lambda: browser.post(
        f"{server}/login/password/", {"csrfmiddlewaretoken": token, "password": password}, timeout=60
    )


@pytest.mark.parametrize("identifier", ["alice@example.org", "nobody@example.org"])
def test_it_evaluates_no_more_parallel_guesses_than_the_account_allows(server, alice, identifier):
    browsers = [at_password_step(server, identifier) for _ in range(BURST)]
    responses = all_at_once(
        [guess(server, browser, token, f"wrong guess {i}!") for i, (browser, token) in enumerate(browsers)]
    )
    assert all(response.status_code == 200 for response in responses)
    refused = [r for r in responses if "Too many failed attempts" in r.text]
    assert CountingHasher.verified == FREE_FAILURES["password:account"]
    assert len(refused) == BURST - FREE_FAILURES["password:account"]
    failures = AuditEvent.objects.filter(action="identity.signin.password_failed").count()
    assert failures == FREE_FAILURES["password:account"]


def test_it_evaluates_no_more_parallel_codes_than_the_account_allows(server, bob):
    browser, token = at_password_step(server, bob.email)
    code_page = guess(server, browser, token, PASSWORD)()
    assert code_page.url.endswith("/login/app/")
    token = csrf_token(code_page.text)
    totp = pyotp.TOTP(bob.totp_devices.get().secret)
    step = totp.timecode(datetime.now())
    valid = {totp.generate_otp(step + offset) for offset in range(-2, 3)}
    wrong = [code for code in (f"{n:06d}" for n in range(100_000, 100_100)) if code not in valid][:BURST]
    url = f"{server}/login/app/"

    def try_code(code: str):
        tab = requests.Session()  # the same browser (its cookies), in a tab of its own
        tab.cookies.update(browser.cookies)
        return lambda: tab.post(url, {"csrfmiddlewaretoken": token, "code": code}, timeout=60)

    responses = all_at_once([try_code(code) for code in wrong])
    assert all(response.status_code == 200 for response in responses)
    assert (
        AuditEvent.objects.filter(action="identity.signin.code_failed").count()
        == FREE_FAILURES["code:account"]
    )
    assert (
        sum("Too many failed attempts" in r.text for r in responses) == BURST - FREE_FAILURES["code:account"]
    )
