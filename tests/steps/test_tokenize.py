"""provenance/text/tokenize.py: tokens keep offsets into the text as shown, compare in a folded form, and
carry the content stem the aligner reads; sentences split at terminal punctuation but not after
abbreviations or initials."""

from __future__ import annotations

import pytest

from provenance.text.tokenize import (
    STOPWORDS,
    clean,
    count_words,
    fold,
    quote_spans,
    rarity,
    split_sentences,
    tokenize,
)


def test_offsets_point_at_the_words_as_written():
    text = "  The Harbour Board met on Friday,\tdespite rain. "
    tokens = tokenize(text)
    shown = ["The", "Harbour", "Board", "met", "on", "Friday", "despite", "rain"]
    assert [text[t.start : t.end] for t in tokens] == shown
    assert [t.norm for t in tokens][:3] == ["the", "harbour", "board"]
    assert [t.capital for t in tokens][:4] == [True, True, True, False]


def test_typographic_variants_compare_equal():
    # A curly apostrophe, full-width letters, a ligature.
    curly = tokenize("Mira\u2019s \uff26\uff55\uff4c\uff4c \ufb01sh")
    straight = tokenize("mira's Full fish")
    assert [t.norm for t in curly] == [t.norm for t in straight]
    assert [t.content for t in curly] == [t.content for t in straight]
    assert fold("\u201cquoted\u201d \u2013 a\u00a0b") == '"quoted" - a b'


def test_decomposed_accents_tokenise_as_composed_once_cleaned():
    decomposed, composed = tokenize(clean("cafe\u0301 owner")), tokenize("caf\u00e9 owner")
    assert [t.norm for t in decomposed] == [t.norm for t in composed]


@pytest.mark.parametrize("hyphen", ["\u2010", "\u2011"])
def test_unicode_hyphens_join_a_compound_like_the_ascii_hyphen(hyphen):
    typographic, ascii = tokenize(f"a well{hyphen}known baker"), tokenize("a well-known baker")
    assert [t.norm for t in typographic] == [t.norm for t in ascii]


def test_stopwords_carry_no_content_and_words_are_stemmed():
    tokens = {t.norm: t for t in tokenize("They were running towards the lighthouses")}
    assert "they" in STOPWORDS and tokens["they"].content == ""
    assert tokens["the"].content == ""
    assert tokens["running"].content == "run"
    assert tokenize("lighthouse")[0].content == tokens["lighthouses"].content


def test_possessive_is_dropped_from_the_content_stem():
    assert tokenize("Oskar's")[0].content == tokenize("Oskar")[0].content


@pytest.mark.parametrize(
    ("text", "norm", "kind"),
    [
        ("1,250", "1250", "n"),  # thousands separators do not make two figures differ
        ("2.4", "2.4", "n"),
        ("U.S.", "us", "a"),
        ("NATO", "nato", "a"),
        ("Zebra", "zebra", "w"),
    ],
)
def test_token_kinds(text, norm, kind):
    (tok,) = tokenize(text)
    assert (tok.norm, tok.kind) == (norm, kind)


def test_acronyms_count_as_capitalised_names():
    (tok,) = tokenize("UNESCO")
    assert tok.capital and tok.content == "unesco"


def test_cjk_is_one_token_per_character_with_bigram_content():
    text = "\u6e56\u5357\u7701"  # three Han characters
    tokens = tokenize(text)
    assert [t.norm for t in tokens] == list(text)
    assert all(t.kind == "c" for t in tokens)
    assert [t.content for t in tokens] == [text[0:2], text[1:3], ""]  # the last of a run has no bigram
    assert count_words(text + " and more") == 5  # each CJK character is a word for the shares


def test_hiragana_bigrams_carry_no_content():
    tokens = tokenize("\u306e\u306b")  # two hiragana particles
    assert [t.content for t in tokens] == ["", ""]


def test_latin_word_glued_to_cjk_is_split():
    tokens = tokenize("abc\u6e56")
    assert [(t.norm, t.kind) for t in tokens] == [("abc", "w"), ("\u6e56", "c")]


def test_sentences_split_at_terminal_punctuation():
    text = "The ferry left early. Nobody was aboard! Was it stolen? Police think so."
    spans = split_sentences(text)
    assert [text[s.start : s.end] for s in spans] == [
        "The ferry left early.",
        "Nobody was aboard!",
        "Was it stolen?",
        "Police think so.",
    ]


@pytest.mark.parametrize(
    "text",
    [
        "Dr. Lindqvist opened the clinic.",  # an abbreviation
        "The author J. Okafor signed copies.",  # an initial
        "Exports to the U.S. Market fell.",  # inside an acronym
        "It ended at 3 p.m. and everyone went home.",  # lower case after the stop
    ],
)
def test_no_split_after_abbreviations_initials_or_before_lower_case(text):
    assert len(split_sentences(text)) == 1


def test_sentence_offsets_exclude_surrounding_space():
    text = "  One line here.   Two lines there.  "
    spans = split_sentences(text)
    assert [text[s.start : s.end] for s in spans] == ["One line here.", "Two lines there."]


def test_text_without_punctuation_is_one_sentence():
    assert len(split_sentences("a menu entry")) == 1
    assert split_sentences("")[0].start == 0


def test_clean_unifies_line_ends_and_drops_invisible_characters():
    assert clean("a\r\nb\rc\u200bd\u00ade") == "a\nb\ncde"


def test_quote_spans_cover_the_words_inside_the_marks():
    text = 'She said "we will rebuild the pier" and left. He said \u201cno\u201d.'
    spans = quote_spans(text)
    assert [text[a:b] for a, b in spans] == ["we will rebuild the pier"]  # "no" is too short to count


def test_rarity_ranks_rare_words_and_long_numbers_above_common_words():
    common, rare = tokenize("house"), tokenize("quokka")
    assert rarity(rare[0]) > rarity(common[0])
    assert rarity(tokenize("2024")[0]) > rarity(tokenize("7")[0])
    assert all(1.0 <= rarity(t) <= 7.0 for t in tokenize("the quokka of 2024 and a zxqvbnm"))
