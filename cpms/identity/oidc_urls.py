"""The OpenID Connect endpoints, mounted at /o/ (config/urls.py).

DOT reverses its URLs in the "oauth2_provider" namespace, so these keep DOT's names. Only what CPMS
Login offers is mounted: no self-service application management, no device flow, no dynamic client
registration, no introspection (services read the ID token, or call userinfo).
"""

from django.urls import path
from oauth2_provider import views as oauth_views

from .decorators import refuse_nul_bytes  # PostgreSQL cannot look NUL bytes up: a 400, not a 500
from .views import oidc

app_name = "oauth2_provider"

urlpatterns = [
    path("authorize/", refuse_nul_bytes(oidc.AuthorizationView.as_view(), page=True), name="authorize"),
    path("token/", refuse_nul_bytes(oidc.TokenView.as_view()), name="token"),
    path("revoke_token/", refuse_nul_bytes(oidc.RevokeTokenView.as_view()), name="revoke-token"),
    path("userinfo/", refuse_nul_bytes(oidc.UserInfoView.as_view()), name="user-info"),
    path("logout/", refuse_nul_bytes(oidc.LogoutView.as_view(), page=True), name="rp-initiated-logout"),
    path(
        ".well-known/openid-configuration", oidc.DiscoveryView.as_view(), name="oidc-connect-discovery-info"
    ),
    path(".well-known/jwks.json", oauth_views.JwksInfoView.as_view(), name="jwks-info"),
]
