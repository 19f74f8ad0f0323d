import pytest
from django.utils import timezone

from cpms.identity.actions.recovery import do_generate_recovery_codes
from cpms.identity.models import RecoveryCode, SecurityKey, UserSession
from cpms.test import add_phone, sign_in

pytestmark = pytest.mark.django_db

URL = "/account/"


def test_it_asks_anonymous_users_to_sign_in(client):
    assert client.get(URL).url.startswith("/login/?next=")


def test_it_invites_a_password_only_account_to_set_up_a_second_factor(client, alice):
    sign_in(client, alice, methods=("pwd",))
    response = client.get(URL)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Set up a second factor" in page
    assert "CPMS holds patient data, so it needs two factors" in page
    for url in ("/account/devices/add/", "/account/phones/add/", "/account/keys/add/"):
        assert f'href="{url}"' in page
    assert response.context["overview"].gaps == ["no_second_factor"]


def test_it_shows_the_factors_set_up_and_suggests_a_backup_and_codes(client, bob):
    sign_in(client, bob)
    response = client.get(URL)
    overview = response.context["overview"]
    assert (overview.apps, overview.phones, overview.keys, overview.recovery_codes_left) == (1, 0, 0, 0)
    assert overview.gaps == ["one_second_factor", "recovery_codes"]
    page = response.content.decode()
    assert "Set up a second factor" not in page
    assert "You have one second factor. Add another one" in page
    assert "You have no recovery codes" in page


def test_it_says_nothing_is_missing_when_all_is_set_up(client, bob):
    add_phone(bob)
    SecurityKey.objects.create(user=bob, name="Key", credential_id=b"id", public_key=b"pk")
    codes = do_generate_recovery_codes(acting_user=bob)
    assert len(codes) == 10
    sign_in(client, bob)
    overview = client.get(URL).context["overview"]
    assert (overview.apps, overview.phones, overview.keys, overview.recovery_codes_left) == (1, 1, 1, 10)
    assert overview.gaps == []


def test_it_warns_when_few_recovery_codes_are_left(client, bob):
    add_phone(bob)
    do_generate_recovery_codes(acting_user=bob)
    spent = bob.recovery_codes.values_list("pk", flat=True)[:7]
    RecoveryCode.objects.filter(pk__in=list(spent)).update(used_at=timezone.now())
    sign_in(client, bob)
    response = client.get(URL)
    assert response.context["overview"].gaps == ["recovery_codes"]
    assert "Only 3 recovery codes are left." in response.content.decode()


def test_it_lists_my_recent_sign_ins_only(client, alice, bob):
    for n in range(6):
        UserSession.objects.create(user=bob, session_key=f"old{n}", ip="192.0.2.7", user_agent="")
    UserSession.objects.create(user=alice, session_key="alices", ip="198.51.100.9")
    sign_in(client, bob)
    response = client.get(URL)
    signins = response.context["signins"]
    assert len(signins) == 5 and signins[0].current
    assert all(row.session.user_id == bob.pk for row in signins)
    page = response.content.decode()
    assert "192.0.2.7" in page and "198.51.100.9" not in page


def test_it_makes_a_fixed_number_of_queries(client, bob, django_assert_num_queries):
    add_phone(bob)
    sign_in(client, bob)
    client.get(URL)
    with django_assert_num_queries(4):  # session, user, the counts, the recent sign-ins
        client.get(URL)
