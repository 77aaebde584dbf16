"""The ordered retelling: how much of the derived article retells the source sentence by sentence, in the source's
order. This is a local alignment of the two articles' sentences (Smith-Waterman, as text-reuse aligners such as
passim score passages), over a similarity that is the share of a derived sentence's weighted content found in a
source sentence. Steps: a derived sentence retells the next source sentence, or the same one as the sentence before
it (a split), or skips source sentences (a condensation, at a small cost) or a derived sentence (its own material,
at a larger cost). A rewrite retells long stretches; two independent reports of one event match a few facts, each
told where its writer chose, so their best path stays short.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from provenance.align.content import Overlap, PreparedParagraph, SourceContent
from provenance.model import Retelling, RetoldSentence
from provenance.rules import RETELL_BIAS, RETELL_GAP_DERIVED, RETELL_GAP_SOURCE, RETELL_MAX_CELLS


def similarity_matrix(
    der: Sequence[PreparedParagraph],
    src: Sequence[PreparedParagraph],
    content: SourceContent,
    overlap: Overlap | None = None,
) -> tuple[np.ndarray, list[tuple[int, int]], list[tuple[int, int]]]:
    """Rows: derived body sentences; columns: source body sentences (reading order, `content.keys`). Each cell:
    the share of the derived sentence's content weight that the source sentence holds, the sum over the stems
    they share of each one's weight over the sentence's total, added in the sentence's stem order. `overlap`:
    the derived sentences' `content.overlap`, when the caller has it already."""
    rows = [(dp.para.index, si) for dp in der for si in range(len(dp.sent_stems))]
    cols = [(sp.para.index, si) for sp in src for si in range(len(sp.sent_stems))]
    if overlap is None:
        overlap = content.overlap([content.weights(stems) for dp in der for stems in dp.sent_stems])
    totals = np.array([sum(stems.values()) for dp in der for stems in dp.sent_stems], dtype=float)
    sim = np.zeros(len(rows) * len(cols))
    sim[overlap.cells] = overlap.sums(overlap.weights / totals[overlap.rows])
    return sim.reshape(len(rows), len(cols)), rows, cols


def cells(der: Sequence[PreparedParagraph], src: Sequence[PreparedParagraph]) -> int:
    """The sentence pairs the retelling would weigh: derived body sentences times source body sentences."""
    return sum(len(dp.sent_stems) for dp in der) * sum(len(sp.sent_stems) for sp in src)


def _close(a: float, b: float) -> bool:
    """`numpy.isclose(a, b)` of two finite floats, without numpy's overhead for one pair."""
    return abs(a - b) <= 1e-08 + 1e-05 * abs(b) or a == b


def retell(
    der: Sequence[PreparedParagraph],
    src: Sequence[PreparedParagraph],
    content: SourceContent,
    overlap: Overlap | None = None,
) -> Retelling:
    if not 0 < cells(der, src) <= RETELL_MAX_CELLS:  # checked before the matrix is built: it is the cost
        return Retelling(0.0)
    sim, rows, cols = similarity_matrix(der, src, content, overlap)
    n, m = sim.shape
    s = sim - RETELL_BIAS
    h = np.zeros((n + 1, m + 1))
    ramp = RETELL_GAP_SOURCE * np.arange(m + 1)
    zeros = np.zeros(m + 1)
    move = np.zeros(m + 1)  # (its first cell stays 0: no source sentence before the first)
    skip = np.empty(m + 1)
    base = np.empty(m + 1)
    for prev, si, row in zip(h[:-1], s, h[1:]):
        # The next source sentence, or the same one as the derived sentence before (a split), whichever scored
        # more: max(a + x, b + x) is max(a, b) + x exactly (float addition is monotonic), one addition fewer.
        np.maximum(prev[:-1], prev[1:], out=move[1:])
        np.add(move[1:], si, out=move[1:])
        np.subtract(prev, RETELL_GAP_DERIVED, out=skip)  # a derived sentence of its own
        np.maximum(zeros, move, out=base)
        np.maximum(base, skip, out=base)
        base[0] = 0.0
        # Skipping source sentences along the row: h[j] = max over k <= j of base[k] - gap x (j - k).
        np.add(base, ramp, out=base)
        np.maximum.accumulate(base, out=base)
        np.subtract(base, ramp, out=row)
    i, j = (int(x) for x in np.unravel_index(int(np.argmax(h)), h.shape))
    best = float(h[i, j])
    cell, score = h.item, s.item  # (one cell at a time, as Python floats: the path visits few of them)
    path: list[RetoldSentence] = []
    while i > 0 and j > 0 and cell(i, j) > 1e-12:
        here = cell(i, j)
        step_score = score(i - 1, j - 1)
        if _close(here, cell(i - 1, j - 1) + step_score):
            step, nxt = True, (i - 1, j - 1)
        elif _close(here, cell(i - 1, j) + step_score):
            step, nxt = True, (i - 1, j)
        elif _close(here, cell(i - 1, j) - RETELL_GAP_DERIVED):
            step, nxt = False, (i - 1, j)
        else:
            step, nxt = False, (i, j - 1)
        if step and step_score > 0:
            (dp, ds), (sp, ss) = rows[i - 1], cols[j - 1]
            path.append(RetoldSentence(dp, ds, sp, ss, round(float(sim[i - 1, j - 1]), 4)))
        i, j = nxt
    return Retelling(round(best, 4), tuple(reversed(path)))
