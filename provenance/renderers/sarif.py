"""SARIF 2.1.0: what code-review tools (GitHub code scanning, VS Code's SARIF viewer) show inline. One result per
copied paragraph (`provenance/copy`, a warning) and per rewritten one (`provenance/rewrite`, a note), located on
the derived file's lines, with the source paragraphs as related locations. Added text and boilerplate are not
findings: they are what a reviewer needs no alert for.

An audit is one log with every article's results against each source it draws on. A check run is one log too:
a `provenance/policy` error per failing article (on its first line), then the results of each report behind the
failures. Logs are built as data and serialised once.

Deterministic (same input, same bytes). Paragraph results carry no `ruleIndex`, so merging them never points one at
the wrong rule. Each result has a `partialFingerprints` entry made of the relation, the source and the paragraph's
words (with a counter for repeated paragraphs), so an alert survives lines moving above it and code scanning does
not open it twice."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from provenance._version import __version__
from provenance.hookspecs import hookimpl
from provenance.model import AuditResult, Report
from provenance.renderers.github import describe
from provenance.renderers.refs import ref, source_lines

if TYPE_CHECKING:
    from provenance.policy.evaluate import ArticleOutcome, CheckRun

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
FINGERPRINT = "provenanceParagraph/v1"
RULES: dict[str, dict[str, Any]] = {
    "copy": {
        "id": "provenance/copy",
        "name": "CopiedParagraph",
        "shortDescription": {"text": "A paragraph copied from the source"},
        "fullDescription": {
            "text": "Most of the paragraph's words sit in long runs shared with one source "
            "paragraph: it was copied, possibly with light edits."
        },
        "help": {
            "text": "Credit the source, quote it, or rewrite the paragraph; a licensed source can be "
            "allowed in the policy file ([tool.provenance] allow)."
        },
        "defaultConfiguration": {"level": "warning"},
    },
    "rewrite": {
        "id": "provenance/rewrite",
        "name": "RewrittenParagraph",
        "shortDescription": {"text": "A paragraph rewritten from the source"},
        "fullDescription": {
            "text": "The paragraph keeps the source's content (rarity-weighted content words, "
            "sentence by sentence) while changing its wording: a paraphrase, merge or "
            "split."
        },
        "help": {"text": "Check that the source is credited; rewritten reporting is still derived."},
        "defaultConfiguration": {"level": "note"},
    },
}
POLICY_RULE: dict[str, Any] = {
    "id": "provenance/policy",
    "name": "ProvenancePolicy",
    "shortDescription": {"text": "The article fails the repository's provenance policy"},
    "fullDescription": {
        "text": "The article reuses an unlicensed source past a --fail-on threshold of the policy "
        "([tool.provenance] fail-on, or the command line)."
    },
    "help": {
        "text": "Credit or rewrite the reused paragraphs (the other results show which), or, if the source "
        "is licensed, allow it in the policy file ([tool.provenance] allow)."
    },
    "defaultConfiguration": {"level": "error"},
}


def uri(path: str) -> str:
    """A path as given, as a URI reference: forward slashes, everything unsafe percent-encoded (a `:` too, so a
    first segment such as `notes:1.txt` is not read as a URI scheme)."""
    return quote(path.replace("\\", "/"), safe="/-._~!$&'()*+,;=@")


def is_file(name: str) -> bool:
    """Whether a report's name for an article is a path. Articles read from standard input or handed over as text
    are named `<stdin>`, `<text>`, `<bytes>`: no URI can locate them."""
    return not (name.startswith("<") and name.endswith(">"))


def artifact(name: str) -> dict[str, Any]:
    """An artifactLocation: the URI of a file, or for standard input (which has none) only a description."""
    if is_file(name):
        return {"uri": uri(name)}
    return {"description": {"text": f"{name}: not a file, so no location can be given"}}


def fingerprint(relation: str, source: str, text: str, occurrence: int) -> str:
    import hashlib  # (here: loading OpenSSL is about 3 ms of a cold run in any other format)

    words = " ".join(text.split()).lower()
    return hashlib.sha256(f"{relation}\0{source}\0{words}\0{occurrence}".encode()).hexdigest()[:32]


def related_location(report: Report, n: int, index: int, lines: dict[int, int | None]) -> dict[str, Any]:
    """A source paragraph the result draws on, with its line in the source file when the source had lines."""
    location: dict[str, Any] = {"artifactLocation": artifact(report.source)}
    if lines.get(index) is not None:
        location["region"] = {"startLine": lines[index]}
    return {
        "id": n,
        "message": {"text": f"source paragraph {ref(index, lines.get(index))}"},
        "physicalLocation": location,
    }


def results(report: Report) -> list[dict[str, Any]]:
    lines = source_lines(report)
    out = []
    seen: Counter[tuple[str, str]] = Counter()
    for p in report.paragraphs:
        rule = RULES.get(p.relation)
        if rule is None:
            continue
        key = (p.relation, " ".join(p.text.split()).lower())
        occurrence = seen[key]
        seen[key] += 1
        # Code scanning needs a start line; an HTML page's paragraphs have none after extraction, so they sit on
        # line 1 and say so in their properties.
        region: dict[str, int] = {"startLine": p.start_line or 1}
        if p.end_line is not None and p.start_line is not None:
            region["endLine"] = max(p.end_line, p.start_line)
        related = [related_location(report, n + 1, i, lines) for n, i in enumerate(p.sources)]
        properties: dict[str, Any] = {
            "paragraph": p.index,
            "score": round(p.score, 4),
            "sources": list(p.sources),
            "source": report.source,
            "verdict": report.verdict,
        }
        if p.start_line is None:
            properties["linesKnown"] = False
        result: dict[str, Any] = {
            "ruleId": rule["id"],
            "level": rule["defaultConfiguration"]["level"],
            "message": {"text": describe(p, report)},
            "locations": [
                {"physicalLocation": {"artifactLocation": artifact(report.derived), "region": region}}
            ],
            "partialFingerprints": {FINGERPRINT: fingerprint(p.relation, report.source, p.text, occurrence)},
            "properties": properties,
        }
        if related:
            result["relatedLocations"] = related
        out.append(result)
    return out


def driver() -> dict[str, Any]:
    return {
        "name": "text-provenance",
        "version": __version__,
        "semanticVersion": __version__,
        "rules": [RULES["copy"], RULES["rewrite"]],
    }


def log(runs_results: list[dict[str, Any]]) -> dict[str, Any]:
    """One log, one run: the tool with both rules, and the results given."""
    return {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [{"tool": {"driver": driver()}, "columnKind": "unicodeCodePoints", "results": runs_results}],
    }


def policy_result(outcome: ArticleOutcome, rule_index: int) -> dict[str, Any]:
    """A failing article as an error on its first line, with the line the policy prints for it."""
    return {
        "ruleId": POLICY_RULE["id"],
        "ruleIndex": rule_index,
        "level": "error",
        "message": {"text": outcome.line()},
        "locations": [
            {"physicalLocation": {"artifactLocation": {"uri": uri(outcome.path)}, "region": {"startLine": 1}}}
        ],
    }


def check_run(reports: Sequence[Report]) -> dict[str, Any]:
    """The run of a check log before its results: both paragraph rules and the policy's when there are reports
    behind the failures; with none, the tool and the policy rule only. Valid either way, so an upload of a check
    that passes clears the alerts of articles that now pass."""
    if reports:
        tool = {**driver(), "rules": [RULES["copy"], RULES["rewrite"], POLICY_RULE]}
        return {"tool": {"driver": tool}, "columnKind": "unicodeCodePoints"}
    return {"tool": {"driver": {"name": "text-provenance", "version": __version__, "rules": [POLICY_RULE]}}}


def check_log(
    run: CheckRun, results_of: Callable[[Report], list[dict[str, Any]]] = results
) -> dict[str, Any]:
    """One log for a check run: a policy error per failing article, then each report's results (`results_of`:
    a renderer plugin may give its own)."""
    reports = [report for _, report in run.reports()]
    body = check_run(reports)
    policy_index = len(body["tool"]["driver"]["rules"]) - 1
    body["results"] = [policy_result(o, policy_index) for o in run.failed] + [
        res for report in reports for res in results_of(report)
    ]
    return {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [body]}


def dumps(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


class SarifRenderer:
    name = "sarif"
    media_type = "application/sarif+json"
    suffix = ".sarif"
    description = (
        "SARIF 2.1.0 for code review tools: copied and rewritten paragraphs on the derived file's lines"
    )

    def render(self, report: Report, *, color: bool = False) -> str:
        return dumps(log(results(report)))

    def render_audit(self, audited: Sequence[AuditResult]) -> str:
        """One log for the whole audit: each article's results against each source it draws on."""
        return dumps(
            log(
                [
                    res
                    for r in audited
                    for doc in r.sources
                    if doc in r.reports
                    for res in results(r.reports[doc])
                ]
            )
        )

    def render_check(self, run: CheckRun) -> str:
        return dumps(check_log(run))


@hookimpl
def register_renderers(register) -> None:
    register(SarifRenderer())
