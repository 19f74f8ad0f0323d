"""Administrators register services in the admin: DOT's application, with CPMS Login's settings inline."""

import pytest
from django.urls import reverse
from oauth2_provider.models import get_application_model

from cpms.access.tests.factories import make_administrator
from cpms.identity.models import ServiceSettings
from cpms.test import add_authenticator, sign_in

pytestmark = pytest.mark.django_db
Application = get_application_model()
ADD = reverse("admin:oauth2_provider_application_add")


@pytest.fixture
def admin_client(client):
    administrator = make_administrator()
    add_authenticator(administrator)
    return sign_in(client, administrator)


def test_it_offers_the_cpms_login_settings_with_safe_defaults(admin_client):
    response = admin_client.get(ADD)
    assert response.status_code == 200
    page = response.content.decode()
    assert "CPMS Login settings" in page and "requires_two_factors" in page and "Trusted" in page
    form = response.context["adminform"].form
    assert form.initial["algorithm"] == "RS256"
    assert form.initial["client_type"] == "confidential"
    assert form.initial["authorization_grant_type"] == "authorization-code"


def test_it_registers_a_service_with_its_required_assurance(admin_client):
    data = {
        "name": "ERN Collaborative Platform",
        "client_id": "ern-cp",
        "client_secret": "a-long-enough-secret-for-the-test-0123456789",
        "hash_client_secret": "on",
        "client_type": "confidential",
        "authorization_grant_type": "authorization-code",
        "redirect_uris": "https://ern-cp.example.org/oidc/callback/",
        "post_logout_redirect_uris": "https://ern-cp.example.org/",
        "allowed_origins": "",
        "algorithm": "RS256",
        "cpms_settings-TOTAL_FORMS": "1",
        "cpms_settings-INITIAL_FORMS": "0",
        "cpms_settings-MIN_NUM_FORMS": "1",
        "cpms_settings-MAX_NUM_FORMS": "1",
        "cpms_settings-0-allowed_scopes": "openid profile email",
    }
    response = admin_client.post(ADD, data)
    assert response.status_code == 302, (
        response.context["adminform"].form.errors if response.context else response
    )
    application = Application.objects.get(client_id="ern-cp")
    settings = ServiceSettings.objects.get(application=application)
    assert settings.requires_two_factors is False  # the box was left unticked
    assert settings.allowed_scopes == "openid profile email"
    assert application.skip_authorization is False


def test_it_keeps_the_admin_to_administrators_with_two_factors(client, alice):
    sign_in(client, alice)
    response = client.get(ADD)
    assert response.status_code == 302
