"""cpms.lib.env: settings from the environment; the embedded default's secrets generated once."""

import stat
import threading

import pytest
from django.core.exceptions import ImproperlyConfigured

from cpms.lib.env import env_bool, env_list, secret


def test_it_reads_a_secret_from_the_environment_then_from_a_file(tmp_path, monkeypatch):
    monkeypatch.setenv("CPMS_TEST_SECRET", "from-env")
    assert secret("CPMS_TEST_SECRET") == "from-env"
    monkeypatch.delenv("CPMS_TEST_SECRET")
    (tmp_path / "s").write_text("from-file\n")
    monkeypatch.setenv("CPMS_TEST_SECRET_FILE", str(tmp_path / "s"))
    assert secret("CPMS_TEST_SECRET") == "from-file"


def test_it_requires_a_secret_outside_the_embedded_default(monkeypatch):
    monkeypatch.delenv("CPMS_TEST_SECRET", raising=False)
    monkeypatch.delenv("CPMS_TEST_SECRET_FILE", raising=False)
    with pytest.raises(ImproperlyConfigured, match="CPMS_TEST_SECRET"):
        secret("CPMS_TEST_SECRET")


def test_it_generates_a_secret_once_readable_by_its_owner_only(tmp_path, monkeypatch):
    monkeypatch.delenv("CPMS_TEST_SECRET", raising=False)
    path = tmp_path / "var" / "secret"
    first = secret("CPMS_TEST_SECRET", generate_into=path, generator=lambda: "one")
    again = secret("CPMS_TEST_SECRET", generate_into=path, generator=lambda: "two")
    assert first == again == "one"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [p.name for p in path.parent.iterdir()] == ["secret"]


def test_it_gives_processes_starting_together_the_same_secret(tmp_path, monkeypatch):
    """The second process checks before the first one writes, and writes after it has read."""
    monkeypatch.delenv("CPMS_TEST_SECRET", raising=False)
    path = tmp_path / "field_keys"
    late_has_checked, early_is_done = threading.Event(), threading.Event()
    results = {}

    def late_generator():
        late_has_checked.set()
        early_is_done.wait(timeout=10)
        return "late"

    def run(name, generator, done=None):
        results[name] = secret("CPMS_TEST_SECRET", generate_into=path, generator=generator)
        if done:
            done.set()

    late = threading.Thread(target=run, args=("late", late_generator))
    late.start()
    assert late_has_checked.wait(timeout=10)
    run("early", lambda: "early", early_is_done)
    late.join(timeout=10)
    assert results == {"early": "early", "late": "early"}
    assert path.read_text() == "early"


def test_it_reads_booleans_and_lists():
    assert env_bool("CPMS_TEST_UNSET", default=True) is True
    assert env_list("CPMS_TEST_UNSET", " a, ,b ") == ["a", "b"]
