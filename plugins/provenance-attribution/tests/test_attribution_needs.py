"""The cheap pre-scan of a paragraph (`NEEDS`) must never hide a credit a full pattern would find."""

from __future__ import annotations

import re

import pytest

from provenance_attribution.credits import _FOLD, NEEDS, PATTERNS, may_credit

# One or more phrasings each pattern is written to catch, in several cases of letters.
PHRASES = {
    "according-to": ["according to the Marlow Times, the roof", "ACCORDING TO officials"],
    "first-published": [
        "This story first appeared in the Easterby Herald.",
        "Originally Published On hvw.example",
    ],
    "published-by": ["The report was first published by the Daily Courier.", "it is reported in the Gazette"],
    "republished": [
        "Republished with permission of Hale Valley Wire.",
        "Reprinted from the Marlow Times",
        "syndicated by Tern Press",
        "Reproduced from www.example.org",
        "Adapted from a story by Jo Marsh",
        "re-published by the Courier",
    ],
    "courtesy": ["Photo courtesy of the council", "Courtesy Tern Press"],
    "wire-tag": ["MARLOW BRIDGE (Hale Valley Wire) - The library", "(AP) -"],
    "journalists-said": [
        "Daily Courier journalists said the shed was empty.",
        "the Herald's reporters counted 40",
        "Tern Press staff confirmed it",
        "Courier editors wrote",
        "the agency's newsroom learned",
        "The Post's correspondent saw",
    ],
    "reported": ["the Marlow Times reported on Monday", "Tern Press first broke the story", "Wire revealed"],
    "told": ["a spokesperson told the Courier", "She Told Reuters"],
    "via": ["via the Marlow Times", "VIA hvw.example"],
    "source-line": ["Source: Hale Valley Wire", "Credits: Tern Press", "(via: the Courier)"],
    "reporting-from": ["Additional reporting by Jo Marsh", "With reporting from the Courier"],
    "copyright": ["\u00a9 2026 Hale Valley Wire", "(c) Tern Press", "Copyright 2020-2026 Courier"],
}


def test_every_pattern_has_its_needs():
    assert {name for name, _ in PATTERNS} == set(NEEDS)


@pytest.mark.parametrize("name,rx", PATTERNS, ids=[name for name, _ in PATTERNS])
def test_a_pattern_match_always_holds_what_it_needs(name, rx):
    needs = re.compile(NEEDS[name], re.IGNORECASE)
    matched = 0
    for phrase in PHRASES[name]:
        for m in rx.finditer(phrase):
            matched += 1
            assert needs.search(m.group()) is not None, (name, m.group())
            assert may_credit(phrase) and may_credit(phrase.upper())
    assert matched >= len(PHRASES[name])  # every phrase is one the pattern catches


def test_plain_prose_without_any_credit_word_is_skipped():
    assert not may_credit("The library reopened on Saturday after a two-year repair of its roof.")


def test_folding_maps_every_letter_ignorecase_would_match():
    # The pre-scan lowers the text instead of matching IGNORECASE: every character that IGNORECASE takes for a
    # letter a..z must come out of the fold as that letter, or a credit written with it would be skipped.
    letter = re.compile("[a-z]", re.IGNORECASE)
    for cp in range(0x110000):
        ch = chr(cp)
        if 0xD800 <= cp <= 0xDFFF or not letter.fullmatch(ch):
            continue
        folded = ch.translate(_FOLD).lower()
        assert len(folded) == 1 and "a" <= folded <= "z", hex(cp)
    assert may_credit("Ed\u0131tor") and may_credit("\u017fOURCE: the Courier")
