"""The plugin as the host sees it: registration, options on the command line, JSON output, discovery."""

from __future__ import annotations

import json
from importlib.metadata import entry_points

import provenance
import pytest
from facts_articles import DERIVED, SOURCE, swap
from provenance.testing import installed_plugins, make_host, run_cli

import provenance_facts


def test_declares_a_compatible_plugin_api():
    assert provenance_facts.PROVENANCE_PLUGIN_API.split(".")[0] == provenance.PLUGIN_API_VERSION.split(".")[0]


def test_annotations_leave_paragraph_labels_alone(facts_host):
    derived = swap(DERIVED, "330 metres", "300 metres")
    with_facts = provenance.compare(SOURCE, derived, host=facts_host)
    without = provenance.compare(SOURCE, derived, host=make_host())
    assert [(p.relation, p.sources) for p in with_facts.paragraphs] == [
        (p.relation, p.sources) for p in without.paragraphs
    ]
    assert with_facts.verdict == without.verdict
    assert [f["kind"] for f in with_facts.to_dict()["findings"]] == ["changed-number"]


def test_cli_json_report(article_pair):
    src, der = article_pair(SOURCE, swap(DERIVED, "after 2019 storms", "after 2018 storms"))
    result = run_cli(["compare", str(src), str(der), "--format", "json"], plugins=[provenance_facts])
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    [finding] = report["findings"]
    assert finding["detector"] == "facts" and finding["kind"] == "changed-date" and "relation" not in finding
    assert report["parameters"]["options"]["facts.min_quote_overlap"] == 0.6


def test_cli_text_report_shows_a_note(article_pair):
    src, der = article_pair(SOURCE, swap(DERIVED, "330 metres", "300 metres"))
    result = run_cli(["compare", str(src), str(der), "--color", "never"], plugins=[provenance_facts])
    assert result.exit_code == 0, result.stderr
    assert "number changed: 330 metres -> 300 metres" in result.stdout


@pytest.mark.parametrize(
    "option",
    [
        "facts.min_quote_overlap=abc",
        "facts.min_quote_overlap=1.5",
        "facts.min_quote_words=two",
        "facts.no_such_option=1",
    ],
)
def test_bad_option_is_a_usage_error(article_pair, option):
    src, der = article_pair(SOURCE, DERIVED)
    result = run_cli(["compare", str(src), str(der), "--option", option], plugins=[provenance_facts])
    assert result.exit_code == 2
    assert option.partition("=")[0] in result.stderr and "Traceback" not in result.stderr


def test_good_option_is_accepted(article_pair):
    src, der = article_pair(SOURCE, DERIVED)
    result = run_cli(
        ["compare", str(src), str(der), "--format", "json", "--option", "facts.min_quote_overlap=0.7"],
        plugins=[provenance_facts],
    )
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["parameters"]["options"]["facts.min_quote_overlap"] == 0.7


@pytest.mark.skipif(
    "facts" not in entry_points(group="provenance").names, reason="provenance-facts is not installed (pip install -e .)"
)
def test_discovered_through_entry_point(monkeypatch):
    """Installed, the plugin is found the way the CLI finds it: through its entry point, not by import."""
    monkeypatch.delenv("PROVENANCE_LOAD_PLUGINS", raising=False)
    info = installed_plugins()["facts"]  # PluginHost().info, as `provenance plugins --all --json` shows it
    assert not info["builtin"] and info["distribution"] == "provenance-facts"
    assert info["module"] == "provenance_facts" and info["components"] == {"detectors": ["facts"]}
    result = run_cli(["plugins", "--json"], entry_points=True)
    assert result.exit_code == 0 and "provenance-facts" in result.stdout
