"""The HTTP gateway SMS backend, against a real HTTP server on loopback."""

import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from cpms.lib.sms import HttpGatewaySmsBackend, SmsDeliveryError


class Gateway:
    """A stand-in SMS gateway: records each POST and answers with `status`."""

    def __init__(self):
        self.requests: list[dict] = []
        self.status = 202
        self.location = ""
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"null"
                gateway.requests.append(
                    {
                        "path": self.path,
                        "authorization": self.headers.get("Authorization"),
                        "content_type": self.headers.get("Content-Type"),
                        "json": json.loads(body),
                    }
                )
                self.send_response(gateway.status)
                if gateway.location:
                    self.send_header("Location", gateway.location)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(b'{"ok": true}' if gateway.status < 300 else b'{"error": "boom"}')

            def do_GET(self):
                self.do_POST()

            def log_message(self, format, *args):  # keep the test output clean
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/v1/messages"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc_info):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


@pytest.fixture
def gateway():
    with Gateway() as running:
        yield running


@pytest.fixture
def closed_port():
    """A loopback port that nothing listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_it_posts_the_message_as_json_with_the_bearer_token(gateway, settings):
    settings.SMS_SENDER = "CPMS-Test"

    HttpGatewaySmsBackend(url=gateway.url, token="t0k").send("+33612345678", "Your code is 123456")

    assert len(gateway.requests) == 1
    request = gateway.requests[0]
    assert request["path"] == "/v1/messages"
    assert request["authorization"] == "Bearer t0k"
    assert request["content_type"] == "application/json"
    assert request["json"] == {"from": "CPMS-Test", "to": "+33612345678", "text": "Your code is 123456"}


def test_it_raises_when_the_gateway_answers_500(gateway):
    gateway.status = 500

    with pytest.raises(SmsDeliveryError):
        HttpGatewaySmsBackend(url=gateway.url, token="t0k").send("+33612345678", "Your code is 123456")

    assert len(gateway.requests) == 1  # it did reach the gateway


def test_it_raises_when_the_gateway_is_unreachable(closed_port):
    backend = HttpGatewaySmsBackend(url=f"http://127.0.0.1:{closed_port}/v1/messages", token="t0k", timeout=5)

    with pytest.raises(SmsDeliveryError):
        backend.send("+33612345678", "Your code is 123456")


def test_it_raises_when_no_gateway_is_configured():
    with pytest.raises(SmsDeliveryError, match="not configured"):
        HttpGatewaySmsBackend(url="", token="t0k").send("+33612345678", "Your code is 123456")


@pytest.mark.parametrize("status", [301, 302, 307, 308])
def test_it_never_follows_a_redirect_with_the_token(gateway, status):
    with Gateway() as elsewhere:
        gateway.status, gateway.location = status, elsewhere.url

        with pytest.raises(SmsDeliveryError):
            HttpGatewaySmsBackend(url=gateway.url, token="t0k").send("+33612345678", "Your code is 123456")

        assert len(gateway.requests) == 1
        assert elsewhere.requests == []
