from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cpms.access.tests.factories import make_grant, make_request, make_tree
from cpms.test import make_user, sign_in

from .factories import complete_profile, make_areas

pytestmark = pytest.mark.django_db

URL = "/cpms/"


def test_it_needs_a_signed_in_user(client):
    assert client.get(URL).url == f"/login/?next={URL}"


def test_it_lists_my_erns_centres_profiles_and_areas(client, bob_in_cpms, rnd, rnd_areas):
    bob = bob_in_cpms.user
    make_grant(bob, rnd.hcp, profile_code="researcher")
    sign_in(client, bob)
    response = client.get(URL)
    assert response.status_code == 200
    page = response.content.decode()
    assert "CPMS</span>" in page
    assert 'href="/cpms/" aria-current="page"' in page  # the side navigation
    assert 'href="/cpms/preferences/"' in page
    assert "My Account" in page
    assert "Bob Schmidt" in page and "Neurologist" in page
    assert "ERN-RND - Neurological Diseases" in page
    assert "DE22 - University Hospital and Faculty of Medicine Tubingen" in page
    assert "(Germany)" in page
    my_erns = page.split('id="my-erns"')[1].split('id="my-panels"')[0]
    assert my_erns.count("DE22 - University") == 1  # one centre, two profiles
    assert ">HP</span>" in page and ">Researcher</span>" in page
    assert rnd_areas[0].name in page
    assert rnd_areas[1].name not in page


def test_it_has_a_helpful_empty_state_and_always_a_next_step(client, bob_in_cpms):
    sign_in(client, bob_in_cpms.user)
    page = client.get(URL).content.decode()
    assert "My panels and invitations" in page
    assert "Panels you take part in will appear here" in page
    assert 'class="cpms-empty-state"' in page
    assert "What you can do next" in page
    assert 'href="/access/request/?application=cpms"' in page


def test_it_invites_to_choose_areas_in_a_new_ern(client, bob_in_cpms, nmd):
    make_grant(bob_in_cpms.user, nmd.hcp)
    sign_in(client, bob_in_cpms.user)
    page = client.get(URL).content.decode()
    assert "EURO-NMD - Neuromuscular Diseases" in page
    assert "You follow no thematic area in this ERN yet." in page


def test_it_shows_when_a_guest_access_ends(client, bob, rnd, rnd_areas):
    make_grant(bob, rnd.guest, expires_at=timezone.now() + timedelta(days=30))
    complete_profile(bob, areas=rnd_areas[:1])
    sign_in(client, bob)
    page = client.get(URL).content.decode()
    assert "0000 Guest Access" in page
    assert "Guest access until" in page


def test_it_leaves_out_revoked_grants_and_other_peoples_grants(client, alice, bob_in_cpms, rnd, nmd):
    make_grant(bob_in_cpms.user, nmd.hcp, revoked_at=timezone.now())
    make_grant(alice, nmd.hcp)
    sign_in(client, bob_in_cpms.user)
    assert "EURO-NMD" not in client.get(URL).content.decode()


def test_it_makes_a_fixed_number_of_queries(client, bob_in_cpms, rnd, django_assert_num_queries):
    bob = bob_in_cpms.user
    sign_in(client, bob)
    client.get(URL)  # the session's "last active" write happens at most once a minute
    # session, user, the gate (access, clinician profile and the navigation's centres in one), their
    # grants' centres, their chosen areas (one query), the header's unread notifications, the panels' section
    # (its counts, one query), the meetings' section (the next meetings, one query); no pending-request
    # count for someone who validates nothing
    with django_assert_num_queries(8):
        assert client.get(URL).status_code == 200

    make_grant(bob, rnd.guest)
    make_grant(bob, rnd.hcp, profile_code="researcher")
    for code in ("EURO-NMD", "VASCERN"):
        tree = make_tree(ern_code=code, ern_name=code.title())
        make_grant(bob, tree.hcp)
        complete_area = make_areas(tree.ern, [("area", "Area")])[0]
        bob.ern_preferences.create(ern=tree.ern).thematic_areas.add(complete_area)
    with django_assert_num_queries(8):
        page = client.get(URL).content.decode()
    assert page.count("badge") == 5


def test_it_tells_a_coordinator_how_many_requests_wait(client, bob_in_cpms, rnd, alice):
    bob = bob_in_cpms.user
    make_grant(bob, rnd.hcp, profile_code="coordinator")
    make_request(alice, rnd.hcp)
    sign_in(client, bob)
    page = client.get(URL).content.decode()
    assert "1 access request waits for your validation." in page
    assert 'href="/access/validation/">Review the requests</a>' in page


def test_it_shows_no_validation_task_to_an_hp(client, bob_in_cpms, rnd, alice):
    make_request(alice, rnd.hcp)
    sign_in(client, bob_in_cpms.user)
    page = client.get(URL).content.decode()
    assert "waits for your validation" not in page
    assert "Review the requests" not in page


def access_queries(queries) -> list[str]:
    """Queries that read a user's grants (the access); the dashboard's own read their ids."""
    return [
        q["sql"] for q in queries.captured_queries if "access_grant" in q["sql"] and "user_id =" in q["sql"]
    ]


def test_it_reads_the_users_access_once_per_request(client, bob_in_cpms, rnd, alice):
    """The gate, the ERNs and the pending-request count all ask for the access: one grants query."""
    bob = bob_in_cpms.user
    make_grant(bob, rnd.hcp, profile_code="coordinator")
    make_request(alice, rnd.hcp)
    sign_in(client, bob)
    client.get(URL)
    with CaptureQueriesContext(connection) as queries:
        page = client.get(URL).content.decode()
    assert "1 access request waits for your validation." in page
    assert len(access_queries(queries)) == 1
    # The pending count reads the grants' ids, not a subquery of them (the panels' counts use EXISTS).
    assert "EXISTS" not in " ".join(q["sql"] for q in queries.captured_queries if "access_" in q["sql"])


@pytest.mark.parametrize("rows", [3, 30])
def test_it_makes_a_fixed_number_of_queries_for_a_coordinator(
    client, bob_in_cpms, rnd, rows, django_assert_num_queries
):
    bob = bob_in_cpms.user
    make_grant(bob, rnd.hcp, profile_code="coordinator")
    for index in range(rows):
        requester = make_user(f"nreq{index:04d}", f"req{index}@example.org", "Req", f"Number{index}")
        make_grant(requester, rnd.guest)
        make_request(requester, rnd.hcp)
    sign_in(client, bob)
    client.get(URL)
    # session, user, the gate (access, clinician profile, the navigation's centres), centres,
    # chosen areas, pending count, the header's unread notifications, the panels' counts, the
    # meetings' next meetings
    with django_assert_num_queries(9):
        page = client.get(URL).content.decode()
    assert f"{rows} access requests wait for your validation." in page


def test_a_plain_read_writes_nothing(client, bob_in_cpms):
    sign_in(client, bob_in_cpms.user)
    client.get(URL)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(URL).status_code == 200
    statements = [q["sql"].split()[0].upper() for q in queries.captured_queries]
    assert set(statements) == {"SELECT"}, statements


def test_it_asks_to_choose_thematic_areas_in_an_ern_without_them(client, bob_in_cpms, nmd):
    make_grant(bob_in_cpms.user, nmd.hcp)
    sign_in(client, bob_in_cpms.user)
    page = client.get(URL).content.decode()
    assert "Choose your thematic areas: panel leads invite experts by thematic area." in page
    assert page.count("Choose thematic areas</a>") == 1  # ERN-RND has its areas already


def test_it_offers_enrolment_at_each_hp_centre(client, bob_in_cpms, rnd):
    sign_in(client, bob_in_cpms.user)
    page = client.get(URL).content.decode()
    assert f'href="/cpms/patients/centre/{rnd.hcp.pk}/enrol/"' in page
    assert "Enrol patient" in page
