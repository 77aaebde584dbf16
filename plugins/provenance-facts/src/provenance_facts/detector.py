"""The `facts` detector: figures, dates, names and quotations that changed on the way from source to rewrite.

Its findings are annotations (relation None): a changed figure does not make a paragraph more or less copied, but an
editor must see it before publishing. Only paragraphs the core found derived are examined, and only against the
source sentences the core aligned them to, so new material is never reported as a change.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, ClassVar

from provenance import Finding, Option

from . import figures, names, quotes
from .pairs import SentencePair, is_derived, sentence_pairs, source_paragraphs

if TYPE_CHECKING:
    from provenance import DetectionContext, Paragraph, ParagraphAlignment

NAME = "facts"
# Confidence of a changed figure by the rule that paired it: the same unit is the strongest sign of the same role,
# the only unmatched figure of a sentence pair next, of a paragraph pair last.
SCORES = {"unit": 0.9, "sentence": 0.7, "paragraph": 0.6}


def _clip(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "\u2026"


class FactsDetector:
    """Flags changed numbers, dates, names and misquotes in copied or rewritten paragraphs."""

    name = NAME
    description = "numbers, dates, names and quotations changed between the source and the derived text"
    options: ClassVar[dict[str, Option]] = {
        "min_quote_overlap": Option(
            0.6,
            float,
            "share of a derived quotation's words that must match a source "
            "quotation for a difference to count as a misquote",
            0.0,
            1.0,
        ),
        "min_quote_words": Option(3, int, "shortest quotation, in words, checked for misquotes", 1),
        "rounding_tolerance": Option(
            0.1,
            float,
            'relative difference within which a hedged figure ("about 1,800") is rounding, not a change',
            0.0,
            1.0,
        ),
    }

    def detect(self, ctx: DetectionContext) -> Iterator[Finding]:
        min_overlap = float(ctx.option(f"{NAME}.min_quote_overlap", 0.6))
        min_words = int(ctx.option(f"{NAME}.min_quote_words", 3))
        tolerance = float(ctx.option(f"{NAME}.rounding_tolerance", 0.1))
        source_words = names.word_text(p.text for p in ctx.source.paragraphs)
        for a in ctx.aligned:
            if not is_derived(a):
                continue
            seen: set[tuple[Any, ...]] = set()
            for finding in self._paragraph(ctx, a, source_words, min_overlap, min_words, tolerance):
                key = (finding.kind, finding.evidence.get("source"), finding.evidence.get("derived"))
                if key not in seen:
                    seen.add(key)
                    yield finding

    def _paragraph(
        self,
        ctx: DetectionContext,
        a: ParagraphAlignment,
        source_words: str,
        min_overlap: float,
        min_words: int,
        tolerance: float,
    ) -> Iterator[Finding]:
        derived = ctx.derived_paragraph(a.index)
        sources = [ctx.source_paragraph(i) for i in source_paragraphs(a)]
        pairs = sentence_pairs(ctx, a)
        yield from self._figures(ctx, a, pairs, sources, tolerance)
        if derived.role != "heading":
            derived_words = names.word_text([derived.text])
            for pair in pairs:
                if ctx.source_paragraph(pair.source_paragraph).role == "heading":
                    continue  # a headline's Title Case makes every word look like a name
                for nc in names.changed_names(pair.derived_text, pair.source_text, source_words, derived_words):
                    yield self._name_finding(pair, nc)
        yield from self._quotes(a, derived, sources, min_overlap, min_words)

    def _figures(
        self,
        ctx: DetectionContext,
        a: ParagraphAlignment,
        pairs: list[SentencePair],
        sources: list[Paragraph],
        tolerance: float,
    ) -> Iterator[Finding]:
        """Sentence pairs first; then, per linked source paragraph, the figures both sides left unmatched."""
        derived = ctx.derived_paragraph(a.index)
        source_keys = frozenset().union(*(figures.all_keys(p.text) for p in sources))
        derived_keys = figures.all_keys(derived.text)
        taken_derived: set[tuple[int, int]] = set()
        taken_source: dict[int, set[tuple[int, int]]] = {p.index: set() for p in sources}
        for pair in pairs:
            for change in figures.changed_facts(pair, source_keys, derived_keys, tolerance):
                if (pair.derived_sentence, change.derived.start) in taken_derived:
                    continue
                taken_derived.add((pair.derived_sentence, change.derived.start))
                if pair.source_sentence is not None:
                    taken_source[pair.source_paragraph].add((pair.source_sentence, change.source.start))
                yield self._fact_finding(pair, change)
        unlinked = set(range(len(derived.sentences))) - {link.sentence for link in a.links}
        for p in sources:
            linked = {link.sentence for link in a.links if link.source_paragraph == p.index}
            if not linked:
                continue
            # Sentences linked to this source paragraph, and those linked to none: changing a figure can weaken
            # the evidence the core links a sentence by, as when "in 2009" becomes "in 2011".
            linked = sorted(linked | unlinked)
            # Only source sentences no derived sentence is linked to: a linked one had its sentence pair.
            claimed = {link.source_sentence for link in a.links if link.source_paragraph == p.index}
            residual = figures.residual_changes(
                [(i, derived.sentence_text(i)) for i in linked],
                [("" if j in claimed else p.sentence_text(j)) for j in range(len(p.sentences))],
                taken_derived,
                taken_source[p.index],
                source_keys,
                derived_keys,
                tolerance,
            )
            for i, j, change in residual:
                taken_derived.add((i, change.derived.start))
                taken_source[p.index].add((j, change.source.start))
                pair = SentencePair(a.index, i, derived.sentence_text(i), p.index, j, p.sentence_text(j), 0.0)
                yield self._fact_finding(pair, change)

    def _quotes(
        self, a: ParagraphAlignment, derived: Paragraph, sources: list[Paragraph], min_overlap: float, min_words: int
    ) -> Iterator[Finding]:
        """Quotations are checked paragraph against paragraphs: a quotation often spans sentences. A paragraph
        without quotation marks has nothing to check, and its sources are not read again (for 200,000 short
        paragraphs that reading was a third of the plugin's time)."""
        if not quotes.quotes(derived.text):
            return
        source_quotes = [
            quotes.SourceQuote(q, quotes.words(q), p.index) for p in sources for q in quotes.quotes(p.text)
        ]
        # Faithful if found in a source paragraph, or in the source's quotations read one after another.
        texts = [quotes.words(p.text).keys for p in sources]
        texts.append(tuple(w for q in source_quotes for w in q.words.keys))
        for mq in quotes.misquotes(derived.text, source_quotes, texts, min_overlap, min_words):
            yield self._quote_finding(a.index, mq)

    def _fact_finding(self, pair: SentencePair, change: figures.Change) -> Finding:
        d, s = change.derived, change.source
        label = figures.LABELS[d.kind]
        return Finding(
            detector=NAME,
            paragraph=pair.derived_paragraph,
            relation=None,
            score=SCORES[change.rule],
            sources=(pair.source_paragraph,),
            evidence={
                "kind": d.kind,
                "source": s.display,
                "derived": d.display,
                "pairing": change.pairing,
                **pair.evidence(),
            },
            message=f"{label} changed: {s.display} -> {d.display}",
            kind=d.finding_kind,
        )

    def _name_finding(self, pair: SentencePair, change: names.NameChange) -> Finding:
        return Finding(
            detector=NAME,
            paragraph=pair.derived_paragraph,
            relation=None,
            score=change.score,
            sources=(pair.source_paragraph,),
            evidence={
                "kind": "name",
                "source": change.source.text,
                "derived": change.derived.text,
                "pairing": change.pairing,
                **pair.evidence(),
            },
            message=f"name changed: {change.source.text} -> {change.derived.text}",
            kind="changed-name",
        )

    def _quote_finding(self, paragraph: int, mq: quotes.Misquote) -> Finding:
        if mq.added or mq.dropped:
            what = f"{' '.join(mq.dropped) or '(nothing)'} -> {' '.join(mq.added) or '(nothing)'}"
        else:
            what = "words reordered"
        return Finding(
            detector=NAME,
            paragraph=paragraph,
            relation=None,
            score=round(mq.overlap, 4),
            sources=(mq.source.paragraph,),
            evidence={
                "kind": "quote",
                "source": mq.source.text,
                "derived": mq.derived,
                "overlap": round(mq.overlap, 4),
                "added_words": list(mq.added),
                "dropped_words": list(mq.dropped),
                "source_paragraph": mq.source.paragraph,
            },
            message=f"misquote ({what}): \u201c{_clip(mq.derived.strip(' ,.;:'))}\u201d",
            kind="misquote",
        )
