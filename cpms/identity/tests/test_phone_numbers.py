import pytest
from django.utils import timezone

from cpms.identity.models import PhoneNumber
from cpms.test import add_phone, sign_in

pytestmark = pytest.mark.django_db

URL = "/account/phones/"


def test_it_asks_anonymous_users_to_sign_in(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response.url.startswith("/login/")


def test_it_lists_my_numbers_masked_with_their_status(client, charlie):
    PhoneNumber.objects.create(user=charlie, number="+4915112345678")
    charlie.phone_numbers.filter(number="+33612345678").update(last_used_at=timezone.now())
    sign_in(client, charlie)
    response = client.get(URL)
    assert response.status_code == 200
    page = response.content.decode()
    assert "+33 ••••••678" in page
    assert "+49 ••••••••678" in page
    assert "33612345678" not in page and "4915112345678" not in page
    assert "Verified" in page
    assert "Waiting for verification" in page
    assert "Never" in page  # the new number was never used
    assert "Enter the code" in page
    assert "Add a mobile phone number" in page


def test_it_shows_only_my_own_numbers(client, alice, charlie):
    sign_in(client, alice)
    response = client.get(URL)
    assert response.status_code == 200
    assert list(response.context["phones"]) == []
    assert "••••••678" not in response.content.decode()
    assert "You have no mobile phone number yet." in response.content.decode()


def test_it_makes_a_fixed_number_of_queries(client, charlie, django_assert_num_queries):
    for number in ["+4915112345678", "+32470123456", "+34612345678"]:
        add_phone(charlie, number)
    sign_in(client, charlie)
    client.get(URL)
    # session, user, phone numbers
    with django_assert_num_queries(3):
        response = client.get(URL)
    assert len(response.context["phones"]) == 4
