"""Reports as an editor reads them (issue 20): the text report fits the terminal and never cuts a reason, every
paragraph is findable by its line in the file, and page furniture is folded out of the way unless asked for."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from provenance.testing import run_cli

SEEDS = ("000_e993ff611d2643c6.txt", "002_9559ece6654a172b.txt")


@pytest.fixture(scope="module")
def seeds_reversed(shared) -> tuple[str, str]:
    """The seeds compared the other way round: the page with most furniture is the derived side."""
    seeds = shared / "seeds"
    return str(seeds / SEEDS[1]), str(seeds / SEEDS[0])


@pytest.fixture(scope="module")
def seeds_json(seeds_reversed) -> dict:
    r = run_cli(["compare", *seeds_reversed, "-f", "json"])
    assert r.exit_code == 0, r.stderr
    return json.loads(r.stdout)


def _flat(text: str) -> str:
    return " ".join(text.split())


def _ref(index: int, lines: list[int] | None) -> str:
    return f"\u00b6{index} (l. {lines[0]})" if lines else f"\u00b6{index}"


@pytest.mark.parametrize("columns", [200, 80])
def test_the_text_report_fits_the_terminal_and_keeps_every_reason(
    seeds_reversed, seeds_json, monkeypatch, columns
):
    monkeypatch.setenv("COLUMNS", str(columns))
    r = run_cli(["compare", *seeds_reversed])
    assert r.exit_code == 0, r.stderr
    lines = r.stdout.splitlines()
    assert max(len(line) for line in lines) <= columns
    assert max(len(line) for line in lines) > columns * 0.6  # it uses the width it has
    out = _flat(r.stdout)
    sources = {sp["index"]: sp["lines"] for sp in seeds_json["source_paragraphs"]}
    shown = [p for p in seeds_json["paragraphs"] if p["relation"] != "boilerplate"]
    assert shown
    for p in shown:
        why = _flat(p["evidence"]["message"])
        assert why in out, f"paragraph {p['index']}: its reason is cut or missing"
        if p["sources"]:
            refs = ", ".join(_ref(i, sources[i]) for i in p["sources"])
            assert f"from {refs}:" in out, f"paragraph {p['index']}: its sources are cut or missing"
    assert derivation_reason(seeds_json) in out


def derivation_reason(report: dict) -> str:
    return _flat(f"as a whole: {report['metadata']['derivation']['reason']}")


def test_the_text_report_fits_a_narrow_terminal_with_long_names(tmp_path, examples, monkeypatch):
    """File names and notes longer than the terminal wrap rather than run past it."""
    deep = tmp_path / ("a-folder-with-a-rather-long-name-" * 3)
    deep.mkdir()
    (deep / "wire-story.txt").write_bytes((examples / "wire-story.txt").read_bytes())
    monkeypatch.setenv("COLUMNS", "60")
    r = run_cli(["compare", str(deep / "wire-story.txt"), str(examples / "rewrite-with-commentary.md")])
    assert r.exit_code == 0, r.stderr
    assert max(len(line) for line in r.stdout.splitlines()) <= 60
    assert str(deep / "wire-story.txt") in r.stdout.replace("\n", "")


def _file_line(path: str, line: int) -> str:
    return Path(path).read_text(encoding="utf-8").split("\n")[line - 1]


def test_source_paragraphs_carry_the_line_they_start_on(seeds_reversed, seeds_json):
    """`lines` in the JSON for source paragraphs, and the line holds the paragraph's opening words."""
    source = seeds_reversed[0]
    checked = 0
    for sp in seeds_json["source_paragraphs"]:
        assert sp["lines"] is not None
        opening = " ".join(sp["text"].split()[:3])
        assert opening in _flat(_file_line(source, sp["lines"][0])), sp["index"]
        checked += 1
    assert checked == len(seeds_json["source_paragraphs"]) > 10


@pytest.mark.parametrize("fmt", ["text", "markdown", "html", "sarif", "github"])
def test_every_format_names_source_paragraphs_by_number_and_line(
    seeds_reversed, seeds_json, fmt, monkeypatch
):
    monkeypatch.setenv("COLUMNS", "100")
    r = run_cli(["compare", *seeds_reversed, "-f", fmt])
    assert r.exit_code == 0, r.stderr
    sources = {sp["index"]: sp["lines"] for sp in seeds_json["source_paragraphs"]}
    used = {i for p in seeds_json["paragraphs"] if p["relation"] in ("copy", "rewrite") for i in p["sources"]}
    assert used
    out = _flat(r.stdout)
    for i in used:
        assert _ref(i, sources[i]) in out, f"{fmt}: source paragraph {i} without its line"


def test_html_pages_get_source_lines(examples):
    """An HTML page's paragraphs are found in the page's source: a reader can open it at that line."""
    r = run_cli(
        ["compare", str(examples / "scraped-copy.html"), str(examples / "wire-story.txt"), "-f", "json"]
    )
    assert r.exit_code == 0, r.stderr
    report = json.loads(r.stdout)
    page = str(examples / "scraped-copy.html")
    located = [sp for sp in report["source_paragraphs"] if sp["lines"]]
    assert len(located) == len(report["source_paragraphs"])
    for sp in located:
        first, last = sp["lines"]
        assert " ".join(sp["text"].split()[:4]) in _file_line(page, first)
        assert " ".join(sp["text"].split()[-3:]) in _file_line(page, last)


def test_boilerplate_is_one_line_per_side_unless_asked(seeds_reversed, seeds_json, monkeypatch):
    monkeypatch.setenv("COLUMNS", "100")
    furniture = [p["index"] for p in seeds_json["paragraphs"] if p["relation"] == "boilerplate"]
    source_furniture = [
        sp["index"] for sp in seeds_json["source_paragraphs"] if sp["relation"] == "boilerplate"
    ]
    assert len(furniture) > 20 and source_furniture
    folded = run_cli(["compare", *seeds_reversed])
    rows = [line for line in folded.stdout.splitlines() if re.match(r"\s*\u00b6\d+ .*\bboilerplate\b", line)]
    assert rows == []
    out = _flat(folded.stdout)
    assert f"derived boilerplate: {len(furniture)} paragraph(s)" in out
    assert f"source boilerplate: {len(source_furniture)} paragraph(s)" in out
    listed = run_cli(["compare", *seeds_reversed, "--show-boilerplate"])
    rows = [
        line
        for line in listed.stdout.splitlines()
        if re.match(r"\s*\u00b6\d+ \(l\. \d+\)\s+boilerplate", line)
    ]
    assert len(rows) == len(furniture)
    assert "derived boilerplate:" not in listed.stdout


def test_the_html_panes_open_with_article_text(seeds_reversed, seeds_json):
    r = run_cli(["compare", *seeds_reversed, "-f", "html"])
    assert r.exit_code == 0, r.stderr
    page = r.stdout
    for side in ("source", "derived"):
        start = page.index(f'<section class="side {side}"')
        pane = page[start : page.index("</section>", start)]
        cards = re.findall(r'<article class="para ([rs])-([a-z]+)"', pane)
        first = cards[0][1]
        assert first != "boilerplate", f"the {side} pane opens with furniture"
        visible = pane.split('<details class="furniture">')[0]
        assert "-boilerplate" not in visible
    shown = run_cli(["compare", *seeds_reversed, "-f", "html", "--show-boilerplate"]).stdout
    assert '<details class="furniture">' not in shown
    derived = shown[shown.index('<section class="side derived"') :]
    assert (
        re.findall(r'<article class="para r-([a-z]+)"', derived)[0] == seeds_json["paragraphs"][0]["relation"]
    )
