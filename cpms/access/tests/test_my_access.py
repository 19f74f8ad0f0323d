"""My access: the grants I hold, and those that ended recently."""

from datetime import timedelta

import pytest
from django.utils import timezone

from cpms.access.tests.factories import make_grant, make_institutions
from cpms.test import sign_in

pytestmark = pytest.mark.django_db
URL = "/access/my-access/"


def test_it_asks_anonymous_users_to_sign_in(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response.url.startswith("/login/?next=/access/my-access/")


def test_it_lists_my_grants_and_the_recently_ended_ones(client, alice, bob, rnd):
    now = timezone.now()
    hp = make_grant(alice, rnd.hcp, "hp")
    guest = make_grant(alice, rnd.guest, "hp")
    revoked = make_grant(
        alice,
        rnd.institutions["DE05"],
        "researcher",
        revoked_at=now - timedelta(days=1),
        revoke_reason="Left.",
    )
    expired = make_grant(alice, rnd.guest, "researcher", expires_at=now - timedelta(days=2))
    make_grant(alice, rnd.guest, "dispatcher", revoked_at=now - timedelta(days=200))  # long ago
    make_grant(bob, rnd.hcp, "coordinator")  # not mine
    sign_in(client, alice)
    response = client.get(URL)
    assert response.status_code == 200
    assert {g.pk for g in response.context["active_grants"]} == {hp.pk, guest.pk}
    assert [g.pk for g in response.context["ended_grants"]] == [revoked.pk, expired.pk]
    page = response.content.decode()
    assert (
        "DE22 - University Hospital and Faculty of Medicine Tubingen" in page
        and "ERN-RND - Neurological Diseases" in page
    )
    assert "Does not expire" in page  # the HP grant
    assert guest.expires_at.strftime("%Y") in page
    assert "Recently ended" in page and "Revoked" in page and "Left." in page and "Expired" in page
    assert "Coordinator" not in page


def test_it_explains_how_to_get_access(client, alice):
    sign_in(client, alice)
    page = client.get(URL).content.decode()
    assert "You have no access yet." in page
    assert 'href="/access/request/"' in page
    assert "Recently ended" not in page


@pytest.mark.parametrize("extra", [0, 27])
def test_it_makes_a_fixed_number_of_queries(client, alice, rnd, extra, django_assert_num_queries):
    nodes = [rnd.hcp, rnd.institutions["DE05"], rnd.guest, *make_institutions(rnd.country, extra)]
    for node in nodes:
        make_grant(alice, node, "hp")
        make_grant(alice, node, "researcher", revoked_at=timezone.now())
    sign_in(client, alice)
    client.get(URL)
    # session, user, active grants, ended grants, the user's access for the nav's Validation link
    with django_assert_num_queries(5):
        response = client.get(URL)
    assert len(response.context["active_grants"]) == len(response.context["ended_grants"]) == 3 + extra


def test_it_says_when_a_coordinator_grant_is_not_in_force_without_hp(client, alice, rnd):
    hp = make_grant(alice, rnd.hcp, "hp")
    make_grant(alice, rnd.hcp, "coordinator")
    hp.revoked_at = timezone.now()
    hp.save()
    sign_in(client, alice)
    page = client.get("/access/my-access/").content.decode()
    assert "Not in force: it needs an active HP access in this ERN." in page
