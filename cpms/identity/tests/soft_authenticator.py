"""A software WebAuthn authenticator for tests: real P-256 keys, real signatures, "none" attestation.

It answers the JSON options our endpoints send as a browser would, with the JSON that
@simplewebauthn/browser posts back (RegistrationResponseJSON / AuthenticationResponseJSON).
The browser test (e2e/test_webauthn_browser.py) uses Chrome's own virtual authenticator instead.
"""

import hashlib
import json
import os
import struct

import cbor2
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from webauthn.helpers import bytes_to_base64url

UP, UV, AT = 0x01, 0x04, 0x40


def b64(data: bytes) -> str:
    return bytes_to_base64url(data)


class SoftAuthenticator:
    def __init__(self, *, sign_count: int = 0, transports=("usb",)):
        self.private_key = ec.generate_private_key(ec.SECP256R1())
        self.credential_id = os.urandom(16)
        self.sign_count = sign_count
        self.transports = list(transports)

    def cose_public_key(self) -> bytes:
        numbers = self.private_key.public_key().public_numbers()
        return cbor2.dumps(
            {1: 2, 3: -7, -1: 1, -2: numbers.x.to_bytes(32, "big"), -3: numbers.y.to_bytes(32, "big")}
        )

    def _auth_data(self, rp_id: str, flags: int, attested: bytes = b"") -> bytes:
        return (
            hashlib.sha256(rp_id.encode()).digest()
            + bytes([flags])
            + struct.pack(">I", self.sign_count)
            + attested
        )

    @staticmethod
    def _client_data(kind: str, challenge: str, origin: str) -> bytes:
        return json.dumps(
            {"type": kind, "challenge": challenge, "origin": origin, "crossOrigin": False}
        ).encode()

    def create(self, options: dict, *, origin: str) -> dict:
        """Answer navigator.credentials.create() for `options` (PublicKeyCredentialCreationOptionsJSON)."""
        attested = bytes(16) + struct.pack(">H", len(self.credential_id)) + self.credential_id
        auth_data = self._auth_data(options["rp"]["id"], UP | UV | AT, attested + self.cose_public_key())
        attestation = cbor2.dumps({"fmt": "none", "attStmt": {}, "authData": auth_data})
        client_data = self._client_data("webauthn.create", options["challenge"], origin)
        return {
            "id": b64(self.credential_id),
            "rawId": b64(self.credential_id),
            "type": "public-key",
            "response": {
                "clientDataJSON": b64(client_data),
                "attestationObject": b64(attestation),
                "transports": self.transports,
            },
            "clientExtensionResults": {},
        }

    def get(
        self,
        options: dict,
        *,
        origin: str,
        count: bool = True,
        user_handle: bytes | None = None,
        user_verified: bool = True,
    ) -> dict:
        """Answer navigator.credentials.get(); `count=True` moves the signature counter on first.
        A passkey (discoverable credential) also gives its `user_handle`."""
        if count:
            self.sign_count += 1
        auth_data = self._auth_data(options["rpId"], UP | UV if user_verified else UP)
        client_data = self._client_data("webauthn.get", options["challenge"], origin)
        signature = self.private_key.sign(
            auth_data + hashlib.sha256(client_data).digest(), ec.ECDSA(hashes.SHA256())
        )
        return {
            "id": b64(self.credential_id),
            "rawId": b64(self.credential_id),
            "type": "public-key",
            "response": {
                "clientDataJSON": b64(client_data),
                "authenticatorData": b64(auth_data),
                "signature": b64(signature),
                "userHandle": b64(user_handle) if user_handle is not None else None,
            },
            "clientExtensionResults": {},
        }


# -- Helpers for the view tests (the Django test client's origin is http://testserver)

ORIGIN = "http://testserver"


def post_json(client, url: str, data=None, *, raw: bytes | str | None = None):
    body = raw if raw is not None else json.dumps(data if data is not None else {})
    return client.post(url, body, content_type="application/json")


def save_key(user, name: str = "Laptop", **kwargs):
    """A SoftAuthenticator and its SecurityKey row, saved directly (no ceremony)."""
    from cpms.identity.models import SecurityKey

    authenticator = SoftAuthenticator(**kwargs)
    key = SecurityKey.objects.create(
        user=user,
        name=name,
        credential_id=authenticator.credential_id,
        public_key=authenticator.cose_public_key(),
        sign_count=authenticator.sign_count,
        transports=authenticator.transports,
    )
    return authenticator, key


def at_key_step(client, user, password: str):
    """Walk the real sign-in pages up to the security key step."""
    client.post("/login/", {"identifier": user.email})
    response = client.post("/login/password/", {"password": password})
    if response.status_code == 302 and response.url != "/login/key/":
        response = client.post(
            "/login/method/", {"method": "webauthn"}
        )  # "Choose another verification method"
    assert response.status_code == 302 and response.url == "/login/key/", response
    return response
