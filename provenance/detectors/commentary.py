"""Commentary: material the derived article adds. A paragraph is added when too little of its content can be traced
to the source; the finding says how little, and which source paragraph came closest, so the call can be checked."""

from __future__ import annotations

from collections.abc import Iterator

from provenance.detectors.context import DetectionContext
from provenance.detectors.decisions import decide
from provenance.detectors.evidence import evidence_for
from provenance.hookspecs import hookimpl
from provenance.model import Finding
from provenance.rules import REWRITE_THRESHOLD, REWRITE_TRACED


class CommentaryDetector:
    name = "commentary"
    relation = "added"
    description = "material in the derived article that cannot be traced to the source"

    def detect(self, ctx: DetectionContext) -> Iterator[Finding]:
        threshold = ctx.option("rewrite.threshold", REWRITE_THRESHOLD)
        traced_threshold = ctx.option("rewrite.traced_threshold", REWRITE_TRACED)
        for a in ctx.aligned:
            decision = decide(a, threshold, traced_threshold)
            if decision.rewrite:
                continue
            closest = f"; closest source paragraph {a.sources[0]}" if a.sources else ""
            if decision.reason:  # a scorer overruled the words
                closest += f" ({decision.reason})"
            yield Finding(
                detector=self.name,
                paragraph=a.index,
                relation="added",
                score=1.0 - a.content,
                sources=(),
                evidence=evidence_for(a, decision),
                message=f"only {a.content:.0%} of the content can be traced to the source{closest}",
            )


@hookimpl
def register_detectors(register) -> None:
    register(CommentaryDetector())
