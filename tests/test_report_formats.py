"""Markdown, SARIF and GitHub annotations, for one pair, an audit and a check run: valid SARIF 2.1.0 (the
official schema, vendored in tests/fixtures/sarif, formats checked), locations on the derived file's real lines,
byte-identical output for the same input, and no way for an article or a file name to break out of a table cell
or a workflow command, or to put markup, links or mentions in a pull-request comment."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from urllib.parse import unquote

import jsonschema
import pytest
from test_check import _away_from_the_repository, check, newsroom  # noqa: F401  (fixtures)

import provenance
from provenance.renderers.github import GithubRenderer, describe
from provenance.renderers.markdown import LIMIT, MarkdownRenderer, fit
from provenance.renderers.sarif import SarifRenderer
from provenance.testing import run_cli

SCHEMA = json.loads((Path(__file__).parent / "fixtures" / "sarif" / "sarif-schema-2.1.0.json").read_text())
FORMATS = jsonschema.FormatChecker()
PAIRS = [
    ("wire-story.txt", d)
    for d in ("scraped-copy.html", "rewrite-with-commentary.md", "independent-report.txt")
]
FLAGGED = ("copy", "rewrite")


def validate(text: str) -> dict:
    log = json.loads(text)
    jsonschema.Draft4Validator(SCHEMA, format_checker=FORMATS).validate(log)
    return log


def results(log: dict) -> list[dict]:
    (run,) = log["runs"]
    return run["results"]


def region(result: dict) -> dict:
    return result["locations"][0]["physicalLocation"]["region"]


def seed_pair(shared: Path) -> tuple[Path, Path]:
    labels = json.loads((shared / "seeds" / "labels.json").read_text(encoding="utf-8"))
    return shared / "seeds" / labels["source"], shared / "seeds" / labels["derived"]


@pytest.fixture(scope="module")
def reports(examples, shared):
    return [provenance.compare(examples / s, examples / d) for s, d in PAIRS] + [
        provenance.compare(*seed_pair(shared))
    ]


def test_the_schema_check_covers_uri_formats():
    """Without a URI format checker installed, `uri` and `uri-reference` would pass unchecked."""
    assert not FORMATS.conforms("a file.txt", "uri-reference") and FORMATS.conforms(
        "a%20file.txt", "uri-reference"
    )


def test_sarif_is_valid_and_has_a_result_per_copied_or_rewritten_paragraph(reports):
    assert {p.relation for r in reports for p in r.paragraphs} >= {"copy", "rewrite", "added"}
    for report in reports:
        log = validate(SarifRenderer().render(report))
        driver = log["runs"][0]["tool"]["driver"]
        assert driver["name"] == "text-provenance" and driver["version"] == provenance.__version__
        assert [r["id"] for r in driver["rules"]] == ["provenance/copy", "provenance/rewrite"]
        assert all(r["help"]["text"] for r in driver["rules"])
        found = results(log)
        expected = [p for p in report.paragraphs if p.relation in FLAGGED]
        assert [r["properties"]["paragraph"] for r in found] == [p.index for p in expected]
        for r, p in zip(found, expected):
            assert r["ruleId"] == f"provenance/{p.relation}" and "ruleIndex" not in r
            assert r["level"] == ("warning" if p.relation == "copy" else "note")
            text = r["message"]["text"]
            assert ("copied from" if p.relation == "copy" else "a rewrite of") in text
            lines = {sp.index: sp.start_line for sp in report.source_paragraphs}
            refs = [f"\u00b6{i} (l. {lines[i]})" if lines[i] is not None else f"\u00b6{i}" for i in p.sources]
            assert f"score {p.score:.2f}" in text and ", ".join(refs) in text
            assert unquote(r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]) == report.derived
            if p.start_line is not None:
                assert (region(r)["startLine"], region(r)["endLine"]) == (p.start_line, p.end_line)
            else:  # a paragraph whose opening words are not found in the page's source
                assert region(r) == {"startLine": 1} and r["properties"]["linesKnown"] is False
            related = r.get("relatedLocations", [])
            assert [rl["message"]["text"] for rl in related] == [f"source paragraph {x}" for x in refs]
            assert [rl["physicalLocation"].get("region", {}).get("startLine") for rl in related] == [
                lines[i] for i in p.sources
            ]
        prints = [r["partialFingerprints"]["provenanceParagraph/v1"] for r in found]
        assert len(prints) == len(set(prints))


def _annotation(line: str) -> tuple[str, dict[str, str], str]:
    """Parse one workflow command as the runner does: `::name props::message`, escapes decoded."""
    m = re.fullmatch(r"::(?P<name>[a-z]+) (?P<props>[^:\r\n]*)::(?P<msg>[^\r\n]*)", line)
    assert m, line
    props = dict(kv.split("=", 1) for kv in m["props"].split(","))
    return m["name"], {k: _decode(v) for k, v in props.items()}, _decode(m["msg"])


def _decode(text: str) -> str:
    table = {"%25": "%", "%0D": "\r", "%0A": "\n", "%3A": ":", "%2C": ","}
    return re.sub(r"%(25|0D|0A|3A|2C)", lambda m: table[m.group(0)], text)


def test_locations_point_at_the_paragraphs_own_lines(examples, shared):
    """For text and Markdown inputs, the words of each flagged paragraph are on the lines the SARIF location and
    the annotation give, and nowhere outside them."""
    for source, derived in (
        (examples / "wire-story.txt", examples / "rewrite-with-commentary.md"),
        seed_pair(shared),
    ):
        report = provenance.compare(source, derived)
        lines = derived.read_text(encoding="utf-8").splitlines()
        found = results(validate(SarifRenderer().render(report)))
        annotations = GithubRenderer().render(report).split("\n")[:-1]
        assert found and len(annotations) == len(found)
        for r, line in zip(found, annotations):
            start, end = region(r)["startLine"], region(r)["endLine"]
            on_lines = " ".join(lines[start - 1 : end])
            p = report.paragraphs[r["properties"]["paragraph"]]
            words = re.findall(r"\w+", p.text)
            assert words and all(w in on_lines for w in words), (derived.name, start, end)
            first, last = re.findall(r"\w+", lines[start - 1]), re.findall(r"\w+", lines[end - 1])
            assert first and last and first[-1] in words and last[0] in words  # no stray line at either end
            _, props, _ = _annotation(line)
            assert (int(props["line"]), int(props.get("endLine", props["line"]))) == (start, end)


def test_html_inputs_point_at_the_line_of_the_page_source(examples):
    """An HTML page's paragraphs are found in the page's source: each annotation's line holds the paragraph's
    opening words (the headline's line holds the page's h1, not its <title>)."""
    report = provenance.compare(examples / "wire-story.txt", examples / "scraped-copy.html")
    assert any(p.relation == "copy" for p in report.paragraphs)
    page = (examples / "scraped-copy.html").read_text(encoding="utf-8").split("\n")
    annotations = GithubRenderer().render(report).split("\n")[:-1]
    flagged = [p for p in report.paragraphs if p.relation in FLAGGED]
    assert len(annotations) == len(flagged)
    for line, p in zip(annotations, flagged):
        name, props, _ = _annotation(line)
        assert name == "warning" and props["file"] == report.derived
        opening = " ".join(p.text.split()[:4])
        assert opening in page[int(props["line"]) - 1] and "<title>" not in page[int(props["line"]) - 1]


def test_standard_input_has_no_file_location(examples):
    data = (examples / "rewrite-with-commentary.md").read_bytes()
    src = str(examples / "wire-story.txt")
    r = run_cli(["compare", src, "-", "-f", "sarif"], input=data)
    assert r.exit_code == 0, r.stderr
    found = results(validate(r.stdout))
    assert found
    for res in found:
        location = res["locations"][0]["physicalLocation"]
        assert (
            "uri" not in location["artifactLocation"]
            and "<stdin>" in location["artifactLocation"]["description"]["text"]
        )
        assert location["region"]["startLine"] >= 1
        assert all(rl["physicalLocation"]["artifactLocation"]["uri"] == src for rl in res["relatedLocations"])
    gh = run_cli(["compare", src, "-", "-f", "github"], input=data)
    lines = gh.stdout.split("\n")[:-1]
    assert gh.exit_code == 0 and len(lines) == len(found)
    assert all(set(_annotation(line)[1]) == {"title"} for line in lines)


def test_output_is_byte_identical_for_the_same_input(examples):
    for fmt in ("markdown", "sarif", "github"):
        runs = [
            run_cli(
                [
                    "compare",
                    str(examples / "wire-story.txt"),
                    str(examples / "rewrite-with-commentary.md"),
                    "-f",
                    fmt,
                ]
            ).stdout
            for _ in range(2)
        ]
        assert runs[0] == runs[1] and runs[0], fmt


def test_fingerprints_survive_lines_moving(examples, tmp_path):
    src = examples / "wire-story.txt"
    der = (examples / "rewrite-with-commentary.md").read_text(encoding="utf-8")
    moved = tmp_path / "moved.md"
    moved.write_text("An editor's note added at the top.\n\n" + der, encoding="utf-8")
    a = results(
        validate(SarifRenderer().render(provenance.compare(src, examples / "rewrite-with-commentary.md")))
    )
    b = results(validate(SarifRenderer().render(provenance.compare(src, moved))))
    assert [r["partialFingerprints"] for r in a] == [r["partialFingerprints"] for r in b]
    assert [region(r)["startLine"] + 2 for r in a] == [region(r)["startLine"] for r in b]


def test_a_repeated_paragraph_is_two_alerts(tmp_path):
    para = (
        "The council agreed its budget for the coming year on Tuesday after a long debate about the libraries "
        "and the swimming pool, which will stay open."
    )
    src, der = tmp_path / "s.txt", tmp_path / "d.txt"
    src.write_text(f"{para}\n\nRoad repairs will start in the spring.\n", encoding="utf-8")
    der.write_text(f"{para}\n\nA word from the editor on what follows.\n\n{para}\n", encoding="utf-8")
    found = results(validate(SarifRenderer().render(provenance.compare(src, der))))
    assert len(found) == 2 and region(found[0]) != region(found[1])
    assert found[0]["partialFingerprints"] != found[1]["partialFingerprints"]


# Each shorter than an excerpt, so all of it reaches the Markdown table.
HOSTILE = [
    "Breaking | news | here ::error file=x::pwned %0A ::error::again.",
    "<img src=x onerror=alert(1)> <script>alert(2)</script> <!-- open.",
    "[a link](https://evil.example) ![img](https://evil.example/x.png).",
    "[ref]: https://evil.example and www.evil.example/bare here.",
    "@octocat see #1234 and GH-99, mail me@evil.example today.",
    "`code` <details> **bold** ~~gone~~ _it_ &lt;b&gt; \\[x] end.",
]
TAIL = (
    "The council agreed its budget for the coming year on Tuesday after a long debate about the libraries and "
    "the swimming pool, ::error::which stays open."
)


def _hostile_pair(tmp_path: Path) -> tuple[Path, Path]:
    body = "\n\n".join([*HOSTILE, TAIL])
    src = tmp_path / "sou\r\n::error::rce,%.txt"
    src.write_text(
        f"{body}\n\nRoad repairs that the copy leaves out: [x](y) @someone #7 <b>.\n", encoding="utf-8"
    )
    der = tmp_path / "der,ived::x%0A\n::warning file=a::b|`c`.txt"
    der.write_text(f"{body}\n", encoding="utf-8")
    return src, der


def test_github_annotations_cannot_be_broken_out_of(tmp_path):
    src, der = _hostile_pair(tmp_path)
    report = provenance.compare(src, der)
    out = GithubRenderer().render(report)
    flagged = [p for p in report.paragraphs if p.relation in FLAGGED]
    assert flagged and any("::error" in p.text for p in flagged)
    lines = out.split("\n")
    assert lines[-1] == "" and "\r" not in out
    assert len(lines[:-1]) == len(flagged)  # one command a paragraph: nothing started a second one
    for line, p in zip(lines[:-1], flagged):
        name, props, message = _annotation(line)
        assert name == ("warning" if p.relation == "copy" else "notice")
        assert set(props) == {"file", "line", "title"} and props["file"] == str(der)
        assert props["title"] == f"provenance: {p.relation}" and message == describe(p, report)
        assert str(src) in message


def test_sarif_of_hostile_names_is_valid_and_exact(tmp_path):
    src, der = _hostile_pair(tmp_path)
    found = results(validate(SarifRenderer().render(provenance.compare(src, der))))
    assert found
    for r in found:
        assert unquote(r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]) == str(der)
        assert {
            unquote(rl["physicalLocation"]["artifactLocation"]["uri"]) for rl in r["relatedLocations"]
        } == {str(src)}


def test_markdown_cannot_inject_markup_or_break_the_table(tmp_path):
    src, der = _hostile_pair(tmp_path)
    report = provenance.compare(src, der)
    assert report.omitted and len(report.paragraphs) == len(HOSTILE) + 1
    out = MarkdownRenderer().render(report)
    rows = [line for line in out.splitlines() if line.startswith("| ") and "---" not in line]
    assert len(rows) == 2 + len(report.paragraphs) + len(report.omitted)  # 2 header rows
    for row in rows:
        cells = re.split(r"(?<!\\)\|", row)
        assert len(cells) in (7, 4), row  # 5 or 2 columns between the outer pipes
        assert not re.search(r"(?<!\\)[\[\]!`*~_]", row), row  # no link, image, code, emphasis
    assert "pwned" in out and "octocat" in out and "alert(2)" in out  # the text is there, as text
    assert set(re.findall(r"<[^ ]*?>|<[a-z!/?][^ >]*", out)) <= {
        "<details>",
        "<summary>",
        "</summary>",
        "</details>",
    }
    assert not re.search(r"[@#]\w", out.replace("### provenance", "")) and "GH-99" not in out
    assert "https://" not in out and "www." not in out
    assert "&lt;img" in out and "&amp;lt;b&amp;gt;" in out
    title = out.splitlines()[0]
    assert (
        title.startswith(f"### provenance: **{report.verdict.upper()}**") and title.count("`") == 4
    )  # 2 code spans


def test_markdown_says_what_the_report_says(examples):
    report = provenance.compare(examples / "wire-story.txt", examples / "rewrite-with-commentary.md")
    out = MarkdownRenderer().render(report)
    lines = out.splitlines()
    assert f"**{report.verdict.upper()}**" in lines[0]
    assert (
        f"source coverage {report.source_coverage:.0%}" in out
        and f"rewrite {report.shares['rewrite']:.0%}" in out
    )
    table = [line for line in lines if re.match(r"\| \u00b6\d+ \(l\. \d+\) \| [a-z]+ \|", line)]
    shown = [p for p in report.paragraphs if p.relation != "boilerplate"]
    assert [line.split(" | ")[0] for line in table] == [
        f"| \u00b6{p.index} (l. {p.start_line})" for p in shown
    ]
    assert [line.split(" | ")[1] for line in table] == [p.relation for p in shown]
    lines_of = {sp.index: sp.start_line for sp in report.source_paragraphs}
    assert [line.split(" | ")[3] for line in table] == [
        ", ".join(f"\u00b6{i} (l. {lines_of[i]})" for i in p.sources) for p in shown
    ]
    furniture = [p.index for p in report.paragraphs if p.relation == "boilerplate"]
    assert furniture and f"derived boilerplate: {len(furniture)} paragraph(s)" in out
    listed = MarkdownRenderer().render(report, show_boilerplate=True)
    assert sum(1 for line in listed.splitlines() if "| boilerplate |" in line) == len(furniture)
    details = out[out.index("<details>") : out.index("</details>")]
    assert re.findall(r"^\| \u00b6(\d+) \(l\. \d+\) \|", details, re.MULTILINE) == [
        str(p.index) for p in report.omitted
    ]


def test_markdown_stays_under_the_comment_limit(tmp_path):
    para = (
        "The river rose two metres overnight and the town's volunteers moved furniture upstairs in the dark."
    )
    src = tmp_path / "s.txt"
    der = tmp_path / "d.txt"
    src.write_text("\n\n".join(f"{para} Item {i} of the long list." for i in range(700)), encoding="utf-8")
    der.write_text("\n\n".join(f"{para} Item {i} of the long list." for i in range(700)), encoding="utf-8")
    out = MarkdownRenderer().render(provenance.compare(src, der))
    assert len(out) < LIMIT and "truncated" in out.splitlines()[-1]


def test_a_cut_inside_the_folded_block_closes_it():
    lines = ["### title", "", "<details><summary>Left out</summary>", "", "| ¶ | excerpt |", "|---:|---|"]
    lines += [f"| {i} | {'x' * 60} |" for i in range(100)] + ["", "</details>"]
    out = fit(lines, limit=2000)
    assert len(out) < 2000 and out.count("<details>") == out.count("</details>") == 1
    assert (
        out.index("</details>") < out.index("truncated")
        and fit(lines, limit=LIMIT) == "\n".join(lines) + "\n"
    )


def test_audit_in_each_format(tmp_path, examples):
    db = tmp_path / "idx.db"
    assert run_cli(["index", "add", str(db), str(examples / "wire-story.txt")]).exit_code == 0
    arts = [
        str(examples / n)
        for n in ("scraped-copy.html", "rewrite-with-commentary.md", "independent-report.txt")
    ]
    audited = json.loads(run_cli(["audit", str(db), *arts, "-f", "json"]).stdout)
    sarif = run_cli(["audit", str(db), *arts, "-f", "sarif"])
    assert sarif.exit_code == 0, sarif.stderr
    found = results(validate(sarif.stdout))
    flagged = [
        (a["derived"], p["index"])
        for a in audited
        for doc in a["sources"]
        for p in a["reports"][doc]["paragraphs"]
        if p["relation"] in FLAGGED
    ]
    assert (
        flagged
        and [
            (
                unquote(r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]),
                r["properties"]["paragraph"],
            )
            for r in found
        ]
        == flagged
    )
    md = run_cli(["audit", str(db), *arts, "-f", "markdown"])
    assert md.exit_code == 0 and md.stdout.count("### provenance audit") == 1
    assert md.stdout.count("#### provenance:") == sum(len(a["sources"]) for a in audited) >= 2
    summary = [line for line in md.stdout.splitlines() if line.startswith("| `")]
    assert [line.split(" | ")[1] for line in summary] == [a["verdict"] for a in audited]
    gh = run_cli(["audit", str(db), *arts, "-f", "github"])
    lines = gh.stdout.split("\n")[:-1]
    assert gh.exit_code == 0 and len(lines) == len(flagged)
    assert [_annotation(line)[1]["file"] for line in lines] == [d for d, _ in flagged]
    bad = run_cli(["audit", str(db), *arts, "-f", "pdf"])
    assert bad.exit_code == 2 and "markdown" in bad.stderr and "sarif" in bad.stderr


def test_audit_jsonl_holds_whole_reports(tmp_path, examples):
    db = tmp_path / "idx.db"
    assert run_cli(["index", "add", str(db), str(examples / "wire-story.txt")]).exit_code == 0
    arts = [str(examples / n) for n in ("scraped-copy.html", "rewrite-with-commentary.md")]
    lines = run_cli(["audit", str(db), *arts, "-f", "jsonl"]).stdout.splitlines()
    whole = json.loads(run_cli(["audit", str(db), *arts, "-f", "json"]).stdout)
    assert [json.loads(line) for line in lines] == whole and len(lines) == len(arts)
    for line, art in zip(lines, arts):
        (report,) = json.loads(line)["reports"].values()
        alone = json.loads(run_cli(["compare", str(examples / "wire-story.txt"), art, "-f", "json"]).stdout)
        assert report == alone | {
            "metadata": report["metadata"]
        }  # the index keeps the text, not its encoding


def test_check_sarif_is_valid_with_policy_and_paragraph_results(newsroom):  # noqa: F811
    arts = newsroom / "articles"
    shutil.copy(
        arts / "scraped-copy.html", arts / "scraped copy #2.html"
    )  # a name that needs percent-encoding
    r = check(newsroom, str(arts), "--fail-on", "copy>0.3", "--format", "sarif")
    assert r.exit_code == 1
    log = validate(r.stdout)
    rules = [x["id"] for x in log["runs"][0]["tool"]["driver"]["rules"]]
    assert len(rules) == len(set(rules)) and {"provenance/policy", "provenance/copy"} <= set(rules)
    found = results(log)
    assert all(rules[x["ruleIndex"]] == x["ruleId"] for x in found if "ruleIndex" in x)
    policy = [x for x in found if x["ruleId"] == "provenance/policy"]
    copies = [x for x in found if x["ruleId"] == "provenance/copy"]
    failing = {unquote(x["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]) for x in policy}
    assert str(arts / "scraped copy #2.html") in failing and len(policy) == 2
    assert {
        unquote(x["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]) for x in copies
    } == failing
    clean = check(newsroom, str(arts), "--fail-on", "copy>0.3", "--allow", "id:wire/*", "--format", "sarif")
    assert validate(clean.stdout)["runs"][0]["results"] == []


def test_check_github_leads_with_the_policy_then_the_paragraphs(newsroom):  # noqa: F811
    arts = newsroom / "articles"
    r = check(newsroom, str(arts), "--fail-on", "copy>0.3", "--format", "github")
    assert r.exit_code == 1
    parsed = [_annotation(line) for line in r.stdout.split("\n")[:-1]]
    names = [name for name, _, _ in parsed]
    assert names[0] == "error" and "error" not in names[names.index("warning") :]
    failing = {props["file"] for name, props, _ in parsed if name == "error"}
    assert {props["file"] for name, props, _ in parsed if name != "error"} == failing
