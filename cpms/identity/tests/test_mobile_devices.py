import pytest
from django.utils import timezone

from cpms.identity.actions.recovery import do_generate_recovery_codes
from cpms.identity.models import TotpDevice
from cpms.test import add_authenticator, sign_in

pytestmark = pytest.mark.django_db


def test_it_asks_anonymous_users_to_sign_in(client):
    response = client.get("/account/devices/")
    assert response.status_code == 302
    assert response.url.startswith("/login/?next=/account/devices/")


def test_it_lists_my_confirmed_apps(client, alice, bob):
    add_authenticator(alice, "Alice's phone")
    tablet = add_authenticator(bob, "Tablet")
    tablet.last_used_at = timezone.now()
    tablet.save()
    TotpDevice.objects.create(user=bob, name="Unfinished", secret="JBSWY3DPEHPK3PXP", confirmed=False)
    sign_in(client, bob)
    response = client.get("/account/devices/")
    assert response.status_code == 200
    page = response.content.decode()
    assert [d.name for d in response.context["devices"]] == ["My phone", "Tablet"]
    assert "Unfinished" not in page
    assert "Alice&#x27;s phone" not in page and "Alice's phone" not in page
    assert "Never" in page  # "My phone" was never used
    assert f'href="/account/devices/{tablet.pk}/rename/"' in page
    assert f'href="/account/devices/{tablet.pk}/remove/"' in page
    assert 'href="/account/devices/add/"' in page


def test_it_says_when_there_is_no_app(client, alice):
    sign_in(client, alice, methods=("pwd",))
    response = client.get("/account/devices/")
    assert "You have no authenticator app yet." in response.content.decode()


def test_it_tells_how_many_recovery_codes_are_left(client, bob):
    sign_in(client, bob)
    assert "no unused recovery codes" in client.get("/account/devices/").content.decode()
    do_generate_recovery_codes(acting_user=bob)
    assert "You have 10 unused recovery codes." in client.get("/account/devices/").content.decode()


def test_it_makes_a_fixed_number_of_queries(client, bob, django_assert_num_queries):
    for n in range(10):
        add_authenticator(bob, f"Phone {n}")
    sign_in(client, bob)
    client.get("/account/devices/")  # the once-a-minute "last active" write is not counted
    # session, user, devices, recovery code count
    with django_assert_num_queries(4):
        response = client.get("/account/devices/")
    assert len(response.context["devices"]) == 11
