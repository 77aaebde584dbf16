"""Misquotes: a quotation in the derived paragraph that closely matches one in its source but not word for word.

Quotation marks promise the speaker's exact words, so a changed word inside them matters more than anywhere else.
Typography, case, punctuation and word spacing are not wording: curly and straight quotes, "Fast," and "fast.",
"long-standing" and "longstanding" compare equal. Cutting a quotation is not misquoting it: a derived quote whose
words all appear, in order and unbroken, in the source (or in the source's quotes read one after another) is
faithful, and so is one whose pieces do, where the writer marked the cuts with an ellipsis and added words in
[brackets] or (parentheses).

A quotation that fails this test is a misquote only if it still follows one source quotation closely (the
`min_quote_overlap` share of its words, in order); otherwise it is a different quotation, not a changed one.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher

from provenance import fold, quote_spans, tokenize

from .spelling import as_digits, us_spelling

# Marks of an editor's hand inside a quotation: an ellipsis (words cut), [brackets] or (parentheses) (words added).
_CUT_RE = re.compile(r"\.\.\.|\u2026|\[[^\]]*\]|\([^)]*\)")
_INSERT_RE = re.compile(r"\[[^\]]*\]|\([^)]*\)")


@dataclass(frozen=True, slots=True)
class Words:
    """A text's words in comparison form (`keys`) beside the same words as written (`shown`), for messages.

    Comparison form: folded and lower-cased, punctuation and editorial insertions dropped, hyphenated words split
    ("third-quarter" is "third quarter"), numbers as digits ("two" is "2") and British endings in US form
    ("honour" is "honor").
    """

    keys: tuple[str, ...]
    shown: tuple[str, ...]


def words(text: str) -> Words:
    """A text's words, as keys to compare and as written to show (see `Words`)."""
    keys: list[str] = []
    shown: list[str] = []
    for token in tokenize(fold(_INSERT_RE.sub(" ", text))):
        digits = as_digits(token.norm)
        parts = [(digits, token.norm)] if digits != token.norm else [(p, p) for p in token.norm.split("-") if p]
        for key, word in parts:
            keys.append(us_spelling(key))
            shown.append(word)
    return Words(tuple(keys), tuple(shown))


@dataclass(frozen=True, slots=True)
class SourceQuote:
    text: str
    words: Words
    paragraph: int


@dataclass(frozen=True, slots=True)
class Misquote:
    derived: str
    source: SourceQuote
    overlap: float
    added: tuple[str, ...]  # words the derived quotation put in, as written, in its order
    dropped: tuple[str, ...]  # words of the source quotation it left out or replaced


def quotes(text: str) -> list[str]:
    """The double-quoted passages of a paragraph, as written."""
    return [text[a:b] for a, b in quote_spans(text)]


def faithful(quote: str, sources: Sequence[Sequence[str]]) -> bool:
    """Whether every piece of the quote (split at marked cuts) occurs, in order and unbroken, in one of `sources`
    (word keys). Words are run together for this test, so "longstanding" matches "long standing" and "servicemen"
    matches "service men": spacing is typography, not wording."""
    pieces = ["".join(w.keys) for w in (words(piece) for piece in _CUT_RE.split(quote)) if w.keys]
    for seq in sources:
        text, at = "".join(seq), 0
        for piece in pieces:
            found = text.find(piece, at)
            if found < 0:
                break
            at = found + len(piece)
        else:
            return True
    return False


def compare(derived: Words, source: Words) -> tuple[float, tuple[str, ...], tuple[str, ...]]:
    """How closely a derived quotation follows a source quotation, and the words that differ.

    The two are aligned word by word (difflib), and only the stretch of the source from its first to its last
    matched word counts, so a short quotation taken from a long speech is compared with the part it comes from.
    The share is matched words over the longer of the derived quotation and that stretch: words added, dropped or
    scattered all lower it. Returns the share, the words the derived quotation added and those it dropped.
    """
    d, s = derived.keys, source.keys
    ops = SequenceMatcher(None, s, d, autojunk=False).get_opcodes()
    matched = [(i1, i2) for tag, i1, i2, _, _ in ops if tag == "equal"]
    if not d or not matched:
        return 0.0, (), ()
    lo, hi = matched[0][0], matched[-1][1]
    shared = sum(i2 - i1 for i1, i2 in matched)
    added: list[str] = []
    dropped: list[str] = []
    for n, (tag, i1, i2, j1, j2) in enumerate(ops):
        if tag == "equal":
            continue
        # Source words beyond the quoted stretch were not quoted, not dropped; at an edge, a replaced word is the
        # one next to the match ("would hold" -> "would never break": "hold", not the rest of the speech).
        if n == 0 and i2 <= lo:
            i1 = max(i1, i2 - (j2 - j1))
        if n == len(ops) - 1 and i1 >= hi:
            i2 = min(i2, i1 + (j2 - j1))
        dropped.extend(source.shown[i1:i2])
        added.extend(derived.shown[j1:j2])
    return shared / max(len(d), hi - lo), tuple(added), tuple(dropped)


def misquotes(
    derived_text: str,
    source_quotes: Sequence[SourceQuote],
    source_texts: Sequence[Sequence[str]],
    min_overlap: float,
    min_words: int,
) -> list[Misquote]:
    """Quotations of a derived paragraph that match a source quotation closely but not exactly.

    `source_quotes` are the quotations of the source paragraphs the derived paragraph draws on; `source_texts` the
    word keys of those paragraphs (whole, and their quotes run together) for the faithfulness test.
    """
    found: list[Misquote] = []
    for quote in quotes(derived_text):
        dw = words(_CUT_RE.sub(" ", quote))
        if len(dw.keys) < min_words or not source_quotes or faithful(quote, source_texts):
            continue
        share, added, dropped, best = max(
            ((*compare(dw, sq.words), sq) for sq in source_quotes), key=lambda item: item[0]
        )
        if share >= min_overlap:
            found.append(Misquote(quote, best, share, added, dropped))
    return found
