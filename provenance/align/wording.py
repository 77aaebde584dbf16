"""The wording view: maximal runs of shared words (at least `RUN` words) between a derived paragraph and the whole
source, found through an index of the source's RUN-grams in linear time per paragraph.

The share of a paragraph's words inside such runs is the evidence of copying. Quoted speech is tracked apart, so a
quote kept verbatim inside reworded prose is not mistaken for copied prose.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import compress, count, repeat

from provenance.model import Paragraph, Phrase, Quote, Token
from provenance.rules import PHRASES_SHOWN, QUOTE_ATTRIBUTED, QUOTE_COPIED, RUN, RUN_CANDIDATES
from provenance.text.tokenize import quote_spans

Run = tuple[int, int, int]  # (first token, length, source paragraph index)


class RunIndex:
    """Word RUN-grams of the whole source, to find maximal shared word runs in linear time per paragraph."""

    def __init__(self, paragraphs: Sequence[Paragraph]) -> None:
        self.words: list[str] = []
        self.para_of: list[int] = []
        # Each gram's first position, and every position of the few grams the source repeats: one int per gram
        # rather than a list per gram.
        self.first: dict[tuple[str, ...], int] = {}
        self.repeated: dict[tuple[str, ...], list[int]] = {}
        self.whole: dict[tuple[str, ...], list[int]] = {}  # paragraphs too short for a run, matched whole
        grams: list[tuple[str, ...]] = []
        starts: list[int] = []
        for p in paragraphs:
            base = len(self.words)
            norms = [t.norm for t in p.tokens]
            self.words.extend(norms)
            self.words.append("\x00")  # runs never cross a paragraph boundary
            self.para_of.extend([p.index] * (len(norms) + 1))
            if len(norms) >= RUN:
                grams.extend(_grams(norms))
                starts.extend(range(base, base + len(norms) - RUN + 1))
            if 0 < len(norms) < RUN:
                self.whole.setdefault(tuple(norms), []).append(p.index)
        # (built in C: the dict of the reversed pairs keeps each gram's first position)
        self.first = dict(zip(reversed(grams), reversed(starts)))
        if len(self.first) < len(grams):
            for gram, at in zip(grams, starts):
                if self.first[gram] != at:
                    self.repeated.setdefault(gram, [self.first[gram]]).append(at)

    def match(self, tokens: Sequence[Token], prefer: int = 0) -> tuple[list[int], list[Run]]:
        """Return per-token coverage flags and the maximal runs (start, length, source paragraph). Among equally
        long runs, the one in the source paragraph nearest `prefer` wins, so a passage repeated in both articles
        maps each copy to its own counterpart."""
        norms = [t.norm for t in tokens]
        n = len(norms)
        covered = [0] * n
        runs: list[Run] = []
        if 0 < n < RUN and tuple(norms) in self.whole:  # a short paragraph identical to a source one
            return [1] * n, [(0, n, min(self.whole[tuple(norms)], key=lambda q: abs(q - prefer)))]
        words = self.words
        first, repeated = self.first, self.repeated
        # Each position's gram looked up in C; only positions whose gram the source has are visited.
        found = list(map(first.get, _grams(norms), repeat(-1))) if n >= RUN else []
        i = 0
        for at in compress(count(), map((-1).__ne__, found)):
            if at < i:  # inside the run found before
                continue
            i = at
            hits = repeated.get(tuple(norms[i : i + RUN])) if repeated else None
            if hits is None:
                hits = [found[i]]
            if len(hits) > RUN_CANDIDATES:  # a phrase repeated this often: try the positions nearest `prefer`
                hits = sorted(hits, key=lambda j: abs(self.para_of[j] - prefer))[:RUN_CANDIDATES]
            best_len, best_pos = 0, hits[0]
            for j in hits:
                k = RUN
                while i + k < n and j + k < len(words) and words[j + k] == norms[i + k]:
                    k += 1
                if k > best_len or (
                    k == best_len and abs(self.para_of[j] - prefer) < abs(self.para_of[best_pos] - prefer)
                ):
                    best_len, best_pos = k, j
            runs.append((i, best_len, self.para_of[best_pos]))
            covered[i : i + best_len] = [1] * best_len
            i += best_len
        return covered, runs


def _grams(norms: Sequence[str]) -> zip[tuple[str, ...]]:
    """The RUN-grams of a paragraph's words, in order (a zip of RUN shifted views: made in C)."""
    return zip(*(norms[k : len(norms) - RUN + 1 + k] for k in range(RUN)))


@dataclass(frozen=True, slots=True)
class Wording:
    """A derived paragraph's wording evidence."""

    covered: list[int]  # per token: inside a shared run
    runs: list[Run]
    wording: float  # share of words inside shared runs
    wording_outside_quotes: float
    words_outside_quotes: int
    longest_run: int
    phrases: tuple[Phrase, ...]
    quotes: tuple[Quote, ...]


def wording_of(p: Paragraph, index: RunIndex) -> Wording:
    tokens = p.tokens
    covered, runs = index.match(tokens, prefer=p.index)
    n = len(tokens)
    wording = sum(covered) / n if n else 0.0
    qspans = quote_spans(p.text)
    quotes: list[Quote] = []
    if not qspans:
        wording_out, outside = wording, n
    else:
        # The tokens starting inside each quote: one slice of the tokens, in text order (quotes never overlap).
        starts = [t.start for t in tokens]
        inside = [range(bisect_left(starts, a), bisect_left(starts, b)) for a, b in qspans]
        in_quote = [False] * n
        for idx in inside:
            in_quote[idx.start : idx.stop] = [True] * len(idx)
        outside_idx = [i for i in range(n) if not in_quote[i]]
        outside = len(outside_idx)
        wording_out = (sum(covered[i] for i in outside_idx) / outside) if outside else wording
        for (a, b), idx in zip(qspans, inside):
            if len(idx) < 3:
                continue
            copied_share = sum(covered[i] for i in idx) / len(idx)
            src_para = None
            for start, length, sp in runs:
                if start <= idx[0] < start + length or idx[0] <= start <= idx[-1]:
                    src_para = sp
                    break
            quotes.append(
                Quote(
                    p.text[a:b],
                    len(idx),
                    copied_share >= QUOTE_COPIED,
                    src_para if copied_share >= QUOTE_ATTRIBUTED else None,
                )
            )
    phrases = tuple(
        Phrase(p.text[tokens[s].start : tokens[s + ln - 1].end], ln, sp)
        for s, ln, sp in sorted(runs, key=lambda r: (-r[1], r[0]))[:PHRASES_SHOWN]
        if ln >= RUN + 1
    )
    longest = max((ln for _, ln, _ in runs), default=0)
    return Wording(covered, runs, wording, wording_out, outside, longest, phrases, tuple(quotes))
