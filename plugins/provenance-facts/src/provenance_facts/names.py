"""Names (runs of capitalised words) that a retelling changed: "Dana Pryce" for "Dana Price".

A derived name is reported only when it appears nowhere in the source, the name it is paired with appears nowhere in
the derived paragraph, and the pairing is one an editor can see at once: a spelling variant (one word of the name
differs slightly, or the whole name is nearly the same), or a different name of two or more words, sharing none,
in exactly the same place in the sentence (the same two words before and after: "years, said Tom Hughes, who
chairs" for "years, said Dana Price, who chairs").

Forms of one name are not changes: shortened ("Kowalczyk", "Kennedy Airport"), with a title ("Ms Kowalczyk"),
possessive, without accents, inflected ("Ukraine's" / "Ukrainian") or in British or US spelling ("Labour").
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from difflib import SequenceMatcher

from provenance import tokenize

from .figures import MONTHS, WEEKDAYS
from .spelling import us_spelling

# Lower-case words that may sit inside a name ("Ludwig van Beethoven").
PARTICLES = frozenset(
    {"van", "von", "de", "der", "den", "da", "di", "del", "della", "du", "la", "le", "bin", "ibn", "al"}
)
# Titles before a name are not part of it: "Dr Price" and "Ms Price" are the same person.
TITLES = frozenset(
    {
        "mr",
        "mrs",
        "ms",
        "miss",
        "dr",
        "prof",
        "sir",
        "dame",
        "lord",
        "lady",
        "rev",
        "cllr",
        "gen",
        "col",
        "capt",
        "sgt",
        "lt",
        "st",
        "mx",
    }
)
_NOT_NAMES = frozenset(MONTHS) | frozenset(WEEKDAYS)
_OPENERS = ('"', "'", "\u201c", "\u2018", "(", "[", ":", "-", "\u2014", "\u2013")

SPELLING_PART = 0.6  # similarity of the one differing word for a spelling variant ("price" / "pryce": 0.8)
SPELLING_SINGLE = 0.8  # the same when one word stands alone for a name: short words are alike by chance
SPELLING_WHOLE = 0.85  # similarity of two whole names for a spelling variant ("macallister" / "mcallister")
CONTEXT = 2  # words on each side that must match for "a different name in the same place"
SCORE_SPELLING = 0.85
SCORE_SAME_PLACE = 0.7


@dataclass(frozen=True, slots=True)
class Name:
    """A name as written, its comparison words (hyphens split: "Brigadier-General" is "brigadier general"), and the
    words around it in its sentence."""

    text: str
    words: tuple[str, ...]
    before: tuple[str, ...]  # up to two words before the name, nearest last
    after: tuple[str, ...]  # up to two words after it

    @property
    def key(self) -> str:
        return " ".join(self.words)


@dataclass(frozen=True, slots=True)
class NameChange:
    derived: Name
    source: Name
    pairing: str
    score: float


def _word(norm: str) -> str:
    """A name word for comparison: possessive and accents dropped ("Chrétien's" is "chretien")."""
    norm = norm.removesuffix("'s")
    if norm.isascii():
        return norm
    return "".join(c for c in unicodedata.normalize("NFKD", norm) if not unicodedata.combining(c))


def names(text: str) -> list[Name]:
    """Runs of capitalised words in one sentence, minus leading function words, titles and a lone first word.

    A single capitalised word that opens the sentence (or a quotation) is usually just capitalised, not a name.
    """
    tokens = tokenize(text)
    runs: list[list[int]] = []
    current: list[int] = []
    for i, t in enumerate(tokens):
        gap = text[tokens[current[-1]].end : t.start] if current else ""
        # Words of one name are separated by a space, or by ". " after an initial ("William H. Rehnquist").
        joined = bool(current) and (gap == " " or (gap == ". " and len(tokens[current[-1]].norm) == 1))
        is_cap = t.kind == "w" and t.capital and t.norm not in _NOT_NAMES
        if is_cap and (joined or not current):
            current.append(i)
        elif is_cap:
            runs.append(current)
            current = [i]
        elif joined and t.norm in PARTICLES and t.kind == "w":
            current.append(i)
        else:
            if current:
                runs.append(current)
            current = []
    if current:
        runs.append(current)
    out: list[Name] = []
    for run in runs:
        while run and (
            tokens[run[0]].content == "" or tokens[run[0]].norm in TITLES or tokens[run[0]].norm in PARTICLES
        ):
            run = run[1:]
        while run and tokens[run[-1]].norm in PARTICLES:
            run = run[:-1]
        if not run:
            continue
        first = tokens[run[0]]
        opens = run[0] == 0 or text[: first.start].rstrip().endswith(_OPENERS)
        if len(run) == 1 and opens:
            continue
        before = tuple(_word(t.norm) for t in tokens[max(0, run[0] - CONTEXT) : run[0]])
        after = tuple(_word(t.norm) for t in tokens[run[-1] + 1 : run[-1] + 1 + CONTEXT])
        words = tuple(part for i in run for part in _word(tokens[i].norm).split("-") if part)
        out.append(Name(text[first.start : tokens[run[-1]].end], words, before, after))
    return out


def word_text(texts: Iterable[str]) -> str:
    """Texts as one space-separated string of comparison words, for whole-word `contains` checks."""
    return " " + " ".join(_word(t.norm).replace("-", " ") for text in texts for t in tokenize(text)) + " "


def contains(haystack: str, name: Name) -> bool:
    return f" {name.key} " in haystack


def _similar(a: str, b: str) -> float:
    return SequenceMatcher(None, a, b).ratio()


def _stem(word: str) -> str:
    tokens = tokenize(word)
    return (tokens[0].content or word) if tokens else word


def _variant(a: str, b: str) -> bool:
    """Two forms of one word, not two names: "Ukraine" / "Ukrainian" (one's stem begins the other), "Tim" /
    "Timothy" (a short form), "Labour" / "Labor" and "Organisation" / "Organization" (British and US spelling)."""
    short, long_ = sorted((a, b), key=len)
    stem = _stem(short)
    return (
        (len(stem) >= 4 and long_.startswith(stem))
        or (len(short) >= 3 and long_.startswith(short))
        or us_spelling(a) == us_spelling(b)
    )


def pair(d: Name, s: Name) -> NameChange | None:
    """Whether derived name `d` reads as a changed version of source name `s`, and why."""
    if d.words == s.words or sorted(d.words) == sorted(s.words):
        return None
    if len(d.words) == len(s.words) and all(x == y or _variant(x, y) for x, y in zip(d.words, s.words, strict=True)):
        return None  # "Ukraine's Air Force" for "Ukrainian Air Force" is grammar, not a different name
    if set(d.words) <= set(s.words) or set(s.words) <= set(d.words):
        return None  # "Kennedy Airport" for "Kennedy International Airport": shortened, not changed
    n = len(s.words)
    # Same length, or the derived name's first or last words ("Fire Chief Dana Pryce" / "Dana Price").
    for window in dict.fromkeys((d.words[:n], d.words[-n:])) if len(d.words) >= n else ():
        diffs = [(x, y) for x, y in zip(window, s.words, strict=True) if x != y]
        if (
            len(diffs) == 1
            and _similar(*diffs[0]) >= (SPELLING_PART if n > 1 else SPELLING_SINGLE)
            and not _variant(*diffs[0])
        ):
            return NameChange(d, s, f"spelling: {diffs[0][1]} / {diffs[0][0]}", SCORE_SPELLING)
    if _similar(d.key, s.key) >= SPELLING_WHOLE:
        return NameChange(d, s, "spelling of the whole name", SCORE_SPELLING)
    if (
        len(d.words) == 1
        and len(s.words) > 1
        and _similar(d.words[0], s.words[-1]) >= SPELLING_SINGLE
        and not _variant(d.words[0], s.words[-1])
    ):
        return NameChange(d, s, f"spelling: {s.words[-1]} / {d.words[0]}", SCORE_SPELLING)
    # A whole name replaced by another ("Tom Hughes" for "Dana Price"). Single words in the same place are too
    # often synonyms ("the Pentagon" for "the Defense Department"), and names sharing a word renamings.
    if (
        len(d.words) > 1
        and len(s.words) > 1
        and not set(d.words) & set(s.words)
        and (d.before or d.after)
        and (d.before, d.after) == (s.before, s.after)
    ):
        return NameChange(
            d, s, f"same place: after '{' '.join(d.before)}', before '{' '.join(d.after)}'", SCORE_SAME_PLACE
        )
    return None


def changed_names(
    derived_sentence: str, source_sentence: str, source_words: str, derived_words: str
) -> list[NameChange]:
    """Names of the derived sentence that replaced a name of the source sentence.

    `source_words` is the whole source article and `derived_words` the derived paragraph, both as `word_text`: a
    derived name found anywhere in the source is not new, and a source name the paragraph keeps was not replaced.
    """
    candidates = [s for s in names(source_sentence) if not contains(derived_words, s)]
    changes: list[NameChange] = []
    for d in names(derived_sentence):
        if contains(source_words, d):
            continue
        found = [c for c in (pair(d, s) for s in candidates) if c is not None]
        if found:
            changes.append(max(found, key=lambda c: (c.score, _similar(c.derived.key, c.source.key))))
    return changes
