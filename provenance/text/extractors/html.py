"""HTML: the article's main text, extracted by trafilatura, so menus, ads, share bars and link lists are dropped.

trafilatura's XML output keeps the block structure (headings, paragraphs, list items, quotes), which becomes our
blocks; the page title from its metadata becomes the headline when the body does not already start with it. Pages
too small for trafilatura's main-content heuristics fall back to its baseline extractor rather than failing.
"""

from __future__ import annotations

import bisect
import dataclasses
import re

from provenance.errors import InputError
from provenance.hookspecs import hookimpl
from provenance.model import Block, Extracted
from provenance.text.tokenize import fold

_HTML_SIGNS = re.compile(
    r"<!doctype html|<html[\s>]|<body[\s>]|<p[\s>]|<div[\s>]|<article[\s>]", re.IGNORECASE
)
_BLOCK_TAGS = {"p": "p", "head": "h2", "item": "li", "quote": "blockquote", "cell": "p", "code": "pre"}
_SPACE = re.compile(r"\s+")
MIN_FALLBACK_WORDS = 12
# Source lines: a block is found in the page's source by its first and last words, with any tags, entities and
# punctuation between them. Searched ahead of the previous block within a window, with a budget of misses, so a huge
# page of small elements stays linear.
LOCATE_WORDS = 6
LOCATE_WINDOW = 200_000
LOCATE_MISSES = 100
_WORD = re.compile(r"\w+")
# The publication date: htmldate's extensive search (every free-text segment of the page, after the markup's own
# date fields) grows faster than the page: 0.3 s for a 250 KB page of small elements, 28 s for 2 MB. News pages are
# 20 to 300 KB; past this size only the markup, the URL and a plain text search are read for a date.
DATE_SEARCH_CHARS = 500_000
_GAP = r"(?:[^\w<&]|<[^>]*>|&#?\w+;)+"


def _norm(text: str) -> str:
    return _SPACE.sub(" ", fold(text)).strip().casefold()


_GAP_RE = re.compile(_GAP)


def _words_at(html: str, words: list[str], start: int, end: int) -> tuple[int, int] | None:
    """Where `words` stand in order in html[start:end], with only markup, entities and punctuation between them:
    (start, end), or None. Each place the first word occurs is followed word by word (no pattern is compiled per
    block: for a page of 100,000 small elements, compiling was most of the extraction's time)."""
    first, rest = words[0], words[1:]
    at = html.find(first, start, end)
    while at >= 0:
        pos = at + len(first)
        for w in rest:
            gap = _GAP_RE.match(html, pos, end)
            if gap is None or not html.startswith(w, gap.end(), end):
                break
            pos = gap.end() + len(w)
        else:
            return at, pos
        at = html.find(first, at + 1, end)
    return None


def with_lines(blocks: list[Block], html: str) -> list[Block]:
    """Each block with the lines of the page's source where its text starts and ends (None where not found)."""
    newlines = [i for i, ch in enumerate(html) if ch == "\n"]
    body = re.search(r"<body[\s>]", html, re.IGNORECASE)
    pos, misses, out = body.start() if body else 0, 0, []
    for b in blocks:
        words = _WORD.findall(b.text)
        found = None
        if words and misses < LOCATE_MISSES:
            found = _words_at(html, words[:LOCATE_WORDS], pos, pos + LOCATE_WINDOW) or _words_at(
                html, words[:LOCATE_WORDS], max(0, pos - LOCATE_WINDOW), pos
            )
        if found is None:
            misses += bool(words)
            out.append(b)
            continue
        last = found
        if len(words) > LOCATE_WORDS:
            last = _words_at(html, words[-LOCATE_WORDS:], found[0], found[1] + LOCATE_WINDOW) or found
        first_line = bisect.bisect_left(newlines, found[0]) + 1
        last_line = bisect.bisect_left(newlines, last[1] - 1) + 1
        out.append(dataclasses.replace(b, start_line=first_line, end_line=max(first_line, last_line)))
        pos = last[1] if last[1] > found[0] else found[1]
    return out


def _xml_blocks(xml: str) -> tuple[list[Block], dict[str, str]]:
    from lxml import etree

    root = etree.fromstring(xml.encode("utf-8"), parser=etree.XMLParser(recover=True, huge_tree=True))
    meta = {
        k: v
        for k, v in root.attrib.items()
        if k in ("title", "author", "date", "url", "sitename", "hostname") and v
    }
    main = root.find("main")
    if main is None:
        main = root
    blocks: list[Block] = []
    for el in main.iter():
        tag = el.tag if isinstance(el.tag, str) else ""
        if tag not in _BLOCK_TAGS:
            continue
        if tag == "p" and el.getparent() is not None and el.getparent().tag in ("quote", "item", "cell"):
            continue  # the enclosing block carries the text
        if tag == "head":
            rend = el.get("rend", "h2")
            mapped = rend if re.fullmatch(r"h[1-6]", rend) else "h2"
        else:
            mapped = _BLOCK_TAGS[tag]
        text = _SPACE.sub(" ", "".join(el.itertext())).strip()
        if text:
            blocks.append(Block(text, None, None, mapped))
    return blocks, meta


# Elements whose content is never article text, though parsers may keep it as text: embedded documents and
# fallbacks for pages without scripts. Removed before extraction.
_EMBEDDED = ("iframe", "noscript", "template", "object", "frameset")
_EMBEDDED_OPEN = re.compile(rf"<({'|'.join(_EMBEDDED)})\b[^<>]*>", re.IGNORECASE)
_EMBEDDED_CLOSE = {tag: re.compile(rf"</{tag}\s*>", re.IGNORECASE) for tag in _EMBEDDED}


def _strip_embedded(html: str) -> str:
    """Drop each embedded element with its content, in one pass. A closing tag searched for in vain is not searched
    for again: as one regex, a page of unclosed `<iframe>` tags was rescanned to its end from each (quadratic)."""
    out: list[str] = []
    pos = 0
    unclosed: set[str] = set()
    while (m := _EMBEDDED_OPEN.search(html, pos)) is not None:
        tag = m.group(1).lower()
        close = None if tag in unclosed else _EMBEDDED_CLOSE[tag].search(html, m.end())
        if close is None:  # left to the parser, as before
            unclosed.add(tag)
            out.append(html[pos : m.end()])
            pos = m.end()
            continue
        out.append(html[pos : m.start()])
        out.append(" ")
        pos = close.end()
    out.append(html[pos:])
    return "".join(out)


def _parser_limit(html: str, name: str) -> None:
    """libxml2, which trafilatura parses with, stops reading a page nested more than 256 elements deep and keeps
    what it had: the rest of the article would vanish without a word. Refuse such a page instead (the check parses
    the page once more, a few milliseconds for a news page, next to trafilatura's own work)."""
    from lxml import etree

    parser = etree.HTMLParser(
        collect_ids=False, default_doctype=False, remove_comments=True, remove_pis=True, encoding="utf-8"
    )
    try:
        etree.fromstring(html.encode("utf-8", "surrogatepass"), parser)
    except (etree.LxmlError, ValueError):
        return  # not parseable at all: trafilatura's own handling decides
    for err in parser.error_log:
        if err.type == etree.ErrorTypes.ERR_RESOURCE_LIMIT:
            depth = re.search(r"depth in document: (\d+)", err.message)
            what = (
                f"is nested more than {depth.group(1)} elements deep"
                if depth
                else f"exceeds a limit of the HTML parser ({err.message.split(',')[0].strip()})"
            )
            raise InputError(
                f"{name}: the HTML page {what}; the parser stops there and the rest of the page would be lost"
            )


def html_blocks(html: str, name: str = "<html>") -> tuple[tuple[Block, ...], dict[str, str]]:
    import trafilatura
    from trafilatura.settings import set_date_params

    html = _strip_embedded(html)
    _parser_limit(html, name)

    try:
        xml = trafilatura.extract(
            html,
            output_format="xml",
            with_metadata=True,
            include_comments=False,
            include_tables=True,
            include_images=False,
            include_links=False,
            favor_precision=False,
            deduplicate=False,
            date_extraction_params=set_date_params(extensive=len(html) <= DATE_SEARCH_CHARS),
        )
    except Exception as exc:  # trafilatura raises a variety of parser errors on broken markup
        raise InputError(f"{name}: could not parse the HTML ({type(exc).__name__}: {exc})") from exc
    blocks: list[Block] = []
    meta: dict[str, str] = {}
    if xml:
        blocks, meta = _xml_blocks(xml)
    if not blocks:
        # Too small for main-content extraction: fall back to all visible text, but only if it reads like an
        # article; a page of menus and links is not one.
        _tree, text, _length = trafilatura.baseline(html)
        blocks = [Block(t.strip(), None, None, "p") for t in text.split("\n") if t.strip()]
        if sum(len(b.text.split()) for b in blocks) < MIN_FALLBACK_WORDS:
            blocks = []
    if not blocks:
        raise InputError(f"{name}: the HTML page has no readable article text")
    title = meta.get("title", "").strip()
    # Keep the headline: trafilatura reports it as metadata, not as part of the body.
    if (
        title
        and _norm(blocks[0].text) != _norm(title)
        and not _norm(blocks[0].text).startswith(_norm(title))
        and not any(_norm(b.text) == _norm(title) for b in blocks[:3])
    ):
        blocks.insert(0, Block(title, None, None, "h1"))
    return tuple(with_lines(blocks, html)), meta


class HtmlExtractor:
    name = "html"
    suffixes = (".html", ".htm", ".xhtml")
    description = "HTML pages; the main text is extracted with trafilatura"

    def sniff(self, text: str) -> float:
        return 0.9 if _HTML_SIGNS.search(text[:5000]) else 0.0

    def extract(self, text: str, name: str) -> Extracted:
        blocks, meta = html_blocks(text, name)
        return Extracted(blocks, "html", meta)


@hookimpl
def register_extractors(register) -> None:
    register(HtmlExtractor())
