"""The built-in rules that label a paragraph, as plain functions of its alignment: the copy and rewrite detectors
report them, the commentary detector reports what neither claims, and `DetectionContext.reused` lets a plugin ask the
same question without re-deriving the core's labels. Thresholds come from provenance/rules.py (through the options
that declare them)."""

from __future__ import annotations

from dataclasses import dataclass

from provenance.model import Derivation, ParagraphAlignment, Signal
from provenance.rules import (
    CHAIN,
    COPY_PASSAGE_SHARE,
    DERIVED_MIN_SENTENCES,
    ENOUGH_PROSE,
    REWRITE_TRACED_SENTENCES,
    REWRITE_WORDING,
    SIGNAL_SUPPORT,
    STRONG_WORDING,
)

QUOTE_MODES = ("auto", "count", "ignore")
INDEPENDENT_ARTICLE = "the article as a whole does not derive from the source"


def is_copy(
    a: ParagraphAlignment, threshold: float, prose_threshold: float, passage: int, quotes: str
) -> bool:
    """Whether the wording is the source's, with quotations treated as `quotes` says (provenance/detectors/copy.py)."""
    if not a.sources:
        return False
    if quotes == "count":
        long_passage = a.longest_run >= passage and a.wording >= COPY_PASSAGE_SHARE and a.words >= passage
        return a.wording >= threshold or long_passage
    # A long verbatim passage of prose (not a quotation) makes a long paragraph a copy even when the rest of it
    # is new: an editor has to see it.
    long_passage = (
        a.longest_run >= passage
        and a.wording_outside_quotes >= COPY_PASSAGE_SHARE
        and a.words_outside_quotes >= passage
    )
    if quotes == "ignore":
        quoted = a.words_outside_quotes < a.words
        enough = a.words_outside_quotes >= (ENOUGH_PROSE if quoted else 1)
        return enough and (a.wording_outside_quotes >= threshold or long_passage)
    if a.wording < threshold and not long_passage:
        return False
    # Verbatim quotes inside reworded prose are not a copy: the rewrite detector reports those.
    return (
        long_passage or a.words_outside_quotes < ENOUGH_PROSE or a.wording_outside_quotes >= prose_threshold
    )


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


def is_rewrite(a: ParagraphAlignment, threshold: float, traced_threshold: float) -> bool:
    """Enough content covered; or, in a paragraph of three or more sentences, most sentences each traced to one
    source sentence (a heavy paraphrase keeps the sentence plan while changing most words); or order evidence."""
    if not a.sources:
        return False
    if a.content >= threshold or a.order_inferred or a.wording >= REWRITE_WORDING:
        return True
    return a.sentences >= REWRITE_TRACED_SENTENCES and a.traced >= traced_threshold


def decide(
    a: ParagraphAlignment,
    threshold: float,
    traced_threshold: float,
    derivation: Derivation | None = None,
    derived_threshold: float | None = None,
    heading: bool = False,
) -> Decision:
    """Whether a paragraph is a rewrite, read in the light of the article as a whole (`derivation`).

    Inside an article that derives from the source, a paragraph is a rewrite on weaker evidence: `derived_threshold`
    of its content traced, its place in the source's order, a scorer's similarity from its `derived_threshold`, or
    from its `context_threshold` where the paragraph sits where the order of the articles expects it. Inside an independent article only wording kept
    outside quotations makes a paragraph derived: shared facts are the event's. Where the article is too short to
    judge as a whole, each paragraph is judged on its own (`decide_alone`). A `heading` (headline, subhead) of an
    article long enough to judge but left undecided is not: it names the story as any report of the event would,
    so only its kept wording makes it derived.
    """
    if derivation is None or (derivation.derived is None and not (heading and _judged_whole(derivation))):
        return decide_alone(a, threshold, traced_threshold)
    if not derivation.derived:
        kept = bool(a.sources) and a.wording_outside_quotes >= STRONG_WORDING
        return Decision(kept, reason="" if kept else INDEPENDENT_ARTICLE)
    bar = threshold if derived_threshold is None else derived_threshold
    if is_rewrite(a, bar, traced_threshold):
        return Decision(
            True
        )  # inside an article that derives, shared content is the source's (no scorer overrules)
    for s in a.signals:
        if s.sources and s.similarity >= s.derived_threshold:
            return Decision(
                True,
                s.scorer,
                f"{s.scorer} similarity {s.similarity:.2f} >= {s.derived_threshold:.2f} "
                "inside an article that derives from the source",
            )
        if s.sources and s.in_order and s.similarity >= s.context_threshold:
            return Decision(
                True,
                s.scorer,
                f"{s.scorer} similarity {s.similarity:.2f} >= {s.context_threshold:.2f}, "
                "placed by the order of the articles, inside an article that derives "
                "from the source",
            )
    return Decision(False)


def _judged_whole(d: Derivation) -> bool:
    """Whether both articles were long enough to weigh as wholes (a one-line text is its own headline)."""
    return min(d.sentences) >= DERIVED_MIN_SENTENCES


def decide_alone(a: ParagraphAlignment, threshold: float, traced_threshold: float) -> Decision:
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
        where = (
            f"article retells the source in order ({s.chain} sentences)"
            if context
            else f"no ordered retelling of the source ({s.chain} sentences in order)"
        )
        if lexical:
            if s.score < bar and a.wording < STRONG_WORDING:
                return Decision(
                    False,
                    s.scorer,
                    f"{s.scorer} similarity {s.score:.2f} < {bar:.2f}, {where}: "
                    "the words are shared, the meaning is not close enough",
                )
            continue
        if not s.sources or s.score < bar:
            continue
        if context and (s.in_order or a.content >= SIGNAL_SUPPORT):
            support = "placed by the order of the articles" if s.in_order else "with shared content"
        elif a.content >= SIGNAL_SUPPORT and not s.new_numbers:
            support = "with shared content and no new figures"
        else:
            continue
        return Decision(
            True, s.scorer, f"{s.scorer} similarity {s.score:.2f} >= {bar:.2f}, {where}, {support}"
        )
    return Decision(lexical)
