"""provenance/text/segment.py: blocks become paragraphs. Hard-wrapped prose is joined into one paragraph, a
block of separate short lines (a menu, a byline box) is split into its lines, and every paragraph is made
by `make_paragraph` with its sentences, tokens and word count."""

from __future__ import annotations

import math

import pytest
from steps_factory import VOCAB

from provenance.errors import InputError
from provenance.model import Block
from provenance.rules import HARD_WRAP_CONTINUED, LINE_LIST_MEDIAN_WORDS
from provenance.testing import make_host
from provenance.text.load import load_document
from provenance.text.segment import blocks_from_plain_text, make_paragraph, paragraphs_from_blocks
from provenance.text.tokenize import count_words, split_sentences, tokenize


def line(n: int, *, upper: bool = True, end: str = "", offset: int = 0) -> str:
    """A line of `n` invented words, starting in upper or lower case, ending with `end`."""
    ws = [VOCAB[(offset + i) % len(VOCAB)] for i in range(n)]
    text = " ".join(ws) + end
    return text[:1].upper() + text[1:] if upper else text


def texts(block: Block) -> list[str]:
    return [p.text for p in paragraphs_from_blocks([block])]


def test_hard_wrapped_prose_is_joined_into_one_paragraph():
    block = Block(
        "The town council agreed on Monday to\nrebuild the old stone bridge, which was\n"
        "damaged in the spring storms.",
        5,
        7,
    )
    (p,) = paragraphs_from_blocks([block])
    assert p.text == (
        "The town council agreed on Monday to rebuild the old stone bridge, which was "
        "damaged in the spring storms."
    )
    assert (p.start_line, p.end_line, p.from_line_block) == (5, 7, False)


def test_a_menu_block_is_split_into_its_lines():
    block = Block("Home\nNews\nSport\nWeather", 1, 4)
    paras = paragraphs_from_blocks([block])
    assert [p.text for p in paras] == ["Home", "News", "Sport", "Weather"]
    assert [(p.start_line, p.end_line) for p in paras] == [(1, 1), (2, 2), (3, 3), (4, 4)]
    assert all(p.from_line_block for p in paras)


def test_short_lines_are_a_list_up_to_the_median_word_limit():
    # Lines start in upper case, only the first ends a sentence: short lines are a list, longer ones prose.
    at_limit = "\n".join(
        [
            line(LINE_LIST_MEDIAN_WORDS, end="."),
            line(LINE_LIST_MEDIAN_WORDS, offset=3),
            line(LINE_LIST_MEDIAN_WORDS, offset=6),
        ]
    )
    assert len(texts(Block(at_limit))) == 3
    over = "\n".join(
        [
            line(LINE_LIST_MEDIAN_WORDS + 1, end="."),
            line(LINE_LIST_MEDIAN_WORDS + 1, offset=3),
            line(LINE_LIST_MEDIAN_WORDS + 1, offset=6),
        ]
    )
    assert len(texts(Block(over))) == 1


def test_long_lines_that_each_end_a_sentence_are_separate_paragraphs():
    n = LINE_LIST_MEDIAN_WORDS + 4
    block = Block("\n".join(line(n, end=".", offset=k) for k in range(3)))
    assert len(texts(block)) == 3


def test_long_unpunctuated_lines_are_separate_headlines():
    n = LINE_LIST_MEDIAN_WORDS + 4
    block = Block("\n".join(line(n, offset=k) for k in range(3)))
    assert len(texts(block)) == 3


def test_lines_continuing_in_lower_case_are_joined_above_the_hard_wrap_share():
    # Short lines (a list by their length) unless more than HARD_WRAP_CONTINUED of the following lines
    # continue a sentence in lower case.
    following = 10
    at_share = math.floor(HARD_WRAP_CONTINUED * following)  # continued / following <= HARD_WRAP_CONTINUED

    def block(continued: int) -> Block:
        lines = [line(3)] + [line(3, upper=k >= continued, offset=k) for k in range(following)]
        return Block("\n".join(lines))

    assert at_share / following <= HARD_WRAP_CONTINUED < (at_share + 1) / following
    assert len(texts(block(at_share))) == following + 1
    assert len(texts(block(at_share + 1))) == 1


def test_a_broken_fragment_under_paragraph_lines_does_not_make_them_wrapped_prose():
    # One paragraph per line, and a teaser broken over two short lines at the end: one line of four starts in lower
    # case (over the line share), but it holds few of the block's words.
    para = "A sentence of ordinary prose about a harbour and the ferries that leave it every morning."
    lines = [para, para.replace("harbour", "quay"), "(More", "harbour stories.)"]
    assert 1 / (len(lines) - 1) > HARD_WRAP_CONTINUED
    assert texts(Block("\n".join(lines))) == lines
    # The same lines wrapped mid-sentence, most words on lower-case lines: one paragraph.
    wrapped = [
        "A sentence of ordinary prose about",
        "a harbour and the ferries that leave it",
        "every morning.",
    ]
    assert len(texts(Block("\n".join(wrapped)))) == 1


def test_pre_blocks_keep_their_lines_in_one_paragraph():
    (p,) = paragraphs_from_blocks([Block("Home\nNews\nSport", tag="pre")])
    assert p.text == "Home\nNews\nSport"


def test_runs_of_spaces_and_tabs_collapse_and_blank_blocks_vanish():
    spaced = "Two\t\tspaces   here, and a sentence that goes on."
    paras = paragraphs_from_blocks([Block("   \n  "), Block(spaced)])
    assert [p.text for p in paras] == ["Two spaces here, and a sentence that goes on."]
    assert paras[0].index == 0  # indexes count only the paragraphs made


def test_paragraph_indexes_follow_reading_order_across_blocks():
    prose = "A sentence of ordinary prose about a harbour."
    paras = paragraphs_from_blocks([Block("Home\nNews"), Block(prose)])
    assert [p.index for p in paras] == [0, 1, 2]


def test_make_paragraph_carries_sentences_tokens_and_words():
    text = "The ferry left early. Nobody was aboard, said the 2 guards."
    p = make_paragraph(7, text, 3, 4, "li", from_line_block=True)
    assert p.tokens == tuple(tokenize(text))
    assert p.sentences == split_sentences(text)
    assert p.words == count_words(text) == len(p.tokens)
    assert (p.index, p.start_line, p.end_line, p.tag) == (7, 3, 4, "li")
    assert p.from_line_block and p.role == "body"
    assert p.sentence_text(1) == "Nobody was aboard, said the 2 guards."
    by_sentence = p.tokens_by_sentence()
    assert [t.norm for t in by_sentence[0]] == ["the", "ferry", "left", "early"]
    assert [t.norm for t in by_sentence[1]] == ["nobody", "was", "aboard", "said", "the", "2", "guards"]
    assert p.sentence_of_tokens() == (0,) * 4 + (1,) * 7


def test_plain_text_blocks_are_blank_line_separated_with_one_based_lines():
    blocks = blocks_from_plain_text("First line\nsecond line\n\n\nThird block\n")
    assert [(b.text, b.start_line, b.end_line) for b in blocks] == [
        ("First line\nsecond line", 1, 2),
        ("Third block", 5, 5),
    ]


# load_document: read, decode, extract, segment, classify ----------------------------------------------------

ARTICLE = (
    "Home\nNews\nSport\n\n"
    "The town council agreed on Monday to\nrebuild the old stone bridge, which was\n"
    "damaged in the spring storms.\n\n"
    "Engineers will survey the riverbank next week before work begins.\n"
)


def test_load_document_segments_and_marks_furniture(tmp_path):
    path = tmp_path / "article.txt"
    path.write_bytes(ARTICLE.replace("\n", "\r\n").encode("utf-8"))  # CRLF line ends
    host = make_host()
    doc = load_document(path, host=host)
    assert doc.name == str(path) and doc.format == "text" and doc.metadata["encoding"] in ("utf-8", "ascii")
    assert [p.text for p in doc.paragraphs][:3] == ["Home", "News", "Sport"]
    assert [p.role for p in doc.paragraphs] == ["boilerplate"] * 3 + ["body", "body"]
    assert [p.index for p in doc.paragraphs] == list(range(5))
    assert doc.paragraphs[3].start_line == 5 and doc.paragraphs[3].end_line == 7
    assert all(p.tokens == tuple(tokenize(p.text)) for p in doc.paragraphs)
    from_text = load_document(ARTICLE, "article", host=host)
    assert [p.text for p in from_text.paragraphs] == [p.text for p in doc.paragraphs]


def test_load_document_refuses_empty_input():
    with pytest.raises(InputError, match="empty"):
        load_document("  \n ", host=make_host())
