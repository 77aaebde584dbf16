"""What indexing reads of a paragraph (its word count, and the content words of each sentence), chunk by chunk.

Tokens, counted words and sentence ends never span whitespace, and no pattern of provenance/text/tokenize.py looks
past the next character (where whitespace and the end of the text count alike) or behind a chunk's first character,
so what a chunk of text between whitespace gives is the same wherever it stands. Each distinct chunk is tokenised
once, by `tokenize` (the one tokenizer), and kept as a short code:

    [_OPENS if a sentence can start with it] + _WORD * its word count + one character per content word
    + [_ENDS if it can end a sentence: terminal punctuation, not after an abbreviation, initial or acronym]

A content word is the character chr(ID_BASE + its id in the vocabulary). A paragraph's code is then one `join` of
its chunks' codes, at C speed; a sentence ends between two chunks where SENTENCE_BREAK (_ENDS, a space, _OPENS)
stands. A batch of paragraphs' codes becomes numpy arrays of content-word ids in one pass (`decode_batch`): no
Python object per word. The marks are separator characters (whitespace to `str.split`), never part of a token, and
ids are characters past the Basic Multilingual Plane, never a mark. A CJK full stop ends a sentence inside a chunk:
such paragraphs are coded from their tokens (`tokenize`, `split_sentences`), with the same result.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import accumulate

import numpy as np

from provenance.text.tokenize import (
    _CJK_STOPS,
    _SENT_END_RE,
    _full_stop_ends,
    _opens,
    contents_by_sentence,
    count_words,
    plain_word_info,
    split_sentences,
    tokenize,
)

ID_BASE = 0x10000
CONTENT_WORDS_KEPT = 1_000_000  # ids up to 0x10FFFF - ID_BASE are characters
# New content words a batch may add (a batch of 32 news articles adds a few thousand at most): past
# CONTENT_WORDS_KEPT - BATCH_HEADROOM the memo starts afresh at the next batch (`start_batch`); a batch that adds more
# anyway raises VocabularyFull, and is prepared the word-by-word way.
BATCH_HEADROOM = 200_000
CHUNKS_KEPT = 500_000  # distinct chunks kept (about 100 MB at most) before the memo starts afresh at a batch
_OPENS, _WORD, _ENDS, _PARAGRAPH = "\x1d", "\x1f", "\x1c", "\x1e"
SENTENCE_BREAK = _ENDS + " " + _OPENS


class VocabularyFull(Exception):
    """More distinct content words than ids since the memo last started afresh."""


class _Memo:
    """The chunks' codes and the vocabulary of content words their ids refer to; `generation` counts fresh starts,
    so that what is kept per id elsewhere (provenance/fingerprint.py's hashes) knows when ids were reused."""

    def __init__(self) -> None:
        self.generation = 0
        self.chunks: dict[str, str] = {}
        self.ids: dict[str, int] = {}
        self.words: list[str] = []

    def clear(self) -> None:
        self.generation += 1
        self.chunks, self.ids, self.words = {}, {}, []


_MEMO = _Memo()


def start_batch(*, afresh: bool = False) -> None:
    """Called before a batch of paragraphs is coded: the memo starts afresh when it is about full (or when asked),
    never while the codes of a batch still refer to its ids."""
    if afresh or len(_MEMO.words) > CONTENT_WORDS_KEPT - BATCH_HEADROOM or len(_MEMO.chunks) > CHUNKS_KEPT:
        _MEMO.clear()


def vocabulary() -> tuple[int, list[str]]:
    """(generation, content words by id)."""
    return _MEMO.generation, _MEMO.words


def _code_of(words: Sequence[str]) -> str:
    ids, vocab = _MEMO.ids, _MEMO.words
    out = []
    for w in words:
        i = ids.get(w)
        if i is None:
            i = len(vocab)
            if i >= CONTENT_WORDS_KEPT:
                raise VocabularyFull(f"more than {CONTENT_WORDS_KEPT:,} distinct content words")
            ids[w] = i
            vocab.append(w)
        out.append(chr(ID_BASE + i))
    return "".join(out)


def _learn(chunks: list[str]) -> None:
    """Code the chunks not kept yet, tokenised together (one `tokenize` of them joined by spaces: tokens never span
    the space, so each chunk's are its own)."""
    memo = _MEMO.chunks
    new = []
    for c in [c for c in dict.fromkeys(chunks) if c not in memo]:
        if c.isalpha() and c.isascii():
            # One plain word (most of a vocabulary): `tokenize` makes it one word token, with no sentence mark
            # inside; its capital is what `_opens` reads of it.
            content = plain_word_info(c)[2]
            memo[c] = (_OPENS if c[0].isupper() else "") + _WORD + (_code_of((content,)) if content else "")
        else:
            new.append(c)
    if not new:
        return
    starts = list(accumulate((len(c) + 1 for c in new[:-1]), initial=0))
    contents: list[list[str]] = [[] for _ in new]
    for t in tokenize(" ".join(new)):
        if t.content:
            contents[bisect_right(starts, t.start) - 1].append(t.content)
    for chunk, words in zip(new, contents):
        m = _SENT_END_RE.search(chunk)
        ends = m is not None and (chunk[m.start()] != "." or _full_stop_ends(chunk, 0, m.start()))
        memo[chunk] = (
            (_OPENS if _opens(chunk[0]) else "")
            + _WORD * count_words(chunk)
            + _code_of(words)
            + (_ENDS if ends else "")
        )


def sentence_codes(text: str) -> tuple[int, str]:
    """A paragraph's word count (`count_words`) and its code: the content words of each of its sentences
    (`split_sentences`, `contents_by_sentence`) as characters, sentences separated by SENTENCE_BREAK, with marks
    between them that `decode_batch` and `contents_of` skip."""
    if not any(
        stop in text for stop in _CJK_STOPS
    ):  # (`in` answers at once for a text of narrower characters)
        chunks = text.split()
        try:
            code = " ".join(map(_MEMO.chunks.__getitem__, chunks))
        except KeyError:
            _learn(chunks)
            code = " ".join(map(_MEMO.chunks.__getitem__, chunks))
        return code.count(_WORD), code
    sentences = contents_by_sentence(tokenize(text), split_sentences(text))
    return count_words(text), SENTENCE_BREAK.join(map(_code_of, sentences))


def sentence_count(code: str) -> int:
    return code.count(SENTENCE_BREAK) + 1


def contents_of(code: str) -> list[list[str]]:
    """The content words of each sentence of a paragraph's code."""
    words = _MEMO.words
    return [[words[ord(c) - ID_BASE] for c in s if ord(c) >= ID_BASE] for s in code.split(SENTENCE_BREAK)]


@dataclass(frozen=True, slots=True)
class Decoded:
    """The content words of a batch of paragraphs as ids, paragraph after paragraph and, within each, sentence
    after sentence; `sentence_paragraph`: the paragraph (row) each sentence belongs to; `*_distinct`: distinct
    content words in each."""

    ids: np.ndarray
    paragraph_lengths: np.ndarray
    paragraph_distinct: np.ndarray
    sentence_lengths: np.ndarray
    sentence_distinct: np.ndarray
    sentence_paragraph: np.ndarray


def decode_batch(codes: Sequence[str]) -> Decoded:
    """Paragraph codes (`sentence_codes`) to arrays, in one vectorised pass over the whole batch."""
    n = len(codes)
    chars = np.frombuffer((_PARAGRAPH.join(codes) + _PARAGRAPH).encode("utf-32-le"), dtype=np.uint32)
    is_word = chars >= ID_BASE
    ends_paragraph = chars == ord(_PARAGRAPH)
    breaks = np.zeros(len(chars), dtype=bool)
    if len(chars) > 2:
        breaks[:-2] = (chars[:-2] == ord(_ENDS)) & (chars[1:-1] == ord(" ")) & (chars[2:] == ord(_OPENS))
    ends_sentence = breaks | ends_paragraph  # a sentence ends at a break or at its paragraph's end
    # The paragraph and sentence each character belongs to: how many ended before it.
    paragraph_of = np.cumsum(ends_paragraph) - ends_paragraph
    sentence_of = np.cumsum(ends_sentence) - ends_sentence
    ids = chars[is_word] - np.uint32(ID_BASE)
    word_paragraph, word_sentence = paragraph_of[is_word], sentence_of[is_word]
    sentences = int(ends_sentence.sum())
    sentence_paragraph = paragraph_of[ends_sentence]
    return Decoded(
        ids,
        np.bincount(word_paragraph, minlength=n),
        _distinct(word_paragraph, ids, n),
        np.bincount(word_sentence, minlength=sentences),
        _distinct(word_sentence, ids, sentences),
        sentence_paragraph,
    )


def _distinct(group: np.ndarray, ids: np.ndarray, groups: int) -> np.ndarray:
    """Distinct ids in each group (ids below 2**21, as every id is)."""
    pairs = np.sort((group.astype(np.int64) << 21) | ids.astype(np.int64))
    first = np.ones(len(pairs), dtype=bool)
    first[1:] = pairs[1:] != pairs[:-1]
    return np.bincount(pairs[first] >> 21, minlength=groups)
