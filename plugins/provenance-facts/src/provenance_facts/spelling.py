"""Spelling differences that are not changes of wording: British and US forms, numbers as words or digits.

Shared by the name and quotation checks, so "Labour Party" / "Labor Party" is not a changed name and "honour" /
"honor" or "two" / "2" inside quotation marks is not a misquote.
"""

from __future__ import annotations

import re

from .figures import NUMBER_WORDS

_US_UK = (
    (re.compile(r"our(s?)$"), r"or\1"),  # honour, labour, colours
    (re.compile(r"is(e|ed|es|ing|ation|ations)$"), r"iz\1"),  # organise, organisation
    (re.compile(r"yse(s|d)?$"), r"yze\1"),  # analyse
    (re.compile(r"tre(s?)$"), r"ter\1"),  # centre, metres
    (re.compile(r"ll(er|ers|ing|ed)$"), r"l\1"),  # travellers, cancelled
)


def us_spelling(word: str) -> str:
    """A lower-case word with common British endings in their US form: one spelling to compare."""
    for pattern, repl in _US_UK:
        word = pattern.sub(repl, word)
    return word


def as_digits(word: str) -> str:
    """A number word ("two", "thirty-seven") as digits; any other word unchanged."""
    parts = word.split("-")
    if all(p in NUMBER_WORDS for p in parts) and len(parts) <= 2:
        return str(sum(NUMBER_WORDS[p] for p in parts))
    return word
