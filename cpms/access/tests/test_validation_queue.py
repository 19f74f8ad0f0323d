from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from cpms.access.models import AccessRequest
from cpms.access.tests.factories import (
    make_administrator,
    make_application,
    make_grant,
    make_request,
    make_tree,
)
from cpms.test import make_user, sign_in

pytestmark = pytest.mark.django_db

URL = reverse("access:validation-queue")
# session, user, the user's access, their ERNs to filter on, profile choices, count, the page's
# ids, its rows
QUEUE_QUERIES = 8


def requesters(count: int) -> list:
    return [make_user(f"nreq{i:04d}", f"req{i}@example.org", "Req", f"Number{i}") for i in range(count)]


def test_it_asks_anonymous_users_to_sign_in(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response.url.startswith(reverse("identity:login"))


def test_it_is_not_there_for_people_who_validate_nothing(client, alice, rnd):
    make_grant(alice, rnd.hcp, "hp")
    sign_in(client, alice)
    assert client.get(URL).status_code == 404


def test_it_lists_pending_requests_of_my_erns_only_newest_first(
    client, coordinator, alice, charlie, rnd, nmd
):
    older = make_request(alice, rnd.hcp, created_at=timezone.now() - timedelta(days=2))
    newer = make_request(charlie, rnd.guest)
    other_ern = make_request(charlie, nmd.hcp)
    decided = make_request(alice, rnd.institutions["DE05"], status=AccessRequest.Status.REJECTED)
    sign_in(client, coordinator)
    response = client.get(URL)
    assert response.status_code == 200
    assert list(response.context["page"]) == [newer, older]
    page = response.content.decode()
    assert reverse("access:validation-detail", args=[older.pk]) in page
    assert reverse("access:validation-detail", args=[other_ern.pk]) not in page
    assert reverse("access:validation-detail", args=[decided.pk]) not in page
    assert "alice@example.org" in page and "Alice Martin" in page
    assert (
        "DE22 - University Hospital and Faculty of Medicine Tubingen" in page and "0000 Guest Access" in page
    )
    assert "Showing 2 of 2 requests" in page


def test_it_shows_every_ern_to_administrators(client, alice, charlie, rnd, nmd):
    admin = make_administrator()
    first, second = make_request(alice, rnd.hcp), make_request(charlie, nmd.hcp)
    sign_in(client, admin)
    response = client.get(URL)
    assert set(response.context["page"]) == {first, second}


def test_it_names_the_application_of_each_ern_when_there_are_several(client, rnd):
    ecp = make_tree(application=make_application(code="ecp", name="ECP"))
    sign_in(client, make_administrator())
    choices = dict(client.get(URL).context["form"].fields["ern"].choices)
    assert choices[rnd.ern.pk] == "ERN-RND - Neurological Diseases (CPMS)"
    assert choices[ecp.ern.pk] == "ERN-RND - Neurological Diseases (ECP)"


def test_it_filters_by_status_ern_profile_and_search(client, alice, charlie, rnd, nmd):
    admin = make_administrator()
    hp_alice = make_request(alice, rnd.hcp, "hp")
    researcher_charlie = make_request(charlie, rnd.hcp, "researcher")
    nmd_charlie = make_request(charlie, nmd.hcp, "hp")
    rejected = make_request(alice, nmd.hcp, status=AccessRequest.Status.REJECTED)
    sign_in(client, admin)

    def listed(**params):
        return set(client.get(URL, params).context["page"])

    assert listed(status="rejected") == {rejected}
    assert listed(status="all") == {hp_alice, researcher_charlie, nmd_charlie, rejected}
    assert listed(ern=rnd.ern.pk) == {hp_alice, researcher_charlie}
    assert listed(profile="researcher") == {researcher_charlie}
    assert listed(q="dupont") == {researcher_charlie, nmd_charlie}
    assert listed(q="alice@example") == {hp_alice}
    assert listed(q="nchar003") == {researcher_charlie, nmd_charlie}
    assert listed(q="Charlie Dupont", ern=nmd.ern.pk) == {nmd_charlie}
    assert listed(q="nobody-like-this") == set()


def test_it_ignores_tampered_filters_with_a_message(client, coordinator, alice, rnd, nmd):
    mine = make_request(alice, rnd.hcp)
    make_request(alice, nmd.hcp)
    sign_in(client, coordinator)
    for params in (
        {"ern": nmd.ern.pk},  # an ERN I do not coordinate
        {"ern": "abc"},
        {"status": "granted-please"},
        {"profile": "god"},
        {"q": "x" * 500},
        {"page": "9999"},
        {"after": "abc"},
        {"after": "99999999999999999999-1"},
        {"before": "1-x"},
        {"after": "-1"},
        {"before": "\x00"},
    ):
        response = client.get(URL, params)
        assert response.status_code == 200, params
        assert list(response.context["page"]) == [mine], params
    response = client.get(URL, {"ern": nmd.ern.pk})
    assert "This filter was ignored" in response.content.decode()


def test_it_stops_at_once_when_my_coordinator_grant_is_revoked(client, coordinator, rnd):
    sign_in(client, coordinator)
    assert client.get(URL).status_code == 200
    coordinator.grants.filter(profile__code="coordinator").update(revoked_at=timezone.now())
    assert client.get(URL).status_code == 404


@pytest.mark.parametrize("how", ["revoked", "expired"])
def test_it_stops_at_once_when_my_hp_grant_ends(client, coordinator, how):
    """Coordinator needs HP in the same ERN: without it, the Coordinator grant no longer counts."""
    sign_in(client, coordinator)
    assert client.get(URL).status_code == 200
    hp = coordinator.grants.filter(profile__code="hp")
    if how == "revoked":
        hp.update(revoked_at=timezone.now())
    else:
        hp.update(expires_at=timezone.now() - timedelta(minutes=1))
    assert client.get(URL).status_code == 404


def test_it_keeps_filters_in_paging_links(client, coordinator, rnd):
    now = timezone.now()
    made = [
        make_request(requester, rnd.hcp, created_at=now - timedelta(minutes=index % 7))
        for index, requester in enumerate(requesters(30))
    ]
    newest_first = sorted(made, key=lambda r: (r.created_at, r.pk), reverse=True)
    sign_in(client, coordinator)
    response = client.get(URL, {"status": "pending", "q": "Req"})
    first = response.context["page"]
    assert list(first) == newest_first[:25]
    page = response.content.decode()
    assert "Showing 25 of 30 requests" in page
    assert f"?status=pending&amp;q=Req&amp;after={first.next_cursor}" in page
    assert "Previous" not in page

    second = client.get(URL, {"status": "pending", "q": "Req", "after": first.next_cursor}).context["page"]
    assert list(second) == newest_first[25:]
    assert not second.has_next
    back = client.get(URL, {"status": "pending", "q": "Req", "before": second.previous_cursor})
    assert list(back.context["page"]) == newest_first[:25]
    assert f"?status=pending&amp;q=Req&amp;after={first.next_cursor}" in back.content.decode()


def test_it_offers_the_first_page_past_the_end(client, coordinator, alice, rnd):
    make_request(alice, rnd.hcp)
    sign_in(client, coordinator)
    page = client.get(URL, {"after": "1-1"}).content.decode()
    assert "Back to the first page" in page


def test_it_answers_htmx_requests_with_the_same_page(client, coordinator, alice, rnd):
    make_request(alice, rnd.hcp)
    sign_in(client, coordinator)
    response = client.get(URL, {"q": "alice"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert 'id="queue-results"' in response.content.decode()


def test_it_shows_a_helpful_empty_state(client, coordinator):
    sign_in(client, coordinator)
    assert "Nothing to validate" in client.get(URL).content.decode()


@pytest.mark.parametrize("rows", [5, 30])
def test_it_makes_a_fixed_number_of_queries(client, coordinator, rnd, rows, django_assert_num_queries):
    for requester in requesters(rows):
        make_request(requester, rnd.guest)
    sign_in(client, coordinator)
    with django_assert_num_queries(QUEUE_QUERIES):
        response = client.get(URL, {"status": "all"})
    assert len(response.context["page"]) == min(rows, 25)


@pytest.mark.parametrize("rows", [5, 30])
def test_it_makes_a_fixed_number_of_queries_for_administrators(client, rnd, rows, django_assert_num_queries):
    admin = make_administrator()
    for requester in requesters(rows):
        make_request(requester, rnd.hcp)
    sign_in(client, admin)
    with django_assert_num_queries(QUEUE_QUERIES):  # every ERN to filter on
        client.get(URL)
