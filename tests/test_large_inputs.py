"""Large inputs (issue 20, item 9): the scorers read at most SCORED_SENTENCES sentences of each article, the report
says what was capped (`metadata.limits`, a `limit:` line in text, Markdown and HTML), a normal article is never
capped, and a long comparison shows its stages on a terminal only. Times and memory are measured by
bench/large_inputs.py, not here: nothing below is timed."""

from __future__ import annotations

import io
import json
import random
import sys
from pathlib import Path
from typing import ClassVar

import pytest

from provenance import Option, hookimpl
from provenance.cli.io import Stages
from provenance.engine import STAGES, compare
from provenance.rules import SCORED_SENTENCES
from provenance.testing import make_host, run_cli

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"


class CountingScorer:
    """A stub that calls every pair 0.5 and remembers every distinct derived and source sentence it was shown."""

    name = "counting"
    options: ClassVar[dict[str, Option]] = {"threshold": Option(0.8, float, "stub", 0.0, 1.0)}

    def __init__(self) -> None:
        self.derived: set[str] = set()
        self.source: set[str] = set()

    def score(self, pairs):
        for d, s in pairs:
            self.derived.add(d)
            self.source.add(s)
        return [0.5] * len(pairs)


class CountingPlugin:
    __name__ = "counting-plugin"

    def __init__(self) -> None:
        self.scorer = CountingScorer()

    @hookimpl
    def register_scorers(self, register):
        register(self.scorer)


def _sentences(n: int, seed: int) -> list[str]:
    """n distinct generated sentences (a seeded vocabulary, so every run is the same)."""
    rng = random.Random(seed)
    vocab = ["".join(rng.choice("bdgklmnprstvz") + rng.choice("aeiou") for _ in range(3)) for _ in range(400)]
    out = []
    for i in range(n):
        words = rng.sample(vocab, 8)
        out.append(
            f"The {words[0]} of {words[1]} said {words[2]} {words[3]} {words[4]} number {i} {words[5]}."
        )
    return out


@pytest.fixture(scope="module")
def big(tmp_path_factory) -> tuple[Path, Path, int]:
    """A 60-sentence source and a derived article of SCORED_SENTENCES + 150 sentences, three to a paragraph."""
    folder = tmp_path_factory.mktemp("big")
    total = SCORED_SENTENCES + 150
    derived = _sentences(total, 1)
    source = folder / "source.txt"
    source.write_text(
        "\n\n".join(" ".join(s) for s in zip(*[iter(_sentences(60, 2))] * 3)) + "\n", encoding="utf-8"
    )
    article = folder / "derived.txt"
    article.write_text("\n\n".join(" ".join(derived[i : i + 3]) for i in range(0, total, 3)) + "\n")
    return source, article, total


def test_the_scorers_read_at_most_the_cap_and_the_report_says_so(big):
    source, article, total = big
    plugin = CountingPlugin()
    r = run_cli(["compare", str(source), str(article), "--format", "json"], plugins=[plugin])
    assert r.exit_code == 0, r.stderr
    limits = json.loads(r.stdout)["metadata"]["limits"]
    assert limits["scored_derived_sentences"]["kept"] == SCORED_SENTENCES
    assert limits["scored_derived_sentences"]["total"] == total
    assert (
        f"first {SCORED_SENTENCES:,} of the derived article's {total:,} sentences"
        in (limits["scored_derived_sentences"]["note"])
    )
    assert "scored_source_sentences" not in limits  # the source is short: nothing of it was left out
    assert 0 < len(plugin.scorer.derived) <= SCORED_SENTENCES


@pytest.mark.parametrize("fmt", ["text", "markdown"])
def test_a_capped_report_has_one_limit_line(big, fmt):
    source, article, total = big
    r = run_cli(["compare", str(source), str(article), "--format", fmt], plugins=[CountingPlugin()])
    assert r.exit_code == 0, r.stderr
    lines = [line for line in r.stdout.splitlines() if "limit: " in line]
    assert len(lines) == 1 and f"{total:,} sentences" in lines[0], r.stdout[:2000]


def test_a_capped_html_report_lists_the_limit(big, tmp_path):
    source, article, total = big
    out = tmp_path / "r.html"
    r = run_cli(
        ["compare", str(source), str(article), "--format", "html", "-o", str(out)], plugins=[CountingPlugin()]
    )
    assert r.exit_code == 0, r.stderr
    page = out.read_text(encoding="utf-8")
    assert f'<li class="limit">limit: the scorers read the first {SCORED_SENTENCES:,}' in page
    assert (
        f"derived article&#x27;s {total:,} sentences" in page
        or f"derived article's {total:,} sentences" in page
    )


def test_a_normal_article_is_never_capped(tmp_path):
    """The examples, and a 10,000-word feature in sentences of news length (20 words), stay whole: no limit, no
    note, and the scorer sees every sentence."""
    host = make_host(CountingPlugin())
    report = compare(EXAMPLES / "wire-story.txt", EXAMPLES / "rewrite-with-commentary.md", host=host)
    assert "limits" not in report.metadata
    long = [f"{s[:-1]} and the {s.split()[1]} was named again in the end." for s in _sentences(500, 3)]
    assert sum(len(s.split()) for s in long) == 10_000
    feature = tmp_path / "feature.txt"
    feature.write_text("\n\n".join(" ".join(long[i : i + 4]) for i in range(0, 500, 4)) + "\n")
    plugin = CountingPlugin()
    r = run_cli(
        ["compare", str(EXAMPLES / "wire-story.txt"), str(feature), "--format", "json"], plugins=[plugin]
    )
    assert r.exit_code == 0, r.stderr
    assert "limits" not in json.loads(r.stdout)["metadata"]
    assert len(plugin.scorer.derived) == 500


def test_without_a_scorer_nothing_is_capped(big):
    source, article, _ = big
    report = compare(source, article, host=make_host())
    assert "scored_derived_sentences" not in report.metadata.get("limits", {})


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_the_stages_show_on_a_terminal(monkeypatch):
    err = FakeTerminal()
    monkeypatch.setattr(sys, "stderr", err)
    seen: list[str] = []
    stages = Stages([*STAGES, "rendering"])

    def tell(stage: str) -> None:
        seen.append(stage)
        stages(stage)

    try:
        compare(
            EXAMPLES / "wire-story.txt", EXAMPLES / "rewrite-with-commentary.md", host=make_host(), stage=tell
        )
    finally:
        stages.done()
    assert seen == list(STAGES)
    shown = err.getvalue()
    assert "comparing" in shown and "aligning" in shown and "assembling" in shown


def test_the_stages_are_quiet_when_stderr_is_not_a_terminal():
    """run_cli's standard error is a pipe, as in CI: the report and nothing else."""
    r = run_cli(["compare", str(EXAMPLES / "wire-story.txt"), str(EXAMPLES / "rewrite-with-commentary.md")])
    assert r.exit_code == 0 and r.stderr == ""
