"""The content view: which source sentences cover a derived sentence's content words.

Content words are stems (stopwords dropped, reporting verbs folded into one class: provenance/align/lexicon.py),
each weighted by how rare it is in the language (wordfreq) and by how specific it is to one place in the source: a
stem found in many source sentences (the story's topic words) says less about where a derived sentence came from
than one found in a single sentence. A derived sentence is covered greedily by up to three source sentences (a
merge); a paragraph's score is the weighted share of its content that the source covers.
"""

from __future__ import annotations

import math
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import chain, compress, pairwise

import numpy as np

from provenance.align.lexicon import content_classes
from provenance.kept import KeptByIdentity
from provenance.model import Paragraph, Token
from provenance.rules import MAX_SOURCES_PER_SENTENCE, MERGE_GAIN
from provenance.text.tokenize import rarity

Key = tuple[int, int]  # (source paragraph index, sentence index)


@dataclass(slots=True)
class PreparedParagraph:
    """A paragraph as the aligner reads it: its tokens (from the model) and per sentence the content stems with
    their rarity, and the number of words."""

    para: Paragraph
    tokens: tuple[Token, ...]
    sent_stems: list[dict[str, float]]  # per sentence: stem -> rarity
    sent_words: list[int]


# Paragraphs whose preparation is kept: an audit aligns one article with each of its top sources, lineage every
# version with every other both ways (a few documents' paragraphs).
PARAGRAPHS_KEPT = 2048
_kept: KeptByIdentity[Paragraph, PreparedParagraph] = KeptByIdentity(PARAGRAPHS_KEPT)


def prepared(p: Paragraph) -> PreparedParagraph:
    """`prepare(p)`, handed out again for the same Paragraph (PARAGRAPHS_KEPT at most): the aligner only reads it."""
    return _kept.get(p, None, lambda: prepare(p))


def prepare(p: Paragraph) -> PreparedParagraph:
    tokens = p.tokens
    # Tokens and sentences are in text order, so each sentence's tokens are one run: where the runs start and end
    # (`Paragraph.sentence_of_tokens`, without a sentence index per token).
    starts = [t.start for t in tokens]
    cuts = [0, *(bisect_left(starts, s.start) for s in p.sentences[1:]), len(tokens)]
    stems = content_classes(tokens)
    sent_stems: list[dict[str, float]] = []
    for lo, hi in pairwise(cuts):
        d: dict[str, float] = {}
        for t, stem in compress(zip(tokens[lo:hi], stems[lo:hi]), stems[lo:hi]):  # (the tokens with a stem)
            w = rarity(t)
            if w > d.get(stem, 0.0):
                d[stem] = w
        sent_stems.append(d)
    return PreparedParagraph(p, tokens, sent_stems, [hi - lo for lo, hi in pairwise(cuts)])


@dataclass(frozen=True, slots=True)
class Overlap:
    """What derived sentences share with the source's: one entry per (derived sentence, stem, source sentence
    holding it), in the derived sentences' order and within each in its stems' order. `rows` number the derived
    sentences as given, `weights` are the stems' weights in them (`SourceContent.weights`). `cells` are the
    distinct (derived, source sentence) pairs, in that order, as `row * n_cols + column` (columns:
    `SourceContent.keys`), `cell_of` each entry's cell, and `gains` each cell's sum of its entries' weights: the
    greedy cover's first-round gains, which over the derived sentence's total weight are the retelling's
    similarities. Worked out once, for the whole derived article, for both.

    `candidate_columns` and `candidate_gains`: the cells again, each derived sentence's by decreasing gain and the
    earliest source sentence first among equal gains (so its first is the cover's first pick); derived sentence
    r's are those from `bounds[r]` to `bounds[r + 1]`."""

    n_cols: int
    rows: np.ndarray
    weights: np.ndarray
    cells: np.ndarray
    cell_of: np.ndarray
    gains: np.ndarray
    bounds: list[int]
    candidate_columns: list[int]
    candidate_gains: list[float]

    def sums(self, values: np.ndarray) -> np.ndarray:
        """Per cell, the sum of its entries' `values`, added one at a time in the entries' order (`np.bincount`
        adds in input order, as a loop of `+=` does, where `np.add.reduce` adds in pairs)."""
        return np.bincount(self.cell_of, weights=values, minlength=len(self.cells))


@dataclass(frozen=True, slots=True)
class SourceContent:
    """The source's content index: each stem's specificity, the source sentences in reading order (`keys`), and
    the sentences that hold each stem (`columns`: indexes into `keys`, in reading order)."""

    spec: Mapping[str, float]
    keys: Sequence[Key]
    columns: Mapping[str, Sequence[int]]

    @staticmethod
    def build(src: Sequence[PreparedParagraph]) -> SourceContent:
        keys = [(sp.para.index, si) for sp in src for si in range(len(sp.sent_stems))]
        columns: dict[str, list[int]] = defaultdict(list)
        for j, stems in enumerate(chain.from_iterable(sp.sent_stems for sp in src)):
            for s in stems:
                columns[s].append(j)
        # A stem's specificity falls with the number of source sentences holding it.
        spec = {s: 1.0 / (1.0 + math.log(len(js))) for s, js in columns.items()}
        return SourceContent(spec, keys, dict(columns))

    def weights(self, stems: Mapping[str, float]) -> dict[str, float]:
        """Stem weights of a derived sentence; words the source never uses weigh as much as its most specific."""
        spec = self.spec
        return {s: w * spec.get(s, 1.0) for s, w in stems.items()}

    def overlap(self, sentences: Sequence[Mapping[str, float]]) -> Overlap:
        """The `Overlap` of derived sentences, given by their stem weights (`weights`), with the source's."""
        columns = self.columns
        found = [(r, columns[s], w) for r, ws in enumerate(sentences) for s, w in ws.items() if s in columns]
        n_cols = max(len(self.keys), 1)
        if found:
            rs, cs, ws_ = zip(*found)
            lengths = np.fromiter(map(len, cs), dtype=np.int64, count=len(cs))
            rows = np.repeat(np.array(rs, dtype=np.int64), lengths)
            weights = np.repeat(np.array(ws_, dtype=float), lengths)
            cols = np.fromiter(chain.from_iterable(cs), dtype=np.int64, count=int(lengths.sum()))
        else:
            rows, weights, cols = np.zeros(0, np.int64), np.zeros(0), np.zeros(0, np.int64)
        cells, cell_of = np.unique(rows * n_cols + cols, return_inverse=True)
        gains = np.bincount(cell_of, weights=weights, minlength=len(cells))
        row, col = np.divmod(cells, n_cols)
        order = np.lexsort((col, -gains, row))
        bounds = np.searchsorted(row[order], np.arange(len(sentences) + 1)).tolist()
        return Overlap(
            n_cols, rows, weights, cells, cell_of, gains, bounds, col[order].tolist(), gains[order].tolist()
        )

    def cover(
        self,
        stems: Mapping[str, float],
        allowed: Iterable[Key] | None = None,
        weights: Mapping[str, float] | None = None,
    ) -> tuple[float, list[tuple[int, int, float]]]:
        """`covers` of one derived sentence."""
        if weights is None:
            weights = self.weights(stems)
        return self.covers([stems], [weights], self.overlap([weights]), allowed=allowed)[0]

    def covers(
        self,
        stems: Sequence[Mapping[str, float]],
        weights: Sequence[Mapping[str, float]],
        overlap: Overlap,
        first_row: int = 0,
        allowed: Iterable[Key] | None = None,
    ) -> list[tuple[float, list[tuple[int, int, float]]]]:
        """Greedy set cover of each derived sentence's content by up to three source sentences (`allowed` ones
        only, if given): the covered share and the picks (source paragraph index, sentence, share added).
        `stems` and their `weights` are those of the sentences numbered from `first_row` in `overlap`."""
        cand_cols, cand_gains = overlap.candidate_columns, overlap.candidate_gains
        allow: set[int] | None = None
        if allowed is not None:
            where = {key: j for j, key in enumerate(self.keys)}
            allow = {where[key] for key in allowed if key in where}
        keys, columns_of = self.keys, self.columns.get
        out: list[tuple[float, list[tuple[int, int, float]]]] = []
        for r, (sentence, ws) in enumerate(zip(stems, weights), start=first_row):
            total = sum(sentence.values())
            # (the indexes of its candidates in `overlap`)
            mine: Sequence[int] = range(overlap.bounds[r], overlap.bounds[r + 1])
            if allow is not None:
                mine = [i for i in mine if cand_cols[i] in allow]
            if total <= 0 or not mine:
                out.append((0.0, []))
                continue
            weight = ws.__getitem__
            c, gain = cand_cols[mine[0]], cand_gains[mine[0]]
            picks = [(keys[c][0], keys[c][1], gain / total)]
            covered = {s for s in ws if c in columns_of(s, ())}
            # Each gain is a sum over the stems a candidate shares, in the sentence's stem order, so each later
            # gain (over fewer of the same stems, in the same order) is at most its first: the weights are
            # positive, and a float sum of fewer of the same terms in the same order is no larger. Later rounds try
            # the candidates in decreasing first gain and stop at one that cannot reach the best so far, or cannot
            # add MERGE_GAIN of the sentence (no later gain of it can, and a best pick adding less ends the cover
            # as no pick does); the pick is the same (the highest gain, the earliest source sentence among equal
            # ones), whatever order they are tried in.
            taken = {c}
            for _ in range(MAX_SOURCES_PER_SENTENCE - 1):
                best, best_gain = -1, 0.0
                for i in mine:
                    c, first = cand_cols[i], cand_gains[i]
                    if first < best_gain or first / total < MERGE_GAIN:
                        break
                    if c in taken:
                        continue
                    rest = [s for s in ws if s not in covered and c in columns_of(s, ())]
                    if not rest:  # nothing left to add
                        continue
                    gain = sum(map(weight, rest))
                    if gain > best_gain or (gain == best_gain and best >= 0 and c < best):
                        best, best_gain = c, gain
                if best < 0 or best_gain / total < MERGE_GAIN:
                    break
                picks.append((keys[best][0], keys[best][1], best_gain / total))
                taken.add(best)
                covered.update(s for s in ws if best in columns_of(s, ()))
            out.append((sum(map(weight, covered)) / total, picks))
        return out
