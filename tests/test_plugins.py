"""The plugin host: built-ins registered through the hooks, duplicates refused, failures attributed."""

from __future__ import annotations

import types

import pytest
from typer.testing import CliRunner

import provenance
from provenance import hookimpl
from provenance.errors import PluginError, UsageError
from provenance.model import Finding
from provenance.plugins import BUILTIN_PLUGINS, PluginHost, builtin_entry_points

SRC = "The mayor opened the new library on Friday, praising the volunteers who raised the money for it.\n"
DER = "On Friday the mayor opened the new library and praised the volunteers who had raised the money.\n"


def _plugin(name: str, **hooks) -> types.ModuleType:
    mod = types.ModuleType(name)
    for hook, fn in hooks.items():
        setattr(mod, hook, hookimpl(fn))
    return mod


def test_builtins_come_through_the_hooks():
    host = PluginHost(entry_points=False)
    assert set(host.info) == {ep.name for ep in builtin_entry_points()} >= {"copy", "text", "json-report"}
    assert {n for n, _ in [(c.name, p) for p, c in host.detectors()]} == {"copy", "rewrite", "commentary"}
    assert host.plugin_of("extractors", "html") == "html"
    assert all(i.builtin and i.hooks for i in host.info.values())


def test_builtin_plugins_are_the_entry_points():
    """BUILTIN_PLUGINS (registered without reading the installed metadata) is pyproject.toml's list, in order."""
    assert list(BUILTIN_PLUGINS) == [(ep.name, ep.value) for ep in builtin_entry_points()]


def test_duplicate_component_name_names_both_plugins():
    class Clash:
        name = "copy"

        def detect(self, ctx):
            return []

    plugin = _plugin("clashing", register_detectors=lambda register: register(Clash()))
    with pytest.raises(
        PluginError, match=r"'copy' from plugin 'clashing' is already registered by plugin 'copy'"
    ):
        PluginHost(entry_points=False, extra_plugins=[plugin])


def test_component_missing_methods_is_refused():
    class Broken:
        name = "broken"

    plugin = _plugin("half", register_detectors=lambda register: register(Broken()))
    with pytest.raises(PluginError, match="without detect"):
        PluginHost(entry_points=False, extra_plugins=[plugin])


def test_failing_detector_is_recorded_not_fatal():
    class Boom:
        name = "boom"

        def detect(self, ctx):
            raise RuntimeError("kaput")

    host = PluginHost(
        entry_points=False,
        extra_plugins=[_plugin("boomer", register_detectors=lambda register: register(Boom()))],
    )
    report = provenance.compare(SRC, DER, host=host)
    assert report.errors == ({"plugin": "boomer", "detector": "boom", "error": "RuntimeError: kaput"},)
    assert report.verdict in ("copy", "rewrite")


def test_failing_detector_exits_4(monkeypatch, tmp_path):
    class Boom:
        name = "boom"

        def detect(self, ctx):
            raise RuntimeError("kaput")

    host = PluginHost(
        entry_points=False,
        extra_plugins=[_plugin("boomer", register_detectors=lambda register: register(Boom()))],
    )
    import provenance.plugins as plugins

    monkeypatch.setattr(plugins, "get_host", lambda disabled=(): host)
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.write_text(SRC, encoding="utf-8")
    b.write_text(DER, encoding="utf-8")
    from provenance.cli import app

    r = CliRunner().invoke(app, ["compare", str(a), str(b), "--format", "json"])
    assert r.exit_code == 4
    assert "boomer" in r.stderr and "kaput" in r.stderr


def test_annotation_findings_reach_the_report():
    class Note:
        name = "length-note"

        def detect(self, ctx):
            for a in ctx.aligned:
                yield Finding(self.name, a.index, None, float(a.words), message=f"{a.words} words")

    host = PluginHost(
        entry_points=False,
        extra_plugins=[_plugin("noter", register_detectors=lambda register: register(Note()))],
    )
    report = provenance.compare(SRC, DER, host=host)
    assert [f.detector for f in report.findings] == ["length-note"]
    assert report.to_dict()["findings"][0]["message"].endswith("words")


def test_disable_switches_a_detector_off():
    host = PluginHost(entry_points=False, disabled=["copy"])
    report = provenance.compare(SRC, SRC, host=host)
    assert "copy" not in {p.relation for p in report.paragraphs}
    with pytest.raises(UsageError):
        PluginHost(entry_points=False, disabled=["no-such-thing"])


def test_notes_keep_brackets_and_detector_names():
    class Bracket:
        name = "bracket"

        def detect(self, ctx):
            yield Finding(self.name, ctx.aligned[0].index, None, 1.0, message="see [the source] here")

    from provenance.renderers.text import TextRenderer

    host = PluginHost(
        entry_points=False,
        extra_plugins=[_plugin("br", register_detectors=lambda register: register(Bracket()))],
    )
    text = TextRenderer().render(provenance.compare(SRC, DER, host=host))
    assert "note [bracket] paragraph 0: see [the source] here" in text


def test_reused_helper_agrees_with_labels():
    seen = {}

    class Probe:
        name = "probe"

        def detect(self, ctx):
            for a in ctx.aligned:
                seen[a.index] = ctx.reused(a)
            return []

    host = PluginHost(
        entry_points=False,
        extra_plugins=[_plugin("probe", register_detectors=lambda register: register(Probe()))],
    )
    other = "The orchestra announced its autumn programme with three premieres and a late concert series.\n"
    for derived in (DER, other):
        report = provenance.compare(SRC, derived, host=host)
        assert {p.index: p.relation in ("copy", "rewrite") for p in report.paragraphs} == seen
