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
        _create_once(generate_into, generator())
    return generate_into.read_text().strip()


def _create_once(path: Path, text: str) -> None:
    """Write `path`, readable by its owner only, unless another process got there first.

    Several processes start at once (gunicorn workers, pytest-xdist): the first one's value must
    win everywhere, or data encrypted with a field key that is not on disk is lost.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as file:
        file.write(text)
    try:
        os.link(tmp, path)  # atomic, and fails if the file exists: a reader never sees half a secret
    except FileExistsError:
        pass
    finally:
        tmp.unlink()
