"""Markdown: the text a reader sees, with headings, list items and quotes as their own blocks.

Markup is stripped line by line so every block keeps the line numbers of the file it came from (evidence in a
report points at lines an editor can open). Code blocks, front matter, images and link targets are not article text.
"""

from __future__ import annotations

import re

from provenance.hookspecs import hookimpl
from provenance.model import Block, Extracted

_ATX = re.compile(r"^\s{0,3}(#{1,6})\s+(.*)$")  # the closing #s are stripped in Python (see _heading)
_SETEXT = re.compile(r"^\s{0,3}(=+|-+)\s*$")
_FENCE = re.compile(r"^\s{0,3}(`{3,}|~{3,})")
_ITEM = re.compile(r"^\s{0,3}(?:[-*+]|\d{1,9}[.)])\s+")
_QUOTE = re.compile(r"^(?:\s{0,3}>\s?)+")  # all the markers of a nested quote at once
_RULE = re.compile(r"^\s{0,3}(?:(?:-\s*){3,}|(?:\*\s*){3,}|(?:_\s*){3,})$")
_REFDEF = re.compile(r"^\s{0,3}\[[^\]]+\]:\s+\S+")
# Inline patterns never scan past the next opening delimiter of their kind: a line of a hundred thousand unclosed
# "[a", "*a" or "<a" would otherwise be rescanned to its end from each of them (quadratic; minutes for one line).
_IMAGE = re.compile(r"!\[([^\[\]]*)\]\([^()]*\)|!\[([^\[\]]*)\]\[[^\[\]]*\]")
_LINK = re.compile(r"\[([^\[\]]+)\]\((?:[^()]|\([^()]*\))*\)|\[([^\[\]]+)\]\[[^\[\]]*\]")
_AUTOLINK = re.compile(r"<(https?://[^<>\s]+)>")
_TAG = re.compile(r"</?[A-Za-z][^<>]*>")
_EMPH = re.compile(
    r"\*\*(?=\S)(?P<b1>(?:[^*]|\*(?!\*))+?)(?<=\S)\*\*"
    r"|__(?=\S)(?P<b2>(?:[^_]|_(?!_))+?)(?<=\S)__"
    r"|(?<![\w*])\*(?=\S)(?P<i1>[^*]+?)(?<=\S)\*(?!\w)"
    r"|(?<!\w)_(?=\S)(?P<i2>[^_]+?)(?<=\S)_(?!\w)"
)
_CODE = re.compile(r"`+([^`]*)`+")
_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!>~|])")

MD_SIGNS = re.compile(
    r"^#{1,6}\s|^[ \t]*[-*+]\s|\]\(|^[ \t]*>\s|\*\*\w|^```", re.MULTILINE
)  # [ \t]: never across lines


def inline(text: str) -> str:
    """Strip inline Markdown: images go, links keep their text, emphasis and code keep their content."""
    text = _IMAGE.sub("", text)
    text = _LINK.sub(lambda m: m.group(1) or m.group(2) or "", text)
    text = _AUTOLINK.sub(r"\1", text)
    text = _CODE.sub(r"\1", text)
    for _ in range(2):
        text = _EMPH.sub(
            lambda m: m.group("b1") or m.group("b2") or m.group("i1") or m.group("i2") or "", text
        )
    text = _TAG.sub("", text)
    return _ESCAPE.sub(r"\1", text).strip()


def _heading(text: str) -> str:
    """An ATX heading without its optional closing #s (which need a space before them: `# C#` keeps its #)."""
    text = text.strip()
    bare = text.rstrip("#")
    if bare != text and (not bare or bare[-1] in " \t"):
        text = bare.rstrip()
    return text


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
            blocks.append(Block(inline(_heading(atx.group(2))), ln, ln, f"h{len(atx.group(1))}"))
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
        quote = _QUOTE.match(line)
        if quote:
            line = line[quote.end() :]
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
