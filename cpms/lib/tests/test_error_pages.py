import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import Client, RequestFactory
from django.utils import translation

from cpms.lib import errors

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("view", "status", "words"),
    [
        (errors.bad_request, 400, "could not understand"),
        (errors.permission_denied, 403, "not allowed"),
        (errors.page_not_found, 404, "does not exist"),
    ],
)
def test_it_shows_errors_in_the_site_layout(view, status, words):
    request = RequestFactory().get("/somewhere/")
    request.user = AnonymousUser()
    response = view(request, Exception("detail that must not leak"))
    body = response.content.decode()
    assert response.status_code == status
    assert words in body
    assert "Skip to main content" in body
    assert "detail that must not leak" not in body


def test_it_shows_a_standalone_500_page():
    response = errors.server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    assert "Nothing you saved was lost" in response.content.decode()


def test_an_unknown_address_gets_the_404_page(client, settings):
    settings.DEBUG = False
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    assert "This page does not exist" in response.content.decode()


def test_it_explains_an_expired_form_in_the_site_layout(alice):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/login/", {"identifier": "alice@example.org"})
    body = response.content.decode()
    assert response.status_code == 403
    assert "This form has expired" in body
    assert "reload the page" in body
    assert "Skip to main content" in body
    assert "CSRF" not in body


def test_it_shows_the_500_page_in_the_visitor_language():
    with translation.override("fr"):
        response = errors.server_error(RequestFactory().get("/"))
    body = response.content.decode()
    assert '<html lang="fr">' in body
    assert "Nothing you saved was lost" not in body


def test_a_body_over_the_limit_gets_a_clear_413_page(client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = client.post("/login/", {"identifier": "x" * 2000})
    body = response.content.decode()
    assert response.status_code == 413
    assert "What you sent is too large" in body and "nothing was saved" in body
    assert "Skip to main content" in body


def test_a_body_under_the_limit_is_read(client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = client.post("/login/", {"identifier": "x" * 200})
    assert response.status_code == 302 and response.url == "/login/password/"
