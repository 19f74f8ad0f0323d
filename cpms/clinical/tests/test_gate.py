"""The CPMS gate (decorators.cpms_user_required), checked on every request to /cpms/."""

from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cpms.access.tests.factories import make_application, make_grant, make_tree
from cpms.test import sign_in

from .factories import complete_profile

pytestmark = pytest.mark.django_db

CPMS_PAGES = ["/cpms/", "/cpms/preferences/", "/cpms/welcome/"]


@pytest.mark.parametrize("url", CPMS_PAGES)
def test_it_sends_anonymous_users_to_the_login(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response.url == f"/login/?next={url}"


@pytest.mark.parametrize("url", CPMS_PAGES)
def test_it_asks_a_password_only_session_for_a_second_factor(client, bob_in_cpms, url):
    sign_in(client, bob_in_cpms.user, methods=("pwd",))
    response = client.get(url)
    assert response.status_code == 302
    assert response.url == f"/cpms/second-factor/?next={url.replace('/', '%2F')}"


def test_it_shows_the_second_factor_page(client, bob_in_cpms):
    sign_in(client, bob_in_cpms.user, methods=("pwd",))
    response = client.get("/cpms/", follow=True)
    assert response.status_code == 200
    assert "CPMS needs two-factor verification" in response.content.decode()


def test_it_refuses_a_post_without_two_factors(client, bob_in_cpms):
    sign_in(client, bob_in_cpms.user, methods=("pwd",))
    response = client.post("/cpms/preferences/", {"job_title": "Hacker"})
    assert response.status_code == 302
    assert response.url == "/cpms/second-factor/"
    bob_in_cpms.refresh_from_db()
    assert bob_in_cpms.job_title == "Neurologist"


@pytest.mark.parametrize("url", CPMS_PAGES)
def test_it_explains_why_a_verified_user_without_grant_cannot_enter(client, bob, rnd, url):
    sign_in(client, bob)
    response = client.get(url)
    assert response.status_code == 302
    assert response.url == "/cpms/no-access/"
    page = client.get(response.url).content.decode()
    assert "You do not have access to CPMS" in page
    assert "application=cpms" in page


def test_it_does_not_count_a_grant_in_another_application(client, bob):
    ecp = make_tree(make_application("ecp", "European Reference Networks"))
    make_grant(bob, ecp.hcp)
    sign_in(client, bob)
    assert client.get("/cpms/").url == "/cpms/no-access/"


def test_it_refuses_a_revoked_grant_on_the_next_request(client, bob_in_cpms, bob_hp):
    sign_in(client, bob_hp.user)
    assert client.get("/cpms/").status_code == 200
    bob_hp.revoked_at = timezone.now()
    bob_hp.save()
    response = client.get("/cpms/")
    assert response.status_code == 302
    assert response.url == "/cpms/no-access/"


def test_it_refuses_an_expired_guest_grant(client, bob, rnd, rnd_areas):
    make_grant(bob, rnd.guest, expires_at=timezone.now() - timedelta(days=1))
    complete_profile(bob, areas=rnd_areas[:1])
    sign_in(client, bob)
    assert client.get("/cpms/").url == "/cpms/no-access/"


def test_it_refuses_a_guest_grant_as_soon_as_it_expires(client, bob, rnd, rnd_areas):
    make_grant(bob, rnd.guest, expires_at=timezone.now() + timedelta(minutes=1))
    complete_profile(bob, areas=rnd_areas[:1])
    sign_in(client, bob)
    assert client.get("/cpms/").status_code == 200
    with time_machine.travel(timezone.now() + timedelta(minutes=2)):
        assert client.get("/cpms/").url == "/cpms/no-access/"


def test_it_refuses_a_coordinator_grant_whose_hp_grant_was_revoked(client, bob_in_cpms, bob_hp, rnd):
    make_grant(bob_hp.user, rnd.hcp, "coordinator")
    sign_in(client, bob_hp.user)
    assert client.get("/cpms/").status_code == 200
    bob_hp.revoked_at = timezone.now()
    bob_hp.save()
    assert client.get("/cpms/").url == "/cpms/no-access/"


def test_it_lets_a_verified_user_with_a_grant_in(client, bob_in_cpms):
    sign_in(client, bob_in_cpms.user)
    assert client.get("/cpms/").status_code == 200


def test_it_sends_a_first_time_user_to_the_welcome_page(client, bob_hp):
    sign_in(client, bob_hp.user)
    response = client.get("/cpms/")
    assert response.status_code == 302
    assert response.url == "/cpms/welcome/"
    assert client.get("/cpms/preferences/").url == "/cpms/welcome/"


def test_it_reads_the_access_the_profile_and_the_centres_in_one_query(bob_in_cpms, bob_hp, rnd):
    from django.test import RequestFactory

    from cpms.access.queries.scopes import access_for
    from cpms.clinical.queries import read_gate

    guest = make_grant(bob_hp.user, rnd.guest, expires_at=timezone.now() + timedelta(days=3))
    request = RequestFactory().get("/cpms/")
    request.user = bob_hp.user
    with CaptureQueriesContext(connection) as queries:
        gate = read_gate(request)
        assert access_for(request) is gate.access  # kept for the rest of the request
    assert len(queries) == 1
    assert gate.clinician_profile == bob_in_cpms and gate.clinician_profile.is_complete
    assert gate.clinician_profile.job_title == "Neurologist"
    assert gate.organisations[rnd.hcp.pk] == (rnd.hcp.code, rnd.hcp.name)
    assert {grant.grant_id: grant.expires_at for grant in gate.access.grants} == {
        bob_hp.pk: None,
        guest.pk: guest.expires_at,
    }


def test_it_drops_a_revoked_centre_from_the_navigation_on_the_next_request(client, bob_in_cpms, bob_hp, rnd):
    other = make_tree(ern_code="EURO-NMD", ern_name="Euro-NMD", institutions=(("FR01", "Hopital Un"),))
    second = make_grant(bob_hp.user, other.hcp)
    sign_in(client, bob_hp.user)
    assert "FR01 - Hopital Un" in client.get("/cpms/").content.decode()
    second.revoked_at = timezone.now()
    second.save()
    page = client.get("/cpms/").content.decode()
    assert "FR01 - Hopital Un" not in page and f"{rnd.hcp.code} - " in page
