"""The project's own example articles: a rewrite with two figures changed by hand, and the rewrite as published."""

from __future__ import annotations

from pathlib import Path

import provenance
import pytest

EXAMPLES = next(
    (p / "examples" for p in Path(__file__).resolve().parents if (p / "examples" / "wire-story.txt").is_file()), None
)

pytestmark = pytest.mark.skipif(EXAMPLES is None, reason="the text-provenance examples folder is not above this plugin")


def test_changed_figures_in_the_rewrite_are_flagged(facts_host, tmp_path):
    rewrite = (EXAMPLES / "rewrite-with-commentary.md").read_text(encoding="utf-8")
    assert "2.4 metres" in rewrite and "212 evacuees" in rewrite
    changed = tmp_path / "rewrite-with-commentary.md"
    changed.write_text(
        rewrite.replace("2.4 metres", "2.6 metres").replace("212 evacuees", "221 evacuees"), encoding="utf-8"
    )
    report = provenance.compare(EXAMPLES / "wire-story.txt", changed, host=facts_host)
    pairs = {(f.evidence["source"], f.evidence["derived"]) for f in report.findings if f.kind == "changed-number"}
    assert pairs == {("2.4 metres", "2.6 metres"), ("212 people", "221 evacuees")}


def test_the_published_rewrite_has_no_changed_numbers(facts_host):
    report = provenance.compare(EXAMPLES / "wire-story.txt", EXAMPLES / "rewrite-with-commentary.md", host=facts_host)
    assert [f for f in report.findings if f.detector == "facts"] == []
