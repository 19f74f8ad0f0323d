"""client_ip: the visitor's address for the audit trail and the per-IP throttles, also behind proxies."""

import pytest
from django.test import RequestFactory

from cpms.audit.middleware import client_ip
from cpms.audit.models import AuditEvent


def request_from(remote_addr: str, forwarded_for: str | None = None):
    extra = {"REMOTE_ADDR": remote_addr}
    if forwarded_for is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded_for
    return RequestFactory().get("/", **extra)


def test_it_takes_the_peer_address_without_proxies(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_ip(request_from("203.0.113.9", "198.51.100.1")) == "203.0.113.9"


def test_it_takes_the_address_our_proxy_saw_not_one_the_visitor_invented(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_ip(request_from("10.0.0.2", "198.51.100.7")) == "198.51.100.7"
    assert client_ip(request_from("10.0.0.2", "1.2.3.4, 198.51.100.7")) == "198.51.100.7"


def test_it_counts_each_trusted_proxy(settings):
    settings.TRUSTED_PROXY_COUNT = 2
    assert client_ip(request_from("10.0.0.3", "1.2.3.4, 198.51.100.7, 10.0.0.2")) == "198.51.100.7"


@pytest.mark.parametrize("forwarded", ["", "not an address", "10.0.0.2\x00", "2001:db8::1, "])
def test_it_falls_back_to_the_peer_when_the_header_is_missing_or_junk(settings, forwarded):
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_ip(request_from("10.0.0.2", forwarded)) == "10.0.0.2"


def test_it_never_returns_something_that_is_not_an_address(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_ip(request_from("")) is None
    assert client_ip(request_from("unix:/run/gunicorn.sock")) is None
    assert client_ip(request_from("2001:DB8:0:0::1")) == "2001:db8::1"


@pytest.mark.django_db
def test_it_records_the_visitor_behind_a_proxy_in_the_audit_trail(client, settings, alice):
    settings.TRUSTED_PROXY_COUNT = 1
    client.post("/login/", {"identifier": "alice@example.org"})
    client.post("/login/method/", {"method": "password"})
    client.post(
        "/login/password/",
        {"password": "wrong password!!"},
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR="198.51.100.7",
    )
    assert AuditEvent.objects.get(action="identity.signin.password_failed").ip == "198.51.100.7"
