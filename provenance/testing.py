"""Helpers for testing plugins, built-in or third-party.

    from provenance.testing import make_host, run_cli

    def test_my_detector_flags_it():
        host = make_host(my_plugin_module)            # only this plugin beside the built-ins
        report = provenance.compare(SOURCE, DERIVED, host=host)
        ...

    def test_cli(tmp_path):
        result = run_cli(["compare", "a.txt", "b.txt", "--format", "json"], plugins=[my_plugin_module])
        assert result.exit_code == 0

As pytest fixtures (add `pytest_plugins = ["provenance.testing"]` to a conftest.py): `provenance_host` builds a host
from plugin modules, `provenance_cli` runs the CLI in-process, `article_pair` writes a source and a derived article.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from provenance.plugins import PluginHost


def make_host(*plugins: Any, disabled: Iterable[str] = (), entry_points: bool = False) -> PluginHost:
    """A plugin host with the built-ins plus the given plugin modules (or objects with hookimpls).

    Installed third-party plugins are left out unless `entry_points=True`, so a test sees only what it asks for.
    """
    return PluginHost(disabled=disabled, entry_points=entry_points, extra_plugins=plugins)


def installed_plugins() -> dict[str, dict[str, Any]]:
    """What entry-point discovery finds, as `provenance plugins --all --json` shows it: for testing that an
    installed distribution is discovered through its entry point."""
    return {name: info.to_dict() for name, info in PluginHost().info.items()}


@dataclass
class CliResult:
    exit_code: int
    stdout: str
    stderr: str


def run_cli(
    args: Sequence[str],
    *,
    plugins: Iterable[Any] = (),
    input: bytes | str | None = None,
    entry_points: bool = False,
) -> CliResult:
    """Run `provenance ARGS` in-process with the given plugins registered; returns exit code and both streams."""
    from typer.testing import CliRunner

    from provenance import plugins as plugin_module
    from provenance.cli import app

    host = None

    def get_host(disabled: Iterable[str] = ()) -> PluginHost:
        nonlocal host
        if host is None or set(disabled):
            host = make_host(*plugins, disabled=disabled, entry_points=entry_points)
        return host

    original = plugin_module.get_host
    plugin_module.get_host = get_host
    try:
        result = CliRunner().invoke(app, list(args), input=input)
    finally:
        plugin_module.get_host = original
    return CliResult(result.exit_code, result.stdout, result.stderr)


@pytest.fixture
def provenance_host():
    """Build a host: `provenance_host(my_plugin)`."""
    return make_host


@pytest.fixture
def provenance_cli():
    """Run the CLI in-process: `provenance_cli(["compare", a, b], plugins=[my_plugin])`."""
    return run_cli


@pytest.fixture
def article_pair(tmp_path: Path):
    """Write two articles and return their paths: `src, der = article_pair(SOURCE_TEXT, DERIVED_TEXT)`."""

    def write(
        source: str, derived: str, *, source_name: str = "source.txt", derived_name: str = "derived.txt"
    ) -> tuple[Path, Path]:
        a, b = tmp_path / source_name, tmp_path / derived_name
        a.write_text(source, encoding="utf-8")
        b.write_text(derived, encoding="utf-8")
        return a, b

    return write
