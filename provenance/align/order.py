"""The order of the two articles as evidence: a rewrite retells its source in order.

Paragraphs aligned firmly on their own evidence (anchors) say where they sit in the source. An unaligned derived
paragraph between two anchors, whose source gap holds text nobody else used, gets a second, order-constrained look
(`infer`); a scorer's sentence matches are checked against the same windows (`windows`); and the longest run of
sentence matches that follows the source's order (`chain`) says whether an article as a whole retells its source.
Positions are source sentences, so a split (half a source paragraph rewritten as a paragraph of its own) is found as
readily as a paragraph whose whole source was otherwise skipped.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace

from provenance.model import Paragraph, ParagraphAlignment, SentenceLink
from provenance.rules import (
    ANCHOR_CONTENT,
    ANCHOR_TRACED,
    ANCHOR_TRACED_SENTENCES,
    ANCHOR_WORDING,
    ORDER_EVIDENCE,
    ORDER_EVIDENCE_EDGE,
    ORDER_MIN_WORDS,
    ORDER_PASSES,
    SENTENCE_TRACE,
    SOURCE_SHARE,
)

Span = tuple[int, int]


class SourcePositions:
    """The source's body sentences in reading order: (paragraph index, sentence index) <-> position."""

    def __init__(self, paragraphs: Sequence[Paragraph]) -> None:
        self.order: list[tuple[int, int]] = [
            (p.index, si) for p in paragraphs for si in range(len(p.sentences))
        ]
        self.pos: dict[tuple[int, int], int] = {key: k for k, key in enumerate(self.order)}
        self.of_paragraph: dict[int, list[int]] = {}
        for k, (pi, _) in enumerate(self.order):
            self.of_paragraph.setdefault(pi, []).append(k)

    def __len__(self) -> int:
        return len(self.order)

    def placed(self, a: ParagraphAlignment) -> list[int]:
        """Where an anchored paragraph sits: its strong links to its own sources (a stray weak link to another part
        of the source must not stretch its span), else every sentence of its main source paragraph (anchored by
        wording alone)."""
        got = [
            self.pos[(link.source_paragraph, link.source_sentence)]
            for link in a.links
            if link.source_paragraph in a.sources
            and link.gain >= SENTENCE_TRACE
            and (link.source_paragraph, link.source_sentence) in self.pos
        ]
        if not got and a.sources:
            got = list(self.of_paragraph.get(a.sources[0], ()))
        return got


def is_anchor(a: ParagraphAlignment) -> bool:
    """Aligned on its own lexical evidence firmly enough to say where it sits in the source."""
    return (
        a.content >= ANCHOR_CONTENT
        or a.wording >= ANCHOR_WORDING
        or (a.sentences >= ANCHOR_TRACED_SENTENCES and a.traced >= ANCHOR_TRACED)
    )


def spans(
    paragraphs: Sequence[ParagraphAlignment], anchored: Sequence[bool], positions: SourcePositions
) -> list[Span | None]:
    """Each anchored paragraph's span of source positions (None for the others)."""
    out: list[Span | None] = []
    for a, ok in zip(paragraphs, anchored):
        ps = positions.placed(a) if ok else []
        out.append((min(ps), max(ps)) if ps else None)
    return out


def neighbours(spans: Sequence[Span | None], i: int) -> tuple[int | None, int | None]:
    """The end of the previous anchored span and the start of the next one (None at an edge)."""
    prev = next((spans[j] for j in range(i - 1, -1, -1) if spans[j] is not None), None)
    nxt = next((spans[j] for j in range(i + 1, len(spans)) if spans[j] is not None), None)
    return (prev[1] if prev is not None else None), (nxt[0] if nxt is not None else None)


def windows(paragraphs: Sequence[ParagraphAlignment], positions: SourcePositions) -> dict[int, Span]:
    """For each derived paragraph, the source positions between its anchored neighbours (boundary sentences
    included: a split shares them). At least two anchors must exist: one match says nothing about order."""
    found = spans(paragraphs, [is_anchor(a) for a in paragraphs], positions)
    if sum(s is not None for s in found) < 2:
        return {}
    out: dict[int, Span] = {}
    for i, a in enumerate(paragraphs):
        lo, hi = neighbours(found, i)
        lo, hi = (0 if lo is None else lo), (len(positions) - 1 if hi is None else hi)
        if lo <= hi:
            out[a.index] = (lo, hi)
    return out


def placed_in_order(
    paragraphs: Sequence[ParagraphAlignment], positions: SourcePositions
) -> list[ParagraphAlignment]:
    """Each paragraph with `in_order` set: whether most of its traced sentence links fall in its window."""
    found = windows(paragraphs, positions)
    out = []
    for a in paragraphs:
        window = found.get(a.index)
        ps = [
            positions.pos[(link.source_paragraph, link.source_sentence)]
            for link in a.links
            if link.gain >= SENTENCE_TRACE and (link.source_paragraph, link.source_sentence) in positions.pos
        ]
        if window is None or not ps:
            in_order = None if window is None else False
        else:
            in_order = sum(1 for k in ps if window[0] <= k <= window[1]) * 2 > len(ps)
        out.append(a if a.in_order is in_order else replace(a, in_order=in_order))
    return out


Cover = Callable[[int, set[tuple[int, int]]], tuple[float, dict[int, float], list[SentenceLink]]]


def infer(
    paragraphs: Sequence[ParagraphAlignment], positions: SourcePositions, cover: Cover
) -> list[ParagraphAlignment]:
    """Give unaligned paragraphs that sit in an unused stretch of the source a second, order-constrained look.

    `cover(i, allowed)` re-aligns derived paragraph i against the allowed source sentences only, and returns its
    coverage, the weight of each source paragraph and the sentence links. Paragraphs inferred in one pass anchor
    the next, so runs of loosely paraphrased paragraphs are recovered from both ends. At least two paragraphs must
    be aligned on their own evidence: one match says nothing about order.
    """
    result = list(paragraphs)
    anchored = [is_anchor(a) for a in paragraphs]
    if sum(anchored) < 2:
        return result
    n = len(positions)
    for _ in range(ORDER_PASSES):
        changed = False
        found = spans(result, anchored, positions)
        used = {k for a, ok in zip(result, anchored) if ok for k in positions.placed(a)}
        for i, a in enumerate(result):
            if anchored[i] or a.words < ORDER_MIN_WORDS:
                continue
            prev, nxt = neighbours(found, i)
            edge = prev is None or nxt is None
            lo = prev if prev is not None else -1
            hi = nxt if nxt is not None else n
            if hi < lo or not any(k not in used for k in range(lo + 1, hi)):
                continue
            # The neighbours' boundary sentences stay candidates: a split shares them.
            gap = list(range(max(lo, 0), min(hi, n - 1) + 1))
            cov, weight, links = cover(i, {positions.order[k] for k in gap})
            if cov < (ORDER_EVIDENCE_EDGE if edge else ORDER_EVIDENCE) or not weight:
                continue
            ranked = sorted(weight.items(), key=lambda kv: (-kv[1], kv[0]))
            top = ranked[0][1]
            sources = tuple(k for k, v in ranked if v >= SOURCE_SHARE * top)
            total_w = sum(weight[k] for k in sources) or 1.0
            result[i] = replace(
                a,
                sources=sources,
                source_weights=tuple(round(weight[k] / total_w, 4) for k in sources),
                links=tuple(links),
                order_inferred=True,
                order_gap=tuple(sorted({positions.order[k][0] for k in gap})),
                content=round(max(a.content, cov), 4),
            )
            anchored[i] = True
            placed = [positions.pos[(link.source_paragraph, link.source_sentence)] for link in links]
            used.update(placed)
            found[i] = (min(placed), max(placed))
            changed = True
        if not changed:
            break
    return result


def chain(best: Mapping[int, tuple[float, int]], match: float) -> int:
    """The longest run of derived sentences, in article order, whose best matches (similarity >= `match`) also
    follow the source's order: a longest increasing subsequence of their source positions. Strictly increasing:
    an independent report that comes back to the event's core facts sentence after sentence matches the same
    source sentence again and again, which is no retelling.

    A rewrite retells its source in order, sentence after sentence; two independent reports of one event share a
    few facts, each told where its writer chose. Four or more matches in order rarely happen by chance in articles
    of news length, so the rewrite rule reads this as whether the article as a whole derives from the source.
    """
    tails: list[int] = []
    for i in sorted(best):
        v, j = best[i]
        if v < match:
            continue
        k = bisect.bisect_left(tails, j)
        if k == len(tails):
            tails.append(j)
        else:
            tails[k] = j
    return len(tails)
