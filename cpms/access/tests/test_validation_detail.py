import pytest
from django.urls import reverse
from django.utils import timezone

from cpms.access.actions.validation import do_approve_access_request
from cpms.access.models import AccessRequest
from cpms.access.tests.factories import (
    make_administrator,
    make_application,
    make_coordinator,
    make_grant,
    make_request,
    make_tree,
)
from cpms.audit.record import record
from cpms.test import sign_in

pytestmark = pytest.mark.django_db


def url(access_request) -> str:
    return reverse("access:validation-detail", args=[access_request.pk])


def test_it_asks_anonymous_users_to_sign_in(client, pending):
    response = client.get(url(pending))
    assert response.status_code == 302
    assert response.url.startswith(reverse("identity:login"))


def test_it_hides_requests_from_people_who_may_not_decide_them(client, pending, charlie, nmd, alice):
    sign_in(client, charlie)
    assert client.get(url(pending)).status_code == 404  # no grant at all
    make_coordinator(charlie, nmd.hcp)
    assert client.get(url(pending)).status_code == 404  # coordinator of another ERN
    sign_in(client, alice)
    assert client.get(url(pending)).status_code == 404  # the requester is not a validator
    assert client.get(reverse("access:validation-detail", args=[99999])).status_code == 404


def test_it_shows_who_asks_for_what_and_what_they_hold(client, coordinator, pending, alice, rnd, nmd):
    make_grant(alice, nmd.hcp, "researcher")
    earlier = make_request(alice, rnd.institutions["DE05"], "hp", status=AccessRequest.Status.WITHDRAWN)
    sign_in(client, coordinator)
    response = client.get(url(pending))
    assert response.status_code == 200
    page = response.content.decode()
    for text in (
        "Alice Martin",
        "alice@example.org",
        "nalice01 (External)",
        "ERN-RND - Neurological Diseases",
        "Germany",
        "DE22 - University Hospital and Faculty of Medicine Tubingen",
        "HP",
        "Neurologist, movement disorders clinic.",
        "DE42 - Essen",  # a grant held elsewhere
        "Researcher",
        "DE05 - Charité Berlin",  # another request
        "Withdrawn",
    ):
        assert text in page, text
    assert response.context["other_requests"] == [earlier]
    assert reverse("access:request-approve", args=[pending.pk]) in page
    assert reverse("access:request-reject", args=[pending.pk]) in page


def test_it_explains_the_hp_prerequisite(client, coordinator, alice, rnd):
    coordinator_request = make_request(alice, rnd.hcp, "coordinator")
    sign_in(client, coordinator)
    page = client.get(url(coordinator_request)).content.decode()
    assert "Coordinator needs an active HP access in ERN-RND - Neurological Diseases" in page
    make_grant(alice, rnd.guest, "hp")
    page = client.get(url(coordinator_request)).content.decode()
    assert "needs an active HP access" not in page


def test_it_offers_no_decision_on_my_own_request(client, alice, rnd):
    admin = make_administrator()
    own = make_request(admin, rnd.hcp)
    sign_in(client, admin)
    response = client.get(url(own))
    assert response.status_code == 200
    page = response.content.decode()
    assert "This is your own request" in page
    assert reverse("access:request-approve", args=[own.pk]) not in page


def test_it_shows_the_decision_of_a_decided_request(client, coordinator, alice, rnd):
    decided = make_request(
        alice,
        rnd.hcp,
        status=AccessRequest.Status.REJECTED,
        decided_at=timezone.now(),
        decided_by=coordinator,
        decision_note="Please use your hospital e-mail address.",
    )
    sign_in(client, coordinator)
    page = client.get(url(decided)).content.decode()
    assert "Rejected" in page and "Please use your hospital e-mail address." in page
    assert "Bob Schmidt" in page
    assert reverse("access:request-approve", args=[decided.pk]) not in page


def test_it_refuses_other_methods(client, coordinator, pending):
    sign_in(client, coordinator)
    assert client.post(url(pending)).status_code == 405


@pytest.mark.parametrize("extra", [0, 20])
def test_it_makes_a_fixed_number_of_queries(
    client, coordinator, pending, alice, rnd, extra, django_assert_num_queries
):
    for index in range(extra):
        make_request(alice, rnd.guest, "researcher" if index % 2 else "dispatcher", status="withdrawn")
        record(alice, "access.request.submitted", make_request(alice, rnd.guest, "hp", status="withdrawn"))
    record(alice, "access.request.submitted", pending)
    sign_in(client, coordinator)
    # session, user, the user's access, request, grants, other requests, history, its actors
    with django_assert_num_queries(8):
        client.get(url(pending))


def test_it_shows_the_history_of_the_request_from_the_audit_trail(client, coordinator, pending, alice, rnd):
    record(alice, "access.request.submitted", pending, {"profile": pending.profile_id})
    record(alice, "access.request.submitted", make_request(alice, rnd.guest, "researcher"))  # another request
    do_approve_access_request(acting_user=coordinator, access_request=pending, note="")
    sign_in(client, coordinator)
    page = client.get(url(pending)).content.decode()
    history = page[page.index('id="history-heading"') :]
    assert history.count("<li") == 2
    assert history.index("Request submitted") < history.index("Request approved")
    assert "Alice Martin" in history and "Bob Schmidt" in history


def test_it_hides_requests_of_another_application(client, coordinator, alice):
    ecp = make_tree(make_application("ecp", "ERN Collaborative Platform"))  # its own ERN-RND node
    other_application = make_request(alice, ecp.hcp)
    sign_in(client, coordinator)
    assert client.get(url(other_application)).status_code == 404
