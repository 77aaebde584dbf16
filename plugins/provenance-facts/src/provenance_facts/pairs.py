"""Which derived sentences to hold against which source sentences.

A fact can only be said to have *changed* where the derived text is known to retell a particular piece of the source.
The core's alignment already says so, sentence by sentence; this module turns it into plain sentence pairs so the
fact checks never guess at correspondences of their own.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from provenance import DetectionContext, ParagraphAlignment, SentenceLink

# A derived paragraph is compared only when it retells the source: a fifth of its content traced, a third of its
# words in shared runs, or a place in the source's order. This is looser than the core's own copy and rewrite
# labels on purpose: a paragraph whose facts were changed shares less with its source, and must still be checked.
MIN_CONTENT = 0.2
MIN_WORDING = 0.3


@dataclass(frozen=True, slots=True)
class SentencePair:
    """A derived sentence and one source passage it retells.

    `source_sentence` is None when the derived paragraph had no sentence links and the sentence is held against a
    whole source paragraph instead; the figure check is stricter then, because a paragraph holds more candidates.
    """

    derived_paragraph: int
    derived_sentence: int
    derived_text: str
    source_paragraph: int
    source_sentence: int | None
    source_text: str
    gain: float

    def evidence(self) -> dict[str, object]:
        """Where a finding was seen, in both articles: the part every facts finding's evidence shares."""
        return {
            "source_sentence": self.source_text,
            "derived_sentence": self.derived_text,
            "source_paragraph": self.source_paragraph,
            "source_sentence_index": self.source_sentence,
            "derived_sentence_index": self.derived_sentence,
        }


def is_derived(a: ParagraphAlignment) -> bool:
    """Whether the core considers the paragraph copied or rewritten from the source (only then can facts drift)."""
    return a.content >= MIN_CONTENT or a.wording >= MIN_WORDING or a.order_inferred


def source_paragraphs(a: ParagraphAlignment) -> tuple[int, ...]:
    """Every source paragraph the derived paragraph draws on: linked ones first (by gain), then `a.sources`."""
    seen: dict[int, None] = {}
    for link in sorted(a.links, key=lambda link: -link.gain):
        seen.setdefault(link.source_paragraph, None)
    for index in a.sources:
        seen.setdefault(index, None)
    return tuple(seen)


def sentence_pairs(ctx: DetectionContext, a: ParagraphAlignment) -> list[SentencePair]:
    """Pairs for every linked sentence of the derived paragraph, strongest link first within a sentence.

    When the paragraph has no sentence links at all (the core placed it by the articles' order), every sentence is
    held against each whole source paragraph in `a.sources`. When it has some, an unlinked sentence gets no pair:
    it may be material the derived article added, and holding it against the source would report new facts as
    changed ones (only the figure check's last, strictest rule looks at it again).
    """
    derived = ctx.derived_paragraph(a.index)
    by_sentence: dict[int, list[SentenceLink]] = {}
    for link in a.links:
        by_sentence.setdefault(link.sentence, []).append(link)
    pairs: list[SentencePair] = []
    for i in range(len(derived.sentences)):
        text = derived.sentence_text(i)
        links = sorted(by_sentence.get(i, ()), key=lambda link: -link.gain)
        for link in links:
            src = ctx.source_paragraph(link.source_paragraph)
            pairs.append(
                SentencePair(
                    a.index,
                    i,
                    text,
                    link.source_paragraph,
                    link.source_sentence,
                    src.sentence_text(link.source_sentence),
                    link.gain,
                )
            )
        if not a.links:
            for index in a.sources:
                src = ctx.source_paragraph(index)
                pairs.append(SentencePair(a.index, i, text, index, None, src.text, 0.0))
    return pairs
