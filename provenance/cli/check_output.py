"""What `provenance check` writes: one line per offending article (text), the whole run as JSON
(`text-provenance/check/1`), SARIF for code scanning, GitHub workflow commands, or a renderer plugin's format.

`sarif` and `github` always work: check writes its own results, one per failing article stating the policy it
fails (a SARIF `provenance/policy` result on the article's first line; an `::error` command). When a renderer of
that name is installed, its output for each report behind the failures (each failing article against each
unlicensed source it reuses: `CheckRun.reports()`) is merged in: SARIF results into the same run, rules merged;
GitHub lines after the policy's.

The hook for any other renderer: it is offered for check runs when it has `render_check(run: CheckRun) -> str`
(it renders the run itself) or `combine(outputs: list[str]) -> str` (it combines its own per-report outputs).
A renderer of a combined format may have either too, and then it decides alone.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from provenance.errors import UsageError
from provenance.model import Report
from provenance.policy.evaluate import ArticleOutcome, Policy

SCHEMA = "text-provenance/check/1"
BUILT_IN = ("text", "json", "sarif", "github")


@dataclass(frozen=True, slots=True)
class CheckRun:
    index: str
    policy: Policy
    settings: dict[str, Any]  # where the policy came from and the engine settings in effect
    outcomes: tuple[ArticleOutcome, ...]
    errors: tuple[str, ...]  # articles that could not be read

    @property
    def failed(self) -> tuple[ArticleOutcome, ...]:
        return tuple(o for o in self.outcomes if not o.passed)

    def reports(self) -> Iterator[tuple[ArticleOutcome, Report]]:
        """Each failing article's comparison with each unlicensed source it reuses, most reused first."""
        for o in self.failed:
            for use in o.sources:
                if use.licensed_by is None and use.words:
                    yield o, o.result.reports[use.id]

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema": SCHEMA,
            "passed": not self.failed and not self.errors,
            "index": self.index,
            "policy": {"fail_on": [{"expression": t.text, "origin": t.origin} for t in self.policy.fail_on],
                       "allow": self.policy.allow.to_dict(), **self.settings},
            "summary": {"articles": len(self.outcomes), "failed": len(self.failed), "unreadable": len(self.errors)},
            "articles": [o.to_dict() for o in self.outcomes],
            "errors": list(self.errors),
        }


def formats(host: Any) -> tuple[str, ...]:
    """The built-in formats, then the renderers' formats that can describe a whole run (see the docstring)."""
    return BUILT_IN + tuple(sorted(n for n, r in host.renderers().items() if n not in BUILT_IN and (
        hasattr(r, "render_check") or hasattr(r, "combine"))))


def check_format(fmt: str, host: Any) -> None:
    """Refuse an unknown format before any work is done."""
    if fmt not in formats(host):
        raise UsageError(f"--format {fmt!r}: provenance check writes {', '.join(formats(host))}")


def render(run: CheckRun, fmt: str, host: Any) -> str:
    if fmt == "text":
        return "".join(o.line() + "\n" for o in run.failed)
    if fmt == "json":
        return json.dumps(run.to_dict(), ensure_ascii=False, indent=2) + "\n"
    renderer = host.renderers().get(fmt)
    if renderer is not None and hasattr(renderer, "render_check"):
        return str(renderer.render_check(run))
    outputs = [str(renderer.render(report, color=False)) for _, report in run.reports()] if renderer else []
    if renderer is not None and hasattr(renderer, "combine"):
        return str(renderer.combine(outputs))
    if fmt == "sarif":
        return combine_sarif(run, outputs)
    return "".join(f"::error file={_escape(o.path, True)},line=1,title=provenance policy::{_escape(o.line())}\n"
                   for o in run.failed) + "".join(outputs)  # github


SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
POLICY_RULE = {"id": "provenance/policy", "name": "ProvenancePolicy",
               "shortDescription": {"text": "The article fails the repository's provenance policy"},
               "fullDescription": {"text": "The article reuses an unlicensed source past a --fail-on threshold of "
                                           "the policy ([tool.provenance] fail-on, or the command line)."},
               "help": {"text": "Credit or rewrite the reused paragraphs (the other results show which), or, if "
                                "the source is licensed, allow it in the policy file ([tool.provenance] allow)."},
               "defaultConfiguration": {"level": "error"}}


def combine_sarif(run: CheckRun, outputs: list[str]) -> str:
    """One SARIF 2.1.0 log for the run: every report's results in one run, plus one policy result per failing
    article (code scanning shows it on the article's first line). Valid, and empty, when nothing fails, so an
    upload clears the alerts of articles that now pass.

    Rules are merged by id, in order of first appearance, so a `ruleIndex` given by a renderer may point at
    another rule in the merged list: each is recomputed from the rule's id."""
    from provenance._version import __version__
    from provenance.renderers.sarif import uri

    logs = [json.loads(o) for o in outputs]
    runs = [r for log in logs for r in log.get("runs", [])]
    base = dict(runs[0]) if runs else {"tool": {"driver": {"name": "text-provenance", "version": __version__}}}
    driver = dict(base.get("tool", {}).get("driver", {}))
    rules = {r["id"]: r for other in runs for r in other.get("tool", {}).get("driver", {}).get("rules", [])}
    rules.setdefault(POLICY_RULE["id"], POLICY_RULE)
    driver["rules"] = list(rules.values())
    base["tool"] = {**base.get("tool", {}), "driver": driver}
    position = {rule_id: i for i, rule_id in enumerate(rules)}
    policy = [{"ruleId": POLICY_RULE["id"], "ruleIndex": position[POLICY_RULE["id"]], "level": "error",
               "message": {"text": o.line()},
               "locations": [{"physicalLocation": {"artifactLocation": {"uri": uri(o.path)},
                                                   "region": {"startLine": 1}}}]} for o in run.failed]
    base["results"] = policy + [_reindexed(res, other, position) for other in runs for res in other.get("results", [])]
    log = {"$schema": logs[0].get("$schema", SARIF_SCHEMA) if logs else SARIF_SCHEMA, "version": "2.1.0",
           "runs": [base]}
    return json.dumps(log, ensure_ascii=False, indent=2) + "\n"


def _reindexed(result: dict[str, Any], run: dict[str, Any], position: dict[str, int]) -> dict[str, Any]:
    """A result whose rule references (`ruleIndex`, `rule.index`) point into the merged rule list."""
    own = [r.get("id") for r in run.get("tool", {}).get("driver", {}).get("rules", [])]
    rule_id = result.get("ruleId") or (result.get("rule") or {}).get("id")
    index = result.get("ruleIndex", (result.get("rule") or {}).get("index"))
    if rule_id is None and isinstance(index, int) and 0 <= index < len(own):
        rule_id = own[index]
    if "ruleIndex" not in result and "index" not in (result.get("rule") or {}):
        return result
    if "toolComponent" in (result.get("rule") or {}):  # a rule of an extension: its index is not the driver's
        return result
    out = {k: v for k, v in result.items() if k != "ruleIndex"}
    new = position.get(rule_id) if rule_id is not None else None
    if new is not None:
        out["ruleId"] = rule_id
        out["ruleIndex"] = new
    if "rule" in out:
        ref = {k: v for k, v in out["rule"].items() if k != "index"}
        if new is not None:
            ref["index"] = new
        out["rule"] = ref
    return out


def _escape(text: str, prop: bool = False) -> str:
    from provenance.renderers.github import escape_data, escape_property

    return escape_property(text) if prop else escape_data(text)
