import pytest
from django.urls import reverse

from cpms.access.tests.factories import make_grant
from cpms.clinical.tests.factories import complete_profile
from cpms.test import sign_in

pytestmark = pytest.mark.django_db
URL = reverse("coding:gene-check")


@pytest.fixture
def hp_client(client, bob, rnd, terminologies):
    make_grant(bob, rnd.hcp)
    complete_profile(bob)
    return sign_in(client, bob)


def test_it_knows_a_gene_of_the_loaded_data_in_any_case(hp_client):
    html = hp_client.get(URL, {"q": "scn1a"}).content.decode()
    assert "is a known gene symbol" in html and "data-gene-unknown" not in html


def test_it_warns_about_an_unknown_gene_without_refusing_it(hp_client):
    response = hp_client.get(URL, {"gene": "NOTAGENE1"}, HTTP_HX_TRIGGER_NAME="gene")
    assert response.status_code == 200
    html = response.content.decode()
    assert "data-gene-unknown" in html and "you can still save it" in html and "NOTAGENE1" in html


def test_it_escapes_what_was_typed(hp_client):
    html = hp_client.get(URL, {"q": "<script>x</script>"}).content.decode()
    assert "<script>" not in html


def test_it_sends_anonymous_visitors_to_sign_in(client):
    response = client.get(URL, {"q": "FBN1"})
    assert response.status_code == 302 and response.url.startswith("/login/")


def test_it_does_not_know_symbols_no_gene_has(terminologies):
    from cpms.coding.queries import gene_is_known

    assert gene_is_known(" fbn1 ")
    assert not gene_is_known("FBN1\x00")
    assert not gene_is_known("")
