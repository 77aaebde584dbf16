"""`provenance check --format X`: the built-in text, json, sarif and github renderers render the whole run, and a
renderer plugin takes part only when it renders check runs (`render_check`). A renderer of single reports, even one
named `sarif` that replaces the built-in, is not offered: check never glues per-report outputs together. Fake
renderers stand in for any renderer that follows the documented protocol."""

from __future__ import annotations

import json
import types

from test_check import WIRE_ID, _away_from_the_repository, newsroom  # noqa: F401  (fixtures)

from provenance import hookimpl
from provenance.renderers.sarif import check_log, dumps
from provenance.testing import run_cli


class FakeSarif:
    """One result per copied paragraph, like a per-report SARIF renderer would give."""

    name = "sarif"
    media_type = "application/sarif+json"
    suffix = ".sarif"

    def results(self, report):
        return [
            {
                "ruleId": "provenance/copy",
                "message": {"text": f"copied from {report.source}"},
                "locations": [{"physicalLocation": {"artifactLocation": {"uri": report.derived}}}],
            }
            for p in report.paragraphs
            if p.relation == "copy"
        ]

    def render(self, report, *, color=False):
        return json.dumps(
            {
                "version": "2.1.0",
                "runs": [
                    {
                        "tool": {"driver": {"name": "text-provenance", "rules": [{"id": "provenance/copy"}]}},
                        "results": self.results(report),
                    }
                ],
            }
        )


class FakeSarifForChecks(FakeSarif):
    """The same renderer made to take part in check: the built-in check log as data, with its own results."""

    def render_check(self, run):
        return dumps(check_log(run, self.results))


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


# The built-in sarif and github renderers switched off, as a user replacing them with a plugin's would.
WITHOUT_BUILT_INS = ("--disable", "sarif-report", "--disable", "github-report")


def check(root, *args, plugins=()):
    return run_cli(
        ["check", str(root / "articles"), "--index", str(root / "index.db"), "--fail-on", "copy>0.3", *args],
        plugins=plugins,
    )


def test_sarif_is_one_log_with_a_policy_result_per_failing_article(newsroom):  # noqa: F811
    offending = check(newsroom).stdout.splitlines()
    assert offending
    r = check(newsroom, "--format", "sarif")
    assert r.exit_code == 1
    log = json.loads(r.stdout)
    assert log["version"] == "2.1.0" and len(log["runs"]) == 1
    run = log["runs"][0]
    rules = [rule["id"] for rule in run["tool"]["driver"]["rules"]]
    assert rules == ["provenance/copy", "provenance/rewrite", "provenance/policy"]
    policy = [res for res in run["results"] if res["ruleId"] == "provenance/policy"]
    assert [res["message"]["text"] for res in policy] == offending
    assert run["results"][: len(policy)] == policy  # the policy first, then the paragraphs behind it
    assert all(res["ruleIndex"] == 2 for res in policy)
    failing = {line.split(": verdict")[0] for line in offending}
    copies = [res for res in run["results"] if res["ruleId"] == "provenance/copy"]
    assert (
        copies
        and {c["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for c in copies} == failing
    )


def test_sarif_without_failures_is_valid_and_empty(newsroom):  # noqa: F811
    r = check(newsroom, "--format", "sarif", "--allow", "id:wire/*")
    assert r.exit_code == 0, r.stderr
    log = json.loads(r.stdout)
    assert log["version"] == "2.1.0" and log["runs"][0]["results"] == []


def test_sarif_with_failures_but_no_unlicensed_reuse_states_the_policy_only(newsroom):  # noqa: F811
    """Articles that reuse anything fail (`added<1`), but all reuse is licensed: no report stands behind the
    failures, so the log has the policy's rule and results only."""
    r = run_cli(
        [
            "check",
            str(newsroom / "articles"),
            "--index",
            str(newsroom / "index.db"),
            "--fail-on",
            "added<1",
            "--allow",
            "id:*",
            "--format",
            "sarif",
        ]
    )
    assert r.exit_code == 1, r.stderr
    (run,) = json.loads(r.stdout)["runs"]
    assert [rule["id"] for rule in run["tool"]["driver"]["rules"]] == ["provenance/policy"]
    assert run["results"] and {(res["ruleId"], res["ruleIndex"]) for res in run["results"]} == {
        ("provenance/policy", 0)
    }


def test_github_annotations_lead_with_the_policy(newsroom):  # noqa: F811
    offending = check(newsroom).stdout.splitlines()
    r = check(newsroom, "--format", "github")
    assert r.exit_code == 1
    lines = r.stdout.splitlines()
    errors = [line for line in lines if line.startswith("::error ")]
    assert lines[: len(errors)] == errors and len(errors) == len(offending)
    for line, text in zip(errors, offending):
        path = text.split(": verdict")[0]
        assert line.startswith(f"::error file={path},line=1,") and line.endswith("::" + text)
    assert any(line.startswith("::warning ") for line in lines)
    assert r.stderr.count(": verdict ") == len(offending)  # not text on stdout: the lines go to the log too


def test_a_renderer_for_check_runs_renders_the_run(newsroom):  # noqa: F811
    offending = check(newsroom).stdout.splitlines()
    r = check(newsroom, "--format", "digest", plugins=[plugin(WholeRun())])
    assert r.exit_code == 1 and r.stdout == f"3 checked, {len(offending)} failed\n"


def test_a_renderer_for_single_reports_only_is_not_offered(newsroom):  # noqa: F811
    r = check(newsroom, "--format", "page", plugins=[plugin(PageOnly(), WholeRun())])
    assert r.exit_code == 2
    assert "--format 'page': provenance check writes text, json, sarif, github, digest" in r.stderr


def test_a_plugin_sarif_for_single_reports_does_not_replace_the_check_log(newsroom):  # noqa: F811
    """With the built-ins switched off, a plugin's `sarif` renderer of reports only is not a check format, so
    check refuses it instead of gluing its per-report logs together; given `render_check`, it is used."""
    refused = check(newsroom, "--format", "sarif", *WITHOUT_BUILT_INS, plugins=[plugin(FakeSarif())])
    assert refused.exit_code == 2 and refused.stdout == ""
    assert refused.stderr == "provenance: error: --format 'sarif': provenance check writes text, json\n"
    offending = check(newsroom).stdout.splitlines()
    r = check(newsroom, "--format", "sarif", *WITHOUT_BUILT_INS, plugins=[plugin(FakeSarifForChecks())])
    assert r.exit_code == 1, r.stderr
    (run,) = json.loads(r.stdout)["runs"]
    assert [
        res["message"]["text"] for res in run["results"] if res["ruleId"] == "provenance/policy"
    ] == offending
    copies = [res for res in run["results"] if res["ruleId"] == "provenance/copy"]
    assert copies and all(c["message"]["text"] == f"copied from {WIRE_ID}" for c in copies)
