import pytest
from django.urls import reverse

from cpms.audit.models import AuditEvent
from cpms.identity.models import Method
from cpms.test import sign_in

pytestmark = pytest.mark.django_db

URL = reverse("identity:configure-account")
TZ = {"time_zone": "Europe/Brussels"}


def choices(response) -> list[str]:
    return [value for value, _ in response.context["form"].fields["preferred_method"].choices]


def test_it_asks_anonymous_users_to_sign_in(client):
    for method in ("get", "post"):
        response = getattr(client, method)(URL)
        assert response.status_code == 302
        assert response.url.startswith(reverse("identity:login"))


def test_it_shows_my_settings(client, bob):
    sign_in(client, bob)
    response = client.get(URL)
    assert response.status_code == 200
    page = response.content.decode()
    for label in ["E-mail language", "Preferred verification method", "Also e-mail me when I sign in"]:
        assert label in page
    assert response.context["form"]["email_language"].value() == "de"


def test_it_offers_only_the_methods_my_account_has(client, alice, bob):
    sign_in(client, alice, methods=("pwd",))
    assert choices(client.get(URL)) == ["", Method.PASSWORD]
    sign_in(client, bob)
    response = client.get(URL)
    assert choices(response) == ["", Method.PASSWORD, Method.TOTP]
    assert "No preference: the strongest method I have set up" in response.content.decode()


def test_it_never_preselects_sms(client, charlie):
    sign_in(client, charlie, methods=("pwd", "sms"))
    response = client.get(URL)
    assert choices(response) == ["", Method.PASSWORD, Method.SMS]
    assert response.context["form"]["preferred_method"].value() == ""


def test_it_shows_no_preference_for_a_method_no_longer_set_up(client, alice):
    alice.preferred_method = Method.TOTP
    alice.save()
    sign_in(client, alice, methods=("pwd",))
    assert client.get(URL).context["form"]["preferred_method"].value() == ""


def test_it_saves_sms_when_chosen_explicitly(client, charlie):
    sign_in(client, charlie, methods=("pwd", "sms"))
    response = client.post(
        URL, {"email_language": "fr", "preferred_method": "sms", "security_emails": "on", **TZ}
    )
    assert response.status_code == 302
    charlie.refresh_from_db()
    assert charlie.preferred_method == Method.SMS
    assert client.get(URL).context["form"]["preferred_method"].value() == Method.SMS


def test_it_saves_and_audits_the_changes(client, bob):
    sign_in(client, bob)
    response = client.post(
        URL, {"email_language": "mt", "preferred_method": "totp", "time_zone": "Europe/Malta"}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("identity:my-account")
    assert "Your settings were saved." in response.content.decode()
    bob.refresh_from_db()
    assert (bob.email_language, bob.preferred_method, bob.security_emails) == ("mt", "totp", False)
    event = AuditEvent.objects.get(action="identity.account.configured")
    assert event.actor_id == bob.pk
    assert event.data == {
        "email_language": {"old": "de", "new": "mt"},
        "preferred_method": {"old": "", "new": "totp"},
        "security_emails": {"old": True, "new": False},
        "time_zone": {"old": "Europe/Brussels", "new": "Europe/Malta"},
    }


def test_it_goes_back_to_no_preference(client, bob):
    bob.preferred_method = Method.TOTP
    bob.save()
    sign_in(client, bob)
    assert (
        client.post(
            URL, {"email_language": "de", "preferred_method": "", "security_emails": "on", **TZ}
        ).status_code
        == 302
    )
    bob.refresh_from_db()
    assert bob.preferred_method == ""


def test_it_records_nothing_when_nothing_changed(client, alice):
    sign_in(client, alice, methods=("pwd",))
    client.post(URL, {"email_language": "en", "preferred_method": "", "security_emails": "on", **TZ})
    assert not AuditEvent.objects.filter(action="identity.account.configured").exists()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"email_language": "en", "preferred_method": "totp", **TZ}, "preferred_method"),
        ({"email_language": "en", "preferred_method": "sms", **TZ}, "preferred_method"),
        ({"email_language": "en", "preferred_method": "nonsense", **TZ}, "preferred_method"),
        ({"email_language": "xx", "preferred_method": "password", **TZ}, "email_language"),
        ({"email_language": "en", "preferred_method": "", "time_zone": "Mars/Olympus_Mons"}, "time_zone"),
        ({"email_language": "en", "preferred_method": "", "time_zone": "localtime"}, "time_zone"),
        ({}, "email_language"),
    ],
)
def test_it_explains_bad_input(client, alice, data, field):
    sign_in(client, alice, methods=("pwd",))
    response = client.post(URL, data)
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert "is-invalid" in response.content.decode()
    alice.refresh_from_db()
    assert (alice.email_language, alice.preferred_method) == ("en", "")
    assert not AuditEvent.objects.filter(action="identity.account.configured").exists()


def test_a_password_only_session_cannot_turn_off_the_security_e_mails(client, bob):
    sign_in(client, bob, methods=("pwd",))
    response = client.post(URL, {"email_language": "de", "preferred_method": "", **TZ}, follow=True)
    assert response.redirect_chain == [
        (reverse("identity:signin-method") + "?reverify=1", 302),
        (reverse("identity:signin-totp"), 302),
    ]
    assert "To change your account, verify with your second factor." in response.content.decode()
    bob.refresh_from_db()
    assert bob.security_emails is True


def test_it_asks_for_a_fresh_verification(client, bob):
    sign_in(client, bob)
    session = client.session
    session["verified.at"] -= 11 * 60
    session.save()
    assert client.get(URL).url == reverse("identity:signin-method") + "?reverify=1"


def test_after_panic_it_needs_the_mailbox(client, bob, django_capture_on_commit_callbacks):
    sign_in(client, bob, methods=("pwd",))
    client.post(reverse("identity:panic"))
    sign_in(client, bob, methods=("pwd",))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL, {"email_language": "de", "preferred_method": "", **TZ})
    assert "Open it to continue changing your account." in response.content.decode()
    bob.refresh_from_db()
    assert bob.security_emails is True


def test_it_saves_my_time_zone_and_shows_times_in_it(client, alice):
    sign_in(client, alice, methods=("pwd",))
    response = client.get(URL)
    assert response.context["form"]["time_zone"].value() == "Europe/Brussels"
    assert '<option value="America/Argentina/Buenos_Aires">America/Argentina/Buenos Aires</option>' in (
        response.content.decode()
    )
    data = {"email_language": "en", "preferred_method": "", "time_zone": "Asia/Tokyo"}
    assert client.post(URL, data).status_code == 302
    alice.refresh_from_db()
    assert alice.time_zone == "Asia/Tokyo"
    event = AuditEvent.objects.get(action="identity.account.configured")
    assert event.data["time_zone"] == {"old": "Europe/Brussels", "new": "Asia/Tokyo"}
