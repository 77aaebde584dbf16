"""Commentary: material the derived article adds. A paragraph is added when too little of its content can be traced
to the source; the finding says how little, and which source paragraph came closest, so the call can be checked."""

from __future__ import annotations

from collections.abc import Iterator

from provenance.detectors.context import DetectionContext
from provenance.detectors.decisions import INDEPENDENT_ARTICLE
from provenance.detectors.evidence import evidence_for
from provenance.hookspecs import hookimpl
from provenance.model import Finding


class CommentaryDetector:
    name = "commentary"
    relation = "added"
    description = "material in the derived article that cannot be traced to the source"

    def detect(self, ctx: DetectionContext) -> Iterator[Finding]:
        for a in ctx.aligned:
            decision = ctx.decision(a)
            if decision.rewrite:
                continue
            closest = f"; closest source paragraph {a.sources[0]}" if a.sources else ""
            if (
                decision.reason == INDEPENDENT_ARTICLE and a.sources and a.content > 0
            ):  # one event's shared facts
                message = (
                    f"{a.content:.0%} of the content is also in the source{closest}, but {INDEPENDENT_ARTICLE}: "
                    "what the two share is the event's facts"
                )
            else:
                if decision.reason and decision.reason != INDEPENDENT_ARTICLE:  # a scorer overruled the words
                    closest += f" ({decision.reason})"
                message = f"only {a.content:.0%} of the content can be traced to the source{closest}"
            yield Finding(
                detector=self.name,
                paragraph=a.index,
                relation="added",
                score=1.0 - a.content,
                sources=(),
                evidence=evidence_for(a, decision),
                message=message,
            )


@hookimpl
def register_detectors(register) -> None:
    register(CommentaryDetector())
