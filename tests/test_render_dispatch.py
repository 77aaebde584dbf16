"""One dispatcher for every output: which renderers each command offers (by the contracts they fulfil, not by
name), the usage errors that refuse the rest, the documented rule for a renderer of Reports only, folders written
through the same path, and check's SARIF built as data from the same results a report's log has."""

from __future__ import annotations

import json
import types
from pathlib import Path

import pytest
from test_check import _away_from_the_repository, newsroom  # noqa: F401  (fixtures)
from test_plugin_examples import _modules

from provenance import hookimpl
from provenance.components import Folder
from provenance.errors import PluginError, UsageError
from provenance.policy.evaluate import CheckRun
from provenance.renderers.dispatch import AUDIT, CHECK, REPORT, formats, pick, render
from provenance.renderers.github import GithubRenderer
from provenance.renderers.json import JsonRenderer
from provenance.renderers.sarif import POLICY_RULE, SarifRenderer, check_log, policy_result, results
from provenance.renderers.text import TextRenderer
from provenance.testing import make_host, run_cli


class PageOnly:
    name = "page"
    media_type = "text/html"
    suffix = ".html"

    def render(self, report, *, color=False):
        return f"<p>{report.verdict}</p>\n"


CAPTURED: list[CheckRun] = []


class Capture:
    """Keeps the check run it is given, to render it again outside the command."""

    name = "capture"
    media_type = "text/plain"
    suffix = ".txt"

    def render_check(self, run):
        CAPTURED.append(run)
        return ""


class Notes:
    """A folder format of a plugin: one text file per article."""

    name = "notes"
    media_type = "text/plain"
    suffix = ""
    folder = "a folder of notes"

    def render_audit_folder(self, results):
        files = [(f"articles/{i}.txt", f"{r.derived}: {r.verdict}\n") for i, r in enumerate(results)]
        return Folder(
            [*files, ("README", "notes\n"), (".ours", "")],
            entry="README",
            marker=".ours",
            noun="note",
            what="a notes folder",
            folders=("articles",),
        )


class Nothing:
    name = "nothing"
    media_type = "text/plain"
    suffix = ".txt"


def plugin(*renderers) -> types.ModuleType:
    mod = types.ModuleType("dispatch_renderers")
    mod.register_renderers = hookimpl(lambda register: [register(r) for r in renderers])  # type: ignore[attr-defined]
    return mod


@pytest.fixture()
def audit_index(tmp_path, examples) -> Path:
    db = tmp_path / "idx.db"
    assert run_cli(["index", "add", str(db), str(examples / "wire-story.txt")]).exit_code == 0
    return db


def test_each_command_offers_the_renderers_of_its_result():
    host = make_host()
    assert formats(host, REPORT) == ("github", "html", "json", "markdown", "sarif", "text")
    assert formats(host, AUDIT) == ("table", "json", "jsonl", "html", "github", "markdown", "sarif")
    assert formats(host, CHECK) == ("text", "json", "sarif", "github")
    extra = make_host(plugin(PageOnly(), Capture(), Notes()))
    assert formats(extra, REPORT)[-2:] == ("sarif", "text") and "page" in formats(extra, REPORT)
    assert formats(extra, AUDIT)[-1] == "sarif" and "notes" in formats(extra, AUDIT)
    assert formats(extra, CHECK) == ("text", "json", "sarif", "github", "capture")


def test_the_usage_errors_list_the_formats():
    host = make_host(plugin(PageOnly()))
    with pytest.raises(
        UsageError,
        match=r"^unknown report format 'table'; available: github, html, json, "
        r"markdown, page, sarif, text$",
    ):
        pick(host, REPORT, "table")
    with pytest.raises(
        UsageError,
        match=r"^--format 'page': expected table, json, jsonl, html, github, "
        r"markdown, sarif$",
    ):
        pick(host, AUDIT, "page")
    with pytest.raises(
        UsageError, match=r"^--format 'page': provenance check writes text, json, sarif, github$"
    ):
        pick(host, CHECK, "page")
    with pytest.raises(
        UsageError,
        match=r"^--format html writes a folder of pages \(index.html and one report "
        r"per article and source\): give it with --output DIR$",
    ):
        pick(host, AUDIT, "html", Path("-"))
    assert (
        pick(host, AUDIT, "html", Path("site")).name == "html" and pick(host, REPORT, "page").name == "page"
    )


def test_a_renderer_that_renders_nothing_is_refused_when_registered():
    with pytest.raises(PluginError, match="registered a renderer without render"):
        make_host(plugin(Nothing()))


def test_render_refuses_what_pick_would_have():
    with pytest.raises(TypeError):
        render(PageOnly(), [])


def test_a_renderer_of_reports_only_is_a_compare_format_only(tmp_path, examples, audit_index):
    """The rule docs/plugins/hooks.md states: audit and check do not offer it, and say what they offer."""
    art = str(examples / "scraped-copy.html")
    ok = run_cli(
        ["compare", str(examples / "wire-story.txt"), art, "--format", "page"], plugins=[plugin(PageOnly())]
    )
    assert ok.exit_code == 0 and ok.stdout == "<p>copy</p>\n"
    audit = run_cli(["audit", str(audit_index), art, "--format", "page"], plugins=[plugin(PageOnly())])
    assert audit.exit_code == 2 and audit.stdout == ""
    assert audit.stderr == (
        "provenance: error: --format 'page': expected table, json, jsonl, html, github, markdown, sarif\n"
    )
    check = run_cli(
        ["check", art, "--index", str(audit_index), "--fail-on", "copy>0.3", "--format", "page"],
        plugins=[plugin(PageOnly())],
    )
    assert check.exit_code == 2
    assert (
        check.stderr
        == "provenance: error: --format 'page': provenance check writes text, json, sarif, github\n"
    )


def test_the_documented_csv_renderer_takes_part_in_audit_but_not_check(examples, audit_index):
    *_, renderer = _modules("hooks.md")[:3]
    arts = [str(examples / n) for n in ("scraped-copy.html", "independent-report.txt")]
    r = run_cli(["audit", str(audit_index), *arts, "--format", "csv"], plugins=[renderer])
    assert r.exit_code == 0, r.stderr
    rows = r.stdout.splitlines()
    assert rows[0] == "article,verdict,copy,rewrite,added,sources" and len(rows) == 3
    assert rows[1].startswith(f"{arts[0]},copy,") and rows[1].endswith(str(examples / "wire-story.txt"))
    refused = run_cli(
        ["check", *arts, "--index", str(audit_index), "--fail-on", "copy>0.3", "--format", "csv"],
        plugins=[renderer],
    )
    assert refused.exit_code == 2 and "provenance check writes text, json, sarif, github" in refused.stderr


def test_a_plugin_folder_goes_through_the_same_writer(tmp_path, examples, audit_index):
    out = tmp_path / "notes"
    arts = [str(examples / n) for n in ("scraped-copy.html", "independent-report.txt")]
    r = run_cli(
        ["audit", str(audit_index), *arts, "--format", "notes", "-o", str(out)], plugins=[plugin(Notes())]
    )
    assert r.exit_code == 0, r.stderr
    assert r.stdout == "" and r.stderr == f"provenance: wrote {out}/README and 2 note(s)\n"
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*")) == [
        ".ours",
        "README",
        "articles",
        "articles/0.txt",
        "articles/1.txt",
    ]
    assert (out / "articles" / "0.txt").read_text() == f"{arts[0]}: copy\n"
    again = run_cli(
        ["audit", str(audit_index), arts[1], "--format", "notes", "-o", str(out)], plugins=[plugin(Notes())]
    )
    assert again.exit_code == 0 and not (out / "articles" / "1.txt").exists()  # replaced whole
    (tmp_path / "file").write_text("x")
    r = run_cli(
        ["audit", str(audit_index), arts[1], "--format", "notes", "-o", str(tmp_path / "file")],
        plugins=[plugin(Notes())],
    )
    assert r.exit_code == 2 and "a notes folder is a folder of pages, and this is a file" in r.stderr
    r = run_cli(["audit", str(audit_index), arts[1], "--format", "notes"], plugins=[plugin(Notes())])
    assert (
        r.exit_code == 2
        and r.stderr
        == "provenance: error: --format notes writes a folder of notes: give it with --output DIR\n"
    )


def test_a_folder_file_may_not_climb_out(tmp_path):
    from provenance.cli.io import write_folder

    folder = Folder([("../escaped.txt", "x")], entry="index", marker="m", noun="file", what="a folder")
    with pytest.raises(ValueError, match="not a path inside it"):
        write_folder(folder, tmp_path / "out")
    assert not (tmp_path / "escaped.txt").exists() and list(tmp_path.iterdir()) == []


def test_check_outputs_are_the_built_in_renderers_of_the_run(newsroom):  # noqa: F811
    """The command writes what each renderer makes of the CheckRun; SARIF is one log built from the policy results
    and the very results a report's own log holds, serialised once."""
    CAPTURED.clear()
    args = [
        "check",
        str(newsroom / "articles"),
        "--index",
        str(newsroom / "index.db"),
        "--fail-on",
        "copy>0.3",
    ]
    assert run_cli([*args, "--format", "capture"], plugins=[plugin(Capture())]).exit_code == 1
    (run,) = CAPTURED
    assert run.failed and list(run.reports())
    for fmt, renderer in (
        ("text", TextRenderer()),
        ("json", JsonRenderer()),
        ("sarif", SarifRenderer()),
        ("github", GithubRenderer()),
    ):
        assert run_cli([*args, "--format", fmt]).stdout == renderer.render_check(run), fmt
    log = check_log(run)
    (body,) = log["runs"]
    assert body["tool"]["driver"]["rules"][-1] == POLICY_RULE
    expected = [policy_result(o, 2) for o in run.failed] + [x for _, r in run.reports() for x in results(r)]
    assert body["results"] == expected
    assert json.loads(SarifRenderer().render_check(run)) == log
