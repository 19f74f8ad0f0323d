"""My requests: each request with its status and decision, newest first."""

from datetime import timedelta

import pytest
from django.utils import timezone

from cpms.access.models import AccessRequest
from cpms.access.tests.factories import (
    make_administrator,
    make_coordinator,
    make_institutions,
    make_request,
    make_tree,
)
from cpms.test import sign_in

pytestmark = pytest.mark.django_db
URL = "/access/my-requests/"


def test_it_asks_anonymous_users_to_sign_in(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response.url.startswith("/login/?next=/access/my-requests/")


def test_it_lists_my_requests_newest_first_with_their_decision(client, alice, bob, rnd):
    now = timezone.now()
    admin = make_administrator()
    old = make_request(
        alice,
        rnd.institutions["DE05"],
        "researcher",
        created_at=now - timedelta(days=3),
        status=AccessRequest.Status.REJECTED,
        decided_at=now - timedelta(days=2),
        decided_by=admin,
        decision_note="Researchers need an HP grant first.",
    )
    new = make_request(alice, rnd.hcp, "hp", created_at=now)
    make_request(bob, rnd.guest, "hp")  # not mine
    sign_in(client, alice)
    response = client.get(URL)
    assert response.status_code == 200
    assert list(response.context["page"].object_list) == [new, old]
    page = response.content.decode()
    assert "DE22 - University Hospital and Faculty of Medicine Tubingen" in page
    assert "ERN-RND - Neurological Diseases / Germany" in page
    assert "Waiting for validation" in page and "Rejected" in page
    assert "By Ada Admin" in page and "Researchers need an HP grant first." in page
    assert page.count("Withdraw<span") == 1
    assert f'action="/access/my-requests/{new.pk}/withdraw/"' in page
    assert "0000 Guest Access" not in page


def test_it_invites_to_request_access_when_there_is_nothing(client, alice):
    sign_in(client, alice)
    page = client.get(URL).content.decode()
    assert "You have not requested any access yet." in page
    assert 'href="/access/request/"' in page


def test_it_pages_and_tolerates_odd_page_numbers(client, alice, rnd):
    codes = ["hp", "researcher"]
    for n in range(30):
        node = make_tree(country=f"Country {n}", country_code=f"C{n}").guest
        make_request(alice, node, codes[n % 2])
    sign_in(client, alice)
    assert len(client.get(URL).context["page"].object_list) == 25
    assert len(client.get(URL, {"page": "2"}).context["page"].object_list) == 5
    for odd in ("abc", "-1", "999"):
        assert client.get(URL, {"page": odd}).status_code == 200


@pytest.mark.parametrize("extra", [0, 20])
def test_it_makes_a_fixed_number_of_queries(client, alice, rnd, extra, django_assert_num_queries):
    nodes = [rnd.hcp, rnd.institutions["DE05"], rnd.guest, *make_institutions(rnd.country, extra)]
    for code in ("hp", "researcher"):
        for node in nodes:
            make_request(alice, node, code)
    sign_in(client, alice)
    client.get(URL)
    # session, user, count, page of requests, the user's access for the nav's Validation link
    with django_assert_num_queries(5):
        response = client.get(URL)
    assert len(response.context["page"].object_list) == min(2 * (3 + extra), 25)


def test_the_nav_shows_validation_to_coordinators_and_administrators_only(client, alice, bob, rnd):
    make_coordinator(bob, rnd.hcp)
    sign_in(client, alice)
    page = client.get(URL).content.decode()
    assert 'href="/access/request/"' in page and 'href="/access/my-access/"' in page
    assert 'href="/access/validation/"' not in page
    sign_in(client, bob)
    assert 'href="/access/validation/"' in client.get(URL).content.decode()
    sign_in(client, make_administrator())
    assert 'href="/access/validation/"' in client.get(URL).content.decode()
