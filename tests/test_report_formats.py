"""Markdown, SARIF and GitHub annotations, for one pair, an audit and a check run: valid SARIF 2.1.0 (the
official schema, vendored in tests/fixtures/sarif), locations on the derived file's real lines, byte-identical
output for the same input, and no way for an article to break out of a table cell or a workflow command."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import pytest
from test_check import _away_from_the_repository, check, newsroom  # noqa: F401  (fixtures)

import provenance
from provenance.renderers.github import GithubRenderer
from provenance.renderers.markdown import LIMIT, MarkdownRenderer
from provenance.renderers.sarif import SarifRenderer
from provenance.testing import run_cli

SCHEMA = json.loads((Path(__file__).parent / "fixtures" / "sarif" / "sarif-schema-2.1.0.json").read_text())
PAIRS = [("wire-story.txt", d) for d in ("scraped-copy.html", "rewrite-with-commentary.md", "independent-report.txt")]


def validate(text: str) -> dict:
    log = json.loads(text)
    jsonschema.Draft4Validator(SCHEMA, format_checker=jsonschema.FormatChecker()).validate(log)
    return log


@pytest.fixture(scope="module")
def reports(examples, shared):
    out = [provenance.compare(examples / s, examples / d) for s, d in PAIRS]
    seeds = sorted((shared / "seeds").glob("*.*"))
    src = next(p for p in seeds if p.name.startswith("000_"))
    der = next(p for p in seeds if p.name.startswith("002_"))
    out.append(provenance.compare(src, der))
    return out


def test_sarif_is_valid_and_has_a_result_per_copied_or_rewritten_paragraph(reports):
    for report in reports:
        log = validate(SarifRenderer().render(report))
        results = log["runs"][0]["results"]
        expected = [p for p in report.paragraphs if p.relation in ("copy", "rewrite")]
        assert [r["properties"]["paragraph"] for r in results] == [p.index for p in expected]
        for r, p in zip(results, expected):
            assert r["ruleId"] == f"provenance/{p.relation}"
            region = r["locations"][0]["physicalLocation"]["region"]
            if p.start_line is not None:
                assert (region["startLine"], region["endLine"]) == (p.start_line, p.end_line)
            assert [rl["message"]["text"] for rl in r.get("relatedLocations", [])] == [
                f"source paragraph {i}" for i in p.sources]


def test_locations_point_at_the_paragraphs_own_lines(examples, shared):
    """For text and Markdown inputs, the words of each flagged paragraph are on the lines the location gives."""
    for derived in (examples / "rewrite-with-commentary.md", *(shared / "seeds").glob("002_*")):
        source = examples / "wire-story.txt" if derived.parent == examples else next((shared / "seeds").glob("000_*"))
        report = provenance.compare(source, derived)
        lines = derived.read_text(encoding="utf-8").splitlines()
        log = validate(SarifRenderer().render(report))
        assert log["runs"][0]["results"]
        for r in log["runs"][0]["results"]:
            region = r["locations"][0]["physicalLocation"]["region"]
            on_lines = " ".join(lines[region["startLine"] - 1 : region["endLine"]])
            p = report.paragraphs[r["properties"]["paragraph"]]
            words = re.findall(r"\w+", p.text)
            assert words and all(w in on_lines for w in words), (derived.name, region)


def test_output_is_byte_identical_for_the_same_input(examples):
    for fmt in ("markdown", "sarif", "github", "html"):
        runs = [run_cli(["compare", str(examples / "wire-story.txt"), str(examples / "rewrite-with-commentary.md"),
                         "-f", fmt]).stdout for _ in range(2)]
        assert runs[0] == runs[1] and runs[0], fmt


def test_fingerprints_survive_lines_moving(examples, tmp_path):
    src = examples / "wire-story.txt"
    der = (examples / "rewrite-with-commentary.md").read_text(encoding="utf-8")
    moved = tmp_path / "moved.md"
    moved.write_text("An editor's note added at the top.\n\n" + der, encoding="utf-8")
    a = validate(SarifRenderer().render(provenance.compare(src, examples / "rewrite-with-commentary.md")))
    b = validate(SarifRenderer().render(provenance.compare(src, moved)))
    fa = [r["partialFingerprints"] for r in a["runs"][0]["results"]]
    fb = [r["partialFingerprints"] for r in b["runs"][0]["results"]]
    assert fa == fb
    la = [r["locations"][0]["physicalLocation"]["region"]["startLine"] for r in a["runs"][0]["results"]]
    lb = [r["locations"][0]["physicalLocation"]["region"]["startLine"] for r in b["runs"][0]["results"]]
    assert all(y == x + 2 for x, y in zip(la, lb))


HOSTILE = ("Breaking | news | here\n::error file=x::pwned %0A::error::again\r\n<img src=x onerror=alert(1)> "
           "[a link](https://evil.example) ![img](https://evil.example/x.png) @octocat `code` <details> "
           "https://evil.example/bare www.evil.example")


def _hostile_pair(tmp_path: Path) -> tuple[Path, Path]:
    body = (HOSTILE.replace("\n", " ").replace("\r", " ") + " The council agreed its budget for the coming year "
            "on Tuesday after a long debate about the libraries and the swimming pool.")
    src = tmp_path / "source.txt"
    src.write_text(f"{body}\n\nA paragraph about road repairs that the copy leaves out.\n", encoding="utf-8")
    der = tmp_path / "der,ived::x%0A.txt"
    der.write_text(f"{body}\n", encoding="utf-8")
    return src, der


def test_github_annotations_cannot_be_broken_out_of(tmp_path):
    src, der = _hostile_pair(tmp_path)
    report = provenance.compare(src, der)
    out = GithubRenderer().render(report)
    flagged = [p for p in report.paragraphs if p.relation in ("copy", "rewrite")]
    assert flagged
    lines = out.splitlines()
    assert len(lines) == len(flagged)
    for line in lines:
        m = re.fullmatch(r"::(warning|notice) (?P<props>[^:]*)::(?P<msg>.*)", line)
        assert m, line
        props = dict(kv.split("=", 1) for kv in m["props"].split(","))
        assert set(props) <= {"file", "line", "endLine", "title"}
        assert props["file"] == "der%2Cived%3A%3Ax%250A.txt".replace("der", str(tmp_path).replace(":", "%3A")
                                                                         .replace(",", "%2C") + "/der", 1)
        assert "::" not in m["msg"].replace("%3A", "")  or "%0A::" not in m["msg"]
        assert "\r" not in m["msg"] and "%0A" not in m["msg"].replace("%250A", "")


def test_markdown_cannot_inject_markup_or_break_the_table(tmp_path):
    src, der = _hostile_pair(tmp_path)
    out = MarkdownRenderer().render(provenance.compare(src, der))
    rows = [line for line in out.splitlines() if line.startswith("| ") and "---" not in line]
    assert rows
    for row in rows:
        cells = re.split(r"(?<!\\)\|", row)
        assert len(cells) in (7, 4), row  # 5 or 2 columns between the outer pipes
    assert "<img" not in out and "<details> " not in out and "](" not in out.replace("\\](", "")
    assert "@octocat" not in out and "https://" not in out and "www.evil" not in out
    assert "&lt;img" in out  # shown, as text


def test_markdown_stays_under_the_comment_limit(tmp_path):
    para = "The river rose two metres overnight and the town's volunteers moved furniture upstairs in the dark."
    src = tmp_path / "s.txt"
    der = tmp_path / "d.txt"
    src.write_text("\n\n".join(f"{para} Item {i} of the long list." for i in range(700)), encoding="utf-8")
    der.write_text("\n\n".join(f"{para} Item {i} of the long list." for i in range(700)), encoding="utf-8")
    out = MarkdownRenderer().render(provenance.compare(src, der))
    assert len(out) < LIMIT and "truncated" in out.splitlines()[-1]


def test_audit_in_each_format(tmp_path, examples):
    db = tmp_path / "idx.db"
    assert run_cli(["index", "add", str(db), str(examples / "wire-story.txt")]).exit_code == 0
    arts = [str(examples / n) for n in ("scraped-copy.html", "rewrite-with-commentary.md", "independent-report.txt")]
    sarif = run_cli(["audit", str(db), *arts, "-f", "sarif"])
    assert sarif.exit_code == 0, sarif.stderr
    log = validate(sarif.stdout)
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in log["runs"][0]["results"]}
    assert {arts[0], arts[1]} <= uris <= set(arts)
    md = run_cli(["audit", str(db), *arts, "-f", "markdown"])
    assert md.exit_code == 0 and md.stdout.count("### provenance audit") == 1
    audited = json.loads(run_cli(["audit", str(db), *arts, "-f", "json"]).stdout)
    assert md.stdout.count("#### provenance:") == sum(len(a["sources"]) for a in audited) >= 2
    gh = run_cli(["audit", str(db), *arts, "-f", "github"])
    assert gh.exit_code == 0 and gh.stdout and all(line.startswith(("::warning ", "::notice "))
                                                   for line in gh.stdout.splitlines())
    bad = run_cli(["audit", str(db), *arts, "-f", "pdf"])
    assert bad.exit_code == 2 and "markdown" in bad.stderr and "sarif" in bad.stderr


def test_check_sarif_is_valid_with_policy_and_paragraph_results(newsroom):  # noqa: F811
    r = check(newsroom, str(newsroom / "articles"), "--fail-on", "copy>0.3", "--format", "sarif")
    assert r.exit_code == 1
    log = validate(r.stdout)
    rules = [x["id"] for x in log["runs"][0]["tool"]["driver"]["rules"]]
    assert len(rules) == len(set(rules)) and {"provenance/policy", "provenance/copy"} <= set(rules)
    kinds = {x["ruleId"] for x in log["runs"][0]["results"]}
    assert {"provenance/policy", "provenance/copy"} <= kinds
    clean = check(newsroom, str(newsroom / "articles"), "--fail-on", "copy>0.3", "--allow", "id:wire/*",
                  "--format", "sarif")
    assert validate(clean.stdout)["runs"][0]["results"] == []
