"""How much of the derived article reuses the source, measured the way the core labels paragraphs.

A paragraph counts as reused when the core's rules would call it copy or rewrite (`DetectionContext.reused`,
with the thresholds in effect). Asking the alignment directly keeps this plugin independent of which relation
finally won the paragraph, and of detectors that may be switched off.

Reuse needs a credit only when it is material (`Reuse.material`): a share of the article at least the core's
`verdict.independent_below`, or a body paragraph copied word for word.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from provenance import ParagraphAlignment
from provenance.rules import (
    STRONG_WORDING as WORDING_FROM,
)  # "mostly the source's wording": the core's own bar


@dataclass(frozen=True, slots=True)
class Reuse:
    """Reused paragraphs (derived indexes), their words, and the share of the article's body they make up."""

    paragraphs: tuple[int, ...]
    source_paragraphs: tuple[int, ...]
    reused_words: int
    body_words: int
    copied: tuple[int, ...] = ()  # reused paragraphs whose wording is mostly the source's

    def material(self, independent_below: float, body_paragraphs: set[int]) -> bool:
        """Whether the reuse is worth a credit: more than an article the core calls independent may reuse.

        A headline on the same event often shares enough content words to count as a rewrite, and the core
        still calls such an article independent; flagging it as uncredited reuse would be a false alarm. Any
        body paragraph copied word for word is material regardless of share.
        """
        if not self.paragraphs:
            return False
        return self.share >= independent_below or any(i in body_paragraphs for i in self.copied)

    @property
    def share(self) -> float:
        return self.reused_words / self.body_words if self.body_words else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "reused_paragraphs": list(self.paragraphs),
            "source_paragraphs": list(self.source_paragraphs),
            "reused_words": self.reused_words,
            "body_words": self.body_words,
            "share": round(self.share, 4),
            "copied_paragraphs": list(self.copied),
        }


def measure(aligned: Iterable[ParagraphAlignment], is_reused: Callable[[ParagraphAlignment], bool]) -> Reuse:
    """Sum the reused paragraphs' words over every non-boilerplate derived paragraph's words.

    `is_reused` is the core's own copy-or-rewrite rule with the thresholds in effect (`DetectionContext.reused`),
    so this plugin never drifts from the labels the report shows.
    """
    paragraphs: list[int] = []
    copied: list[int] = []
    sources: set[int] = set()
    reused = total = 0
    for a in aligned:
        total += a.words
        if is_reused(a):
            paragraphs.append(a.index)
            sources.update(a.sources)
            reused += a.words
            if a.wording >= WORDING_FROM:
                copied.append(a.index)
    return Reuse(tuple(paragraphs), tuple(sorted(sources)), reused, total, tuple(copied))
