"""Finding credit lines in the derived article.

Each pattern below marks a place where writers name where a story came from ("according to X", "first
published by X", "(Reuters)", "X reported", "told X", "via X", "Source: X", a link to the source's site ...).
The pattern only proposes a name; `names.py` decides whether that name is the source, another outlet, or
neither (a person, a body).

Every paragraph is scanned, boilerplate included: a "Source: ..." footer or a copyright line is exactly the
kind of line the core classifies as page furniture, and it still credits. Matching ignores case.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from provenance import Paragraph

from .names import SourceIdentity, host_of, is_cased, normalize, outlet_in

Target = Literal["source", "other"]

# A credited name: a URL, or text up to the next punctuation that ends a name (cut further in `_trim`).
_NAME = r"(?P<name>https?://[^\s<>\"')\]]+|www\.[^\s<>\"')\]]+|[^,;:!?()\[\]\"\u201c\u201d\n]{1,90})"
_BEFORE = r"(?<![\w'\u2019&.\-])(?P<name>(?:[\w'\u2019&.\-]+\s+){0,5}[\w'\u2019&.\-]+?)"

PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("according-to", re.compile(r"\baccording\s+to\s+" + _NAME, re.IGNORECASE)),
    (
        "first-published",
        re.compile(
            r"\b(?:originally|first)\s+(?:published|appeared|ran|printed|posted|reported|aired|broadcast|carried)"
            r"\s+(?:by|in|on|at|with|from)\s+" + _NAME,
            re.IGNORECASE,
        ),
    ),
    (
        "published-by",
        re.compile(
            r"\b(?:was|is|were|been)\s+(?:first\s+|originally\s+)?(?:published|reported)\s+(?:by|in|on)\s+"
            + _NAME,
            re.IGNORECASE,
        ),
    ),
    (
        "republished",
        re.compile(
            r"\b(?:re-?published|reprinted|syndicated|republishing|reproduced|adapted)\s+(?:here\s+)?"
            r"(?:with\s+(?:the\s+)?(?:kind\s+)?permission\s+)?(?:of|from|by)\s+" + _NAME,
            re.IGNORECASE,
        ),
    ),
    ("courtesy", re.compile(r"\bcourtesy\s+(?:of\s+)?" + _NAME, re.IGNORECASE)),
    ("wire-tag", re.compile(r"\((?P<name>[^()\n]{2,40})\)")),
    (
        "journalists-said",
        re.compile(
            _BEFORE
            + r"(?:['\u2019]s)?\s+(?:journalists?|reporters?|correspondents?|staff|editors?|newsroom)\s+"
            r"(?:said|say|says|reported|found|wrote|learned|learnt|saw|confirmed|observed|witnessed|counted)\b",
            re.IGNORECASE,
        ),
    ),
    (
        "reported",
        re.compile(
            _BEFORE + r"\s+(?:(?:has|had|have|first|originally|previously|earlier|also)\s+)*"
            r"(?:reported|reports|revealed|broke\s+the\s+(?:news|story))\b",
            re.IGNORECASE,
        ),
    ),
    ("told", re.compile(r"\btold\s+" + _NAME, re.IGNORECASE)),
    ("via", re.compile(r"\bvia\s+" + _NAME, re.IGNORECASE)),
    (
        "source-line",
        re.compile(r"(?:^|(?<=\s)|(?<=\())(?:sources?|credits?|via)\s*:\s*" + _NAME, re.IGNORECASE),
    ),
    (
        "reporting-from",
        re.compile(r"\b(?:with\s+)?(?:additional\s+)?reporting\s+(?:by|from)\s+" + _NAME, re.IGNORECASE),
    ),
    (
        "copyright",
        re.compile(
            r"(?:\u00a9|\(c\)|\bcopyright\b)\s*(?:\d{4}(?:\s*[-\u2013]\s*\d{4})?\s*)?" + _NAME, re.IGNORECASE
        ),
    ),
)

# What each pattern cannot match without: one cheap scan of a paragraph for any of these words skips the
# thirteen full patterns on the (many) paragraphs that credit no one. Keep in step with PATTERNS (a test checks
# every pattern has its entry and that the skip changes no result).
NEEDS: dict[str, str] = {
    "according-to": "according",
    "first-published": "originally|first",
    "published-by": "published|reported",
    "republished": "publish|reprint|syndicat|reproduc|adapted",
    "courtesy": "courtesy",
    "wire-tag": r"\(",
    "journalists-said": "journalist|reporter|correspondent|staff|editor|newsroom",
    "reported": "report|revealed|broke",
    "told": "told",
    "via": "via",
    "source-line": "source|credit|via",
    "reporting-from": "reporting",
    "copyright": r"\u00a9|\(c\)|copyright",
}
_ANY_NEED = re.compile("|".join(NEEDS[name] for name, _ in PATTERNS))  # on folded text: six times faster
# than IGNORECASE. The only characters IGNORECASE equates with a..z that str.lower() leaves elsewhere:
_FOLD = str.maketrans({"\u0130": "i", "\u0131": "i", "\u017f": "s"})


def may_credit(text: str) -> bool:
    """Whether `text` holds any word a credit pattern needs (False: no pattern can match it)."""
    folded = text if text.isascii() else text.translate(_FOLD)
    return _ANY_NEED.search(folded.lower()) is not None


# Links and bare domains; a link to the source's site credits it wherever it stands.
URL = re.compile(
    r"\bhttps?://[^\s<>\"')\]]+|\bwww\.[^\s<>\"')\]]+"
    r"|\b[a-z0-9][a-z0-9\-]*(?:\.[a-z0-9\-]+)*\.[a-z]{2,}(?:/[^\s<>\"')\]]*)?(?![\w.])",
    re.IGNORECASE,
)

# Patterns that say outright "this came from X": there a bare site address names the credited outlet.
# Elsewhere a URL in passing ("see www.irs.gov", "the journal Science (www.sciencemag.org)") credits no one.
EXPLICIT = frozenset(
    {
        "first-published",
        "published-by",
        "republished",
        "courtesy",
        "source-line",
        "via",
        "reporting-from",
        "copyright",
    }
)

_QUOTED = re.compile(r"[\"\u201c\u2018']([^\"\u201d\u2019]{10,300})[\"\u201d\u2019']")
_SENTENCE_END = re.compile(r"\.(?:\s|$)")
_CLAUSE = re.compile(
    r"\s+(?:and|that|who|which|where|when|while|because|said|says|after|before|since)\s+", re.IGNORECASE
)
MAX_NAME_WORDS = 8
MAX_TEXT = 240


@dataclass(frozen=True, slots=True)
class Credit:
    """One credit line: where it is, how it was phrased, whom it names, and whether that is the source."""

    paragraph: int
    text: str  # the sentence that carries the credit
    pattern: str  # which pattern found it (according-to, wire-tag, link, mention, ...)
    name: str  # the credited name as written
    target: Target
    matched: str  # the known source name it matched, or the outlet name it names
    boilerplate: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "paragraph": self.paragraph,
            "text": self.text,
            "pattern": self.pattern,
            "name": self.name,
            "credits": self.target,
            "matched": self.matched,
            "boilerplate": self.boilerplate,
        }


def _trim(name: str) -> str:
    """Cut a proposed name at the sentence's end and to a few words, so it cannot run into the next claim."""
    if name.lower().startswith(("http://", "https://", "www.")):
        return name.rstrip(".,;:!?")
    m = _SENTENCE_END.search(name)
    if m:
        name = name[: m.start()]
    words = name.split()
    return " ".join(words[:MAX_NAME_WORDS]).strip(" .-\u2013\u2014")


def _display(name: str, matched: str) -> str:
    """The credited name as evidence shows it: cut before the clause that follows, if the match survives.

    Classification reads the whole proposed name ("officials who spoke to the Daily Post" names the Daily
    Post); only what is shown is shortened.
    """
    m = _CLAUSE.search(name)
    if not m:
        return name
    short = name[: m.start()]
    host = host_of(matched) if "." in matched else ""
    kept = normalize(matched) in normalize(short) or (host != "" and host in short.lower())
    return short if kept else name


def _sentence(paragraph: Paragraph, offset: int) -> str:
    """The sentence of `paragraph` around character `offset`: what a reader would quote as the credit."""
    text = paragraph.text
    for i, s in enumerate(paragraph.sentences):
        if s.start <= offset < s.end:
            text = paragraph.sentence_text(i)
            break
    text = " ".join(text.split())
    return text if len(text) <= MAX_TEXT else text[: MAX_TEXT - 1] + "\u2026"


def classify(
    name: str, identity: SourceIdentity, cased: bool, explicit: bool = False
) -> tuple[Target, str] | None:
    """Whether a proposed name credits the source, another outlet, or no one (None).

    `explicit`: the phrase around the name is itself a credit ("Source:", "first published by"), so a bare web
    address there names another site even when it is not a recognisable outlet.
    """
    urls = [m.group() for m in URL.finditer(name)]
    for u in urls:
        if identity.match_host(host_of(u)):
            return "source", host_of(u)
    known = identity.match_name(name)
    if known is not None:
        return "source", known.label
    outlet = outlet_in(name, cased)
    if outlet is not None:
        return "other", outlet
    if explicit and urls and name.strip().lower().startswith(("http", "www.")):
        return "other", host_of(urls[0])  # "Source: https://elsewhere.example/..." names a site, not a person
    return None


def _pattern_credits(paragraph: Paragraph, identity: SourceIdentity, cased: bool) -> Iterator[Credit]:
    if not may_credit(paragraph.text):
        return
    for pattern, rx in PATTERNS:
        for m in rx.finditer(paragraph.text):
            name = _trim(m.group("name"))
            if not name:
                continue
            verdict = classify(name, identity, cased, pattern in EXPLICIT)
            if verdict is None:
                continue
            target, matched = verdict
            yield Credit(
                paragraph.index,
                _sentence(paragraph, m.start()),
                pattern,
                _display(name, matched),
                target,
                matched,
                paragraph.role == "boilerplate",
            )


def _link_credits(paragraph: Paragraph, identity: SourceIdentity) -> Iterator[Credit]:
    for m in URL.finditer(paragraph.text):
        host = host_of(m.group())
        if identity.match_host(host):
            yield Credit(
                paragraph.index,
                _sentence(paragraph, m.start()),
                "link",
                m.group().rstrip(".,;:!?"),
                "source",
                host,
                paragraph.role == "boilerplate",
            )


def _mention_credits(paragraph: Paragraph, identity: SourceIdentity) -> Iterator[Credit]:
    """Plain mentions of a known source name or byline, and the source's headline quoted in full."""
    for i in range(len(paragraph.sentences) if identity.known else 0):
        sentence = paragraph.sentence_text(i)
        known = identity.match_name(sentence)
        if known is not None:
            start = paragraph.sentences[i].start
            yield Credit(
                paragraph.index,
                _sentence(paragraph, start),
                "mention",
                known.label,
                "source",
                known.label,
                paragraph.role == "boilerplate",
            )
    title = normalize(identity.title)
    if len(title.split()) >= 4:
        for m in _QUOTED.finditer(paragraph.text):
            if normalize(m.group(1)) == title:
                yield Credit(
                    paragraph.index,
                    _sentence(paragraph, m.start()),
                    "headline",
                    identity.title,
                    "source",
                    identity.title,
                    paragraph.role == "boilerplate",
                )


DATELINE_WITHIN = 60  # characters: how near a paragraph's start "(Reuters)" must be to read as a dateline


def self_credits(paragraphs: Sequence[Paragraph]) -> list[str]:
    """Outlet names the source gives itself: a dateline tag opening its story ("LONDON (Reuters) -") or a
    copyright line ("\u00a9 2026 Hale Valley Wire").

    Why: without them, a plain-text wire story would have no known name, and a rewrite that keeps "(Reuters)"
    could only be assumed to credit it.
    """
    empty = SourceIdentity()
    opening = {p.index for p in [p for p in paragraphs if p.role != "boilerplate"][:2]}
    found: list[str] = []
    for p in paragraphs:
        for pattern, rx in PATTERNS:
            if pattern not in ("wire-tag", "copyright"):
                continue
            for m in rx.finditer(p.text):
                if pattern == "wire-tag" and (p.index not in opening or m.start() > DATELINE_WITHIN):
                    continue
                verdict = classify(_trim(m.group("name")), empty, is_cased(p.text), explicit=True)
                if verdict is not None and verdict[1] not in found:
                    found.append(verdict[1])
    return found


def find_credits(
    paragraphs: Sequence[Paragraph], identity: SourceIdentity, derived_metadata: dict[str, str], anchor: int
) -> list[Credit]:
    """Every credit line in the derived article, one per paragraph and credited name, in reading order.

    The derived page's own canonical URL (HTML metadata) pointing at the source's site counts as a credit too:
    a republisher that sets it is telling search engines where the story lives.
    """
    found: list[Credit] = []
    seen: set[tuple[int, str, str]] = set()

    def keep(credits: Iterable[Credit]) -> None:
        # One credit per sentence and target: the first (most specific) way of finding it wins.
        for c in credits:
            key = (c.paragraph, c.text, c.target)
            if key not in seen:
                seen.add(key)
                found.append(c)

    canonical = derived_metadata.get("url", "")
    if canonical and identity.match_host(host_of(canonical)):
        host = host_of(canonical)
        keep([Credit(anchor, f"canonical link: {canonical}", "canonical", canonical, "source", host)])
    for p in paragraphs:
        cased = is_cased(p.text)
        keep(_pattern_credits(p, identity, cased))
        keep(_link_credits(p, identity))
        keep(_mention_credits(p, identity))
    return sorted(found, key=lambda c: (c.paragraph, c.target != "source"))
