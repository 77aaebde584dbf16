"""Blocks to paragraphs and sentences.

Extractors hand over blocks (blank-line blocks, HTML block elements). A block made of short single-newline lines,
such as a menu, a byline box or a list of links, is split into its lines so each can be judged on its own; a block of
hard-wrapped prose is joined into one paragraph (a `Piece`). Each paragraph is tokenised here, once: every later
step reads its tokens and word count from the model. Indexing reads a piece as an `Outline` instead: its word count
and sentences' content words from the chunk memo (provenance/text/chunks.py), its tokens only if asked for.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from provenance.model import Block, Paragraph, Sentence, Token
from provenance.rules import (
    HARD_WRAP_CONTINUED,
    HARD_WRAP_MID_SENTENCE,
    HEADING_LINE_WORDS,
    LINE_LIST_MEDIAN_WORDS,
    LINK_RUN,
)
from provenance.text.chunks import sentence_codes
from provenance.text.tokenize import count_words, split_sentences, tokenize

# Runs of spaces and tabs become one space: only runs longer than one space, or with a tab, need replacing.
_BLANKS = re.compile(r"[ \t]{2,}|\t")
_TERMINAL = re.compile(r"[.!?:;\u3002\uff01\uff1f][\"'\u201d\u2019)\]]*\s*$")


def _line_kinds(lines: list[str]) -> list[bool] | None:
    """Whether a multi-line block is a list of separate lines rather than one hard-wrapped paragraph, and if so,
    which of its lines belong to a menu-like run of short lines (None: one wrapped paragraph).

    Hard-wrapped prose continues sentences across lines (much of its text is on lines that start in lower case,
    and most lines end without terminal punctuation). Menus, link lists and one-paragraph-per-line text start each line afresh.
    In a page with one paragraph per line, only runs of short lines (a menu, a byline box) are menu-like.
    """
    if len(lines) < 2:
        return None
    counts = [count_words(line) for line in lines]
    # Weighed by words: a broken line ("(More" / "measles stories.)") under two long paragraph lines is a
    # fragment, not evidence that the block is wrapped prose.
    continued = sum(n for nxt, n in zip(lines[1:], counts[1:]) if nxt[:1].islower())
    if continued / (sum(counts[1:]) or 1) > HARD_WRAP_CONTINUED:
        return None
    if sorted(counts)[len(counts) // 2] <= LINE_LIST_MEDIAN_WORDS:
        return [True] * len(lines)  # short lines: a menu, a byline box, a list
    if any(_TERMINAL.search(line) for line in lines):
        # Long lines: wrapped prose breaks most lines in mid-sentence; a page with one paragraph per line ends
        # each line at a sentence end, or with a short subheading of its own.
        mid = sum(
            1 for line, n in zip(lines[:-1], counts) if n > HEADING_LINE_WORDS and not _TERMINAL.search(line)
        )
        if mid / (len(lines) - 1) >= HARD_WRAP_MID_SENTENCE:
            return None
    # (No line ends a sentence, not even the last: a list of headlines, not wrapped prose.)
    short = [n <= LINE_LIST_MEDIAN_WORDS for n in counts]
    menu = [False] * len(lines)
    i = 0
    while i < len(lines):
        j = i
        while j < len(lines) and short[j]:
            j += 1
        if j - i >= LINK_RUN:
            menu[i:j] = [True] * (j - i)
        i = max(j, i + 1)
    return menu


@dataclass(frozen=True, slots=True)
class Piece:
    """A paragraph's text and place, as segmenting finds it, before anything is worked out from its words."""

    text: str
    start_line: int | None
    end_line: int | None
    tag: str
    from_line_block: bool


def pieces_from_blocks(blocks: Iterable[Block]) -> list[Piece]:
    out: list[Piece] = []
    for block in blocks:
        raw_lines = block.text.split("\n")
        kept = [(i, line.strip()) for i, line in enumerate(raw_lines) if line.strip()]
        if not kept:
            continue
        lines = [line for _, line in kept]
        kinds = _line_kinds(lines) if block.tag not in ("pre", "code") else None
        if kinds is not None:
            for (offset, line), menu in zip(kept, kinds):
                ln = block.start_line + offset if block.start_line is not None else None
                out.append(Piece(line, ln, ln, block.tag, menu))
            continue
        text = " ".join(lines) if block.tag not in ("pre", "code") else "\n".join(lines)
        if "  " in text or "\t" in text:  # (_BLANKS finds nothing otherwise; a scan for it costs more)
            text = _BLANKS.sub(" ", text)
        out.append(Piece(text, block.start_line, block.end_line, block.tag, False))
    return out


def paragraphs_from_blocks(blocks: Iterable[Block]) -> tuple[Paragraph, ...]:
    return tuple(
        make_paragraph(i, p.text, p.start_line, p.end_line, p.tag, from_line_block=p.from_line_block)
        for i, p in enumerate(pieces_from_blocks(blocks))
    )


def make_paragraph(
    index: int,
    text: str,
    start: int | None = None,
    end: int | None = None,
    tag: str = "p",
    *,
    from_line_block: bool = False,
) -> Paragraph:
    """One paragraph with its sentences, tokens and word count: the only place a Paragraph is made."""
    return Paragraph(
        index=index,
        text=text,
        sentences=split_sentences(text),
        tokens=tuple(tokenize(text)),
        words=count_words(text),
        start_line=start,
        end_line=end,
        tag=tag,
        from_line_block=from_line_block,
    )


class Outline:
    """A paragraph as indexing reads it: its text, word count and the code of its sentences' content words
    (provenance/text/chunks.py `sentence_codes`). Its tokens and sentence offsets, which boilerplate detection reads for a few
    paragraphs only, are worked out when first asked for, as `make_paragraph` works them out."""

    __slots__ = ("_sentences", "_tokens", "code", "from_line_block", "index", "tag", "text", "words")

    def __init__(self, index: int, piece: Piece) -> None:
        self.index, self.text, self.tag, self.from_line_block = (
            index,
            piece.text,
            piece.tag,
            piece.from_line_block,
        )
        self.words, self.code = sentence_codes(piece.text)
        self._tokens: tuple[Token, ...] | None = None
        self._sentences: tuple[Sentence, ...] | None = None

    @property
    def tokens(self) -> tuple[Token, ...]:
        if self._tokens is None:
            self._tokens = tuple(tokenize(self.text))
        return self._tokens

    @property
    def sentences(self) -> tuple[Sentence, ...]:
        if self._sentences is None:
            self._sentences = split_sentences(self.text)
        return self._sentences


def blocks_from_plain_text(text: str) -> tuple[Block, ...]:
    """Blank-line separated blocks with their 1-based line numbers."""
    blocks: list[Block] = []
    current: list[str] = []
    first = 0
    lines = text.split("\n")
    for i, line in enumerate(lines, start=1):
        if line.strip():
            if not current:
                first = i
            current.append(line)
        elif current:
            blocks.append(Block("\n".join(current), first, first + len(current) - 1))
            current = []
    if current:
        blocks.append(Block("\n".join(current), first, first + len(current) - 1))
    return tuple(blocks)
