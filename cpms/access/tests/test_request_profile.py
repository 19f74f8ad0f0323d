"""Step 3 of "Request access": choose one or several access profiles."""

import pytest

from cpms.access.models import AccessRequest
from cpms.access.tests.factories import (
    make_application,
    make_grant,
    make_request,
    make_tree,
    profile,
    wizard_session,
)
from cpms.test import sign_in

pytestmark = pytest.mark.django_db
URL = "/access/request/profile/"


@pytest.fixture
def walker(client, alice, rnd):
    """Alice, signed in, with CPMS and DE22 chosen."""
    sign_in(client, alice)
    wizard_session(client, rnd.application, rnd.hcp)
    return client


def pk(rnd, code):
    return profile(rnd.application, code).pk


def test_it_asks_anonymous_users_to_sign_in(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response.url.startswith("/login/")


def test_it_needs_the_earlier_steps(client, alice, rnd):
    sign_in(client, alice)
    response = client.get(URL, follow=True)
    assert response.redirect_chain[-1][0] == "/access/request/"
    assert "Choose an application first." in response.content.decode()
    wizard_session(client, rnd.application)
    response = client.get(URL, follow=True)
    assert response.redirect_chain[-1][0] == "/access/request/organisation/"
    assert "Choose an organisation first." in response.content.decode()


@pytest.mark.parametrize("which", ["country", "other-app", "text", "list"])
def test_it_refuses_a_stored_organisation_that_is_not_an_institution_of_the_application(
    client, alice, rnd, which
):
    other = make_tree(application=make_application(code="ecp", name="ERN collaborative platform"))
    sign_in(client, alice)
    session = client.session
    session["access.wizard"] = {
        "application": rnd.application.pk,
        "organisation": {"country": rnd.country.pk, "other-app": other.hcp.pk, "text": "x", "list": [1]}[
            which
        ],
    }
    session.save()
    response = client.get(URL, follow=True)
    assert response.redirect_chain[-1][0] == "/access/request/organisation/"
    assert "This organisation can no longer be chosen." in response.content.decode()


def test_it_shows_the_profiles_with_their_status(walker, alice, rnd):
    make_grant(alice, rnd.hcp, "hp")
    make_request(alice, rnd.hcp, "researcher")
    make_request(alice, rnd.institutions["DE05"], "dispatcher")  # another institution: no status here
    response = walker.get(URL)
    assert response.status_code == 200
    page = response.content.decode()
    for header in (
        '<th scope="col">Name</th>',
        '<th scope="col">Status</th>',
        '<th scope="col">Description</th>',
    ):
        assert header in page
    rows = {row["profile"].code: row["status"] for row in response.context["rows"]}
    assert rows == {"coordinator": None, "dispatcher": None, "hp": "granted", "researcher": "requested"}
    assert "Granted" in page and "Requested" in page
    assert f'value="{pk(rnd, "hp")}" id="profile-{pk(rnd, "hp")}" disabled' in page
    assert f'value="{pk(rnd, "coordinator")}" id="profile-{pk(rnd, "coordinator")}" aria' in page
    assert "Needs the HP profile in the same ERN" in page
    assert "← Step 2: select an organisation" in page and "Step 4: type a comment →" in page


def test_it_remembers_several_profiles_and_goes_to_step_4(walker, rnd):
    response = walker.post(URL, {"profiles": [pk(rnd, "hp"), pk(rnd, "coordinator")]})
    assert response.status_code == 302
    assert response.url == "/access/request/recap/"
    assert sorted(walker.session["access.wizard"]["profiles"]) == sorted(
        [pk(rnd, "hp"), pk(rnd, "coordinator")]
    )
    response = walker.get(URL)
    assert {row["profile"].code for row in response.context["rows"] if row["checked"]} == {
        "hp",
        "coordinator",
    }


def test_it_refuses_a_coordinator_without_hp_in_the_ern(walker, alice, rnd, nmd):
    make_grant(alice, nmd.hcp, "hp")  # HP in another ERN does not count
    response = walker.post(URL, {"profiles": [pk(rnd, "coordinator")]})
    assert response.status_code == 400
    page = response.content.decode()
    assert (
        "The Coordinator profile needs the HP profile in the same ERN (ERN-RND - Neurological Diseases)"
        in page
    )
    assert "Tick HP as well" in page
    assert "profiles" not in walker.session["access.wizard"]


@pytest.mark.parametrize("how", ["grant elsewhere in the ERN", "pending request in the ERN"])
def test_it_accepts_a_dispatcher_with_hp_held_or_asked_for_in_the_ern(walker, alice, rnd, how):
    if how.startswith("grant"):
        make_grant(alice, rnd.institutions["DE05"], "hp")
    else:
        make_request(alice, rnd.guest, "hp")
    response = walker.post(URL, {"profiles": [pk(rnd, "dispatcher")]})
    assert response.status_code == 302


def test_a_revoked_hp_grant_or_a_rejected_request_does_not_count(walker, alice, rnd):
    from django.utils import timezone

    make_grant(alice, rnd.institutions["DE05"], "hp", revoked_at=timezone.now())
    make_request(alice, rnd.guest, "hp", status=AccessRequest.Status.REJECTED)
    response = walker.post(URL, {"profiles": [pk(rnd, "dispatcher")]})
    assert response.status_code == 400


def test_it_refuses_what_is_already_granted_or_requested_here(walker, alice, rnd):
    make_grant(alice, rnd.hcp, "hp")
    make_request(alice, rnd.hcp, "researcher")
    response = walker.post(URL, {"profiles": [pk(rnd, "hp")]})
    assert response.status_code == 400
    assert (
        "You already have the HP profile at DE22 - University Hospital and Faculty of Medicine Tubingen."
        in response.content.decode()
    )
    response = walker.post(URL, {"profiles": [pk(rnd, "researcher")]})
    assert response.status_code == 400
    assert "that request is waiting for validation" in response.content.decode()


@pytest.mark.parametrize("value", ["", "abc", "-1", "999999", "other-app", "1.5"])
def test_it_refuses_tampered_profiles(walker, rnd, value):
    if value == "other-app":
        value = profile(make_application(code="ecp", name="ECP"), "hp").pk
    response = walker.post(URL, {"profiles": [value]} if value != "" else {})
    assert response.status_code == 400
    page = response.content.decode()
    assert (
        "Choose at least one access profile." in page
        or "This profile is not offered by the application." in page
    )
    assert "profiles" not in walker.session["access.wizard"]


def test_it_makes_a_fixed_number_of_queries(walker, alice, rnd, django_assert_num_queries):
    make_grant(alice, rnd.hcp, "hp")
    walker.get(URL)
    # session, user, application, institution, pending requests, active grants, profiles, validator check
    with django_assert_num_queries(8):
        assert walker.get(URL).status_code == 200
