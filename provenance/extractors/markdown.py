"""Markdown: the text a reader sees, with headings, list items and quotes as their own blocks.

Markup is stripped line by line so every block keeps the line numbers of the file it came from (evidence in a
report points at lines an editor can open). Code blocks, front matter, images and link targets are not article text.
"""

from __future__ import annotations

import re

from ..hookspecs import hookimpl
from ..model import Block, Extracted

_ATX = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
_SETEXT = re.compile(r"^\s{0,3}(=+|-+)\s*$")
_FENCE = re.compile(r"^\s{0,3}(`{3,}|~{3,})")
_ITEM = re.compile(r"^\s{0,3}(?:[-*+]|\d{1,9}[.)])\s+")
_QUOTE = re.compile(r"^\s{0,3}>\s?")
_RULE = re.compile(r"^\s{0,3}(?:(?:-\s*){3,}|(?:\*\s*){3,}|(?:_\s*){3,})$")
_REFDEF = re.compile(r"^\s{0,3}\[[^\]]+\]:\s+\S+")
_IMAGE = re.compile(r"!\[([^\]]*)\]\([^)]*\)|!\[([^\]]*)\]\[[^\]]*\]")
_LINK = re.compile(r"\[([^\]]+)\]\((?:[^()]|\([^)]*\))*\)|\[([^\]]+)\]\[[^\]]*\]")
_AUTOLINK = re.compile(r"<(https?://[^>]+)>")
_TAG = re.compile(r"</?[A-Za-z][^>]*>")
_EMPH = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1|(?<![\w*])\*(?=\S)(.+?)(?<=\S)\*(?!\w)|(?<!\w)_(?=\S)(.+?)(?<=\S)_(?!\w)")
_CODE = re.compile(r"`+([^`]*)`+")
_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!>~|])")

MD_SIGNS = re.compile(r"^#{1,6}\s|^\s*[-*+]\s|\]\(|^\s*>\s|\*\*\w|^```", re.MULTILINE)


def inline(text: str) -> str:
    """Strip inline Markdown: images go, links keep their text, emphasis and code keep their content."""
    text = _IMAGE.sub("", text)
    text = _LINK.sub(lambda m: m.group(1) or m.group(2) or "", text)
    text = _AUTOLINK.sub(r"\1", text)
    text = _CODE.sub(r"\1", text)
    for _ in range(2):
        text = _EMPH.sub(lambda m: m.group(2) or m.group(3) or m.group(4) or "", text)
    text = _TAG.sub("", text)
    return _ESCAPE.sub(r"\1", text).strip()


def markdown_blocks(text: str) -> tuple[Block, ...]:
    lines = text.split("\n")
    blocks: list[Block] = []
    current: list[str] = []
    cur_tag = "p"
    first = 0

    def flush() -> None:
        nonlocal current, cur_tag
        if current:
            body = "\n".join(current).strip()
            if body:
                blocks.append(Block(body, first, first + len(current) - 1, cur_tag))
        current = []
        cur_tag = "p"

    i = 0
    n = len(lines)
    if lines and lines[0].strip() in ("---", "+++"):
        fence = lines[0].strip()
        for j in range(1, min(n, 200)):
            if lines[j].strip() == fence:
                i = j + 1
                break
    while i < n:
        raw = lines[i]
        ln = i + 1
        fence_m = _FENCE.match(raw)
        if fence_m:
            flush()
            marker = fence_m.group(1)[0] * 3
            i += 1
            while i < n and not lines[i].lstrip().startswith(marker):
                i += 1
            i += 1
            continue
        if not raw.strip() or _REFDEF.match(raw):
            flush()
            i += 1
            continue
        atx = _ATX.match(raw)
        if atx:
            flush()
            blocks.append(Block(inline(atx.group(2)), ln, ln, f"h{len(atx.group(1))}"))
            i += 1
            continue
        if _RULE.match(raw) and not current:
            i += 1
            continue
        if current and _SETEXT.match(raw) and cur_tag == "p" and len(current) == 1:
            level = "h1" if raw.strip().startswith("=") else "h2"
            blocks.append(Block(current[0], first, ln, level))
            current = []
            i += 1
            continue
        line = raw
        tag = "p"
        if _QUOTE.match(line):
            while _QUOTE.match(line):
                line = _QUOTE.sub("", line, count=1)
            tag = "blockquote"
        if _ITEM.match(line):
            flush()
            line = _ITEM.sub("", line, count=1)
            tag = "li"
        if tag != cur_tag and current and tag != "p":
            flush()
        if not current:
            first = ln
            cur_tag = tag
        current.append(inline(line))
        i += 1
    flush()
    return tuple(b for b in blocks if b.text)


class MarkdownExtractor:
    name = "markdown"
    suffixes = (".md", ".markdown", ".mdown", ".mkd")
    description = "Markdown; headings, list items and block quotes become their own paragraphs"

    def sniff(self, text: str) -> float:
        hits = len(MD_SIGNS.findall(text[:20000]))
        return min(0.6, 0.15 * hits)

    def extract(self, text: str, name: str) -> Extracted:
        return Extracted(markdown_blocks(text), "markdown")


@hookimpl
def register_extractors(register) -> None:
    register(MarkdownExtractor())
