import pytest
from django.core import mail

from cpms.audit.models import AuditEvent
from cpms.identity.models import User
from cpms.test import link_in

pytestmark = pytest.mark.django_db

VALID = {
    "first_name": "Dana",
    "last_name": "Novak",
    "email": "dana@example.org",
    "confirm_email": "dana@example.org",
    "email_language": "en",
    "privacy": "on",
}


def test_it_shows_the_seed_fields(client):
    response = client.get("/account/create/")
    for label in [
        "First name",
        "Last name",
        "E-mail",
        "Confirm e-mail",
        "E-mail language",
        "privacy statement",
        "Create an account",
        "Cancel",
    ]:
        assert label in response.content.decode()
    assert "Malti (mt)" in response.content.decode()


def test_it_creates_an_account_and_emails_a_link(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/account/create/", VALID)
    assert response.status_code == 302
    user = User.objects.get(email="dana@example.org")
    assert user.username.startswith("n") and len(user.username) == 8
    assert not user.has_usable_password()
    assert len(mail.outbox) == 1
    assert link_in(mail.outbox[0]).startswith("/password/new/")
    assert AuditEvent.objects.filter(action="identity.account.created", actor_id=user.pk).exists()


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"confirm_email": "other@example.org"}, "confirm_email", "not the same"),
        ({"email": "not-an-address", "confirm_email": "not-an-address"}, "email", "valid email"),
        ({"first_name": "  "}, "first_name", "required"),
        ({"last_name": ""}, "last_name", "required"),
        ({"privacy": ""}, "privacy", "acknowledge the privacy statement"),
        ({"email_language": "xx"}, "email_language", "valid choice"),
    ],
)
def test_it_explains_bad_input_per_field(client, change, field, message):
    response = client.post("/account/create/", {**VALID, **change})
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert not User.objects.exists()


def test_it_answers_the_same_for_a_registered_address_and_emails_its_owner(
    client, alice, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/account/create/", {**VALID, "email": "ALICE@example.org", "confirm_email": "alice@example.org"}
        )
    assert response.status_code == 302
    assert response.url == "/account/create/done/"
    assert User.objects.filter(email__iexact="alice@example.org").count() == 1
    assert mail.outbox[0].to == ["alice@example.org"]
    assert "already" in mail.outbox[0].subject


def test_it_limits_creations_per_network(client):
    for i in range(5):
        client.post(
            "/account/create/", {**VALID, "email": f"u{i}@example.org", "confirm_email": f"u{i}@example.org"}
        )
    response = client.post(
        "/account/create/", {**VALID, "email": "u9@example.org", "confirm_email": "u9@example.org"}
    )
    assert response.status_code == 200
    assert "Too many accounts" in response.content.decode()
    assert not User.objects.filter(email="u9@example.org").exists()


def test_it_writes_the_email_in_the_chosen_language(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/account/create/", {**VALID, "email_language": "fr"})
    assert "mot de passe" in mail.outbox[0].subject
