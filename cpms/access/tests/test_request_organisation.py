"""Step 2 of "Request access": walk the organisation tree, search, page, select an institution."""

import re

import pytest
from django.utils import timezone

from cpms.access.models import AccessRequest
from cpms.access.tests.factories import (
    make_application,
    make_grant,
    make_institutions,
    make_request,
    make_tree,
    wizard_session,
)
from cpms.test import sign_in

pytestmark = pytest.mark.django_db
URL = "/access/request/organisation/"


@pytest.fixture
def rnd():
    return make_tree(
        institutions=(
            ("DE22", "University Hospital and Faculty of Medicine Tubingen"),
            ("DE05", "Medizinische Hochschule Hannover"),
            ("DE03", "Klinikum der Universität München"),
        )
    )


@pytest.fixture
def france(rnd):
    return make_tree(
        country="France", country_code="FR", institutions=(("FR01", "Hôpital de la Salpêtrière"),)
    )


@pytest.fixture
def nmd(rnd):
    return make_tree(
        ern_code="EURO-NMD", ern_name="Neuromuscular Diseases", institutions=(("DE99", "Charité"),)
    )


@pytest.fixture
def other_app_tree():
    return make_tree(application=make_application(code="ecp", name="European Reference Networks"))


@pytest.fixture
def walker(client, alice, rnd):
    """Alice, signed in, with CPMS chosen at step 1."""
    sign_in(client, alice)
    wizard_session(client, rnd.application)
    return client


def text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def labels(response) -> list[str]:
    return [node.label for node in response.context["level"].rows]


def test_it_asks_anonymous_users_to_sign_in(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response.url.startswith("/login/?next=/access/request/organisation/")


def test_it_sends_back_to_step_1_without_an_application(client, alice, rnd):
    sign_in(client, alice)
    response = client.get(URL, follow=True)
    assert response.redirect_chain[-1][0] == "/access/request/"
    assert "Choose an application first." in response.content.decode()


def test_it_sends_back_to_step_1_when_the_application_closed(walker, rnd):
    rnd.application.is_requestable = False
    rnd.application.save()
    response = walker.get(URL, follow=True)
    assert response.redirect_chain[-1][0] == "/access/request/"
    assert "no longer open to access requests" in response.content.decode()


def test_it_lists_the_erns_first(walker, rnd, nmd):
    response = walker.get(URL)
    assert response.status_code == 200
    assert labels(response) == ["ERN-RND - Neurological Diseases", "EURO-NMD - Neuromuscular Diseases"]
    page = response.content.decode()
    assert f"?node={rnd.ern.pk}&amp;" in page or f'?node={rnd.ern.pk}"' in page
    assert "Open" in page and "Details" in page
    assert "Step 3: select an access profile →" in page
    assert "← Step 1: select an application" in page
    assert '<option value="25" selected>25</option>' in page and "records per page" in page
    assert "Search:" in page
    assert "Showing 1 to 2 of 2 entries" in page
    assert 'type="radio"' not in page


def test_it_opens_an_ern_then_a_country(walker, rnd, france):
    response = walker.get(URL, {"node": rnd.ern.pk})
    assert labels(response) == ["France", "Germany"]
    assert "ERN-RND - Neurological Diseases" in response.content.decode()
    response = walker.get(URL, {"node": rnd.country.pk})
    assert labels(response) == [
        "0000 Guest Access",
        "DE03 - Klinikum der Universität München",
        "DE05 - Medizinische Hochschule Hannover",
        "DE22 - University Hospital and Faculty of Medicine Tubingen",
    ]
    page = response.content.decode()
    assert "← Up / ERN-RND - Neurological Diseases / Germany" in text(page)
    assert f'href="{URL}?node={rnd.ern.pk}"' in page  # Up
    assert page.count('type="radio"') == 4
    assert "Showing 1 to 4 of 4 entries" in page
    assert "Organisation marked with (request submitted) can already be used to request access." in page


def test_it_marks_organisations_with_a_pending_request_or_an_active_grant(walker, alice, bob, rnd):
    de03, de05, de22 = (rnd.institutions[code] for code in ("DE03", "DE05", "DE22"))
    make_request(alice, de22)
    make_grant(alice, de05, "researcher")
    make_request(alice, de03, status=AccessRequest.Status.WITHDRAWN)
    make_grant(alice, rnd.guest, revoked_at=timezone.now())
    make_request(bob, rnd.guest)
    response = walker.get(URL, {"node": rnd.country.pk})
    assert response.context["level"].submitted_ids == {de22.pk, de05.pk}
    assert response.content.decode().count("(request submitted)") == 3  # two rows and the footnote


def test_it_searches_below_the_current_level_and_ignores_case(walker, rnd, france, nmd):
    response = walker.get(URL, {"node": rnd.country.pk, "q": "hannover"})
    assert labels(response) == ["DE05 - Medizinische Hochschule Hannover"]
    response = walker.get(URL, {"node": rnd.country.pk, "q": "de2"})
    assert labels(response) == ["DE22 - University Hospital and Faculty of Medicine Tubingen"]
    response = walker.get(URL, {"node": rnd.country.pk, "q": "Salp"})  # a French hospital
    assert labels(response) == []
    assert "No organisation here matches" in response.content.decode()
    response = walker.get(URL, {"node": rnd.ern.pk, "q": "salp"})  # below ERN-RND: France's too
    assert labels(response) == ["FR01 - Hôpital de la Salpêtrière"]
    response = walker.get(URL, {"node": rnd.ern.pk, "q": "DE99"})  # but not another ERN's
    assert labels(response) == []
    response = walker.get(URL, {"q": "germany"})  # from the top: Germany under each ERN
    assert labels(response) == ["Germany", "Germany"]


@pytest.mark.parametrize("typed", ["Tübingen", "Tubingen", "TUBINGEN", "tübingen"])
def test_it_finds_an_institution_from_the_top_with_its_path_accents_ignored(walker, typed):
    """The names as the reference data has them, accents included, loaded by the real loader."""
    from django.core.management import call_command

    from cpms.access.models import Application

    call_command("load_reference_data", verbosity=0)
    cpms = Application.objects.get(code="cpms")
    wizard_session(walker, cpms)
    response = walker.get(URL, {"q": typed})
    rows = response.context["level"].rows
    de22 = [row for row in rows if row.code == "DE22" and row.ern.code == "ERN-RND"]
    assert len(de22) == 1
    assert de22[0].place == "ERN-RND - Neurological Diseases / Germany"
    page = response.content.decode()
    assert "ERN-RND - Neurological Diseases / Germany" in page
    assert f'value="{de22[0].pk}"' in page  # selectable right there


def test_search_results_can_be_opened_and_selected(walker, rnd, france):
    response = walker.get(URL, {"q": "fran"})
    assert labels(response) == ["France"]
    assert f"node={france.country.pk}" in response.content.decode()
    response = walker.post(URL + "?q=munchen", {"organisation": rnd.institutions["DE03"].pk})
    assert response.status_code == 302 and response.url == "/access/request/profile/"


def test_it_drops_nul_bytes_from_the_search(walker, rnd):
    """PostgreSQL refuses NUL in a query: a tampered search is cleaned, never a 500."""
    response = walker.get(URL, {"node": rnd.country.pk, "q": "hann\x00over"})
    assert response.status_code == 200
    assert response.context["level"].search == "hannover"
    assert labels(response) == ["DE05 - Medizinische Hochschule Hannover"]


def test_it_pages_and_sets_the_page_size(walker, rnd):
    make_institutions(rnd.country, 30)  # + 3 hospitals + guest = 34
    response = walker.get(URL, {"node": rnd.country.pk, "per_page": "10", "page": "2"})
    page = response.content.decode()
    assert "Showing 11 to 20 of 34 entries" in page
    assert 'value="10" selected' in page
    assert len(labels(response)) == 10
    response = walker.get(URL, {"node": rnd.country.pk})
    assert "Showing 1 to 25 of 34 entries" in response.content.decode()
    assert labels(response)[0] == "0000 Guest Access"


@pytest.mark.parametrize(
    ("per_page", "page_number", "showing"),
    [
        ("7", "1", "Showing 1 to 25 of 34 entries"),
        ("abc", "x", "Showing 1 to 25 of 34 entries"),
        ("1000", "99", "Showing 26 to 34 of 34 entries"),
        ("-10", "-1", "Showing 26 to 34 of 34 entries"),
    ],
)
def test_it_tolerates_odd_paging_values(walker, rnd, per_page, page_number, showing):
    make_institutions(rnd.country, 30)
    response = walker.get(URL, {"node": rnd.country.pk, "per_page": per_page, "page": page_number})
    assert response.status_code == 200
    assert showing in response.content.decode()


@pytest.mark.parametrize("node", ["abc", "0", "-3", "99999999", "1" * 40, "1e3"])
def test_it_refuses_a_node_that_does_not_exist(walker, node):
    response = walker.get(URL, {"node": node}, follow=True)
    assert response.redirect_chain[-1][0] == URL
    assert "is not in the tree of CPMS" in response.content.decode()


def test_it_refuses_a_node_of_another_application(walker, other_app_tree):
    response = walker.get(URL, {"node": other_app_tree.country.pk}, follow=True)
    assert response.redirect_chain[-1][0] == URL
    assert "is not in the tree of CPMS" in response.content.decode()


def test_opening_an_institution_shows_it_in_its_country(walker, rnd):
    response = walker.get(URL, {"node": rnd.hcp.pk}, follow=True)
    assert response.redirect_chain[-1][0] == f"{URL}?node={rnd.country.pk}&q=DE22"
    assert "is an institution: select it in the list." in response.content.decode()
    assert labels(response) == ["DE22 - University Hospital and Faculty of Medicine Tubingen"]


def test_it_remembers_the_chosen_institution_and_goes_to_step_3(walker, rnd):
    response = walker.post(f"{URL}?node={rnd.country.pk}", {"organisation": rnd.hcp.pk, "action": "next"})
    assert response.status_code == 302
    assert response.url == "/access/request/profile/"
    assert walker.session["access.wizard"] == {"application": rnd.application.pk, "organisation": rnd.hcp.pk}


def test_it_keeps_the_institution_chosen_before(walker, rnd):
    wizard_session(walker, rnd.application, rnd.hcp)
    response = walker.get(URL)
    assert "Selected: <strong>DE22 - University Hospital" in response.content.decode()
    response = walker.post(URL, {"action": "next"})
    assert response.url == "/access/request/profile/"


def test_choosing_another_institution_forgets_the_profiles(walker, rnd):
    hp = rnd.application.profiles.get(code="hp")
    wizard_session(walker, rnd.application, rnd.hcp, [hp])
    walker.post(URL, {"organisation": rnd.hcp.pk})
    assert walker.session["access.wizard"]["profiles"] == [hp.pk]
    walker.post(URL, {"organisation": rnd.guest.pk})
    assert "profiles" not in walker.session["access.wizard"]


def test_it_asks_for_a_choice(walker, rnd):
    response = walker.post(f"{URL}?node={rnd.country.pk}", {"action": "next"})
    assert response.status_code == 400
    assert "Choose an institution" in response.content.decode()
    assert len(labels(response)) == 4  # the same level, shown again


@pytest.mark.parametrize("which", ["ern", "country", "other-app", "text", "huge", "negative"])
def test_it_refuses_anything_but_an_institution_of_the_application(walker, rnd, other_app_tree, which):
    value = {
        "ern": rnd.ern.pk,
        "country": rnd.country.pk,
        "other-app": other_app_tree.hcp.pk,
        "text": "DE22",
        "huge": "9" * 19,
        "negative": "-1",
    }[which]
    response = walker.post(URL, {"organisation": value})
    assert response.status_code == 400
    assert "This is not an institution of CPMS" in response.content.decode()
    assert "organisation" not in walker.session["access.wizard"]


def test_htmx_gets_the_same_page_to_pick_the_results_from(walker, rnd):
    response = walker.get(URL, {"node": rnd.country.pk, "q": "DE"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert 'id="organisation-results"' in response.content.decode()


def test_it_makes_a_fixed_number_of_queries_with_2000_institutions(
    walker, alice, rnd, django_assert_num_queries
):
    make_institutions(rnd.country, 2000)
    make_request(alice, rnd.hcp)
    wizard_session(walker, rnd.application, rnd.hcp)
    walker.get(URL)  # the once-a-minute "last active" write is not counted
    # session, user, application, chosen institution, current node, count, rows,
    # (request submitted) marks, validator check for the nav
    for params in (
        {"node": rnd.country.pk},
        {"node": rnd.country.pk, "page": "40", "per_page": "50"},
        {"node": rnd.country.pk, "q": "hospital 1", "per_page": "100"},
        {"node": rnd.ern.pk, "q": "hospital 2", "page": "2"},
    ):
        with django_assert_num_queries(9):
            response = walker.get(URL, params)
        assert response.status_code == 200
    with django_assert_num_queries(8):  # searching from the top: no current node
        assert walker.get(URL, {"q": "hospital 1", "per_page": "100"}).status_code == 200
    assert "of 2004 entries" in walker.get(URL, {"node": rnd.country.pk}).content.decode()
