from datetime import timedelta

import pytest
from django.test import RequestFactory
from django.utils import timezone

from cpms.access.queries.grants import effective_grants
from cpms.access.queries.pages import parse_cursor
from cpms.access.queries.scopes import access_for, access_of
from cpms.access.tests.factories import make_administrator, make_application, make_grant, make_tree

pytestmark = pytest.mark.django_db


def request_of(user):
    request = RequestFactory().get("/")
    request.user = user
    return request


def test_it_computes_the_access_once_per_request(alice, rnd, django_assert_num_queries):
    make_grant(alice, rnd.hcp, "hp")
    request = request_of(alice)
    with django_assert_num_queries(1):
        access = access_for(request)
        for _ in range(5):
            assert access_for(request) is access
            assert access_for(request).has_grant("cpms")


def test_it_reads_again_for_another_user_of_the_same_request(alice, bob, rnd):
    make_grant(alice, rnd.hcp, "hp")
    request = request_of(alice)
    assert access_for(request).has_grant()
    request.user = bob
    assert not access_for(request).has_grant()


def test_it_needs_no_query_for_an_anonymous_user(django_assert_num_queries):
    from django.contrib.auth.models import AnonymousUser

    with django_assert_num_queries(0):
        access = access_for(request_of(AnonymousUser()))
    assert not access.has_grant() and not access.is_validator


def test_it_resolves_scopes_to_ids(alice, rnd):
    hp = make_grant(alice, rnd.hcp, "hp")
    make_grant(alice, rnd.guest, "researcher")
    make_grant(alice, rnd.hcp, "coordinator")
    make_grant(alice, rnd.guest, "dispatcher", revoked_at=timezone.now())
    make_grant(alice, rnd.guest, "hp", expires_at=timezone.now() - timedelta(days=1))
    access = access_of(alice)
    assert access.organisation_ids() == sorted([rnd.hcp.pk, rnd.guest.pk])
    assert access.ern_ids() == [rnd.ern.pk]
    assert access.ern_ids(profiles=("dispatcher",)) == []
    assert access.coordinated == {hp.application_id: [rnd.ern.pk]}
    assert access.can_validate(rnd.ern.pk, hp.application_id)
    assert not access.can_validate(rnd.ern.pk, hp.application_id + 1)
    assert [ern.pk for ern in access.coordinated_erns()] == [rnd.ern.pk]


def test_a_coordinator_without_hp_in_the_ern_coordinates_nothing(alice, rnd):
    make_grant(alice, rnd.hcp, "coordinator")
    make_grant(alice, rnd.hcp, "hp", revoked_at=timezone.now())
    access = access_of(alice)
    assert access.coordinated == {} and not access.is_validator
    assert not access.has_grant()  # a coordinator grant alone is not in force


def test_it_keeps_applications_apart(alice, rnd):
    ecp = make_tree(make_application("ecp", "ERN Collaborative Platform"))
    make_grant(alice, ecp.hcp, "hp")
    access = access_of(alice)
    assert access.has_grant("ecp") and not access.has_grant("cpms")
    assert access.organisation_ids("ecp") == [ecp.hcp.pk] and access.organisation_ids("cpms") == []


def test_an_administrator_sees_everything():
    access = access_of(make_administrator())
    assert access.is_validator and access.can_validate(123, 456)


@pytest.mark.parametrize(
    "value",
    [
        "",
        "abc",
        "1",
        "-1",
        "1-",
        "1-0",
        "1-x",
        "x-1",
        "1.5-2",
        "١٢-3",
        "9" * 30 + "-1",
        "1-" + "9" * 30,
        None,
        5,
    ],
)
def test_it_ignores_a_cursor_that_is_not_one(value):
    assert parse_cursor(value) is None


def test_it_reads_a_cursor():
    created_at, pk = parse_cursor("1700000000123456-42")
    assert pk == 42 and created_at.timestamp() == 1700000000.123456


def test_it_agrees_with_effective_grants(alice, bob, rnd):
    """The rule in Python (access_of) and in SQL (effective_grants, for OIDC claims and e-mails)."""
    nmd = make_tree(ern_code="EURO-NMD", ern_name="Neuromuscular", country="France", country_code="FR")
    now = timezone.now()
    make_grant(alice, rnd.hcp, "hp", expires_at=now - timedelta(days=1))
    make_grant(alice, rnd.hcp, "coordinator")  # its HP has expired
    make_grant(alice, nmd.guest, "hp")
    make_grant(alice, nmd.guest, "dispatcher")
    make_grant(alice, nmd.guest, "researcher", revoked_at=now)
    make_grant(bob, rnd.hcp, "dispatcher")  # no HP at all
    make_grant(bob, rnd.guest, "researcher")
    for user in (alice, bob):
        expected = set(effective_grants().filter(user=user).values_list("pk", flat=True))
        assert {grant.grant_id for grant in access_of(user).grants} == expected
