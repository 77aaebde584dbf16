"""Translations: a derived article in another language than its source.

Words do not survive translation, so the content and wording views find nothing; what survives is the specifics
(provenance/align/specifics.py): figures, names, acronyms, and the order they come in. When the two articles are in
different languages (a cheap test first: two texts in one language share their commonest words; then py3langid, a
language identifier made for the purpose, names both), each derived paragraph is placed against the source by the
specifics it shares, with a monotone alignment over paragraphs (a translation keeps the source's order, merging or
splitting paragraphs here and there). Paragraphs with no specifics of their own between two placed ones are placed
by that order.

Names written in another script (Arabic, Cyrillic, Greek...) are compared by their sound skeleton: the word
transliterated to ASCII by anyascii, vowels and glides dropped and letters a transliteration confuses folded
together ("Mandalay" and ماندالاي are both "mndl"). Only skeletons of SKELETON_MIN letters or more count, and the
monotone chain over paragraphs keeps a chance match from placing anything out of order.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from anyascii import anyascii

from provenance.align.specifics import specifics
from provenance.model import Paragraph
from provenance.rules import COMMON_WORDS, COMMON_WORDS_SHARED, LANGUAGE_SAMPLE, NOVELTY_PRIOR, SKELETON_MIN

# Letters a transliteration writes one way or another (Arabic has no p, writes g as j...), folded to one; vowels,
# glides and h (and the "kh" that transliterates a Cyrillic or Arabic h) carry too little and are dropped.
_FOLD = str.maketrans("jqcpvz", "gkkbfs", "aeiouyhw")
_POSSESSIVE = re.compile(r"['\u2019]s$")


@dataclass(frozen=True, slots=True)
class Placement:
    """Where a derived paragraph of a translation sits in the source, and the specifics that place it."""

    sources: tuple[int, ...]
    shared: tuple[str, ...]
    anchors: int  # the paragraph's own specifics
    by_order: bool = False  # placed between two placed neighbours, with no specific of its own in common


def _common(paragraphs: Sequence[Paragraph]) -> set[str]:
    # (counted from a list, not a generator: Counter then counts in C)
    counts = Counter([t.norm for p in paragraphs for t in p.tokens if t.kind == "w"])
    return {w for w, _ in counts.most_common(COMMON_WORDS)}


def languages(source: Sequence[Paragraph], derived: Sequence[Paragraph]) -> tuple[str, str] | None:
    """The source's and the derived article's languages when they differ, else None."""
    if len(_common(source) & _common(derived)) >= COMMON_WORDS_SHARED:
        return None  # two texts in one language share their commonest (function) words
    import py3langid  # loaded only here: its model takes a moment, and only a cross-language pair needs it

    src = py3langid.classify(" ".join(p.text for p in source)[:LANGUAGE_SAMPLE])[0]
    der = py3langid.classify(" ".join(p.text for p in derived)[:LANGUAGE_SAMPLE])[0]
    return (str(src), str(der)) if src != der else None


def skeleton(word: str) -> str:
    """A word's sound skeleton: transliterated, lower-cased, consonants only, confusable ones folded, no doubles."""
    letters = (
        "".join(ch for ch in anyascii(word).lower() if "a" <= ch <= "z").replace("kh", "h").translate(_FOLD)
    )
    return "".join(ch for k, ch in enumerate(letters) if k == 0 or ch != letters[k - 1])


def anchors(p: Paragraph) -> tuple[list[str], set[str]]:
    """What survives translation, in reading order: figures, and names by their sound skeleton (a name too short
    for one by itself); then the words in a script other than Latin, where a name has no capital, by skeleton too.
    Returns the anchors and the subset that came from such words (most are not names)."""
    out: dict[str, None] = {}
    for x in specifics(p):
        sk = skeleton(_POSSESSIVE.sub("", x)) if x.isalpha() else ""
        out.setdefault("~" + sk if len(sk) >= SKELETON_MIN else x)
    caseless: set[str] = set()
    for t in p.tokens:
        if t.kind == "w" and not t.norm.isascii():
            sk = "~" + skeleton(t.norm)
            if len(sk) > SKELETON_MIN and sk not in out:
                out[sk] = None
                caseless.add(sk)
    return list(out), caseless


@dataclass(frozen=True, slots=True)
class Placed:
    """A translation against its source: each derived paragraph's place (by index), and `unshared`, the lower of
    two shares of names and figures (as anchors): the derived article's that the source lacks, and the source's
    that the derived article lacks. A translation is low on one of them at least (it adds little, or, read the
    other way round, leaves little out); two reports of one event in two languages each hold many the other
    lacks."""

    placements: dict[int, Placement]
    unshared: float


def _unshared(found: Sequence[tuple[list[str], set[str]]], other: set[str]) -> float:
    """The share of these anchors (names and figures; a caseless word only when the other text has it too) that
    the other text lacks, with the novelty prior (a few specifics say little)."""
    names = {x for anchored, caseless in found for x in anchored if x not in caseless or x in other}
    return len(names - other) / (len(names) + NOVELTY_PRIOR)


def place(source: Sequence[Paragraph], derived: Sequence[Paragraph]) -> Placed:
    """Each derived paragraph's place in the source by shared anchors, in order (a weighted longest chain of
    (derived, source) paragraph pairs, each source paragraph usable by consecutive derived ones)."""
    src_found = [anchors(p) for p in source]
    der_found = [anchors(p) for p in derived]
    src = [set(found) for found, _ in src_found]
    known = set().union(*src)
    told = {x for found, _ in der_found for x in found}
    unshared = min(_unshared(der_found, known), _unshared(src_found, told))
    der = []
    own = []  # the paragraph's anchors that are names or figures: its own, and its other words found in the source
    for found, caseless in der_found:
        der.append(found)
        own.append(sum(1 for x in found if x not in caseless or x in known))
    pairs = [(i, j, len(set(d) & s)) for i, d in enumerate(der) for j, s in enumerate(src) if set(d) & s]
    # Best chain ending at each pair: pairs sorted by derived paragraph, then source paragraph; a chain never goes
    # back in the source and takes one source paragraph per derived paragraph.
    best: dict[tuple[int, int], tuple[int, tuple[int, int] | None]] = {}
    for i, j, w in sorted(pairs):
        # among equal chains, the one that moved on in the source (a lead and the paragraph after it are more
        # likely two source paragraphs than one)
        prev = max(
            ((best[k][0], k[1] < j, k) for k in best if k[0] < i and k[1] <= j), default=(0, False, None)
        )
        best[(i, j)] = (prev[0] + w, prev[2])
    if not best:
        return Placed({}, unshared)
    end: tuple[int, int] | None = max(best, key=lambda k: (best[k][0], -k[0]))
    chain: list[tuple[int, int]] = []
    while end is not None:
        chain.append(end)
        end = best[end][1]
    chain.reverse()
    out: dict[int, Placement] = {}
    for i, j in chain:
        shared = tuple(x for x in der[i] if x in src[j])
        out[derived[i].index] = Placement((source[j].index,), shared, own[i])
    placed = [i for i, _ in chain]
    for a, b in itertools.pairwise(
        placed
    ):  # unplaced paragraphs between two placed ones: their place is the gap
        lo, hi = dict(chain)[a], dict(chain)[b]
        for i in range(a + 1, b):
            out[derived[i].index] = Placement(
                tuple(source[j].index for j in range(lo, hi + 1)), (), own[i], by_order=True
            )
    return Placed(out, unshared)
