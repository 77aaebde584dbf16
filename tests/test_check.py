"""`provenance check`: the pipeline gate. Policy from flags or a policy file, licensed sources, the attribution
metric, changed-since-a-revision, formats and exit codes."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from test_counting_options import DERIVED as QUOTED
from test_counting_options import SHORT_COPIES
from test_counting_options import SOURCE as COUNCIL
from typer.testing import CliRunner

from provenance.cli import app

runner = CliRunner()

WIRE_ID = "wire/flood"
WIRE_META = {"outlet": "Hale Valley Wire", "url": "https://halevalleywire.example/2026/10/flood"}
LINE = re.compile(r"^(?P<path>\S+): verdict (copy|rewrite|partial|independent), (?P<failures>.+)$")


def run(*args: str):
    return runner.invoke(app, list(args))


@pytest.fixture(autouse=True)
def _away_from_the_repository(tmp_path, monkeypatch):
    """Run where no policy file is found, unless a test writes one: the project's own pyproject.toml must not
    decide these results."""
    monkeypatch.chdir(tmp_path)


@pytest.fixture()
def newsroom(tmp_path: Path, examples: Path) -> Path:
    """An index of the wire story (with outlet and URL, as a JSONL feed gives them) and three articles."""
    feed = tmp_path / "feed.jsonl"
    feed.write_text(
        json.dumps(
            {"id": WIRE_ID, "text": (examples / "wire-story.txt").read_text(encoding="utf-8"), **WIRE_META}
        )
        + "\n"
        + json.dumps({"id": "notes/council", "text": COUNCIL})
        + "\n",
        encoding="utf-8",
    )
    r = run("index", "add", str(tmp_path / "index.db"), str(feed))
    assert r.exit_code == 0, r.stderr
    articles = tmp_path / "articles"
    articles.mkdir()
    for name in ("scraped-copy.html", "rewrite-with-commentary.md", "independent-report.txt"):
        shutil.copy(examples / name, articles / name)
    return tmp_path


def check(root: Path, *args: str):
    return run("check", *args, "--index", str(root / "index.db"))


def as_json(root: Path, *args: str) -> dict:
    r = check(root, *args, "--format", "json")
    assert r.exit_code in (0, 1), r.stderr
    return json.loads(r.stdout)


def test_one_line_per_offending_article_and_exit_1(newsroom):
    arts = str(newsroom / "articles")
    doc = as_json(newsroom, arts, "--fail-on", "copy>0.3")
    expected = {a["path"] for a in doc["articles"] if a["policy"]["shares"]["copy"] > 0.3}
    assert expected and len(expected) < len(doc["articles"])  # something fails and something passes
    r = check(newsroom, arts, "--fail-on", "copy>0.3")
    assert r.exit_code == 1
    lines = r.stdout.splitlines()
    assert {LINE.match(line)["path"] for line in lines} == expected
    for line in lines:
        article = next(a for a in doc["articles"] if a["path"] == LINE.match(line)["path"])
        copy = article["policy"]["shares"]["copy"]
        m = re.fullmatch(r"copy (?P<observed>[\d.]+) > 0.3 from wire/flood", LINE.match(line)["failures"])
        assert m and float(m["observed"]) == pytest.approx(copy, abs=0.005), line
        assert f"verdict {article['verdict']}," in line
    assert f"{len(expected)} of {len(doc['articles'])} article(s) fail the policy" in r.stderr


def test_passing_articles_exit_0_and_print_nothing(newsroom):
    r = check(newsroom, str(newsroom / "articles" / "independent-report.txt"), "--fail-on", "copy>0.3")
    assert r.exit_code == 0, r.stderr
    assert r.stdout == ""
    assert "1 article(s) pass the policy" in r.stderr


def test_verdict_and_several_thresholds_share_one_line(newsroom):
    target = str(newsroom / "articles" / "scraped-copy.html")
    r = check(
        newsroom, target, "--fail-on", "copy>0.3", "--fail-on", "verdict=copy", "--fail-on", "added>0.9"
    )
    assert r.exit_code == 1
    (line,) = r.stdout.splitlines()
    assert line.startswith(f"{target}: verdict copy, copy ")
    assert "; fails verdict=copy from wire/flood" in line and "added" not in line


@pytest.mark.parametrize(
    "rule",
    ["id:wire/*", "outlet:hale valley WIRE", "outlet:*Valley*", "url:https://halevalleywire.example/*"],
)
def test_licensed_sources_do_not_fail_but_are_reported(newsroom, rule):
    target = str(newsroom / "articles" / "scraped-copy.html")
    r = check(newsroom, target, "--fail-on", "copy>0.3", "--fail-on", "verdict=copy", "--allow", rule)
    assert r.exit_code == 0, r.stdout + r.stderr
    (article,) = as_json(newsroom, target, "--fail-on", "copy>0.3", "--allow", rule)["articles"]
    assert (
        article["verdict"] == "copy" and article["shares"]["copy"] > 0.3
    )  # the report still says what it is
    assert article["policy"]["shares"]["copy"] == 0 and article["policy"]["verdict"] == "independent"
    wire = next(s for s in article["sources"] if s["id"] == WIRE_ID)
    assert wire["licensed"] is True and wire["licensed_by"] and wire["copy_words"] > 0
    assert wire["outlet"] == WIRE_META["outlet"] and wire["url"] == WIRE_META["url"]


def test_an_allowlist_that_does_not_match_changes_nothing(newsroom):
    target = str(newsroom / "articles" / "scraped-copy.html")
    plain = as_json(newsroom, target, "--fail-on", "copy>0.3")
    other = as_json(
        newsroom,
        target,
        "--fail-on",
        "copy>0.3",
        "--allow",
        "id:feeds/*",
        "--allow",
        "outlet:Marlow Times",
        "--allow",
        "url:https://elsewhere.example/*",
    )
    assert other["articles"][0]["policy"] == plain["articles"][0]["policy"]
    assert not other["passed"]


def test_bad_allow_rule_is_a_usage_error(newsroom):
    r = check(newsroom, str(newsroom / "articles"), "--fail-on", "copy>0.3", "--allow", "wire/*")
    assert r.exit_code == 2 and "--allow 'wire/*': expected id:GLOB, outlet:GLOB or url:GLOB" in r.stderr


def test_uncredited_needs_the_attribution_plugin(newsroom):
    pytest.importorskip("provenance_attribution")
    target = str(newsroom / "articles" / "scraped-copy.html")
    r = check(newsroom, target, "--fail-on", "uncredited>0", "--disable", "attribution")
    assert r.exit_code == 2
    assert r.stderr.strip().count("\n") == 0
    assert "'uncredited' metric needs the 'attribution' detector" in r.stderr
    assert "not installed or is disabled" in r.stderr


def test_uncredited_reuse_fails_and_a_credit_passes(newsroom):
    pytest.importorskip("provenance_attribution")
    name = "--option", "attribution.source_name=Hale Valley Wire"
    article = newsroom / "articles" / "rewrite-with-commentary.md"
    r = check(newsroom, str(article), "--fail-on", "uncredited>0", *name)
    assert r.exit_code == 1, r.stderr
    assert re.search(r"uncredited 0\.\d+ > 0 from wire/flood$", r.stdout.strip())
    article.write_text(
        article.read_text(encoding="utf-8") + "\nThis story was first published by the Hale Valley Wire.\n",
        encoding="utf-8",
    )
    r = check(newsroom, str(article), "--fail-on", "uncredited>0", *name)
    assert r.exit_code == 0, r.stdout + r.stderr


def test_policy_file_is_discovered_and_flags_override_it(newsroom, monkeypatch):
    (newsroom / "pyproject.toml").write_text(
        '[tool.provenance]\nindex = "index.db"\nfail-on = ["copy>0.3"]\n'
        '[tool.provenance.allow]\noutlets = ["Hale Valley Wire"]\n',
        encoding="utf-8",
    )
    monkeypatch.chdir(newsroom / "articles")  # below the file: found upwards, index relative to the file
    r = run("check", ".")
    assert r.exit_code == 0, r.stdout + r.stderr  # the only copying is from a licensed source
    r = run("check", ".", "--allow", "id:nothing/*")  # a flag list replaces the file's list
    assert r.exit_code == 1 and "scraped-copy.html: verdict copy" in r.stdout
    r = run("check", ".", "--fail-on", "copy>0.99", "--allow", "id:nothing/*")
    assert r.exit_code == 1 and "copy 1 > 0.99" in r.stdout
    r = run("check", ".", "--fail-on", "rewrite>0.99")  # no article is 99% rewritten, with or without scorers
    assert r.exit_code == 0
    doc = json.loads(run("check", ".", "--format", "json").stdout)
    assert doc["policy"]["config"] == "../pyproject.toml"
    assert doc["policy"]["fail_on"] == [
        {"expression": "copy>0.3", "origin": "../pyproject.toml: [tool.provenance] fail-on[0]"}
    ]


def test_engine_knobs_reach_the_audit(tmp_path):
    feed = tmp_path / "feed.jsonl"
    feed.write_text(json.dumps({"id": "council", "text": COUNCIL}) + "\n", encoding="utf-8")
    assert run("index", "add", str(tmp_path / "i.db"), str(feed)).exit_code == 0
    quoted = tmp_path / "quoted.txt"
    quoted.write_text(QUOTED, encoding="utf-8")
    short = tmp_path / "short.txt"
    short.write_text(SHORT_COPIES, encoding="utf-8")
    base = ("check", "--index", str(tmp_path / "i.db"), "--fail-on", "copy>0")
    assert run(*base, str(quoted)).exit_code == 1  # the quotation standing alone is a copy by default
    assert run(*base, str(quoted), "--quotations-as-copying").exit_code == 1
    r = run(*base, str(quoted), "--no-quotations-as-copying", "--format", "json")
    assert r.exit_code == 0, r.stdout
    assert json.loads(r.stdout)["policy"]["quotations"] == "ignore"

    r = run(*base, str(short), "--format", "json")
    assert r.exit_code == 1
    paragraphs = json.loads(r.stdout)["articles"][0]["audit"]["paragraphs"]
    longest_copy = max(p["words"] for p in paragraphs if p["relation"] == "copy")
    r = run(*base, str(short), "--min-paragraph-words", str(longest_copy + 1), "--format", "json")
    assert r.exit_code == 0, r.stdout
    uncounted = [
        p for p in json.loads(r.stdout)["articles"][0]["audit"]["paragraphs"] if p.get("counted") is False
    ]
    assert uncounted and all(p["words"] <= longest_copy for p in uncounted)
    # the same through --option, the underlying engine options
    assert run(*base, str(short), "--option", f"paragraph.min_words={longest_copy + 1}").exit_code == 0
    assert run(*base, str(quoted), "--option", "copy.quotes=ignore").exit_code == 0


def test_an_article_is_not_its_own_source(tmp_path, examples):
    article = tmp_path / "story.txt"
    shutil.copy(examples / "wire-story.txt", article)
    assert run("index", "add", str(tmp_path / "i.db"), str(article)).exit_code == 0
    r = run("check", str(article), "--index", str(tmp_path / "i.db"), "--fail-on", "copy>0")
    assert r.exit_code == 0, r.stdout


def test_json_and_output_file(newsroom):
    out = newsroom / "check.json"
    r = check(newsroom, str(newsroom / "articles"), "--fail-on", "copy>0.3", "-f", "json", "-o", str(out))
    assert r.exit_code == 1 and r.stdout == ""
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert doc["schema"] == "text-provenance/check/1" and doc["passed"] is False
    assert doc["summary"] == {
        "articles": 3,
        "failed": sum(not a["passed"] for a in doc["articles"]),
        "unreadable": 0,
    }
    failed = [a for a in doc["articles"] if not a["passed"]]
    # the report went to a file: the log still gets the offending lines
    assert [line for line in r.stderr.splitlines() if LINE.match(line)] == [
        line for line in r.stderr.splitlines() if any(line.startswith(a["path"] + ":") for a in failed)
    ]
    assert len([line for line in r.stderr.splitlines() if LINE.match(line)]) == len(failed)
    for a in doc["articles"]:
        assert a["audit"]["schema"] == "text-provenance/audit/1"
        assert all(f["sources"] == [WIRE_ID] for f in a["failures"])


def test_usage_errors(newsroom):
    arts = str(newsroom / "articles")
    cases = [
        (check(newsroom, arts), "no policy"),
        (run("check", arts, "--fail-on", "copy>0.3"), "no index"),
        (check(newsroom, "--fail-on", "copy>0.3"), "nothing to check"),
        (check(newsroom, arts, "--fail-on", "copy>>0.3"), "--fail-on 'copy>>0.3'"),
        (check(newsroom, arts, "--fail-on", "copy>0.3", "--format", "yaml"), "--format 'yaml'"),
        (
            check(newsroom, arts, "--fail-on", "copy>0.3", "--option", "copy.quotes=maybe"),
            "copy.quotes expects",
        ),
    ]
    for r, needle in cases:
        assert r.exit_code == 2, (needle, r.stdout, r.stderr)
        assert needle in r.stderr and r.stderr.count("\n") == 1, r.stderr


def test_unreadable_article_exit_3_after_checking_the_rest(newsroom):
    r = check(newsroom, str(newsroom / "articles"), str(newsroom / "missing.txt"), "--fail-on", "copy>0.3")
    assert r.exit_code == 3
    assert "missing.txt" in r.stderr and "scraped-copy.html: verdict copy" in r.stdout


# --changed-since ---------------------------------------------------------------------------------------------


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.org", "-c", "commit.gpgsign=false", *args],
        cwd=repo,
        check=True,
        capture_output=True,
        text=True,
    )
    return done.stdout


@pytest.fixture()
def repo(newsroom: Path) -> Path:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    git(newsroom, "init", "-q")
    git(newsroom, "add", "articles")
    git(newsroom, "commit", "-q", "-m", "articles")
    return newsroom


def checked(root: Path, *args: str) -> list[str]:
    r = check(root, *args, "--fail-on", "copy>0.3", "--format", "json")
    assert r.exit_code in (0, 1), r.stderr
    return sorted(a["path"] for a in json.loads(r.stdout)["articles"])


def test_changed_since_checks_changed_and_untracked_articles_only(repo, monkeypatch):
    monkeypatch.chdir(repo)
    assert checked(repo, "--changed-since", "HEAD") == []
    arts = repo / "articles"
    (arts / "independent-report.txt").write_text((arts / "independent-report.txt").read_text() + "\nMore.\n")
    (arts / "new.md").write_text("# A new story\n\nThe orchestra announced its autumn programme.\n")
    (arts / "notes.csv").write_text("not,an,article\n")  # not an article suffix
    (arts / "scraped-copy.html").unlink()  # deleted: nothing to check
    assert checked(repo, "--changed-since", "HEAD") == ["articles/independent-report.txt", "articles/new.md"]
    # PATHs narrow the changed set
    assert checked(repo, "--changed-since", "HEAD", "articles/new.md") == ["articles/new.md"]
    assert checked(repo, "--changed-since", "HEAD", "articles/*.txt") == ["articles/independent-report.txt"]
    assert checked(repo, "--changed-since", "HEAD", "elsewhere") == []
    # committed changes count too
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "more")
    assert checked(repo, "--changed-since", "HEAD~1") == [
        "articles/independent-report.txt",
        "articles/new.md",
    ]
    monkeypatch.chdir(arts)  # paths are reported relative to the working directory
    assert checked(repo, "--changed-since", "HEAD~1") == ["independent-report.txt", "new.md"]


def test_changed_since_nothing_changed_exits_0(repo, monkeypatch):
    monkeypatch.chdir(repo)
    r = check(repo, "--changed-since", "HEAD", "--fail-on", "copy>0")
    assert r.exit_code == 0 and r.stdout == ""
    assert "no articles changed since HEAD" in r.stderr


def test_changed_since_errors(repo, tmp_path_factory, monkeypatch):
    monkeypatch.chdir(repo)
    r = check(repo, "--changed-since", "no-such-branch", "--fail-on", "copy>0.3")
    assert r.exit_code == 2 and "--changed-since no-such-branch: unknown revision" in r.stderr
    assert r.stderr.count("\n") == 1
    r = check(repo, "--changed-since", "--output=x", "--fail-on", "copy>0.3")
    assert r.exit_code == 2 and "unknown revision" in r.stderr  # never passed to git as an option
    outside = tmp_path_factory.mktemp("not-a-repo")
    if subprocess.run(["git", "rev-parse"], cwd=outside, capture_output=True, check=False).returncode == 0:
        pytest.skip("the temporary directory is inside a git repository")
    monkeypatch.chdir(outside)
    r = check(repo, "--changed-since", "HEAD", "--fail-on", "copy>0.3")
    assert r.exit_code == 2 and "is not inside a git repository" in r.stderr


def test_a_failing_detector_exits_4_after_the_report(newsroom):
    import types

    from provenance import hookimpl
    from provenance.testing import run_cli

    class Broken:
        name = "broken"
        relation = None

        def detect(self, ctx):
            raise RuntimeError("boom")

    mod = types.ModuleType("broken_plugin")
    mod.register_detectors = hookimpl(lambda register: register(Broken()))
    target = str(newsroom / "articles" / "independent-report.txt")
    r = run_cli(
        ["check", target, "--index", str(newsroom / "index.db"), "--fail-on", "copy>0.3"], plugins=[mod]
    )
    assert r.exit_code == 4, r.stderr
    assert (
        "detector 'broken' from plugin 'broken_plugin' failed" in r.stderr
        and "RuntimeError: boom" in r.stderr
    )


def test_audit_reads_the_policy_file_and_measures_coverage(newsroom, monkeypatch):
    (newsroom / "provenance.toml").write_text("min-paragraph-words = 30\n", encoding="utf-8")
    monkeypatch.chdir(newsroom)
    target = str(newsroom / "articles" / "scraped-copy.html")
    r = run("audit", "index.db", target, "--format", "json")
    assert r.exit_code == 0, r.stderr
    paragraphs = json.loads(r.stdout)[0]["paragraphs"]
    short = [p for p in paragraphs if p["relation"] != "boilerplate" and p["words"] < 30]
    assert short and all(p["counted"] is False for p in short)
    assert all("counted" not in p for p in paragraphs if p["words"] >= 30)
    # coverage: the largest share of one attributed source that the article reuses (a whole copy: all of it)
    r = run("audit", "index.db", target, "--fail-on", "coverage>0.9")
    assert r.exit_code == 1 and "coverage>0.9 (observed" in r.stderr


def test_compare_knows_the_uncredited_metric_too(examples):
    pytest.importorskip("provenance_attribution")
    src, copy = str(examples / "wire-story.txt"), str(examples / "scraped-copy.html")
    r = run("compare", src, copy, "--fail-on", "uncredited>0")
    assert r.exit_code == 1 and "uncredited>0 (observed" in r.stderr
    r = run("compare", src, str(examples / "independent-report.txt"), "--fail-on", "uncredited>0")
    assert r.exit_code == 0, r.stderr
    r = run("compare", src, copy, "--fail-on", "uncredited>0", "--disable", "attribution")
    assert r.exit_code == 2 and "needs the 'attribution' detector" in r.stderr
