"""cpms.lib.keys: OpenID Connect signing keys from the environment, or generated files."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import ImproperlyConfigured

from cpms.lib import keys


def test_it_generates_an_active_key_once(tmp_path):
    first = keys.signing_keys(key_dir=tmp_path)
    again = keys.signing_keys(key_dir=tmp_path)
    assert first.active.startswith("-----BEGIN PRIVATE KEY-----")
    assert first == again and first.inactive == []


def test_it_keeps_retired_keys_newest_first_and_prunes_old_ones(tmp_path):
    start = datetime(2026, 1, 1, tzinfo=UTC)
    original = keys.signing_keys(key_dir=tmp_path).active
    keys.rotate(tmp_path, now=start)
    second = keys.signing_keys(key_dir=tmp_path).active
    keys.rotate(tmp_path, now=start + timedelta(hours=2))
    current = keys.signing_keys(key_dir=tmp_path)
    assert current.inactive == [second, original]
    assert current.active not in (original, second)
    removed = keys.prune(tmp_path, older_than=timedelta(hours=1), now=start + timedelta(hours=2, minutes=30))
    assert len(removed) == 1
    assert keys.signing_keys(key_dir=tmp_path).inactive == [second]


def test_it_reads_the_keys_from_the_environment_first(tmp_path, monkeypatch):
    active, old1, old2 = (keys.new_private_key_pem(1024) for _ in range(3))
    inactive = tmp_path / "inactive.pem"
    inactive.write_text(old1 + "\n" + old2)
    monkeypatch.setenv("OIDC_RSA_PRIVATE_KEY", active)
    monkeypatch.setenv("OIDC_RSA_PRIVATE_KEYS_INACTIVE_FILE", str(inactive))
    found = keys.signing_keys(key_dir=None)
    assert found.active.strip() == active.strip()
    assert [pem.strip() for pem in found.inactive] == [old1.strip(), old2.strip()]
    monkeypatch.delenv("OIDC_RSA_PRIVATE_KEY")
    active_file = tmp_path / "active.pem"
    active_file.write_text(active)
    monkeypatch.setenv("OIDC_RSA_PRIVATE_KEY_FILE", str(active_file))
    assert keys.signing_keys(key_dir=None).active.strip() == active.strip()


def test_it_requires_a_key_in_production(monkeypatch):
    for name in ("OIDC_RSA_PRIVATE_KEY", "OIDC_RSA_PRIVATE_KEY_FILE"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(ImproperlyConfigured, match="OIDC_RSA_PRIVATE_KEY"):
        keys.signing_keys(key_dir=None)
