"""Rewrite: the content is kept while the wording changes. The source covers most of the paragraph's content words
(weighted by rarity), possibly from several source sentences (a merge), or the paragraph fills an unused gap of the
source between two aligned neighbours (the order of the articles). Verbatim quotes inside are listed as copied
quotes, so an editor can tell quoted speech from copied prose.

With scorer plugins (`register_scorers`), `decide` weighs their similarity signals against this lexical rule: it
finds heavy paraphrase the words miss and overrules rewrites that share words but not meaning, and the finding's
evidence names the signal that decided (`scorer`)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import ClassVar

from provenance.components import Option
from provenance.detectors.context import DetectionContext
from provenance.detectors.evidence import evidence_for
from provenance.hookspecs import hookimpl
from provenance.model import Finding
from provenance.rules import REWRITE_IN_DERIVED, REWRITE_THRESHOLD, REWRITE_TRACED


class RewriteDetector:
    name = "rewrite"
    relation = "rewrite"
    description = "content kept with changed wording, including merges, splits and order-inferred paraphrases"
    options: ClassVar[dict[str, Option]] = {
        "threshold": Option(
            REWRITE_THRESHOLD, float, "share of content traced to source sentences for a rewrite", 0.0, 1.0
        ),
        "derived_threshold": Option(
            REWRITE_IN_DERIVED,
            float,
            "the same share inside an article that derives from the source as a whole",
            0.0,
            1.0,
        ),
        "traced_threshold": Option(
            REWRITE_TRACED, float, "share of sentences traced one-to-one (3+ sentences)", 0.0, 1.0
        ),
    }

    def detect(self, ctx: DetectionContext) -> Iterator[Finding]:
        for a in ctx.aligned:
            decision = ctx.decision(a)
            if not decision.rewrite:
                continue
            copied = [q for q in a.quotes if q.copied]
            signal = a.signal(decision.scorer)
            sources = signal.sources if signal is not None and not a.sources else a.sources
            if a.translated is not None and ctx.alignment.languages is not None:
                src_lang, der_lang = ctx.alignment.languages
                placed = (
                    f"shares {', '.join(a.translated)}"
                    if a.translated
                    else "sits between translated paragraphs, in the source's order"
                )
                parts = [
                    f"translation ({src_lang} \u2192 {der_lang}) of source paragraph(s) "
                    + ", ".join(str(s) for s in sources)
                    + f": {placed}"
                ]
            elif signal is not None:
                parts = [f"{decision.reason}; source paragraph(s) " + ", ".join(str(s) for s in sources)]
            else:
                parts = [
                    f"{a.content:.0%} of the content is covered by source paragraph(s) "
                    + ", ".join(str(s) for s in a.sources)
                ]
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
                score=signal.score if signal is not None else a.content,
                sources=sources,
                evidence=evidence_for(a, decision),
                message="; ".join(parts),
            )


@hookimpl
def register_detectors(register) -> None:
    register(RewriteDetector())
