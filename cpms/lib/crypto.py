"""Field-level encryption with keys kept outside the database (Fernet, with rotation)."""

import hashlib
import hmac
from functools import cache

from cryptography.fernet import Fernet, MultiFernet
from django.conf import settings
from django.db import models


@cache
def _fernet() -> MultiFernet:
    return MultiFernet(
        [Fernet(key.strip().encode()) for key in settings.FIELD_ENCRYPTION_KEYS if key.strip()]
    )


def encrypt(plaintext: str) -> str:
    return _fernet().encrypt(plaintext.encode()).decode()


def decrypt(token: str) -> str:
    return _fernet().decrypt(token.encode()).decode()


def encrypt_bytes(data: bytes) -> bytes:
    return _fernet().encrypt(data)


def decrypt_bytes(token: bytes) -> bytes:
    return _fernet().decrypt(token)


def rotate(token: str) -> str:
    """Re-encrypt with the newest key."""
    return _fernet().rotate(token.encode()).decode()


class EncryptedTextField(models.TextField):
    """A text field stored encrypted; reading decrypts with any configured key."""

    def from_db_value(self, value, expression, connection):
        return None if value is None else decrypt(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        return None if value is None else encrypt(value)


def blind_index(value: str, *, purpose: str) -> str:
    """A keyed hash (HMAC-SHA256 with settings.BLIND_INDEX_KEY) for exact look-ups of a secret value.

    `purpose` separates the uses (and may carry a salt such as the centre), so that two indexes of the
    same value never match each other. Nothing readable is stored; without the key, nothing is guessed.
    """
    message = f"{purpose}\x1f{value}".encode()
    return hmac.new(settings.BLIND_INDEX_KEY.encode(), message, hashlib.sha256).hexdigest()


def rotate_bytes(token: bytes) -> bytes:
    """Re-encrypt bytes with the newest key."""
    return _fernet().rotate(token)
