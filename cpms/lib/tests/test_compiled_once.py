"""compiled_once: the queryset's SQL built once, run with each call's values."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db.models import Exists, OuterRef

from cpms.identity.models import User, UserSession
from cpms.lib.sql import compiled_once
from cpms.test import make_user

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 12, 3, 10, 0, tzinfo=UTC)


def users_active_since(user_id: int, since: datetime):
    sessions = UserSession.objects.filter(user_id=OuterRef("pk"), last_active_at__gt=since)
    return User.objects.filter(Exists(sessions)).exclude(pk=user_id).order_by("pk")


def session_at(user, when):
    UserSession.objects.create(user=user, session_key=f"k{user.pk}{when:%H%M}", last_active_at=when)


@pytest.fixture
def people():
    alice, bob, carol = (make_user(n, f"{n}@example.org", n, "Test") for n in ("alice", "bob", "carol"))
    session_at(alice, NOW - timedelta(hours=3))
    session_at(bob, NOW - timedelta(hours=1))
    session_at(carol, NOW)
    return alice, bob, carol


def test_it_answers_what_the_queryset_answers_for_any_values(people):
    alice, bob, carol = people
    prepared = compiled_once(users_active_since)
    for user in people:
        for hours in (0.5, 2, 4):
            since = NOW - timedelta(hours=hours)
            assert list(prepared(user.pk, since)) == list(users_active_since(user.pk, since))
    assert [u.username for u in prepared(alice.pk, NOW - timedelta(hours=2))] == ["bob", "carol"]


def test_it_builds_the_queryset_once(people, django_assert_num_queries):
    built = []

    def build(user_id, since):
        built.append((user_id, since))
        return users_active_since(user_id, since)

    prepared = compiled_once(build)
    with django_assert_num_queries(2):
        list(prepared(people[0].pk, NOW))
        list(prepared(people[1].pk, NOW - timedelta(days=1)))
    assert len(built) == 1 and built[0][0] < 0  # with stand-ins, not the first call's values


def test_it_gives_select_related_objects_and_takes_lists_of_any_length(people, django_assert_num_queries):
    def sessions_of(user_ids):
        return UserSession.objects.filter(user_id__in=user_ids).select_related("user").order_by("pk")

    prepared = compiled_once(sessions_of)
    ids = [user.pk for user in people]
    for chosen in (ids[:1], ids[1:], ids, ids[:1]):
        with django_assert_num_queries(1):
            rows = prepared(chosen)
            usernames = [s.user.username for s in rows]
        assert usernames == [s.user.username for s in sessions_of(chosen)]
    assert prepared([]) == []


def test_it_refuses_arguments_it_cannot_stand_in_for():
    with pytest.raises(TypeError):
        compiled_once(lambda name: User.objects.filter(username=name))("alice")
    with pytest.raises(TypeError):
        compiled_once(lambda names: User.objects.filter(username__in=names))(["alice"])


def test_it_refuses_an_argument_that_does_not_reach_the_sql():
    with pytest.raises(ValueError):
        compiled_once(lambda user_id: User.objects.all())(5)
