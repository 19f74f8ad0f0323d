import pytest
from django.urls import reverse

from cpms.access.tests.factories import make_grant
from cpms.clinical.tests.factories import complete_profile
from cpms.test import sign_in

pytestmark = pytest.mark.django_db
URL = reverse("coding:concept-search")


@pytest.fixture
def hp_client(client, bob, rnd, terminologies):
    """Bob, an HP at DE22 through first use, signed in with two factors."""
    make_grant(bob, rnd.hcp)
    complete_profile(bob)
    return sign_in(client, bob)


def test_it_suggests_codes_with_their_label_and_synonym(hp_client):
    response = hp_client.get(URL, {"q": "fits", "system": "hpo"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-code="HP:0001250"' in html
    assert "Seizure" in html and "(Fits)" in html
    assert 'role="option"' in html


def test_it_answers_json_for_the_combobox(hp_client):
    response = hp_client.get(URL, {"q": "marfan", "system": "diagnosis", "format": "json"})
    body = response.json()
    assert body["count"] == 2
    assert {r["code"] for r in body["results"]} == {"ORPHA:558", "Q87.4"}
    assert body["results"][0]["label"] == "Marfan syndrome"


def test_it_searches_only_the_terminology_asked(hp_client):
    body = hp_client.get(URL, {"q": "marfan", "system": "icd10", "format": "json"}).json()
    assert [r["code"] for r in body["results"]] == ["Q87.4"]


def test_it_reads_the_field_htmx_names(hp_client):
    response = hp_client.get(
        URL, {"phenotype-0-term": "seizure", "system": "hpo"}, HTTP_HX_TRIGGER_NAME="phenotype-0-term"
    )
    assert 'data-code="HP:0001250"' in response.content.decode()


def test_it_says_when_nothing_matches(hp_client):
    response = hp_client.get(URL, {"q": "qqqzzz", "system": "hpo"})
    assert "No matching code." in response.content.decode()


@pytest.mark.parametrize("system", ["", "snomed", "hpo'--"])
def test_it_refuses_an_unknown_terminology_with_400(hp_client, system):
    assert hp_client.get(URL, {"q": "seizure", "system": system}).status_code == 400


def test_it_survives_hostile_queries(hp_client):
    for q in ["%", "_", "\\", "'; DROP TABLE coding_concept; --", "x" * 5000, "\u0301\u0301", "🙂"]:
        assert hp_client.get(URL, {"q": q, "system": "hpo"}).status_code == 200


def test_it_sends_anonymous_visitors_to_sign_in(client):
    response = client.get(URL, {"q": "seizure", "system": "hpo"})
    assert response.status_code == 302 and response.url.startswith("/login/")


def test_it_asks_a_password_only_session_for_a_second_factor(client, bob, rnd, terminologies):
    make_grant(bob, rnd.hcp)
    complete_profile(bob)
    sign_in(client, bob, methods=("pwd",))
    response = client.get(URL, {"q": "seizure", "system": "hpo"})
    assert response.status_code == 302 and "second-factor" in response.url


def test_it_refuses_a_user_without_a_cpms_grant(client, bob, terminologies):
    sign_in(client, bob)
    response = client.get(URL, {"q": "seizure", "system": "hpo"})
    assert response.status_code == 302 and "seizure" not in response.content.decode().lower()


def test_it_reads_few_queries(hp_client, django_assert_max_num_queries):
    hp_client.get(URL, {"q": "seizure", "system": "hpo"})
    with django_assert_max_num_queries(16):
        hp_client.get(URL, {"q": "seizure", "system": "hpo"})
