"""Helpers for the OpenID Connect tests: register a service, run the authorisation code flow."""

import base64
import hashlib
import secrets
from dataclasses import dataclass
from urllib.parse import parse_qs, urlencode, urlparse

from django.urls import reverse
from oauth2_provider.models import get_application_model

from cpms.identity.models import ServiceSettings

Application = get_application_model()
REDIRECT_URI = "https://rp.example.org/callback"
POST_LOGOUT_URI = "https://rp.example.org/signed-out"


@dataclass
class Service:
    application: object
    secret: str

    @property
    def client_id(self) -> str:
        return self.application.client_id

    def basic_auth(self) -> str:
        return "Basic " + base64.b64encode(f"{self.client_id}:{self.secret}".encode()).decode()


def make_service(
    name: str = "ERN Collaborative Platform",
    *,
    trusted: bool = False,
    requires_two_factors: bool = True,
    allowed_scopes: str = "openid profile email cpms",
    client_type: str = Application.CLIENT_CONFIDENTIAL,
) -> Service:
    secret = secrets.token_urlsafe(32)
    application = Application.objects.create(
        name=name,
        client_type=client_type,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        redirect_uris=REDIRECT_URI,
        post_logout_redirect_uris=POST_LOGOUT_URI,
        client_secret=secret,
        algorithm=Application.RS256_ALGORITHM,
        skip_authorization=trusted,
    )
    ServiceSettings.objects.create(
        application=application, requires_two_factors=requires_two_factors, allowed_scopes=allowed_scopes
    )
    return Service(application=application, secret=secret)


def pkce_pair() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


@dataclass
class AuthorizationRequest:
    url: str
    verifier: str
    state: str
    nonce: str


def authorization_request(
    service: Service, scope: str = "openid profile email cpms", *, pkce: bool = True, **extra
) -> AuthorizationRequest:
    verifier, challenge = pkce_pair()
    state, nonce = secrets.token_urlsafe(8), secrets.token_urlsafe(8)
    params = {
        "response_type": "code",
        "client_id": service.client_id,
        "redirect_uri": REDIRECT_URI,
        "scope": scope,
        "state": state,
        "nonce": nonce,
        "code_challenge": challenge,
        "code_challenge_method": "S256",
        **extra,
    }
    if not pkce:
        del params["code_challenge"], params["code_challenge_method"]
    return AuthorizationRequest(
        url=reverse("oauth2_provider:authorize") + "?" + urlencode(params),
        verifier=verifier,
        state=state,
        nonce=nonce,
    )


def query_of(url: str) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(urlparse(url).query).items()}


def consent_data(response) -> dict[str, str]:
    """The consent form's hidden fields, as the page rendered them, with "Allow" pressed."""
    form = response.context["form"]
    data = {name: value for name, value in form.initial.items() if value is not None}
    data["allow"] = "1"
    return data


def get_code(client, service: Service, **extra) -> tuple[str, AuthorizationRequest]:
    """Authorise with the signed-in `client` (consenting if asked) and return the code."""
    request = authorization_request(service, **extra)
    response = client.get(request.url)
    if response.status_code == 200:  # the consent page
        response = client.post(request.url, consent_data(response))
    assert response.status_code == 302, response
    assert response.url.startswith(REDIRECT_URI), response.url
    query = query_of(response.url)
    assert query["state"] == request.state
    return query["code"], request


def exchange(client, service: Service, code: str, verifier: str):
    return client.post(
        reverse("oauth2_provider:token"),
        {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": REDIRECT_URI,
            "code_verifier": verifier,
        },
        HTTP_AUTHORIZATION=service.basic_auth(),
    )


def tokens_for(client, service: Service, **extra) -> dict:
    code, request = get_code(client, service, **extra)
    response = exchange(client, service, code, request.verifier)
    assert response.status_code == 200, response.content
    return response.json()


def userinfo(client, access_token: str):
    return client.get(reverse("oauth2_provider:user-info"), HTTP_AUTHORIZATION=f"Bearer {access_token}")


def verified_claims(client, id_token: str) -> dict:
    """The ID token's claims, once its signature is verified against our JWKS (with joserfc)."""
    from joserfc import jwt
    from joserfc.jwk import KeySet

    keys = KeySet.import_key_set(client.get(reverse("oauth2_provider:jwks-info")).json())
    return jwt.decode(id_token, keys, algorithms=["RS256"]).claims


def audit_actions() -> list[str]:
    from cpms.audit.models import AuditEvent

    return list(AuditEvent.objects.order_by("id").values_list("action", flat=True))


def last_audit(action: str):
    from cpms.audit.models import AuditEvent

    return AuditEvent.objects.filter(action=action).order_by("-id").first()
