"""The import-linter contract (pyproject.toml) names every app of ours, so none escapes the layers."""

import tomllib
from pathlib import Path

from django.apps import apps

PYPROJECT = Path(__file__).resolve().parents[3] / "pyproject.toml"


def contract_layers() -> set[str]:
    config = tomllib.loads(PYPROJECT.read_text())
    (contract,) = [c for c in config["tool"]["importlinter"]["contracts"] if c["type"] == "layers"]
    return {name.strip() for layer in contract["layers"] for name in layer.split("|")}


def test_it_puts_every_app_in_the_layers_contract():
    ours = {config.name for config in apps.get_app_configs() if config.name.startswith("cpms.")}
    assert ours, "no cpms app installed?"
    assert ours - contract_layers() == set()
    assert "cpms.lib" in contract_layers()
