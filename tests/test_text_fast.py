"""The whole-text fast paths give exactly what the word-by-word code they replaced gave, on every benchmark text
(Clough, the news set, the seeds, the examples, MRPC sentences) and on generated text of every token kind."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st
from reference_text import split_sentences_reference, tokenize_reference

from provenance.text import chunks
from provenance.text import tokenize as tok


def _benchmark_texts(shared: Path, examples: Path) -> list[str]:
    texts = [p.read_text(encoding="utf-8", errors="replace") for p in sorted(examples.glob("*.*"))]
    texts += [p.read_text(encoding="utf-8") for p in sorted((shared / "seeds").glob("*.txt"))]
    texts += [
        p.read_bytes().decode("utf-8", errors="replace")
        for p in sorted((shared / "benchmarks" / "clough-stevenson").glob("*.txt"))
    ]
    for story in sorted((shared / "benchmarks" / "news").glob("*.json")):
        data = json.loads(story.read_text(encoding="utf-8"))
        texts.append(data["original"]["text"])
        texts.extend(v["text"] for v in data["versions"])
    with (shared / "benchmarks" / "mrpc" / "train.tsv").open(encoding="utf-8") as fh:
        rows = list(csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))[1:2001]
    texts += [" ".join(r[3:5]) for r in rows if len(r) >= 5]
    return texts


def test_tokens_equal_the_word_by_word_tokenizer_on_every_benchmark_text(shared, examples):
    tok._WORD_INFO.clear()
    texts = _benchmark_texts(shared, examples)
    paragraphs = [p for t in texts for p in t.split("\n") if p.strip()]
    assert len(paragraphs) > 3000
    for p in paragraphs:
        assert tok.tokenize(p) == tokenize_reference(p), p[:80]
    # Second pass: every word now comes from the caches, which must give what working it out gives.
    from reference_text import rarity_reference

    tok._RARITY.clear()
    for p in paragraphs:
        tokens = tok.tokenize(p)
        assert tokens == tokenize_reference(p), p[:80]
        for _ in range(2):
            assert [tok.rarity(t) for t in tokens] == [rarity_reference(t) for t in tokens]


_PIECES = [
    "U.S.",
    "NASA",
    "I",
    "3,200",
    "1.5x",
    "12:30",
    "don't",
    "Müller's",
    "full-scale",
    "ﬁnance",
    "’s",
    "水位",
    "ひらがな",
    "abc水位",
    "東京タワー",
    "x²",
    "Ⅻ",
    "—",
    " ",
    ". ",
    "\u00ad",
    "CO2",
    "A.",
    "e.g.",
]


@given(st.lists(st.sampled_from(_PIECES), max_size=40))
def test_tokens_equal_the_word_by_word_tokenizer_on_any_mix_of_token_kinds(pieces):
    text = "".join(pieces)
    assert tok.tokenize(text) == tokenize_reference(text)
    assert tok.tokenize(text) == tokenize_reference(text)


def _page_keys(text: str) -> list[str]:
    from provenance.text.boilerplate import _key

    return [_key(line) for line in text.split("\n") if line.strip()]


def test_page_repetition_equals_the_pairwise_check_on_every_benchmark_text(shared, examples):
    from reference_text import repeated_reference

    from provenance.text.boilerplate import _repeated

    pages = [_page_keys(t) for t in _benchmark_texts(shared, examples)]
    assert any(any(_repeated(keys)) for keys in pages)  # the benchmark pages do repeat lines
    for keys in pages:
        assert _repeated(keys) == repeated_reference(keys)


@given(
    st.lists(
        st.sampled_from(
            [
                "Home News Sport Weather today",
                "News Sport Weather",
                "read more about it here",
                "Home News Sport Weather today Home News Sport Weather today",
                "a b c d e",
                "a b c d",
                "b c d e",
                "x",
            ]
        ),
        max_size=12,
    )
)
def test_page_repetition_equals_the_pairwise_check_on_any_page(lines):
    from reference_text import repeated_reference

    from provenance.text.boilerplate import _repeated

    assert _repeated(lines) == repeated_reference(lines)


@given(
    st.text(
        alphabet=st.sampled_from(
            ["a", "\x00", "\x07", "\t", "\n", "\x0b", "\x0c", "\r", "\x1b", "\x1f", " ", "\x7f", "é"]
        ),
        max_size=300,
    )
)
def test_control_ratio_equals_the_character_loop(text):
    from reference_text import control_ratio_reference

    from provenance.text.decode import _control_ratio

    assert _control_ratio(text) == control_ratio_reference(text)


def test_the_frequency_table_read_from_wordfreqs_file_equals_wordfreqs_own():
    import math

    from wordfreq import get_frequency_dict

    from provenance.text.frequency import read_wordfreq

    expected = {w: math.log10(f) + 9.0 for w, f in get_frequency_dict("en", wordlist="best").items() if f > 0}
    table = read_wordfreq("en")
    assert len(table) > 100_000
    assert table == expected


def test_clean_and_fold_equal_the_translating_versions_on_every_benchmark_text(shared, examples):
    from reference_text import clean_reference, fold_reference

    from provenance.text.tokenize import clean, fold

    texts = _benchmark_texts(shared, examples)
    assert any(
        fold(t) != t for t in texts
    )  # folding has work to do (cleaning only on the generated texts below)
    for t in texts:
        assert clean(t) == clean_reference(t)
        assert fold(t) == fold_reference(t)
        for line in t.split("\n"):
            assert fold(line) == fold_reference(line)


_CLEAN_PIECES = [
    "a",
    "\u00e9",
    "e\u0301",
    "\ufb01",
    "\u2019",
    "`",
    "\u2014",
    "\u00a0",
    "\u200b",
    "\u00ad",
    "\ufeff",
    "\r",
    "\r\n",
    "\n",
    "\u00bd",
    "\u212b",
]


@given(st.lists(st.sampled_from(_CLEAN_PIECES), max_size=60).map("".join))
def test_clean_and_fold_equal_the_translating_versions_on_any_text(text):
    from reference_text import clean_reference, fold_reference

    from provenance.text.tokenize import clean, fold

    assert clean(text) == clean_reference(text)
    assert fold(text) == fold_reference(text)


@given(st.lists(st.sampled_from(["a", " ", "  ", "\t", " \t ", "b c"]), max_size=20).map("".join))
def test_blank_runs_collapse_as_the_general_pattern_collapses_them(text):
    import re

    from provenance.text.segment import _BLANKS

    assert _BLANKS.sub(" ", text) == re.sub(r"[ \t]+", " ", text)


def _benchmark_paragraphs(shared: Path, examples: Path) -> list[str]:
    texts = _benchmark_texts(shared, examples)
    return [p.strip() for t in texts for p in t.split("\n") if p.strip()] + [
        " ".join(t.split("\n")) for t in texts
    ]


def _chunk_memo_cleared() -> None:
    chunks.start_batch(afresh=True)


def _sentence_contents(text: str) -> tuple[int, list[list[str]]]:
    words, code = chunks.sentence_codes(text)
    return words, chunks.contents_of(code)


def _sentence_contents_by_tokens(text: str) -> tuple[int, list[list[str]]]:
    """What sentence_contents must give: the token path, word by word."""
    tokens = tokenize_reference(text)
    sentences = split_sentences_reference(text)
    return tok.count_words(text), [
        [t.content for t in tokens if t.content and s.start <= t.start < s.end] for s in sentences
    ]


def test_sentences_and_their_content_words_equal_the_token_path_on_every_benchmark_text(shared, examples):
    _chunk_memo_cleared()
    paragraphs = _benchmark_paragraphs(shared, examples)
    for p in paragraphs:
        assert tok.split_sentences(p) == split_sentences_reference(p), p[:80]
    for _ in range(2):  # learning the chunks, then from the memo
        for p in paragraphs:
            assert _sentence_contents(p) == _sentence_contents_by_tokens(p), p[:80]


_SENTENCE_PIECES = [
    *_PIECES,
    "Mr. ",
    "Smith",
    "said.",
    " ",
    "  ",
    "\n",
    "\u00a0",
    '." ',
    "?) ",
    "!! ",
    "... ",
    "J. ",
    "etc. ",
    "the",
    "(Reuters) ",
    "\u201cQuote\u201d. ",
    "\u3002",
    "\uff01",
    "3.5. ",
    "x.y. ",
    "U.S.A. ",
    "\ufdfa",
]


@given(st.lists(st.sampled_from(_SENTENCE_PIECES), max_size=40))
def test_sentences_and_their_content_words_equal_the_token_path_on_any_mix(pieces):
    text = "".join(pieces)
    assert tok.split_sentences(text) == split_sentences_reference(text)
    assert _sentence_contents(text) == _sentence_contents_by_tokens(text)
    assert _sentence_contents(text) == _sentence_contents_by_tokens(text)


@given(
    st.lists(
        st.sampled_from(["a", ".", "!", "?", "\u3002", '"', "'", "\u201d", ")", "]", " ", "\n", "\t"]),
        max_size=12,
    )
)
def test_sentence_punctuation_at_the_end_is_told_as_the_pattern_tells_it(pieces):
    import re

    from provenance.text.boilerplate import _terminal

    text = "".join(pieces)
    pattern = re.compile(r"[.!?\u3002\uff01\uff1f][\"'\u201d\u2019)\]]*\s*$")
    assert _terminal(text) == bool(pattern.search(text))
