"""Discovery as a third-party plugin: meaningful once the distribution is installed (pip install -e .)."""

from __future__ import annotations

from importlib import metadata

import pytest

import provenance_attribution


def _installed() -> bool:
    return any(ep.name == "attribution" for ep in metadata.entry_points(group="provenance"))


pytestmark = pytest.mark.skipif(not _installed(), reason="provenance-attribution is not installed")


def test_host_finds_the_plugin_through_its_entry_point(monkeypatch):
    from provenance.plugins import PluginHost

    monkeypatch.delenv("PROVENANCE_LOAD_PLUGINS", raising=False)
    info = PluginHost().info["attribution"]
    assert info.builtin is False
    assert info.distribution == "provenance-attribution"
    assert info.version == provenance_attribution.__version__
    assert info.components == {"detectors": ["attribution"]}


def test_plugins_command_lists_it(monkeypatch):
    from provenance.testing import run_cli

    monkeypatch.delenv("PROVENANCE_LOAD_PLUGINS", raising=False)
    result = run_cli(["plugins"], entry_points=True)
    assert result.exit_code == 0, result.stderr
    assert "attribution" in result.stdout and "provenance-attribution" in result.stdout


def test_declares_the_plugin_api_it_was_built_for():
    from provenance import PLUGIN_API_VERSION

    major = provenance_attribution.PROVENANCE_PLUGIN_API.split(".")[0]
    assert major == PLUGIN_API_VERSION.split(".")[0]
