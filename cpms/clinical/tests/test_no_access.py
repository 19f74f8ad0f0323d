from datetime import timedelta

import pytest
from django.utils import timezone

from cpms.access.models import AccessRequest
from cpms.access.tests.factories import make_grant, make_request
from cpms.test import sign_in

pytestmark = pytest.mark.django_db

URL = "/cpms/no-access/"


def test_it_needs_a_signed_in_user(client):
    assert client.get(URL).url == f"/login/?next={URL}"


def test_it_links_into_the_wizard_with_cpms_chosen(client, bob, rnd):
    sign_in(client, bob)
    response = client.get(URL)
    assert response.status_code == 200
    page = response.content.decode()
    assert "You have not asked for access to CPMS yet." in page
    assert 'href="/access/request/?application=cpms"' in page
    assert 'href="/access/my-requests/"' in page


def test_it_shows_a_pending_request(client, bob, rnd):
    make_request(bob, rnd.hcp)
    sign_in(client, bob)
    page = client.get(URL).content.decode()
    assert "Waiting for validation" in page
    assert (
        "HP at DE22 - University Hospital and Faculty of Medicine Tubingen (ERN-RND - Neurological Diseases)"
        in page
    )


def test_it_does_not_show_someone_elses_request(client, alice, bob, rnd):
    make_request(alice, rnd.hcp)
    sign_in(client, bob)
    assert "Waiting for validation" not in client.get(URL).content.decode()


def test_it_explains_a_revoked_and_an_expired_grant(client, bob, rnd):
    make_grant(bob, rnd.hcp, revoked_at=timezone.now())
    make_grant(bob, rnd.guest, expires_at=timezone.now() - timedelta(days=1))
    sign_in(client, bob)
    page = client.get(URL).content.decode()
    assert "was revoked on" in page
    assert "0000 Guest Access (ERN-RND - Neurological Diseases) expired on" in page


def test_it_ignores_decided_requests(client, bob, rnd):
    make_request(bob, rnd.hcp, status=AccessRequest.Status.REJECTED)
    sign_in(client, bob)
    assert "Waiting for validation" not in client.get(URL).content.decode()


def test_it_sends_a_user_with_access_to_the_dashboard(client, bob_hp):
    sign_in(client, bob_hp.user)
    assert client.get(URL).url == "/cpms/"
