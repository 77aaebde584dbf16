"""Rewrite: the content is kept while the wording changes. The source covers most of the paragraph's content words
(weighted by rarity), possibly from several source sentences (a merge), or the paragraph fills an unused gap of the
source between two aligned neighbours (the order of the articles). Verbatim quotes inside are listed as copied
quotes, so an editor can tell quoted speech from copied prose.

With scorer plugins (`register_scorers`), `decide` weighs their similarity signals against this lexical rule: it
finds heavy paraphrase the words miss and overrules rewrites that share words but not meaning, and the finding's
evidence names the signal that decided (`scorer`)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import ClassVar

from provenance.align.core import ParagraphAlignment, Signal
from provenance.hookspecs import hookimpl
from provenance.model import Finding
from provenance.policy.options import Option
from provenance.signals import CHAIN, SIGNAL_SUPPORT, STRONG_WORDING
from provenance.detectors.context import DetectionContext
from provenance.detectors.evidence import evidence_for


@dataclass(frozen=True, slots=True)
class Decision:
    """Whether a paragraph is a rewrite, and which signal decided: `lexical` (the built-in word evidence) or the
    name of the scorer plugin that changed the lexical call."""

    rewrite: bool
    scorer: str = "lexical"
    reason: str = ""


def derived_article(s: Signal) -> bool:
    """Whether the article as a whole retells the source: enough of its sentences match source sentences in the
    source's order (`Signal.chain`)."""
    return s.chain >= CHAIN


def decide(a: ParagraphAlignment, threshold: float, traced_threshold: float) -> Decision:
    """The lexical rule (`is_rewrite`), changed by a scorer's signal only where that evidence supports it.

    Meaning alone does not make a rewrite: two reports of one event state the same facts. So the bar a signal must
    clear depends on the article. Inside an article that retells the source in order (`derived_article`), a
    paragraph whose meaning does not contradict its source (the scorer's `context_threshold`) keeps or gains its
    rewrite label when it sits where the order expects it or shares some content; this finds the heavy paraphrase
    that words miss. Outside one, the meaning must be close (`threshold`), shared content must support it and the
    paragraph must bring no figure its matched source lacks; a lexical rewrite under that bar is overruled (shared
    names, figures and topic words, another text). Paragraphs whose wording is largely the source's are never
    overruled.
    """
    lexical = is_rewrite(a, threshold, traced_threshold)
    for s in a.signals:
        context = derived_article(s)
        bar = s.context_threshold if context else s.threshold
        where = f"article retells the source in order ({s.chain} sentences)" if context else \
            f"no ordered retelling of the source ({s.chain} sentences in order)"
        if lexical:
            if s.score < bar and a.wording < STRONG_WORDING:
                return Decision(False, s.scorer, f"{s.scorer} similarity {s.score:.2f} < {bar:.2f}, {where}: "
                                "the words are shared, the meaning is not close enough")
            continue
        if not s.sources or s.score < bar:
            continue
        if context and (s.in_order or a.content >= SIGNAL_SUPPORT):
            support = "placed by the order of the articles" if s.in_order else "with shared content"
        elif a.content >= SIGNAL_SUPPORT and not s.new_numbers:
            support = "with shared content and no new figures"
        else:
            continue
        return Decision(True, s.scorer, f"{s.scorer} similarity {s.score:.2f} >= {bar:.2f}, {where}, {support}")
    return Decision(lexical)


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
    options: ClassVar[dict[str, Option]] = {
        "threshold": Option(0.35, float, "share of content traced to source sentences for a rewrite", 0.0, 1.0),
        "traced_threshold": Option(0.66, float, "share of sentences traced one-to-one (3+ sentences)", 0.0, 1.0),
    }

    def detect(self, ctx: DetectionContext) -> Iterator[Finding]:
        threshold = ctx.option("rewrite.threshold")
        traced_threshold = ctx.option("rewrite.traced_threshold")
        for a in ctx.aligned:
            decision = decide(a, threshold, traced_threshold)
            if not decision.rewrite:
                continue
            copied = [q for q in a.quotes if q.copied]
            signal = a.signal(decision.scorer)
            sources = signal.sources if signal is not None and not a.sources else a.sources
            if signal is not None:
                parts = [f"{decision.reason}; source paragraph(s) " + ", ".join(str(s) for s in sources)]
            else:
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
                score=signal.score if signal is not None else a.content,
                sources=sources,
                evidence=evidence_for(a, decision),
                message="; ".join(parts),
            )


@hookimpl
def register_detectors(register) -> None:
    register(RewriteDetector())
