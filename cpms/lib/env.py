"""Reading settings from the environment, with secrets optionally kept in files."""

import os
import secrets
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def secret(
    name: str, *, generate_into: Path | None = None, generator=lambda: secrets.token_urlsafe(50)
) -> str:
    """A secret from NAME, from the file named by NAME_FILE, or — embedded default only — a generated file."""
    if value := os.environ.get(name):
        return value
    if path := os.environ.get(f"{name}_FILE"):
        return Path(path).read_text().strip()
    if generate_into is None:
        raise ImproperlyConfigured(f"Set {name} or {name}_FILE in the environment.")
    if not generate_into.exists():
        generate_into.parent.mkdir(parents=True, exist_ok=True)
        generate_into.write_text(generator())
        generate_into.chmod(0o600)
    return generate_into.read_text().strip()
