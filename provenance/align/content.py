"""The content view: which source sentences cover a derived sentence's content words.

Content words are stems (stopwords dropped, reporting verbs folded into one class: provenance/align/lexicon.py),
each weighted by how rare it is in the language (wordfreq) and by how specific it is to one place in the source: a
stem found in many source sentences (the story's topic words) says less about where a derived sentence came from
than one found in a single sentence. A derived sentence is covered greedily by up to three source sentences (a
merge); a paragraph's score is the weighted share of its content that the source covers.
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import compress, filterfalse

from provenance.align.lexicon import content_classes
from provenance.model import Paragraph, Token
from provenance.rules import MAX_SOURCES_PER_SENTENCE, MERGE_GAIN
from provenance.text.tokenize import rarity

Key = tuple[int, int]  # (source paragraph index, sentence index)
Postings = Mapping[str, Sequence[tuple[int, int, float]]]


@dataclass(slots=True)
class PreparedParagraph:
    """A paragraph as the aligner reads it: its tokens (from the model), each token's sentence, and per sentence
    the content stems with their rarity."""

    para: Paragraph
    tokens: tuple[Token, ...]
    sent_of_token: tuple[int, ...]
    sent_stems: list[dict[str, float]]  # per sentence: stem -> rarity
    sent_words: list[int]


def prepare(p: Paragraph) -> PreparedParagraph:
    sent_of_token = p.sentence_of_tokens()
    sent_stems: list[dict[str, float]] = [{} for _ in p.sentences]
    # A sentence's tokens are one run of `sent_of_token` (in order): its length by two bisections.
    sent_words = [
        bisect_right(sent_of_token, si) - bisect_left(sent_of_token, si) for si in range(len(p.sentences))
    ]
    stems = content_classes(p.tokens)
    for t, si, stem in compress(zip(p.tokens, sent_of_token, stems), stems):  # (the tokens with a stem)
        w = rarity(t)
        d = sent_stems[si]
        if w > d.get(stem, 0.0):
            d[stem] = w
    return PreparedParagraph(p, p.tokens, sent_of_token, sent_stems, sent_words)


@dataclass(frozen=True, slots=True)
class SourceContent:
    """The source's content index: each stem's specificity and the source sentences that hold it."""

    spec: Mapping[str, float]
    postings: Postings
    sites: dict[str, list[Key]] = field(default_factory=dict)  # each stem's (paragraph, sentence) keys, once

    def _sites(self, stem: str) -> list[Key]:
        keys = self.sites.get(stem)
        if keys is None:
            keys = self.sites[stem] = [(pi, si) for pi, si, _ in self.postings.get(stem, ())]
        return keys

    @staticmethod
    def build(src: Sequence[PreparedParagraph]) -> SourceContent:
        df: dict[str, int] = defaultdict(int)
        for sp in src:
            for stems in sp.sent_stems:
                for s in stems:
                    df[s] += 1
        spec = {s: 1.0 / (1.0 + math.log(c)) for s, c in df.items()}
        postings: dict[str, list[tuple[int, int, float]]] = defaultdict(list)
        for sp in src:
            for si, stems in enumerate(sp.sent_stems):
                for s, w in stems.items():
                    postings[s].append((sp.para.index, si, w * spec[s]))
        return SourceContent(spec, postings)

    def weights(self, stems: Mapping[str, float]) -> dict[str, float]:
        """Stem weights of a derived sentence; words the source never uses weigh as much as its most specific."""
        spec = self.spec
        return {s: w * spec.get(s, 1.0) for s, w in stems.items()}

    def cover(
        self,
        stems: Mapping[str, float],
        allowed: Iterable[Key] | None = None,
        weights: Mapping[str, float] | None = None,
    ) -> tuple[float, list[tuple[int, int, float]]]:
        """Greedy set cover of one derived sentence's content by up to three source sentences: the covered share
        and the picks (source paragraph index, sentence, share added). `weights`: `self.weights(stems)`, when the
        caller has it already."""
        if weights is None:
            weights = self.weights(stems)
        total = sum(stems.values())
        if total <= 0:
            return 0.0, []
        allow = set(allowed) if allowed is not None else None
        cand: dict[Key, set[str]] = defaultdict(set)
        sites = self.sites
        for s in weights:
            keys = sites.get(s)
            if keys is None:
                keys = self._sites(s)
            if allow is None:
                for key in keys:
                    cand[key].add(s)
            else:
                for key in keys:
                    if key in allow:
                        cand[key].add(s)
        if not cand:
            return 0.0, []
        weight = weights.__getitem__
        # The first round's gains, each a sum over its candidate's stems in the set's order, as every later round
        # sums them (so each later gain is at most its first: the weights are positive, and a float sum of fewer
        # of the same terms in the same order is no larger). Later rounds try the candidates in decreasing first
        # gain and stop at one that cannot reach the best so far; the pick is the same (the highest gain, the
        # lowest key among equal ones), whatever order they are tried in.
        first = {key: sum(map(weight, shared)) for key, shared in cand.items()}
        covered: set[str] = set()
        picks: list[tuple[int, int, float]] = []
        order: list[Key] | None = None
        for _ in range(MAX_SOURCES_PER_SENTENCE):
            best_key: Key | None = None
            best_gain = 0.0
            if not covered:
                for key, gain in first.items():
                    if gain > best_gain or (gain == best_gain and best_key is not None and key < best_key):
                        best_key, best_gain = key, gain
            else:
                if order is None:
                    order = sorted(first, key=first.__getitem__, reverse=True)
                for key in order:
                    if first[key] < best_gain:
                        break
                    shared = cand.get(key)
                    if shared is None or shared <= covered:  # (taken, or nothing left to add)
                        continue
                    gain = sum(map(weight, filterfalse(covered.__contains__, shared)))
                    if gain > best_gain or (gain == best_gain and best_key is not None and key < best_key):
                        best_key, best_gain = key, gain
            if best_key is None:
                break
            frac = best_gain / total
            if picks and frac < MERGE_GAIN:
                break
            picks.append((best_key[0], best_key[1], frac))
            covered |= cand.pop(best_key)
        return sum(map(weight, covered)) / total, picks
