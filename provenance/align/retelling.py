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

from provenance.align.content import PreparedParagraph, SourceContent
from provenance.model import Retelling, RetoldSentence
from provenance.rules import RETELL_BIAS, RETELL_GAP_DERIVED, RETELL_GAP_SOURCE, RETELL_MAX_CELLS


def similarity_matrix(
    der: Sequence[PreparedParagraph], src: Sequence[PreparedParagraph], content: SourceContent
) -> tuple[np.ndarray, list[tuple[int, int]], list[tuple[int, int]]]:
    """Rows: derived body sentences; columns: source body sentences (reading order). Each cell: the share of the
    derived sentence's content weight that the source sentence holds."""
    rows = [(dp.para.index, si) for dp in der for si in range(len(dp.sent_stems))]
    cols = [(sp.para.index, si) for sp in src for si in range(len(sp.sent_stems))]
    col = {key: j for j, key in enumerate(cols)}
    m = np.zeros((len(rows), len(cols)))
    k = 0
    for dp in der:
        for stems in dp.sent_stems:
            total = sum(stems.values())
            if total > 0:
                for stem, w in content.weights(stems).items():
                    for pi, si, _ in content.postings.get(stem, ()):
                        m[k, col[(pi, si)]] += w / total
            k += 1
    return m, rows, cols


def cells(der: Sequence[PreparedParagraph], src: Sequence[PreparedParagraph]) -> int:
    """The sentence pairs the retelling would weigh: derived body sentences times source body sentences."""
    return sum(len(dp.sent_stems) for dp in der) * sum(len(sp.sent_stems) for sp in src)


def retell(
    der: Sequence[PreparedParagraph], src: Sequence[PreparedParagraph], content: SourceContent
) -> Retelling:
    if not 0 < cells(der, src) <= RETELL_MAX_CELLS:  # checked before the matrix is built: it is the cost
        return Retelling(0.0)
    sim, rows, cols = similarity_matrix(der, src, content)
    n, m = sim.shape
    s = sim - RETELL_BIAS
    h = np.zeros((n + 1, m + 1))
    ramp = RETELL_GAP_SOURCE * np.arange(m + 1)
    for i in range(1, n + 1):
        prev = h[i - 1]
        diag = np.concatenate(([0.0], prev[:-1] + s[i - 1]))  # the next source sentence
        split = np.concatenate(
            ([0.0], prev[1:] + s[i - 1])
        )  # the same source sentence as the derived one before
        skip = prev - RETELL_GAP_DERIVED  # a derived sentence of its own
        base = np.maximum.reduce([np.zeros(m + 1), diag, split, skip])
        base[0] = 0.0
        # Skipping source sentences along the row: h[j] = max over k <= j of base[k] - gap x (j - k).
        h[i] = np.maximum.accumulate(base + ramp) - ramp
    i, j = (int(x) for x in np.unravel_index(int(np.argmax(h)), h.shape))
    best = float(h[i, j])
    path: list[RetoldSentence] = []
    while i > 0 and j > 0 and h[i, j] > 1e-12:
        here = h[i, j]
        if np.isclose(here, h[i - 1, j - 1] + s[i - 1, j - 1]):
            step, nxt = True, (i - 1, j - 1)
        elif np.isclose(here, h[i - 1, j] + s[i - 1, j - 1]):
            step, nxt = True, (i - 1, j)
        elif np.isclose(here, h[i - 1, j] - RETELL_GAP_DERIVED):
            step, nxt = False, (i - 1, j)
        else:
            step, nxt = False, (i, j - 1)
        if step and s[i - 1, j - 1] > 0:
            (dp, ds), (sp, ss) = rows[i - 1], cols[j - 1]
            path.append(RetoldSentence(dp, ds, sp, ss, round(float(sim[i - 1, j - 1]), 4)))
        i, j = nxt
    return Retelling(round(best, 4), tuple(reversed(path)))
