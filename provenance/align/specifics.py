"""Specifics: the tokens a reporter brings to a story, as opposed to the words any telling of it uses. Figures,
acronyms and capitalised names (not the capital a sentence starts with). Two reports of one event share its core
specifics; an independent report carries many of its own (other people quoted, other figures), a rewrite few
beyond its source's. Figures written with other digits (Arabic-Indic, Devanagari...) are read as the same number,
so they survive translation.
"""

from __future__ import annotations

import unicodedata

from provenance.model import Paragraph


def _digits(norm: str) -> str:
    """A figure with every decimal digit written as ASCII, so 7.7 and ٧٫٧ are the same figure."""
    if norm.isascii():
        return norm
    out = []
    for ch in norm:
        d = unicodedata.digit(ch, None)
        out.append(str(d) if d is not None else ("." if ch in "\u066b\u066c" else ch))
    return "".join(out)


def specifics(p: Paragraph) -> list[str]:
    """The paragraph's specifics in reading order (repeats kept out)."""
    starts = {s.start for s in p.sentences}
    seen: dict[str, None] = {}
    for t in p.tokens:
        if t.kind == "n":
            seen.setdefault(_digits(t.norm))
        elif t.kind == "a" or (t.capital and t.content and t.start not in starts):
            seen.setdefault(t.norm)
    return list(seen)
