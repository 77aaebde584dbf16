"""Tell page furniture from article text by the shape and position of each paragraph.

Scraped pages wrap an article in menus, share buttons, bylines, timestamps, link lists and footers. None of this is
decided by a list of phrases from one site: the evidence is the shape of a paragraph (short, no sentence punctuation,
a line of a menu-like block, a date), repetition on the page, runs of headline-shaped lines (link lists), and position
relative to the article body (before the first or after the last paragraph of running prose).

Two kinds of furniture are written as sentences, so no shape gives them away; they are told by the conventions
newsrooms write them in (in English): an editor's note about the story itself ("This is a developing story. Check
back for updates."), and, at the end of the page only, the author's biography ("Jane Doe is a reporter for The Daily
in Paris ..."). Photo captions are not told apart yet (docs/accuracy.md says why).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from functools import cached_property
from itertools import chain
from operator import attrgetter
from typing import Protocol

from provenance.model import Paragraph, Role, Sentence, Token
from provenance.rules import (
    BYLINE_WORDS,
    CUT_OFF_MIN_WORDS,
    CUT_OFF_TAIL,
    HEADLINE_WORDS,
    LINK_RUN,
    PROSE_WORDS,
    SHORT_WORDS,
    STAMP_OTHER_WORDS,
    STAMP_WORDS,
    TITLE_CASE_SHARE,
    UNPUNCTUATED_PROSE_WORDS,
)
from provenance.text.tokenize import WORD_RE, count_words, fold


class Shaped(Protocol):
    """What page furniture is told by: a Paragraph, or an Outline (provenance/text/segment.py), which indexing
    reads instead and which works out its tokens and sentences only when they are asked for."""

    @property
    def text(self) -> str: ...
    @property
    def words(self) -> int: ...
    @property
    def tag(self) -> str: ...
    @property
    def from_line_block(self) -> bool: ...
    @property
    def tokens(self) -> Sequence[Token]: ...
    @property
    def sentences(self) -> Sequence[Sentence]: ...


_TERMINALS = ".!?\u3002\uff01\uff1f"
_CLOSERS = "\"'\u201d\u2019)]"


def _terminal(text: str) -> bool:
    r"""Whether the text ends with sentence punctuation, then perhaps closing quotes or brackets, then perhaps
    whitespace (the regex [.!?。！？]["'”’)\]]*\s*$, without scanning the whole text for it)."""
    end = text.rstrip().rstrip(_CLOSERS)
    return bool(end) and end[-1] in _TERMINALS


_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|jun(?:e)?|jul(?:y)?|aug(?:ust)?|sep(?:t(?:ember)?)?"
    r"|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_DATE = re.compile(
    rf"\b{_MONTH}\.?\s+\d{{1,2}}\b|\b\d{{1,2}}\s+{_MONTH}\b|\b\d{{4}}-\d{{2}}-\d{{2}}\b|\b\d{{1,2}}/\d{{1,2}}/\d{{2,4}}\b"
    r"|\b\d{1,2}:\d{2}\s*(?:am|pm)?\b",
    re.IGNORECASE,
)
_COPYRIGHT = re.compile(r"\u00a9|\(c\)\s*\d{4}", re.IGNORECASE)
_LABELLED = re.compile(r"^\s*[^\W\d_a-z]{2,}(?:\s+[^\W\d_a-z]{2,})*\s*\|")
_ANY_TERMINAL = re.compile(r"[.!?\u3002\uff01\uff1f]")
_URL = re.compile(r"^\s*(?:https?://|www\.)\S+\s*$", re.IGNORECASE)
_SENTENCE_START = re.compile(r"^[\"'\u201c\u2018(]?[^\W\d_]")
_HEADING_TAGS = ("h1", "h2", "h3", "h4", "h5", "h6", "title")
# A paragraph made only of notes about the story as a page: it is developing, updated, more will follow.
_EDITORS_NOTE = re.compile(
    r"^\W*(?:(?:this is an? (?:developing|breaking)(?: news)? (?:story|report)|(?:please )?check back(?: later)? for"
    r" (?:more |further )?(?:updates?|details)|more (?:details )?to (?:come|follow)|this (?:story|article|report)"
    r" (?:has been|was|will be) (?:updated|corrected)(?: with [^.]*)?)\W*)+$",
    re.IGNORECASE,
)
# The author's biography: a name, then what the author does for a living at a newsroom.
_BIOGRAPHY = re.compile(
    r"^[^\W\d_][\w.'\u2019-]+(?: [^\W\d_][\w.'\u2019-]+){1,3} (?:is|was|has been) (?:a|an|the)\b[^.]{0,80}?\b"
    r"(?i:reporter|correspondent|writer|editor|journalist|columnist|bureau chief|contributor|producer|photographer)s?\b"
)


def _is_prose(p: Shaped, sentences: int | None) -> bool:
    n = p.words
    if _terminal(p.text) and n >= PROSE_WORDS:
        return True
    # Unpunctuated text is prose only when long: a teaser headline can hold two short sentences.
    return n >= UNPUNCTUATED_PROSE_WORDS and (len(p.sentences) if sentences is None else sentences) >= 2


# ASCII letters to lower case, digits kept, everything else to a space: an ASCII text's key in C loops.
_KEY_ASCII = bytes.maketrans(
    bytes(range(128)), bytes(ord(chr(c).lower()) if chr(c).isalnum() else ord(" ") for c in range(128))
)


def _key(text: str) -> str:
    if text.isascii():  # (NFKC, the folds and casefold of ASCII text change no letter or digit)
        return b" ".join(text.encode("ascii").translate(_KEY_ASCII).split()).decode("ascii")
    return " ".join(WORD_RE.findall(fold(text).casefold()))


def _repeated(keys: list[str]) -> list[bool]:
    """Which paragraphs' text occurs more than once on the page, whole or inside another (a caption glued to
    itself counts too). Candidates come from an index of 4-word grams, the rarest gram of each text, so a page of
    many thousands of paragraphs costs about linear time instead of comparing every pair. A text with a gram no
    other paragraph has is inside no other, which settles most paragraphs of a page from the gram counts alone."""
    n = len(keys)
    repeated = [False] * n
    grams: list[list[str]] = [[] for _ in range(n)]
    for i, k in enumerate(keys):
        ws = k.split()
        if len(ws) >= 4:
            grams[i] = list(dict.fromkeys(map(" ".join, zip(ws, ws[1:], ws[2:], ws[3:]))))
    counts = Counter(chain.from_iterable(grams))  # paragraphs holding each gram
    # Any text containing k contains each of k's grams: the rarest one gives the fewest candidates.
    rarest: dict[int, str] = {}
    for i, g in enumerate(grams):
        if g:
            least = min(g, key=counts.__getitem__)
            if counts[least] > 1:
                rarest[i] = least
    postings: dict[str, list[int]] = {g: [] for g in rarest.values()}
    if postings:
        wanted = postings.keys()
        for j, g in enumerate(grams):
            for gram in wanted & set(g):
                postings[gram].append(j)
    for i, k in enumerate(keys):
        if not grams[i]:
            continue
        if i in rarest:
            for j in postings[rarest[i]]:
                if j != i and k in keys[j]:
                    repeated[i] = repeated[j] = True
        if not repeated[i] and k.count(k[: max(20, len(k) // 3)]) > 1:
            repeated[i] = True  # a caption glued to itself
    return repeated


def _is_stamp(text: str, words: int) -> bool:
    """A dateline or time stamp: an unpunctuated line made mostly of dates and times (published, updated), with at
    most STAMP_OTHER_WORDS other words per date ("Posted:", "Updated 9 minutes ago"). A line that states a fact
    beside its date ("December 11, 2025: Mars completes the acquisition") is text."""
    if _terminal(text):
        return False
    found = len(_DATE.findall(text))
    if not found or words > STAMP_WORDS * found:
        return False
    others = count_words(_DATE.sub(" ", text))
    return others <= STAMP_OTHER_WORDS * found


def is_cut_off(p: Shaped) -> bool:
    """Whether a paragraph stops in mid-sentence, as the last paragraph of a text that was cut (an excerpt, a
    teaser) does: no sentence punctuation among its last CUT_OFF_TAIL words (a credit such as "... Sagaing. - AFP"
    ends a complete text)."""
    if not p.tokens:
        return False
    tail = p.text[p.tokens[max(0, len(p.tokens) - CUT_OFF_TAIL)].start :]
    return not _ANY_TERMINAL.search(tail)


def _cut_off(p: Shaped) -> bool:
    """A last paragraph that stops in mid-sentence right after the article's prose: the text was cut (an excerpt,
    a feed's teaser), not a line of page furniture. It starts like a sentence, is not Title Case like a headline or
    a credit line, and ends without sentence punctuation."""
    if p.words < CUT_OFF_MIN_WORDS or _terminal(p.text) or not _SENTENCE_START.match(p.text):
        return False
    return not _title_case(p)


def _title_case(p: Shaped) -> bool:
    """Whether most words after the first are capitalised, as in a headline, a byline or a credit line."""
    words = [t for t in p.tokens[1:] if t.kind == "w"]
    return bool(words) and sum(1 for t in words if t.capital) / len(words) >= TITLE_CASE_SHARE


def _byline(p: Shaped) -> bool:
    """A byline: a short line where "by" is followed by capitalised names ("By Jane Doe and John Roe, CNN")."""
    toks = p.tokens
    for k, t in enumerate(toks[:-1]):
        if t.norm == "by" and toks[k + 1].capital:
            names = toks[k + 1 :]
            return sum(1 for x in names if x.capital or x.norm in ("and", "in")) >= 0.7 * len(names)
    return False


def _coheres(p: Shaped, prose_stems: list[set[str]], in_prose: Counter[str], i: int) -> bool:
    """Whether the paragraph shares a content word with a prose paragraph other than itself (`in_prose`: in how many
    prose paragraphs each stem occurs, so the test costs the paragraph's own words, not the page's)."""
    mine = {t.content for t in p.tokens if t.content}
    return any(in_prose[s] > (s in prose_stems[i]) for s in mine)


def _written_furniture(paragraphs: Sequence[Shaped], prose: Sequence[bool]) -> list[str]:
    """Per paragraph, why it is furniture written as sentences ("" when it is not): an editor's note anywhere on the
    page; the author's biography only in the run of paragraphs that ends the page (after the last paragraph of the
    article's own prose), where a sentence about a journalist is not the story."""
    why = ["an editor's note about the story" if _EDITORS_NOTE.match(p.text) else "" for p in paragraphs]
    for i in range(len(paragraphs) - 1, -1, -1):
        if why[i] or not prose[i]:
            continue
        if not _BIOGRAPHY.match(paragraphs[i].text):
            break
        why[i] = "the author's biography, after the article"
    return why


_CONTENT = attrgetter("content")
_NO_CONTENT = {""}  # a stopword's content


class _Page:
    """What is worked out for the whole page, only when some paragraph's role needs it (a page of running prose
    needs none of it): the page keys (repetition, the headline), which paragraphs repeat, and the content words of
    the running prose (cohesion: whether a line shares any content word with it; navigation, labels such as "Text
    size:", notes and links to other stories share none, the article's subheads name what it is about)."""

    def __init__(self, paragraphs: Sequence[Shaped], prose: list[bool]) -> None:
        self.paragraphs, self.prose = paragraphs, prose

    @cached_property
    def keys(self) -> list[str]:
        return [_key(p.text) for p in self.paragraphs]

    @cached_property
    def repeated(self) -> list[bool]:
        """The same text (or one contained in another) more than once on the page."""
        return _repeated(self.keys)

    @cached_property
    def prose_stems(self) -> list[set[str]]:
        return [
            set(map(_CONTENT, p.tokens)) - _NO_CONTENT if self.prose[i] else set()
            for i, p in enumerate(self.paragraphs)
        ]

    @cached_property
    def in_prose(self) -> Counter[str]:
        return Counter(s for stems in self.prose_stems for s in stems)


def classify(paragraphs: tuple[Paragraph, ...]) -> tuple[Paragraph, ...]:
    """Return the paragraphs with `role` set to body, heading or boilerplate, and the reason."""
    return tuple(p.with_role(r, why) for p, (r, why) in zip(paragraphs, roles(paragraphs)))


def roles(
    paragraphs: Sequence[Shaped], sentence_counts: Sequence[int] | None = None
) -> list[tuple[Role, str]]:
    """Each paragraph's role (body, heading or boilerplate) and the reason. `sentence_counts`: each paragraph's
    number of sentences, when known without working out their offsets."""
    n = len(paragraphs)
    if n == 0:
        return []
    counts: Sequence[int | None] = sentence_counts or [None] * n
    prose = [_is_prose(p, k) for p, k in zip(paragraphs, counts)]
    written = _written_furniture(paragraphs, prose)
    prose = [v and not written[i] for i, v in enumerate(prose)]
    words = [p.words for p in paragraphs]
    page = _Page(paragraphs, prose)
    prose_idx = [i for i, v in enumerate(prose) if v]
    first_prose = prose_idx[0] if prose_idx else None
    last_prose = prose_idx[-1] if prose_idx else None

    # Link lists: runs of three or more headline-shaped paragraphs outside running prose.
    titleish = [
        not prose[i] and words[i] > SHORT_WORDS and not _terminal(paragraphs[i].text) for i in range(n)
    ]
    in_link_run = [False] * n
    i = 0
    while i < n:
        if titleish[i]:
            j = i
            while j < n and (titleish[j] or (words[j] <= SHORT_WORDS and not prose[j])):
                j += 1
            if sum(titleish[i:j]) >= LINK_RUN:
                for k in range(i, j):
                    in_link_run[k] = True
            i = max(j, i + 1)
        else:
            i += 1

    roles: list[tuple[Role, str]] = []
    headline_taken: str | None = None  # the key of the article's own headline, once found
    for i, p in enumerate(paragraphs):
        text = p.text
        is_heading_tag = p.tag in _HEADING_TAGS
        head = first_prose is not None and i < first_prose
        tail = last_prose is not None and i > last_prose
        inside = first_prose is not None and not head and not tail
        if written[i]:
            roles.append(("boilerplate", written[i]))
            continue
        if prose[i]:
            if p.from_line_block and page.repeated[i]:
                roles.append(("boilerplate", "repeated line of a menu-like block"))
            else:
                roles.append(("body", ""))
            continue
        if _COPYRIGHT.search(text):
            roles.append(("boilerplate", "copyright line"))
        elif _URL.match(text):
            roles.append(("boilerplate", "a web address"))
        elif _is_stamp(text, words[i]):
            roles.append(("boilerplate", "date or time stamp"))
        elif words[i] <= BYLINE_WORDS and _byline(p):
            roles.append(("boilerplate", "a byline"))
        elif _LABELLED.match(text):
            roles.append(("boilerplate", "a labelled teaser (an upper-case label before a bar)"))
        elif tail and i == n - 1 and i == last_prose + 1 and _cut_off(p):  # type: ignore[operator]
            roles.append(("body", "cut off in mid-sentence: the end of the article text"))
        elif first_prose is not None and not _coheres(p, page.prose_stems, page.in_prose, i):
            roles.append(("boilerplate", "shares no word with the article's text"))
        elif words[i] <= SHORT_WORDS and not ((is_heading_tag or inside) and words[i] >= 2 and not tail):
            roles.append(("boilerplate", "short line without sentence punctuation"))
        elif (
            head
            and not p.from_line_block
            and HEADLINE_WORDS[0] <= words[i] <= HEADLINE_WORDS[1]
            and not _terminal(text)
            and headline_taken in (None, page.keys[i])
        ):
            headline_taken = page.keys[i]  # the article's own headline, even when the page repeats it
            roles.append(("heading", "headline"))

        # (the page's repetition is worked out only when one of the cheap conditions holds)
        elif (p.from_line_block or head or tail) and page.repeated[i]:
            roles.append(("boilerplate", "repeated on the page"))
        elif in_link_run[i] and (head or tail):
            roles.append(("boilerplate", "part of a list of links"))
        elif tail:
            roles.append(("boilerplate", "after the end of the article body"))
        elif head and p.from_line_block:
            roles.append(("boilerplate", "line of a menu-like block before the article"))
        elif head and headline_taken is not None and not is_heading_tag:
            roles.append(("boilerplate", "before the article body"))
        else:
            if head:
                headline_taken = page.keys[i]
            roles.append(("heading", ""))
    if all(r == "boilerplate" for r, _ in roles):
        # A page cannot be all furniture: a tiny document (a headline, a sentence) is compared as it is.
        roles = [("body" if prose[i] else "heading", "") for i in range(n)]
    return roles
