import pytest
from django.urls import reverse

from cpms.access.tests.factories import make_grant
from cpms.clinical.tests.factories import complete_profile
from cpms.test import sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def hp_client(client, bob, rnd, terminologies):
    make_grant(bob, rnd.hcp)
    complete_profile(bob)
    return sign_in(client, bob)


def test_it_says_what_is_wrong_with_an_invalid_variant(hp_client):
    response = hp_client.get(reverse("coding:hgvs-check"), {"q": "NM_000088.3:c.589G>"})
    assert response.status_code == 200
    assert "not a valid HGVS description" in response.content.decode()


def test_it_accepts_a_valid_variant_named_by_htmx(hp_client):
    response = hp_client.get(
        reverse("coding:hgvs-check"), {"variant": "NM_000088.3:c.589G>T"}, HTTP_HX_TRIGGER_NAME="variant"
    )
    assert "Valid HGVS syntax." in response.content.decode()


def test_it_says_nothing_before_anything_is_typed(hp_client):
    assert hp_client.get(reverse("coding:hgvs-check"), {"q": ""}).content.decode().strip() == ""


def test_it_sends_anonymous_visitors_to_sign_in(client):
    response = client.get(reverse("coding:hgvs-check"), {"q": "x"})
    assert response.status_code == 302 and response.url.startswith("/login/")
