"""Discovery through the `provenance` entry-point group, with fake distributions on sys.path (no install needed)."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

import provenance
from provenance.errors import PluginError, UsageError
from provenance.plugins import PluginHost
from provenance.testing import run_cli

SRC = "The council approved the new bridge on Monday after a two-hour debate about its cost.\n"


def _fake_dist(root: Path, dist: str, module: str, body: str, *, ep_name: str | None = None) -> None:
    """A minimal installed distribution: a dist-info folder with an entry point, and its module."""
    info = root / f"{dist.replace('-', '_')}-0.3.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: 0.3\n", encoding="utf-8")
    (info / "entry_points.txt").write_text(
        f"[provenance]\n{ep_name or module} = {module}\n", encoding="utf-8"
    )
    (root / f"{module}.py").write_text(textwrap.dedent(body), encoding="utf-8")


GOOD = """
    from provenance import Finding, hookimpl

    class Shout:
        name = "shout"

        def detect(self, ctx):
            for a in ctx.aligned:
                yield Finding("shout", a.index, None, 1.0, message="seen")

    @hookimpl
    def register_detectors(register):
        register(Shout())
"""


@pytest.fixture()
def site(tmp_path, monkeypatch):
    root = tmp_path / "site"
    root.mkdir()
    monkeypatch.syspath_prepend(str(root))
    monkeypatch.delenv("PROVENANCE_LOAD_PLUGINS", raising=False)
    return root


def test_discovered_through_entry_point(site, monkeypatch):
    _fake_dist(site, "provenance-shout", "provenance_shout", GOOD)
    monkeypatch.setenv("PROVENANCE_LOAD_PLUGINS", "provenance-shout")  # other installed plugins stay out
    host = PluginHost()
    info = host.info["provenance_shout"]
    assert not info.builtin and info.distribution == "provenance-shout" and info.version == "0.3"
    assert info.components == {"detectors": ["shout"]}
    report = provenance.compare(SRC, SRC, host=host)
    assert [f.detector for f in report.findings] == ["shout"]


@pytest.mark.parametrize(
    "value,loaded",
    [
        (None, True),
        ("", False),
        ("provenance_shout", True),
        ("provenance-shout", True),
    ],
)
def test_load_plugins_switch(site, monkeypatch, value, loaded):
    _fake_dist(site, "provenance-shout", "provenance_shout", GOOD)
    if value is not None:
        monkeypatch.setenv("PROVENANCE_LOAD_PLUGINS", value)
    assert ("provenance_shout" in PluginHost().info) is loaded


def test_load_plugins_switch_names_an_unknown_plugin(site, monkeypatch):
    """A name no installed plugin has used to load nothing without a word (issue 21): now a usage error."""
    _fake_dist(site, "provenance-shout", "provenance_shout", GOOD)
    monkeypatch.setenv("PROVENANCE_LOAD_PLUGINS", "provenance_shout,something_else")
    with pytest.raises(UsageError, match="'something_else'"):
        PluginHost()


def test_disable_by_distribution_name(site):
    _fake_dist(site, "provenance-shout", "provenance_shout", GOOD)
    assert "provenance_shout" not in PluginHost(disabled=["provenance-shout"]).info


def test_import_failure_is_one_line_with_hint(site):
    _fake_dist(site, "provenance-broken", "provenance_broken", "raise ImportError('needs libfoo')\n")
    with pytest.raises(
        PluginError, match=r"error importing plugin 'provenance_broken'.*needs libfoo.*--disable"
    ):
        PluginHost()
    result = run_cli(["plugins"], entry_points=True)
    assert result.exit_code == 4
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr
    assert "provenance_broken" in PluginHost(disabled=["provenance_broken"]).skipped


def test_misspelled_hook_is_caught(site):
    _fake_dist(
        site,
        "provenance-typo",
        "provenance_typo",
        """
        from provenance import hookimpl

        @hookimpl
        def register_detector(register):
            pass
    """,
    )
    with pytest.raises(PluginError, match=r"provenance_typo.*register_detector"):
        PluginHost()


def test_incompatible_api_version_is_refused(site):
    _fake_dist(site, "provenance-future", "provenance_future", 'PROVENANCE_PLUGIN_API = "2.0"\n')
    with pytest.raises(PluginError, match=r"built for plugin API 2\.0.*provides 1"):
        PluginHost()


def test_duplicate_names_across_distributions(site):
    _fake_dist(site, "provenance-shout", "provenance_shout", GOOD)
    _fake_dist(site, "provenance-echo", "provenance_echo", GOOD)
    with pytest.raises(
        PluginError,
        match="'shout' from plugin 'provenance_shout' is already registered by plugin 'provenance_echo'",
    ):
        PluginHost()


def test_trace_switch_prints_hook_calls(site, monkeypatch, capsys):
    monkeypatch.setenv("PROVENANCE_TRACE_PLUGINS", "1")
    PluginHost(entry_points=False)
    assert "register_detectors" in capsys.readouterr().err
