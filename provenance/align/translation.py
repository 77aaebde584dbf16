"""Translations: a derived article in another language than its source.

Words do not survive translation, so the content and wording views find nothing; what survives is the specifics
(provenance/align/specifics.py): figures, names, acronyms, and the order they come in. When the two articles are in
different languages (a cheap test first: two texts in one language share their commonest words; then py3langid, a
language identifier made for the purpose, names both), each derived paragraph is placed against the source by the
specifics it shares, with a monotone alignment over paragraphs (a translation keeps the source's order, merging or
splitting paragraphs here and there). Paragraphs with no specifics of their own between two placed ones are placed
by that order.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from provenance.align.specifics import specifics
from provenance.model import Paragraph
from provenance.rules import COMMON_WORDS, COMMON_WORDS_SHARED, LANGUAGE_SAMPLE


@dataclass(frozen=True, slots=True)
class Placement:
    """Where a derived paragraph of a translation sits in the source, and the specifics that place it."""

    sources: tuple[int, ...]
    shared: tuple[str, ...]
    anchors: int  # the paragraph's own specifics
    by_order: bool = False  # placed between two placed neighbours, with no specific of its own in common


def _common(paragraphs: Sequence[Paragraph]) -> set[str]:
    counts = Counter(t.norm for p in paragraphs for t in p.tokens if t.kind == "w")
    return {w for w, _ in counts.most_common(COMMON_WORDS)}


def languages(source: Sequence[Paragraph], derived: Sequence[Paragraph]) -> tuple[str, str] | None:
    """The source's and the derived article's languages when they differ, else None."""
    if len(_common(source) & _common(derived)) >= COMMON_WORDS_SHARED:
        return None  # two texts in one language share their commonest (function) words
    import py3langid  # loaded only here: its model takes a moment, and only a cross-language pair needs it

    src = py3langid.classify(" ".join(p.text for p in source)[:LANGUAGE_SAMPLE])[0]
    der = py3langid.classify(" ".join(p.text for p in derived)[:LANGUAGE_SAMPLE])[0]
    return (str(src), str(der)) if src != der else None


def place(source: Sequence[Paragraph], derived: Sequence[Paragraph]) -> dict[int, Placement]:
    """Each derived paragraph's place in the source by shared specifics, in order (a weighted longest chain of
    (derived, source) paragraph pairs, each source paragraph usable by consecutive derived ones)."""
    src = [set(specifics(p)) for p in source]
    der = [specifics(p) for p in derived]
    pairs = [(i, j, len(set(d) & s)) for i, d in enumerate(der) for j, s in enumerate(src) if set(d) & s]
    # Best chain ending at each pair: pairs sorted by derived paragraph, then source paragraph; a chain never goes
    # back in the source and takes one source paragraph per derived paragraph.
    best: dict[tuple[int, int], tuple[int, tuple[int, int] | None]] = {}
    for i, j, w in sorted(pairs):
        prev = max(((best[k][0], k) for k in best if k[0] < i and k[1] <= j), default=(0, None))
        best[(i, j)] = (prev[0] + w, prev[1])
    if not best:
        return {}
    end: tuple[int, int] | None = max(best, key=lambda k: (best[k][0], -k[0]))
    chain: list[tuple[int, int]] = []
    while end is not None:
        chain.append(end)
        end = best[end][1]
    chain.reverse()
    out: dict[int, Placement] = {}
    for i, j in chain:
        shared = tuple(x for x in der[i] if x in src[j])
        out[derived[i].index] = Placement((source[j].index,), shared, len(der[i]))
    placed = [i for i, _ in chain]
    for a, b in itertools.pairwise(
        placed
    ):  # unplaced paragraphs between two placed ones: their place is the gap
        lo, hi = dict(chain)[a], dict(chain)[b]
        for i in range(a + 1, b):
            out[derived[i].index] = Placement(
                tuple(source[j].index for j in range(lo, hi + 1)), (), len(der[i]), by_order=True
            )
    return out
