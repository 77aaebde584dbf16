"""SARIF 2.1.0: what code-review tools (GitHub code scanning, VS Code's SARIF viewer) show inline. One result per
copied paragraph (`provenance/copy`, a warning) and per rewritten one (`provenance/rewrite`, a note), located on
the derived file's lines, with the source paragraphs as related locations. Added text and boilerplate are not
findings: they are what a reviewer needs no alert for.

Deterministic (same input, same bytes) and with a `partialFingerprints` entry made of the relation and the
paragraph's words, so an alert survives lines moving above it and code scanning does not open it twice."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from typing import Any
from urllib.parse import quote

from .._version import __version__
from ..hookspecs import hookimpl
from ..model import Report
from .github import describe

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
RULES: dict[str, dict[str, Any]] = {
    "copy": {
        "id": "provenance/copy", "name": "CopiedParagraph",
        "shortDescription": {"text": "A paragraph copied from the source"},
        "fullDescription": {"text": "Most of the paragraph's words sit in long runs shared with one source "
                                    "paragraph: it was copied, possibly with light edits."},
        "help": {"text": "Credit the source, quote it, or rewrite the paragraph; a licensed source can be "
                         "allowed in the policy file ([tool.provenance] allow)."},
        "defaultConfiguration": {"level": "warning"},
    },
    "rewrite": {
        "id": "provenance/rewrite", "name": "RewrittenParagraph",
        "shortDescription": {"text": "A paragraph rewritten from the source"},
        "fullDescription": {"text": "The paragraph keeps the source's content (rarity-weighted content words, "
                                    "sentence by sentence) while changing its wording: a paraphrase, merge or "
                                    "split."},
        "help": {"text": "Check that the source is credited; rewritten reporting is still derived."},
        "defaultConfiguration": {"level": "note"},
    },
}


def uri(path: str) -> str:
    """A path as given, as a URI reference: forward slashes, everything unsafe percent-encoded."""
    return quote(path.replace("\\", "/"), safe="/-._~!$&'()*+,;=@")


def fingerprint(relation: str, text: str) -> str:
    words = " ".join(text.split()).lower()
    return hashlib.sha256(f"{relation}\0{words}".encode()).hexdigest()[:32]


def results(report: Report) -> list[dict[str, Any]]:
    out = []
    for p in report.paragraphs:
        rule = RULES.get(p.relation)
        if rule is None:
            continue
        region: dict[str, int] = {"startLine": p.start_line or 1}
        if p.end_line is not None and p.start_line is not None:
            region["endLine"] = max(p.end_line, p.start_line)
        related = [{"id": n + 1, "message": {"text": f"source paragraph {i}"},
                    "physicalLocation": {"artifactLocation": {"uri": uri(report.source)}}}
                   for n, i in enumerate(p.sources)]
        result: dict[str, Any] = {
            "ruleId": rule["id"],
            "level": rule["defaultConfiguration"]["level"],
            "message": {"text": describe(p, report)},
            "locations": [{"physicalLocation": {"artifactLocation": {"uri": uri(report.derived)},
                                                "region": region}}],
            "partialFingerprints": {"provenanceParagraph/v1": fingerprint(p.relation, p.text)},
            "properties": {"paragraph": p.index, "score": round(p.score, 4), "sources": list(p.sources),
                           "source": report.source, "verdict": report.verdict},
        }
        if related:
            result["relatedLocations"] = related
        out.append(result)
    return out


def log(runs_results: list[dict[str, Any]]) -> dict[str, Any]:
    """One log, one run: the tool with both rules, and the results given."""
    driver = {"name": "text-provenance", "version": __version__, "semanticVersion": __version__,
              "rules": [RULES["copy"], RULES["rewrite"]]}
    return {"$schema": SCHEMA_URI, "version": "2.1.0",
            "runs": [{"tool": {"driver": driver}, "columnKind": "unicodeCodePoints", "results": runs_results}]}


def dumps(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


class SarifRenderer:
    name = "sarif"
    media_type = "application/sarif+json"
    suffix = ".sarif"
    description = "SARIF 2.1.0 for code review tools: copied and rewritten paragraphs on the derived file's lines"

    def render(self, report: Report, *, color: bool = False) -> str:
        return dumps(log(results(report)))

    def render_audit(self, audited: Sequence[Any]) -> str:
        """One log for the whole audit: each article's results against each source it draws on."""
        return dumps(log([res for r in audited for doc in r.sources if doc in r.reports
                          for res in results(r.reports[doc])]))


@hookimpl
def register_renderers(register) -> None:
    register(SarifRenderer())
