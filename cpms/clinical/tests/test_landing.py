import pytest

from cpms.test import sign_in

pytestmark = pytest.mark.django_db


def test_it_is_public_and_offers_the_login(client):
    response = client.get("/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Clinical Patient Management System (CPMS)" in page
    assert "Secure Login" in page
    assert "You can Login to the CPMS ERN through the CPMS Login authentication service." in page
    assert "Login via CPMS Login" in page
    assert 'href="/login/?next=%2Fcpms%2F"' in page


def test_it_explains_who_may_enter_and_how_to_ask(client):
    page = client.get("/").content.decode()
    assert 'href="/account/create/"' in page
    assert "Only authorised users can access CPMS" in page
    assert 'href="/access/request/?application=cpms"' in page
    assert 'href="/access/request/?application=ecp"' in page
    assert "ERN Collaborative Platform (ECP)" in page
    assert 'href="https://health.ec.europa.eu/rare-diseases-and-european-reference-networks_en"' in page


def test_it_shows_the_cpms_brand(client):
    page = client.get("/").content.decode()
    assert '<span class="fw-bold">CPMS</span>' in page


def test_it_lets_a_signed_in_user_enter(client, bob):
    sign_in(client, bob)
    page = client.get("/").content.decode()
    assert "Enter CPMS" in page
    assert 'href="/cpms/"' in page
    assert "Login via CPMS Login" not in page


def test_it_follows_the_login_to_cpms(client, bob):
    response = client.get("/login/?next=/cpms/")
    assert 'name="next" value="/cpms/"' in response.content.decode()


def test_it_refuses_other_methods(client):
    assert client.post("/").status_code == 405
