"""Rewrite: the content is kept while the wording changes. The source covers most of the paragraph's content words
(weighted by rarity), possibly from several source sentences (a merge), or the paragraph fills an unused gap of the
source between two aligned neighbours (the order of the articles). Verbatim quotes inside are listed as copied
quotes, so an editor can tell quoted speech from copied prose."""

from __future__ import annotations

from collections.abc import Iterator

from ..align import ParagraphAlignment
from ..hookspecs import hookimpl
from ..model import Finding
from ..options import Option
from .context import DetectionContext
from .evidence import evidence_for


def is_rewrite(a: ParagraphAlignment, threshold: float, traced_threshold: float) -> bool:
    """Enough content covered; or, in a paragraph of three or more sentences, most sentences each traced to one
    source sentence (a heavy paraphrase keeps the sentence plan while changing most words); or order evidence."""
    if not a.sources:
        return False
    if a.content >= threshold or a.order_inferred or a.wording >= 0.5:
        return True
    return a.sentences >= 3 and a.traced >= traced_threshold


class RewriteDetector:
    name = "rewrite"
    relation = "rewrite"
    description = "content kept with changed wording, including merges, splits and order-inferred paraphrases"
    options = {
        "threshold": Option(0.35, float, "share of content traced to source sentences for a rewrite", 0.0, 1.0),
        "traced_threshold": Option(0.66, float, "share of sentences traced one-to-one (3+ sentences)", 0.0, 1.0),
    }

    def detect(self, ctx: DetectionContext) -> Iterator[Finding]:
        threshold = ctx.option("rewrite.threshold")
        traced_threshold = ctx.option("rewrite.traced_threshold")
        for a in ctx.aligned:
            if not is_rewrite(a, threshold, traced_threshold):
                continue
            copied = [q for q in a.quotes if q.copied]
            parts = [f"{a.content:.0%} of the content is covered by source paragraph(s) "
                     + ", ".join(str(s) for s in a.sources)]
            if a.order_inferred:
                parts.append("placed where the source text it paraphrases was otherwise unused")
            if len({link.source_paragraph for link in a.links}) > 1:
                parts.append("merges several source paragraphs")
            if copied:
                parts.append(f"{len(copied)} quote(s) kept verbatim")
            yield Finding(
                detector=self.name,
                paragraph=a.index,
                relation="rewrite",
                score=a.content,
                sources=a.sources,
                evidence=evidence_for(a),
                message="; ".join(parts),
            )


@hookimpl
def register_detectors(register) -> None:
    register(RewriteDetector())
