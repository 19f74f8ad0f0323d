"""A small WebDriver BiDi client: Debian's firefox-esr, driven over its own WebSocket, for the browser
tests that need Firefox.

Playwright's Firefox is a patched build it downloads (not possible here); Firefox itself speaks
WebDriver BiDi (https://w3c.github.io/webdriver-bidi/) when started with --remote-debugging-port, with
no geckodriver. This module does the little the tests need: start a headless Firefox on a fresh
profile with the given preferences, open a tab, set a cookie, add a script that runs before the
page's own, navigate, evaluate or call a function (awaiting its promise), wait for a condition, and
close. It uses the `websockets` package's synchronous client: one thread, commands answered in turn,
events (the console's entries) kept as they arrive.
"""

import contextlib
import itertools
import json
import re
import shutil
import subprocess
import tempfile
import threading
import time
from pathlib import Path

from websockets.sync.client import connect

# Quiet, offline, no first-run pages: what a test wants of a browser on a machine with no internet.
QUIET_PREFS = {
    "browser.shell.checkDefaultBrowser": False,
    "browser.startup.homepage_override.mstone": "ignore",
    "browser.startup.page": 0,
    "browser.newtabpage.enabled": False,
    "browser.aboutwelcome.enabled": False,
    "startup.homepage_welcome_url": "about:blank",
    "datareporting.policy.dataSubmissionEnabled": False,
    "datareporting.healthreport.uploadEnabled": False,
    "toolkit.telemetry.reportingpolicy.firstRun": False,
    "app.update.disabledForTesting": True,
    "app.normandy.enabled": False,
    "browser.safebrowsing.malware.enabled": False,
    "browser.safebrowsing.phishing.enabled": False,
    "browser.safebrowsing.downloads.enabled": False,
    "extensions.update.enabled": False,
    "extensions.autoDisableScopes": 0,
    "network.captive-portal-service.enabled": False,
    "network.connectivity-service.enabled": False,
    "network.dns.disablePrefetch": True,
    "network.prefetch-next": False,
    "dom.disable_open_during_load": False,
    "remote.prefs.recommended": True,
}

LISTENING = re.compile(r"WebDriver BiDi listening on (ws://\S+)")


class BiDiError(Exception):
    """An error answer to a command, or an exception thrown by evaluated script."""


def firefox_executable() -> str | None:
    return shutil.which("firefox-esr") or shutil.which("firefox")


class Firefox:
    """A headless Firefox with a fresh profile, and its BiDi session. Use as a context manager."""

    def __init__(self, prefs: dict | None = None, executable: str | None = None, timeout: float = 30):
        self.executable = executable or firefox_executable()
        if self.executable is None:
            raise FileNotFoundError("firefox-esr is missing (apt-get install firefox-esr)")
        self.prefs = {**QUIET_PREFS, **(prefs or {})}
        self.timeout = timeout
        self.console: list[dict] = []  # log.entryAdded events: console calls and uncaught errors
        self._ids = itertools.count(1)
        self._profile = tempfile.TemporaryDirectory(prefix="cpms-firefox-")
        self._process = None
        self._socket = None
        self._stderr: list[str] = []

    # -- the process and the session -------------------------------------------------------------

    def start(self) -> "Firefox":
        profile = Path(self._profile.name)
        (profile / "user.js").write_text(
            "".join(f"user_pref({json.dumps(k)}, {json.dumps(v)});\n" for k, v in self.prefs.items())
        )
        self._process = subprocess.Popen(  # noqa: S603 (a fixed executable and arguments)
            [
                self.executable,
                "--headless",
                "--no-remote",
                "--profile",
                str(profile),
                "--remote-debugging-port=0",
                "about:blank",
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        found = threading.Event()
        address = []

        def read_stderr():
            for line in self._process.stderr:
                self._stderr.append(line)
                match = LISTENING.search(line)
                if match and not found.is_set():
                    address.append(match.group(1))
                    found.set()

        threading.Thread(target=read_stderr, name="firefox-stderr", daemon=True).start()
        if not found.wait(self.timeout):
            self.close()
            tail = "".join(self._stderr[-20:])
            raise RuntimeError(f"firefox did not start its WebDriver BiDi server:\n{tail}")
        self._socket = connect(f"{address[0]}/session", max_size=None, open_timeout=self.timeout)
        self.send("session.new", {"capabilities": {"alwaysMatch": {"acceptInsecureCerts": True}}})
        self.send("session.subscribe", {"events": ["log.entryAdded"]})
        return self

    def close(self) -> None:
        if self._socket is not None:
            # It may close the socket as it answers; the process is waited for (or killed) below.
            with contextlib.suppress(Exception):
                self.send("browser.close", {}, timeout=5)
            self._socket.close()
            self._socket = None
        if self._process is not None:
            try:
                self._process.wait(10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait(5)
            self._process = None
        self._profile.cleanup()

    def __enter__(self) -> "Firefox":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.close()

    def send(self, method: str, params: dict, timeout: float | None = None) -> dict:
        """One command; its result, or BiDiError. Events that arrive meanwhile are kept."""
        command_id = next(self._ids)
        self._socket.send(json.dumps({"id": command_id, "method": method, "params": params}))
        deadline = time.monotonic() + (timeout or self.timeout)
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"no answer to {method} in {timeout or self.timeout} s")
            message = json.loads(self._socket.recv(timeout=left))
            if message.get("type") == "event":
                if message["method"] == "log.entryAdded":
                    self.console.append(message["params"])
                continue
            if message.get("id") != command_id:
                continue
            if message.get("type") == "error":
                raise BiDiError(f"{method}: {message['error']}: {message.get('message', '')}")
            return message["result"]

    # -- tabs --------------------------------------------------------------------------------------

    def new_tab(self) -> "Tab":
        context = self.send("browsingContext.create", {"type": "tab"})["context"]
        return Tab(self, context)

    def set_cookie(self, name: str, value: str, domain: str, path: str = "/") -> None:
        cookie = {"name": name, "value": {"type": "string", "value": value}, "domain": domain, "path": path}
        self.send("storage.setCookie", {"cookie": cookie})

    def add_init_script(self, source: str) -> None:
        """Script that runs in every new document before the page's own (as Playwright's)."""
        self.send("script.addPreloadScript", {"functionDeclaration": f"() => {{\n{source}\n}}"})


class Tab:
    """A browsing context (a tab) of a Firefox."""

    def __init__(self, firefox: Firefox, context: str):
        self.firefox = firefox
        self.context = context

    def goto(self, url: str) -> None:
        params = {"context": self.context, "url": url, "wait": "complete"}
        self.firefox.send("browsingContext.navigate", params)

    def evaluate(self, expression: str):
        """The value of a JavaScript expression (a promise is awaited), as Python data."""
        return self._result(
            self.firefox.send(
                "script.evaluate",
                {
                    "expression": expression,
                    "target": {"context": self.context},
                    "awaitPromise": True,
                    "resultOwnership": "none",
                },
            )
        )

    def call(self, function: str, *args):
        """Call a JavaScript function declaration with JSON-able arguments; its value (awaited)."""
        return self._result(
            self.firefox.send(
                "script.callFunction",
                {
                    "functionDeclaration": function,
                    "arguments": [serialize(arg) for arg in args],
                    "target": {"context": self.context},
                    "awaitPromise": True,
                    "resultOwnership": "none",
                },
            )
        )

    def wait_for(self, function: str, *args, timeout: float = 15, interval: float = 0.2):
        """Call `function` until it returns something truthy; that value, or AssertionError."""
        deadline = time.monotonic() + timeout
        value = None
        while time.monotonic() < deadline:
            value = self.call(function, *args)
            if value:
                return value
            time.sleep(interval)
        raise AssertionError(f"in Firefox, still {value!r} after {timeout} s: {function}")

    def close(self) -> None:
        self.firefox.send("browsingContext.close", {"context": self.context})

    @staticmethod
    def _result(answer: dict):
        if answer["type"] == "exception":
            details = answer["exceptionDetails"]
            raise BiDiError(f"{details.get('text')} (line {details.get('lineNumber')})")
        return deserialize(answer["result"])


def serialize(value) -> dict:
    """A Python value as a BiDi LocalValue."""
    if value is None:
        return {"type": "null"}
    if isinstance(value, bool):
        return {"type": "boolean", "value": value}
    if isinstance(value, int | float):
        return {"type": "number", "value": value}
    if isinstance(value, str):
        return {"type": "string", "value": value}
    if isinstance(value, list | tuple):
        return {"type": "array", "value": [serialize(item) for item in value]}
    if isinstance(value, dict):
        return {"type": "object", "value": [[str(key), serialize(item)] for key, item in value.items()]}
    raise TypeError(f"cannot pass {type(value).__name__} to the browser")


SPECIAL_NUMBERS = {"NaN": float("nan"), "-0": -0.0, "Infinity": float("inf"), "-Infinity": float("-inf")}


def deserialize(remote: dict):
    """A BiDi RemoteValue as Python data (objects and maps as dicts; nodes and the like as their type)."""
    kind = remote["type"]
    if kind in {"undefined", "null"}:
        return None
    if kind == "number":
        return SPECIAL_NUMBERS.get(remote["value"], remote["value"])
    if kind in {"string", "boolean"}:
        return remote["value"]
    if kind == "bigint":
        return int(remote["value"])
    if kind in {"array", "set"}:
        return [deserialize(item) for item in remote.get("value", [])]
    if kind in {"object", "map"}:
        return {
            key if isinstance(key, str) else deserialize(key): deserialize(item)
            for key, item in remote.get("value", [])
        }
    if kind == "date":
        return remote["value"]
    return {"type": kind}
