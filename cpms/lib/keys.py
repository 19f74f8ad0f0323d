"""RSA keys that sign OpenID Connect ID tokens, with rotation.

In production they come from the environment: OIDC_RSA_PRIVATE_KEY (PEM) or OIDC_RSA_PRIVATE_KEY_FILE,
and OIDC_RSA_PRIVATE_KEYS_INACTIVE_FILE (a file holding the retired keys, several PEM blocks).
In the embedded default they are files, generated on first use:

    var/oidc/active.pem                    signs new ID tokens
    var/oidc/inactive/<retired at>.pem     retired keys, still published in the JWKS so that the
                                           tokens they signed verify until they expire

`manage.py rotate_oidc_key` retires the active key and creates a new one (see rotate() and prune()).
"""

import os
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.core.exceptions import ImproperlyConfigured

PEM_BLOCK = re.compile(r"-----BEGIN (?:RSA )?PRIVATE KEY-----.+?-----END (?:RSA )?PRIVATE KEY-----\n?", re.S)
RETIRED_AT = "%Y%m%dT%H%M%S%fZ"  # the name of a retired key file: when it was retired, in UTC
ACTIVE = "active.pem"
INACTIVE = "inactive"


@dataclass(frozen=True)
class SigningKeys:
    active: str
    inactive: list[str]


def new_private_key_pem(bits: int = 2048) -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=bits)
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


def split_pems(text: str) -> list[str]:
    """The PEM blocks of a file holding several private keys."""
    return [block.strip() + "\n" for block in PEM_BLOCK.findall(text)]


def signing_keys(*, key_dir: Path | None) -> SigningKeys:
    """The active and inactive keys: from the environment, else (key_dir given) from files in key_dir."""
    active = os.environ.get("OIDC_RSA_PRIVATE_KEY", "")
    if not active and (path := os.environ.get("OIDC_RSA_PRIVATE_KEY_FILE")):
        active = Path(path).read_text()
    if active:
        inactive_file = os.environ.get("OIDC_RSA_PRIVATE_KEYS_INACTIVE_FILE")
        inactive = split_pems(Path(inactive_file).read_text()) if inactive_file else []
        return SigningKeys(active=active.strip() + "\n", inactive=inactive)
    if key_dir is None:
        raise ImproperlyConfigured(
            "Set OIDC_RSA_PRIVATE_KEY or OIDC_RSA_PRIVATE_KEY_FILE (an RSA private key in PEM form) "
            "in the environment; retired keys go in OIDC_RSA_PRIVATE_KEYS_INACTIVE_FILE."
        )
    ensure_active_key(key_dir)
    return SigningKeys(
        active=(key_dir / ACTIVE).read_text(),
        inactive=[path.read_text() for path, _ in retired_keys(key_dir)],
    )


def _write_private(path: Path, text: str) -> None:
    """Write a key readable by its owner only, replacing `path` atomically."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as file:
        file.write(text)
    os.replace(tmp, path)


def ensure_active_key(key_dir: Path) -> Path:
    active = key_dir / ACTIVE
    if not active.exists():
        _write_private(active, new_private_key_pem())
    return active


def retired_keys(key_dir: Path) -> list[tuple[Path, datetime]]:
    """The retired keys and when they were retired, newest first."""
    found = []
    for path in (key_dir / INACTIVE).glob("*.pem"):
        try:
            retired_at = datetime.strptime(path.stem, RETIRED_AT).replace(tzinfo=UTC)
        except ValueError:  # a key copied in by hand: its file time will do
            retired_at = datetime.fromtimestamp(path.stat().st_mtime, tz=UTC)
        found.append((path, retired_at))
    return sorted(found, key=lambda item: item[1], reverse=True)


def rotate(key_dir: Path, *, now: datetime) -> Path:
    """Retire the active key (kept under inactive/) and create a new one; returns the retired file.

    The new key replaces active.pem atomically, so a process reading it never sees no key.
    """
    active = ensure_active_key(key_dir)
    retired = key_dir / INACTIVE / f"{now.astimezone(UTC).strftime(RETIRED_AT)}.pem"
    _write_private(retired, active.read_text())
    _write_private(active, new_private_key_pem())
    return retired


def prune(key_dir: Path, *, older_than: timedelta, now: datetime) -> list[Path]:
    """Delete the keys retired more than `older_than` ago: no unexpired token is signed with them."""
    removed = []
    for path, retired_at in retired_keys(key_dir):
        if now - retired_at > older_than:
            path.unlink()
            removed.append(path)
    return removed
