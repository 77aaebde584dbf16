"""Figures and dates in a sentence, and which of them changed between a source sentence and its retelling.

A figure is only reported as changed when two things hold, so that an editor can check the call in one glance:

1. neither value survives: the derived value appears nowhere in the source paragraphs the passage draws on, and the
   source value appears nowhere in the derived paragraph (a figure that moved to another sentence, or was spelled
   out, is not a change);
2. the two figures fill the same role, by a pairing simple enough to explain, strongest first: the same counted
   noun or unit follows both ("330 missiles" / "300 missiles"); or, once the values both sides share are set
   aside, each is the only figure of its kind left in its sentence; or the only one left in its paragraph, for
   source sentences the core's alignment did not link.

A figure missing from the derived text is an omission, and a derived figure without a counterpart is new material;
neither is reported. Numbers written as words ("thirty-seven", up to the hundreds, with thousand/million/billion)
are read as values, so "37 people" for "thirty-seven people" is not a change; they are paired only by their unit.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from provenance import fold, tokenize

from .pairs import SentencePair

MONTHS: dict[str, int] = {
    "jan": 1,
    "january": 1,
    "feb": 2,
    "february": 2,
    "mar": 3,
    "march": 3,
    "apr": 4,
    "april": 4,
    "may": 5,
    "jun": 6,
    "june": 6,
    "jul": 7,
    "july": 7,
    "aug": 8,
    "august": 8,
    "sep": 9,
    "sept": 9,
    "september": 9,
    "oct": 10,
    "october": 10,
    "nov": 11,
    "november": 11,
    "dec": 12,
    "december": 12,
}
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
SCALES: dict[str, int] = {
    "thousand": 10**3,
    "k": 10**3,
    "million": 10**6,
    "m": 10**6,
    "mn": 10**6,
    "billion": 10**9,
    "bn": 10**9,
    "trillion": 10**12,
}
CURRENCIES: dict[str, str] = {
    "£": "GBP",
    "$": "USD",
    "€": "EUR",
    "¥": "JPY",
    "pounds": "GBP",
    "pence": "GBP",
    "dollars": "USD",
    "cents": "USD",
    "euros": "EUR",
    "yen": "JPY",
}
ORDINAL_SUFFIXES = frozenset({"st", "nd", "rd", "th"})
# Words after which a four-digit number reads as a year ("in 2009", "the 2009 flood").
YEAR_CUES = frozenset(
    {
        "in",
        "since",
        "from",
        "until",
        "till",
        "by",
        "to",
        "before",
        "after",
        "during",
        "of",
        "the",
        "early",
        "late",
        "mid",
        "year",
        "summer",
        "winter",
        "spring",
        "autumn",
        "circa",
    }
)
# Words that mark a figure as rounded: "about 1,800" for a source's 1,834 is not an error.
HEDGES = frozenset(
    {
        "about",
        "around",
        "nearly",
        "almost",
        "roughly",
        "approximately",
        "some",
        "over",
        "under",
        "than",
        "least",
        "up",
        "close",
        "estimated",
        "approx",
        "circa",
    }
)
# Measurement units: a figure in metres and one in centimetres are a conversion, never a one-to-one change.
MEASURES = frozenset(
    {
        "metr",
        "meter",
        "m",
        "cm",
        "mm",
        "km",
        "centimetr",
        "millimetr",
        "kilometr",
        "mile",
        "feet",
        "foot",
        "ft",
        "inch",
        "yard",
        "kg",
        "kilogram",
        "gram",
        "g",
        "tonn",
        "ton",
        "lb",
        "litr",
        "liter",
        "gallon",
        "hour",
        "minut",
        "second",
        "day",
        "week",
        "month",
        "year",
        "degre",
        "acr",
        "hectar",
        "mph",
        "kph",
        "km/h",
    }
)

_MONTH = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sep(?:tember|t)?"
    r"|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"
)
_EDGE = r"(?<![\w.,])(?<![^\W\d_]-)"  # not inside a word, a decimal, or a code such as COVID-19
_TIME_RE = re.compile(
    _EDGE + r"(?P<h>\d{1,2})(?:[.:](?P<m>[0-5]\d))?\s?(?P<ampm>[ap])\.?m\b\.?"
    r"|" + _EDGE + r"(?P<h24>[01]?\d|2[0-3]):(?P<m24>[0-5]\d)(?![\d:])",
    re.IGNORECASE,
)
_DATE_RE = re.compile(
    _EDGE + r"(?P<d>\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<mon>" + _MONTH + r")(?![^\W_])"
    r"|(?<![^\W_])(?P<mon2>" + _MONTH + r")\s+(?P<d2>\d{1,2})(?:st|nd|rd|th)?(?![\d.,]?\d)(?![^\W_])"
)
_AFTER_DATE_RE = re.compile(_MONTH + r"\s+\d{1,2}(?:st|nd|rd|th)?,\s*$")  # "March 12, " before a year
_WEEKDAY_RE = re.compile(r"(?<![^\W_])(?P<day>" + "|".join(d.capitalize() for d in WEEKDAYS) + r")s?(?![^\W_])")
_NUMBER_RE = re.compile(
    r"(?:(?<![\w.,])(?:US|AU|A|C|NZ|HK|S)?(?P<cur>[£$€¥])\s?|" + _EDGE + r")"
    r"(?P<num>(?>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?))"
    r"(?P<glued>[^\W\d_]+)?"
    r"(?:[\s-]?(?P<scale>(?:million|billion|trillion|thousand)s?|bn|mn)(?![^\W_]))?"
    r"(?P<pct>\s?%|\s?per\s?cent(?![^\W_])|\s?percent(?![^\W_]))?"
    r"(?:\s(?P<curword>pounds|pence|dollars|cents|euros|yen)(?![^\W_]))?"
)
_NEXT_WORD_RE = re.compile(r"[\s-]*(?P<word>[^\W\d_][\w'\u2019]*(?:-[^\W\d_][\w'\u2019]*)*)")
_PREV_WORD_RE = re.compile(r"(?P<word>[^\W\d_]+)[^\w]*$")

_SMALL = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
]
_TENS = ["twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
NUMBER_WORDS: dict[str, int] = {w: i for i, w in enumerate(_SMALL)} | {w: 20 + 10 * i for i, w in enumerate(_TENS)}
_NUMBER_WORD = r"(?:" + "|".join(sorted(NUMBER_WORDS, key=len, reverse=True)) + r"|hundred|dozen)"
_SPELLED_RE = re.compile(
    r"(?<![\w-])(?:a\s+)?" + _NUMBER_WORD + r"(?:(?:-|\s+(?:and\s+)?)" + _NUMBER_WORD + r")*"
    r"(?:\s+(?:thousand|million|billion))?(?![\w-])",
    re.IGNORECASE,
)

# Kinds of fact: a change of a figure is a changed-number, of any other kind (year, decade, date, time, weekday)
# a changed-date. LABELS names each kind in messages.
FIGURES = frozenset({"number", "money", "percent", "ordinal"})
LABELS = {
    "number": "number",
    "money": "amount",
    "percent": "percentage",
    "ordinal": "number",
    "year": "year",
    "decade": "decade",
    "date": "date",
    "time": "time",
    "weekday": "day",
}


@dataclass(frozen=True, slots=True)
class Fact:
    """One figure or date as written, with the keys under which the same value may appear elsewhere.

    `keys` are canonical values ("2400000" for "2.4 million", "9:00" and "9" for "9am"): two facts share a key
    when they say the same thing, however spelled. `unit` is the stem of the counted noun or unit after the figure
    (None after a function word), used to pair figures in the same role.
    """

    kind: str
    text: str
    display: str
    keys: frozenset[str]
    value: Decimal | None
    unit: str | None
    unit_text: str
    start: int
    end: int
    hedged: bool
    spelled: bool = False
    step: Decimal = Decimal(1)  # the value of the last digit written: 0.1 for "1.2", 100000 for "£6.2 million"

    @property
    def group(self) -> str:
        """Facts of one group compete for the one-to-one pairing: plain numbers and ordinals together, every other
        kind (amounts of money, percentages, each kind of date) on its own, since each is distinctive."""
        return "figure" if self.kind in ("number", "ordinal") else self.kind

    @property
    def finding_kind(self) -> str:
        return "changed-number" if self.kind in FIGURES else "changed-date"


@dataclass(frozen=True, slots=True)
class Change:
    """A derived fact paired with the source fact it replaced, and why the two were paired.

    `rule` names the pairing rule ("unit", "sentence" or "paragraph", strongest first); `pairing` explains it.
    """

    derived: Fact
    source: Fact
    pairing: str
    rule: str


def _canonical(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _decimal(text: str) -> Decimal | None:
    try:
        return Decimal(text.replace(",", ""))
    except InvalidOperation:
        return None


def _unit_after(text: str, end: int) -> tuple[str | None, str, int]:
    """The stem of the word right after a figure, that word as written, and where it ends."""
    m = _NEXT_WORD_RE.match(text, end)
    if not m:
        return None, "", end
    word = m.group("word")
    tokens = tokenize(word.split("-")[0])
    stem = tokens[0].content if tokens else ""
    return (stem or None), (word if stem else ""), (m.end() if stem else end)


def _prev_word(text: str, start: int) -> str:
    m = _PREV_WORD_RE.search(text[max(0, start - 40) : start])
    return m.group("word").lower() if m else ""


def _overlaps(start: int, end: int, taken: list[tuple[int, int]]) -> bool:
    return any(start < b and a < end for a, b in taken)


def _fact(
    kind: str, text: str, m: re.Match[str], keys: set[str], value: Decimal | None = None, unit: bool = True
) -> Fact:
    start, end = m.span()
    stem, unit_text, unit_end = _unit_after(text, end) if unit else (None, "", end)
    # A count is shown with what it counts ("330 missiles"); other kinds are clear alone, and the word after a
    # year, an amount or a percentage is as often a verb as a noun ("40% comes").
    shown = text[start : unit_end if kind == "number" else end].strip()
    return Fact(
        kind=kind,
        text=m.group(),
        display=shown,
        keys=frozenset(keys),
        value=value,
        unit=stem,
        unit_text=unit_text,
        start=start,
        end=end,
        hedged=_prev_word(text, start) in HEDGES,
    )


@lru_cache(maxsize=4096)
def hard_facts(text: str) -> tuple[Fact, ...]:
    """Figures, years, dates, times and weekdays written with digits or names: the facts that can be flagged.

    Cached: each sentence is read once, though it is held against several others.
    """
    text = fold(text)
    facts: list[Fact] = []
    taken: list[tuple[int, int]] = []
    for m in _TIME_RE.finditer(text):
        hour = int(m.group("h") or m.group("h24"))
        minute = int(m.group("m") or m.group("m24") or 0)
        if m.group("ampm"):
            if hour > 12:
                continue
            hour = hour % 12 + (12 if m.group("ampm").lower() == "p" else 0)
        keys = {f"{hour}:{minute:02d}"}
        if minute == 0:
            keys |= {str(hour), str(hour % 12 or 12)}  # "9am" is also "nine o'clock"
        facts.append(_fact("time", text, m, keys, unit=False))
        taken.append(m.span())
    for m in _DATE_RE.finditer(text):
        if _overlaps(*m.span(), taken):
            continue
        day = int(m.group("d") or m.group("d2"))
        month = MONTHS[(m.group("mon") or m.group("mon2")).rstrip(".").lower()]
        if not 1 <= day <= 31:
            continue
        facts.append(_fact("date", text, m, {f"{month:02d}-{day:02d}"}, unit=False))
        taken.append(m.span())
    for m in _WEEKDAY_RE.finditer(text):
        facts.append(_fact("weekday", text, m, {m.group("day").lower()}, unit=False))
        taken.append(m.span())
    for m in _NUMBER_RE.finditer(text):
        if _overlaps(*m.span(), taken):
            continue
        fact = _number(text, m)
        if fact is not None:
            facts.append(fact)
    for m in _SPELLED_RE.finditer(text):
        value = _spelled_value(m.group())
        fact = _fact("number", text, m, {str(value)}, Decimal(value))
        # Spelled-out figures count only with a unit ("eighteen months"): alone, "one" or "ten" is too often
        # not a figure at all.
        if value >= 2 and fact.unit and not _overlaps(*m.span(), taken):
            facts.append(replace(fact, spelled=True))
    return tuple(sorted(facts, key=lambda f: f.start))


def _number(text: str, m: re.Match[str]) -> Fact | None:
    value = _decimal(m.group("num"))
    if value is None:
        return None
    glued = (m.group("glued") or "").lower()
    scale = (m.group("scale") or "").lower().rstrip("s")
    currency = CURRENCIES.get((m.group("cur") or "").strip()) or CURRENCIES.get((m.group("curword") or "").lower())
    if glued in SCALES and currency and not scale:
        scale, glued = glued, ""
    if glued == "s" and len(m.group("num")) == 4:
        return _fact("decade", text, m, {m.group("num") + "s"}, unit=False)
    step = Decimal(1).scaleb(-len(m.group("num").partition(".")[2])) * SCALES.get(scale, 1)
    value *= SCALES.get(scale, 1)
    if glued and glued not in ORDINAL_SUFFIXES:
        # A unit written against the figure ("2.4m", "10kg") is what the figure measures.
        fact = _fact("number", text, m, {_canonical(value)}, value, unit=False)
        return replace(fact, unit=tokenize(glued)[0].content or glued, unit_text=glued, step=step)
    if glued:
        kind = "ordinal"
    elif currency:
        kind = "money"
    elif m.group("pct"):
        kind = "percent"
    elif _is_year(text, m):
        kind = "year"
    else:
        kind = "number"
    return replace(_fact(kind, text, m, {_canonical(value)}, value), step=step)


def _is_year(text: str, m: re.Match[str]) -> bool:
    """A bare four-digit number from 1800 to 2099 after a year cue or a month, or ending a clause."""
    raw = m.group("num")
    if not (len(raw) == 4 and raw.isdigit() and 1800 <= int(raw) <= 2099) or m.group() != raw:
        return False
    prev = _prev_word(text, m.start())
    if prev in YEAR_CUES or prev.rstrip(".") in MONTHS or _AFTER_DATE_RE.search(text, 0, m.start()):
        return True
    rest = text[m.end() : m.end() + 2]
    return rest == "" or not rest.lstrip(" ")[:1].isalnum()


def spelled_keys(text: str) -> set[str]:
    """Values of numbers written as words ("thirty-seven", "a hundred", "two million"), as keys.

    These are never flagged themselves (words such as "one" are too often not numbers); they only show that a
    value survived, so "thirty-seven people" for "37 people" is not a change.
    """
    return {str(_spelled_value(m.group())) for m in _SPELLED_RE.finditer(fold(text))}


def _spelled_value(words: str) -> int:
    """The value of number words: "thirty-seven" is 37, "a hundred" 100, "two million" 2000000."""
    total, current = 0, 0
    for w in re.findall(r"[a-z]+", words.lower()):
        if w in NUMBER_WORDS:
            current += NUMBER_WORDS[w]
        elif w == "hundred":
            current = (current or 1) * 100
        elif w == "dozen":
            current = (current or 1) * 12
        elif w in SCALES:
            total += (current or 1) * SCALES[w]
            current = 0
    return total + current


@lru_cache(maxsize=1024)
def all_keys(text: str) -> frozenset[str]:
    """Every value a text states, by digits or in words."""
    keys = spelled_keys(text)
    for fact in hard_facts(text):
        keys |= fact.keys
    return frozenset(keys)


def _rounded(a: Fact, b: Fact, tolerance: float) -> bool:
    """Whether one figure is the other rounded, not changed.

    Two cases: a figure written with fewer digits that is the other rounded to them ("1.2 percent" for
    "1.23 percent", "£6 million" for "£6.2 million"; "2.6" for "2.4" is a change), and a hedged figure
    ("about 1,800") within `tolerance` of the other.
    """
    if a.value is None or b.value is None:
        return False
    coarse = max(a.step, b.step)
    if a.step != b.step and abs(a.value - b.value) <= coarse / 2:
        return True
    hedged = a.hedged or b.hedged
    return hedged and b.value != 0 and abs(a.value - b.value) / abs(b.value) <= Decimal(str(tolerance))


def _conversion(a: Fact, b: Fact) -> bool:
    return bool(a.unit and b.unit and a.unit != b.unit and (a.unit in MEASURES or b.unit in MEASURES))


def changed_facts(
    pair: SentencePair, source_keys: frozenset[str], derived_keys: frozenset[str], tolerance: float
) -> list[Change]:
    """Figures and dates of the derived sentence that replaced a different one in the source passage.

    `source_keys` are the values stated anywhere in the source paragraphs the derived paragraph draws on;
    `derived_keys` those stated anywhere in the derived paragraph.
    """
    derived_all = hard_facts(pair.derived_text)
    source_all = hard_facts(pair.source_text)
    derived_open = [f for f in derived_all if not f.keys & source_keys]
    source_open = [f for f in source_all if not f.keys & derived_keys]
    changes: list[Change] = []
    paired: set[int] = set()
    whole_paragraph = pair.source_sentence is None
    for d in derived_open:
        for s in source_open:
            if d.kind == s.kind and d.unit and d.unit == s.unit and not _rounded(d, s, tolerance):
                if whole_paragraph and not _only_of_group(d, derived_all, s, source_all):
                    continue  # against a whole paragraph, a shared unit alone is too weak
                changes.append(Change(d, s, f"same unit: {s.unit_text} / {d.unit_text}", "unit"))
                paired.add(d.start)
                break
    if whole_paragraph:
        return changes
    for d in derived_open:
        if d.start in paired:
            continue
        for s in source_open:
            if (
                d.kind == s.kind
                and not (d.spelled or s.spelled)
                and _only_of_group(d, derived_open, s, source_open)
                and not _conversion(d, s)
                and not _rounded(d, s, tolerance)
            ):
                what = "figure" if d.group == "figure" else LABELS[d.kind]
                changes.append(Change(d, s, f"the only {what} left unmatched in both sentences", "sentence"))
                break
    return changes


def residual_changes(
    derived_sentences: Sequence[tuple[int, str]],
    source_sentences: Sequence[str],
    taken_derived: set[tuple[int, int]],
    taken_source: set[tuple[int, int]],
    source_keys: frozenset[str],
    derived_keys: frozenset[str],
    tolerance: float,
) -> list[tuple[int, int, Change]]:
    """Pairs left over once sentence pairs are done, between a derived paragraph and one source paragraph it draws
    on: a figure is paired when it is the only one of its kind left unmatched on each side.

    The core links a long merged sentence to some of the source sentences it retells, not always all of them, so
    "221 evacuees" may be linked to the source sentence about hotels rather than the one with "212 people".
    `derived_sentences` are (index, text) of the derived sentences linked to this source paragraph or to none,
    `source_sentences` its sentences (those already paired at sentence level given as ""); `taken_*` hold
    (sentence, start) of figures already reported.
    Returns (derived sentence, source sentence, change) triples.
    """
    derived = [
        (i, f)
        for i, text in derived_sentences
        for f in hard_facts(text)
        if not f.keys & source_keys and (i, f.start) not in taken_derived
    ]
    source = [
        (j, f)
        for j, text in enumerate(source_sentences)
        for f in hard_facts(text)
        if not f.keys & derived_keys and (j, f.start) not in taken_source
    ]
    out: list[tuple[int, int, Change]] = []
    for group in dict.fromkeys(f.group for _, f in derived):
        ds = [(i, f) for i, f in derived if f.group == group]
        ss = [(j, f) for j, f in source if f.group == group]
        if len(ds) == 1 and len(ss) == 1:
            (i, d), (j, s) = ds[0], ss[0]
            if (
                d.kind == s.kind
                and not (d.spelled or s.spelled)
                and not _conversion(d, s)
                and not _rounded(d, s, tolerance)
            ):
                what = "figure" if group == "figure" else LABELS[d.kind]
                out.append((i, j, Change(d, s, f"the only {what} left unmatched in both paragraphs", "paragraph")))
    return out


def _only_of_group(d: Fact, derived: Sequence[Fact], s: Fact, source: Sequence[Fact]) -> bool:
    return sum(f.group == d.group for f in derived) == 1 and sum(f.group == s.group for f in source) == 1
