"""The word-by-word code that the whole-text paths of provenance.text replaced (the tokenizer, word rarity,
cleaning and folding, the sentence splitter, the page-repetition check of boilerplate.py, the control-character count of decode.py), kept
as it was (helpers that did not change are imported) until it is deleted, so that tests/test_text_fast.py can show
the faster code gives the same results on every benchmark text."""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict

from provenance.model import Sentence, Token
from provenance.text.tokenize import (
    _ABBREV,
    _CJK,
    _CJK_RE,
    _FOLD,
    _INVISIBLE,
    _LAST_WORD,
    _SENT_END_RE,
    _WORD_WINDOW,
    TOKEN_RE,
    _cjk_bigrams,
    _content_word,
    _norm_word,
    _zipf_table,
)


def tokenize_reference(text: str) -> list[Token]:
    """Split a paragraph into tokens; CJK text becomes one token per character so shared passages still shingle."""
    out: list[Token] = []
    append = out.append
    for m in TOKEN_RE.finditer(text):
        kind = m.lastgroup
        raw = m.group()
        start, end = m.span()
        if kind == "word":
            if not raw.isascii() and _CJK_RE.search(raw):
                # A Latin word glued to CJK characters: re-split into its runs.
                for sub in re.finditer(rf"[{_CJK}]|[^{_CJK}]+", raw):
                    piece = sub.group()
                    s = start + sub.start()
                    if _CJK_RE.match(piece):
                        append(Token(piece, s, s + 1, "c", piece, False))
                    else:
                        n = _norm_word(piece)
                        append(Token(n, s, s + len(piece), "w", _content_word(n), piece[:1].isupper()))
                continue
            if len(raw) >= 2 and raw.isupper() and raw.isalpha():
                n = _norm_word(raw)
                append(Token(n, start, end, "a", n, True))
                continue
            n = _norm_word(raw)
            append(Token(n, start, end, "w", _content_word(n), raw[:1].isupper()))
        elif kind == "num":
            n = raw.replace(",", "") if "," in raw else raw
            append(Token(n, start, end, "n", n, False))
        elif kind == "acr":
            n = raw.replace(".", "").lower()
            append(Token(n, start, end, "a", n, True))
        else:  # cjk
            append(Token(raw, start, end, "c", raw, False))
    return _cjk_bigrams(out) if any(t.kind == "c" for t in out) else out


def repeated_reference(keys: list[str]) -> list[bool]:
    """Which paragraphs' text occurs more than once on the page, whole or inside another (a caption glued to
    itself counts too). Candidates come from an index of 4-word grams, the rarest gram of each text, so a page of
    many thousands of paragraphs costs about linear time instead of comparing every pair."""
    n = len(keys)
    repeated = [False] * n
    grams: list[list[str]] = [[] for _ in range(n)]
    postings: dict[str, list[int]] = defaultdict(list)
    for i, k in enumerate(keys):
        ws = k.split()
        if len(ws) < 4:
            continue
        grams[i] = list(dict.fromkeys(" ".join(ws[a : a + 4]) for a in range(len(ws) - 3)))
        for g in grams[i]:
            postings[g].append(i)
    for i, k in enumerate(keys):
        if not grams[i]:
            continue
        # Any text containing k contains each of k's grams: the rarest one gives the fewest candidates.
        rarest = min(grams[i], key=lambda g: len(postings[g]))
        for j in postings[rarest]:
            if j != i and k in keys[j]:
                repeated[i] = repeated[j] = True
        if not repeated[i] and k.count(k[: max(20, len(k) // 3)]) > 1:
            repeated[i] = True  # a caption glued to itself
    return repeated


def control_ratio_reference(text: str) -> float:
    sample = text[:20000]
    if not sample:
        return 0.0
    bad = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\n\r\t\f\v")
    return bad / len(sample)


def clean_reference(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = text.translate(_INVISIBLE)
    return unicodedata.normalize("NFC", text)


def fold_reference(text: str) -> str:
    return unicodedata.normalize("NFKC", text).translate(_FOLD)


def rarity_reference(token: Token) -> float:
    if token.kind == "n":
        return 6.0 if len(token.norm) >= 3 else 4.0
    if token.kind == "c":
        return 2.0
    table = _zipf_table()
    z = table.get(token.norm)
    if z is None and "-" in token.norm:
        parts = [table.get(part, 1.0) for part in token.norm.split("-") if part]
        z = min(parts) if parts else None
    if z is None:
        z = table.get(token.norm.replace("'", ""), 1.0)
    return min(7.0, max(1.0, 7.5 - z))


def split_sentences_reference(text: str) -> tuple[Sentence, ...]:
    """Sentence boundaries by terminal punctuation, guarded against common abbreviations and initials."""
    bounds: list[Sentence] = []
    start = 0
    n = len(text)
    for m in _SENT_END_RE.finditer(text):
        end = m.end()
        if end >= n:
            break
        nxt = text[end]
        punct_end = m.start()
        if text[m.start()] == ".":
            # A bounded window, not the whole sentence so far: a paragraph of a million "Mr. " never ends a
            # sentence, so slicing from its start at every full stop was quadratic.
            word_m = _LAST_WORD.search(text, max(start, punct_end - _WORD_WINDOW), punct_end)
            prev = word_m.group(1) if word_m else ""
            if prev.lower() in _ABBREV or (len(prev) == 1 and prev.isupper()):
                continue
            if re.search(r"(?:[^\W\d_]\.){1,}[^\W\d_]$", text[max(start, punct_end - 6) : punct_end]):
                continue  # inside an acronym such as U.S.
        if not (
            nxt.isupper()
            or nxt.isdigit()
            or nxt in "\"'\u201c\u2018("
            or _CJK_RE.match(nxt)
            or m.group()[0] in "\u3002\uff01\uff1f"
        ):
            continue
        seg = text[start:end].strip()
        if seg:
            s = start + (len(text[start:end]) - len(text[start:end].lstrip()))
            bounds.append(Sentence(s, s + len(seg)))
        start = end
    seg = text[start:].strip()
    if seg:
        s = start + (len(text[start:]) - len(text[start:].lstrip()))
        bounds.append(Sentence(s, s + len(seg)))
    if not bounds:
        bounds.append(Sentence(0, len(text)))
    return tuple(bounds)
