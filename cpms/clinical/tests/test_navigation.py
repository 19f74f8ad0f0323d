"""The CPMS side navigation follows the user's grants, and lists only features that exist."""

import pytest
from django.test import RequestFactory
from django.urls import clear_url_caches
from django.utils import timezone

from cpms.access.queries.scopes import access_for
from cpms.access.tests.factories import make_grant
from cpms.clinical.navigation import side_navigation
from cpms.test import sign_in

pytestmark = pytest.mark.django_db


def navigation(user, path: str = "/cpms/"):
    request = RequestFactory().get(path)
    request.user = user
    return side_navigation(request)


def labels(entries) -> list[str]:
    return [entry.label for entry in entries]


@pytest.fixture
def future_features(settings):
    settings.ROOT_URLCONF = "cpms.clinical.tests.urls_with_future_features"
    clear_url_caches()
    yield
    clear_url_caches()


def test_it_lists_what_exists_today(bob_hp):
    expected = ["Dashboard", "Patients", "Panels", "Experts", "Meetings", "ERN Preferences"]
    assert labels(navigation(bob_hp.user, "/cpms/")) == expected


def test_it_marks_the_current_page(bob_hp):
    entries = navigation(bob_hp.user, "/cpms/preferences/")
    assert [entry.current for entry in entries] == [False, False, False, False, False, True]


def test_it_offers_the_administration_to_staff_only(bob_hp):
    bob = bob_hp.user
    bob.is_staff = True
    assert labels(navigation(bob, "/cpms/"))[-1] == "Administration"


def test_it_shows_patients_per_centre_to_hps_once_the_feature_exists(future_features, bob_hp, rnd):
    entries = navigation(bob_hp.user, "/cpms/")
    assert labels(entries) == [
        "Dashboard",
        "Patients",
        "Panels",
        "Experts",
        "Meetings",
        "ERN Preferences",
    ]  # no Research: not a researcher
    assert labels(entries[1].children) == ["DE22 - University Hospital and Faculty of Medicine Tubingen"]
    assert entries[1].children[0].url == f"/cpms/patients/centre/{rnd.hcp.pk}/"


def test_it_shows_research_to_researchers_only(future_features, bob, rnd):
    make_grant(bob, rnd.hcp, profile_code="researcher")
    expected = ["Dashboard", "Panels", "Experts", "Meetings", "Research", "ERN Preferences"]
    assert labels(navigation(bob, "/cpms/")) == expected


@pytest.mark.parametrize("profile", ["coordinator", "dispatcher"])
def test_it_leads_those_who_triage_to_the_requests_for_assistance(bob_hp, rnd, profile):
    assert "Requests for assistance" not in labels(navigation(bob_hp.user, "/cpms/"))
    make_grant(bob_hp.user, rnd.hcp, profile_code=profile)
    assert "Requests for assistance" in labels(navigation(bob_hp.user, "/cpms/"))


def test_it_leaves_out_revoked_grants(future_features, bob, rnd):
    make_grant(bob, rnd.hcp, revoked_at=timezone.now())
    assert "Patients" not in labels(navigation(bob, "/cpms/"))


def test_it_reads_nothing_beyond_the_requests_access_without_patients(bob, rnd, django_assert_num_queries):
    make_grant(bob, rnd.hcp, profile_code="researcher")
    request = RequestFactory().get("/cpms/")
    request.user = bob
    access_for(request)  # the gate has read it already on every CPMS page
    with django_assert_num_queries(0):
        assert labels(side_navigation(request)) == [
            "Dashboard",
            "Panels",
            "Experts",
            "Meetings",
            "Research",
            "ERN Preferences",
        ]


def test_it_lists_no_guest_access_as_a_patients_centre(bob_hp, rnd):
    make_grant(bob_hp.user, rnd.guest)
    patients = navigation(bob_hp.user, "/cpms/")[1]
    assert [child.label for child in patients.children] == [
        "DE22 - University Hospital and Faculty of Medicine Tubingen"
    ]


def test_it_lists_the_centres_in_one_query_once_patients_exist(
    future_features, bob_hp, rnd, django_assert_num_queries
):
    make_grant(bob_hp.user, rnd.guest)
    request = RequestFactory().get("/cpms/")
    request.user = bob_hp.user
    access_for(request)
    with django_assert_num_queries(1):
        side_navigation(request)


def test_it_is_drawn_in_every_cpms_page(client, bob_in_cpms):
    sign_in(client, bob_in_cpms.user)
    page = client.get("/cpms/preferences/").content.decode()
    assert '<nav class="cpms-sidenav collapse d-lg-block mt-2 mt-lg-0" id="cpms-sidenav"' in page
    assert 'href="/cpms/preferences/" aria-current="page">ERN Preferences</a>' in page
    assert ">CPMS menu</button>" in page
