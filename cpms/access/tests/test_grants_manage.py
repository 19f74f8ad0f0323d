from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from cpms.access.tests.factories import make_administrator, make_grant
from cpms.test import make_user, sign_in

pytestmark = pytest.mark.django_db

URL = reverse("access:grants-manage")
# session, user, the user's access, their ERNs to filter on, profile choices, count, the page's
# ids, its rows, lately expired guests
MANAGE_QUERIES = 9


def test_it_asks_anonymous_users_to_sign_in(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response.url.startswith(reverse("identity:login"))


def test_it_is_not_there_for_people_who_validate_nothing(client, alice, rnd):
    make_grant(alice, rnd.hcp)
    sign_in(client, alice)
    assert client.get(URL).status_code == 404


def test_it_lists_active_grants_of_my_erns_with_actions(client, coordinator, alice, charlie, rnd, nmd):
    hp = make_grant(alice, rnd.institutions["DE05"], "hp")
    guest = make_grant(charlie, rnd.guest, "hp")
    elsewhere = make_grant(charlie, nmd.hcp, "hp")
    revoked = make_grant(alice, rnd.hcp, "researcher", revoked_at=timezone.now())
    expired = make_grant(alice, rnd.guest, "researcher", expires_at=timezone.now() - timedelta(days=1))
    sign_in(client, coordinator)
    response = client.get(URL)
    assert response.status_code == 200
    listed = set(response.context["page"])
    assert {hp, guest} <= listed
    assert not {elsewhere, revoked, expired} & listed
    page = response.content.decode()
    assert reverse("access:grant-revoke", args=[hp.pk]) in page
    assert reverse("access:grant-renew", args=[guest.pk]) in page
    assert reverse("access:grant-renew", args=[hp.pk]) not in page  # only guest access is renewed
    own = coordinator.grants.get(profile__code="coordinator")
    assert own in listed and reverse("access:grant-revoke", args=[own.pk]) not in page


def test_it_shows_every_ern_to_administrators(client, alice, charlie, rnd, nmd):
    admin = make_administrator()
    grants = {make_grant(alice, rnd.hcp), make_grant(charlie, nmd.hcp)}
    sign_in(client, admin)
    assert set(client.get(URL).context["page"]) == grants


def test_it_filters_by_ern_profile_and_search(client, alice, charlie, rnd, nmd):
    admin = make_administrator()
    alice_hp = make_grant(alice, rnd.hcp, "hp")
    charlie_researcher = make_grant(charlie, rnd.hcp, "researcher")
    charlie_nmd = make_grant(charlie, nmd.hcp, "hp")
    sign_in(client, admin)

    def listed(**params):
        return set(client.get(URL, params).context["page"])

    assert listed(ern=nmd.ern.pk) == {charlie_nmd}
    assert listed(profile="researcher") == {charlie_researcher}
    assert listed(q="alice") == {alice_hp}
    assert listed(q="charlie@example.org", ern=rnd.ern.pk) == {charlie_researcher}


def test_it_ignores_tampered_filters_with_a_message(client, coordinator, alice, rnd, nmd):
    make_grant(alice, nmd.hcp)
    sign_in(client, coordinator)
    for params in ({"ern": nmd.ern.pk}, {"ern": "x"}, {"profile": "root"}, {"page": "-1"}):
        response = client.get(URL, params)
        assert response.status_code == 200, params
        assert {grant.ern_id for grant in response.context["page"]} == {rnd.ern.pk}, params
    assert "This filter was ignored" in client.get(URL, {"ern": "x"}).content.decode()


@pytest.mark.parametrize("rows", [5, 30])
def test_it_makes_a_fixed_number_of_queries(client, coordinator, rnd, rows, django_assert_num_queries):
    for index in range(rows):
        user = make_user(f"nusr{index:04d}", f"user{index}@example.org", "User", f"Number{index}")
        make_grant(user, rnd.guest if index % 2 else rnd.hcp, "hp")
        make_grant(user, rnd.guest, "researcher", expires_at=timezone.now() - timedelta(days=1))
    sign_in(client, coordinator)
    with django_assert_num_queries(MANAGE_QUERIES):
        response = client.get(URL)
    assert len(response.context["expired_guests"]) == min(rows, 25)
    assert len(response.context["page"]) == min(rows + 2, 25)  # and the coordinator's own two


def test_it_lists_lately_expired_guest_access_to_renew(client, coordinator, rnd, alice):
    expired = make_grant(alice, rnd.guest, "hp", expires_at=timezone.now() - timedelta(days=3))
    long_gone = make_grant(alice, rnd.guest, "researcher", expires_at=timezone.now() - timedelta(days=200))
    sign_in(client, coordinator)
    response = client.get(URL)
    assert list(response.context["expired_guests"]) == [expired]
    assert long_gone not in response.context["expired_guests"]
    assert f'action="/access/grants/{expired.pk}/renew/"' in response.content.decode()
