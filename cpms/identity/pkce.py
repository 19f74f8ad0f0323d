"""Which OpenID Connect clients must use PKCE (RFC 7636): read by DOT's PKCE_REQUIRED setting.

Kept apart from cpms.identity.oidc so that config/settings.py can import it before the apps load.
"""


def pkce_required(client_id: str) -> bool:
    """Public clients hold no secret, so the code must be bound to them with PKCE.

    Confidential clients may use PKCE too (a code issued with a challenge always needs its verifier).
    An unknown client is treated as public: its request fails anyway.
    """
    from oauth2_provider.models import get_application_model

    application = get_application_model()
    return not application.objects.filter(
        client_id=client_id, client_type=application.CLIENT_CONFIDENTIAL
    ).exists()
