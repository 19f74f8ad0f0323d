"""Hostile input everywhere: every URL, as every kind of visitor, with junk in every usual field name.

Whatever arrives, the answer is a page, a redirect or a 4xx — never a 500.
"""

import pytest
from django.conf import settings as django_settings
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cpms.access.tests.factories import (
    make_administrator,
    make_coordinator,
    make_grant,
    make_request,
    make_tree,
)
from cpms.clinical.tests.factories import complete_profile, make_areas
from cpms.test import add_authenticator, built_once_per_module, make_user, sign_in

from .test_url_walk import ALL_PATTERNS, sample_url

pytestmark = pytest.mark.django_db

FIELD_NAMES = [
    "identifier",
    "email",
    "confirm_email",
    "first_name",
    "last_name",
    "email_language",
    "privacy",
    "password",
    "new_password",
    "confirm_password",
    "current_password",
    "method",
    "code",
    "name",
    "number",
    "country",
    "phone",
    "comment",
    "comments",
    "reason",
    "note",
    "job_title",
    "application",
    "organisation",
    "node",
    "profiles",
    "profile",
    "q",
    "page",
    "per_page",
    "status",
    "ern",
    "confirm",
    "action",
    "next",
    "credential",
    "preferred_method",
    "security_emails",
    "language",
]
JUNK = st.one_of(
    st.text(max_size=40),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=1, max_size=8).map(lambda s: s * 300),
    st.sampled_from(
        ["\x00", "0", "-1", "99999999999999999999", "1e309", "NaN", "<script>", "' OR 1=1 --", "[]"]
    ),
    st.integers(min_value=-(2**63), max_value=2**63).map(str),
)
PAYLOADS = st.dictionaries(st.sampled_from(FIELD_NAMES), JUNK, max_size=6)
URLS = [(name, sample_url(route)) for name, route in ALL_PATTERNS if not (name or "").startswith("admin:")]


def make_sessions() -> dict:
    """The session keys of an HP and an ERN coordinator at DE22, both in CPMS with two factors, and of
    an administrator."""
    tree = make_tree()
    hp = make_user("nfuzz001", "hp@example.org", "Hana", "Petrova")
    coordinator = make_user("nfuzz002", "coordinator@example.org", "Cora", "Dinu")
    for person in (hp, coordinator):
        add_authenticator(person)
        complete_profile(person, areas=make_areas(tree.ern))
    make_grant(hp, tree.hcp)
    make_coordinator(coordinator, tree.hcp)
    make_request(hp, tree.guest)
    people = {"hp": hp, "coordinator": coordinator, "admin": make_administrator()}
    return {
        who: sign_in(Client(), user).cookies[django_settings.SESSION_COOKIE_NAME].value
        for who, user in people.items()
    }


sessions = built_once_per_module(make_sessions)  # 219 tests: the same people for each


@pytest.fixture
def visitors(db, sessions):
    """Anonymous, and a client of each signed-in session (a client's cookies are its own: one signed
    out by a URL leaves the next test's signed in)."""
    clients = {"anonymous": Client()}
    for who, key in sessions.items():
        clients[who] = Client()
        clients[who].cookies[django_settings.SESSION_COOKIE_NAME] = key
    return clients


@pytest.mark.parametrize(("name", "url"), URLS, ids=[f"{n}:{u}" for n, u in URLS])
def test_no_input_makes_a_500(visitors, name, url):
    @settings(max_examples=6, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
    @given(payload=PAYLOADS, who=st.sampled_from(sorted(visitors)))
    def check(payload, who):
        client = visitors[who]
        for response in (client.get(url, payload), client.post(url, payload)):
            assert response.status_code < 500, f"{who} {response.request['REQUEST_METHOD']} {url} {payload!r}"

    check()


def test_the_visitors_are_still_signed_in_after_every_url(visitors):
    """The shared sessions outlive each test's rollback: the walk above was made signed in."""
    for who in ("hp", "coordinator", "admin"):
        assert visitors[who].get("/account/").status_code == 200, who
    assert visitors["anonymous"].get("/account/").status_code == 302
