"""Through the command line, in-process: the option, the notes in the text report, the JSON findings."""

from __future__ import annotations

import json

from articles import COPY, SOURCE
from provenance.testing import run_cli

import provenance_attribution

PLUGINS = [provenance_attribution]


def _findings(stdout: str) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for f in json.loads(stdout)["findings"]:
        if f["detector"] == "attribution":
            out.setdefault(f["kind"], []).append(f)
    return out


def test_option_on_the_command_line(article_pair):
    src, der = article_pair(SOURCE, COPY + "\n\nAccording to the Hale Valley Wire, the queue was long.\n")
    result = run_cli(
        [
            "compare",
            str(src),
            str(der),
            "--format",
            "json",
            "--option",
            "attribution.source_name=Hale Valley Wire",
        ],
        plugins=PLUGINS,
    )
    assert result.exit_code == 0, result.stderr
    kinds = _findings(result.stdout)
    assert kinds["credited"][0]["evidence"]["credited"] is True
    assert kinds["credited"][0]["evidence"]["source_names"] == ["Hale Valley Wire"]
    assert "uncredited-reuse" not in kinds


def test_text_report_shows_the_notes(article_pair):
    src, der = article_pair(SOURCE, COPY)
    result = run_cli(
        ["compare", str(src), str(der), "--option", "attribution.source_name=Hale Valley Wire"],
        plugins=PLUGINS,
    )
    assert result.exit_code == 0, result.stderr
    notes = [line for line in result.stdout.splitlines() if line.startswith("  note")]
    assert len(notes) == 1 and "uncredited reuse of Hale Valley Wire" in notes[0]
    text = " ".join(result.stdout.split())
    assert "paragraph(s); no credit line names it (looked for Hale Valley Wire)" in text  # wrapped, whole


def test_an_independent_article_gets_no_note(examples):
    """Nothing to say about an article that does not reuse the source: no note, only the JSON's evidence."""
    source, derived = examples / "wire-story.txt", examples / "independent-report.txt"
    result = run_cli(["compare", str(source), str(derived)], plugins=PLUGINS)
    assert result.exit_code == 0, result.stderr
    assert "attribution" not in result.stdout
    md = run_cli(["compare", str(source), str(derived), "-f", "markdown"], plugins=PLUGINS)
    assert "attribution" not in md.stdout
    data = run_cli(["compare", str(source), str(derived), "-f", "json"], plugins=PLUGINS)
    [doc] = _findings(data.stdout)["credited"]
    assert doc["evidence"]["credited"] is False and doc["message"] == ""


def test_option_value_is_taken_as_a_string(article_pair):
    src, der = article_pair(SOURCE, COPY)
    result = run_cli(
        ["compare", str(src), str(der), "--option", "attribution.source_name=123"], plugins=PLUGINS
    )
    assert result.exit_code == 0, result.stderr


def test_wire_story_rewrite_is_uncredited_reuse(examples):
    source, derived = examples / "wire-story.txt", examples / "rewrite-with-commentary.md"
    result = run_cli(["compare", str(source), str(derived), "--format", "json"], plugins=PLUGINS)
    assert result.exit_code == 0, result.stderr
    kinds = _findings(result.stdout)
    assert kinds["credited"][0]["evidence"]["credited"] is False
    [reuse] = kinds["uncredited-reuse"]
    assert reuse["evidence"]["share"] > 0.5
    assert reuse["evidence"]["copied_paragraphs"]  # the quote paragraph kept verbatim


def test_wire_story_rewrite_with_a_credit_line(examples, tmp_path):
    derived = tmp_path / "rewrite-credited.md"
    text = (examples / "rewrite-with-commentary.md").read_text(encoding="utf-8")
    derived.write_text(
        text.rstrip("\n") + "\n\nThis story was first published by the Hale Valley Wire.\n", encoding="utf-8"
    )
    result = run_cli(
        [
            "compare",
            str(examples / "wire-story.txt"),
            str(derived),
            "--format",
            "json",
            "--option",
            "attribution.source_name=Hale Valley Wire",
        ],
        plugins=PLUGINS,
    )
    assert result.exit_code == 0, result.stderr
    kinds = _findings(result.stdout)
    [doc] = kinds["credited"]
    assert doc["evidence"]["credited"] is True
    assert doc["paragraph"] == 0
    assert doc["evidence"]["credits"][0]["text"] == "This story was first published by the Hale Valley Wire."
    assert "uncredited-reuse" not in kinds


def test_independent_example_is_not_flagged(examples):
    result = run_cli(
        [
            "compare",
            str(examples / "wire-story.txt"),
            str(examples / "independent-report.txt"),
            "--format",
            "json",
            "--option",
            "attribution.source_name=Hale Valley Wire",
        ],
        plugins=PLUGINS,
    )
    assert result.exit_code == 0, result.stderr
    assert "uncredited-reuse" not in _findings(result.stdout)
