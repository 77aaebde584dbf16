"""`provenance check --format X` for report formats that renderer plugins provide: a renderer's own
`render_check`, else its output for each report behind the failures, combined (one SARIF log; GitHub workflow
commands). Fake renderers stand in for any renderer that follows the documented protocol."""

from __future__ import annotations

import json
import types

from test_check import WIRE_ID, _away_from_the_repository, newsroom  # noqa: F401  (fixtures)

from provenance import hookimpl
from provenance.testing import run_cli


class FakeSarif:
    """One result per copied paragraph, like a per-report SARIF renderer would give."""

    name = "sarif"
    media_type = "application/sarif+json"
    suffix = ".sarif"

    def render(self, report, *, color=False):
        results = [{"ruleId": "provenance/copy", "ruleIndex": 0, "message": {"text": f"copied from {report.source}"},
                    "locations": [{"physicalLocation": {"artifactLocation": {"uri": report.derived}}}]}
                   for p in report.paragraphs if p.relation == "copy"]
        return json.dumps({"version": "2.1.0", "runs": [{"tool": {"driver": {
            "name": "text-provenance", "rules": [{"id": "provenance/copy"}]}}, "results": results}]})


class FakeGithub:
    name = "github"
    media_type = "text/plain"
    suffix = ".txt"

    def render(self, report, *, color=False):
        return f"::warning file={report.derived}::{report.verdict} of {report.source}\n"


class WholeRun:
    name = "digest"
    media_type = "text/plain"
    suffix = ".txt"

    def render(self, report, *, color=False):
        raise AssertionError("render_check should be used for a check run")

    def render_check(self, run):
        return f"{len(run.outcomes)} checked, {len(run.failed)} failed\n"


class PageOnly:
    name = "page"
    media_type = "text/html"
    suffix = ".html"

    def render(self, report, *, color=False):
        return "<html></html>"


def plugin(*renderers) -> types.ModuleType:
    mod = types.ModuleType("fake_renderers")

    def register_renderers(register):
        for r in renderers:
            register(r)

    mod.register_renderers = hookimpl(register_renderers)
    return mod


# The built-in sarif and github renderers are switched off, as a user replacing them with a plugin's would.
WITHOUT_BUILT_INS = ("--disable", "sarif-report", "--disable", "github-report")


def check(root, *args, plugins=()):
    return run_cli(["check", str(root / "articles"), "--index", str(root / "index.db"), "--fail-on", "copy>0.3",
                    *WITHOUT_BUILT_INS, *args], plugins=plugins)


def test_sarif_is_one_log_with_a_policy_result_per_failing_article(newsroom):
    text = check(newsroom)
    offending = text.stdout.splitlines()
    assert offending
    r = check(newsroom, "--format", "sarif", plugins=[plugin(FakeSarif())])
    assert r.exit_code == 1
    log = json.loads(r.stdout)
    assert log["version"] == "2.1.0" and len(log["runs"]) == 1
    run = log["runs"][0]
    assert [rule["id"] for rule in run["tool"]["driver"]["rules"]] == ["provenance/copy", "provenance/policy"]
    policy = [res for res in run["results"] if res["ruleId"] == "provenance/policy"]
    assert [res["message"]["text"] for res in policy] == offending
    failing = {line.split(": verdict")[0] for line in offending}
    copies = [res for res in run["results"] if res["ruleId"] == "provenance/copy"]
    assert copies and {c["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for c in copies} == failing
    assert all(c["message"]["text"] == f"copied from {WIRE_ID}" for c in copies)


def test_sarif_without_failures_is_valid_and_empty(newsroom):
    r = check(newsroom, "--format", "sarif", "--allow", "id:wire/*", plugins=[plugin(FakeSarif())])
    assert r.exit_code == 0, r.stderr
    log = json.loads(r.stdout)
    assert log["version"] == "2.1.0" and log["runs"][0]["results"] == []


def test_github_annotations_lead_with_the_policy(newsroom):
    offending = check(newsroom).stdout.splitlines()
    r = check(newsroom, "--format", "github", plugins=[plugin(FakeGithub())])
    assert r.exit_code == 1
    lines = r.stdout.splitlines()
    errors = [line for line in lines if line.startswith("::error ")]
    assert len(errors) == len(offending)
    for line, text in zip(errors, offending):
        path = text.split(": verdict")[0]
        assert line.startswith(f"::error file={path},line=1,") and line.endswith("::" + text)
    assert len([line for line in lines if line.startswith("::warning ")]) == len(offending)
    assert r.stderr.count(": verdict ") == len(offending)  # not text on stdout: the lines go to the log too


def test_a_renderer_for_check_runs_renders_the_run(newsroom):
    offending = check(newsroom).stdout.splitlines()
    r = check(newsroom, "--format", "digest", plugins=[plugin(WholeRun())])
    assert r.exit_code == 1 and r.stdout == f"3 checked, {len(offending)} failed\n"


def test_a_renderer_for_single_reports_only_is_not_offered(newsroom):
    r = check(newsroom, "--format", "page", plugins=[plugin(PageOnly(), WholeRun())])
    assert r.exit_code == 2
    assert "--format 'page': provenance check writes text, json, sarif, github, digest" in r.stderr


def test_sarif_and_github_without_renderers_state_the_policy(newsroom):
    """Check's own results need no renderer (here the built-in ones are switched off): the GitHub Action's SARIF
    upload works with the core alone."""
    offending = check(newsroom).stdout.splitlines()
    r = check(newsroom, "--format", "sarif")
    assert r.exit_code == 1
    (run,) = json.loads(r.stdout)["runs"]
    assert run["tool"]["driver"]["name"] == "text-provenance"
    assert [rule["id"] for rule in run["tool"]["driver"]["rules"]] == ["provenance/policy"]
    assert [res["message"]["text"] for res in run["results"]] == offending
    for res, line in zip(run["results"], offending):
        location = res["locations"][0]["physicalLocation"]
        assert location["artifactLocation"]["uri"] == line.split(": verdict")[0]
        assert location["region"]["startLine"] == 1 and res["level"] == "error"
    r = check(newsroom, "--format", "github")
    assert r.exit_code == 1 and len(r.stdout.splitlines()) == len(offending)
    assert all(line.startswith("::error file=") for line in r.stdout.splitlines())
