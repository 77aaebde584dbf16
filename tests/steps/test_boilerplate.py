"""provenance/text/boilerplate.py `classify`: page furniture is told from article text by the shape of a
paragraph (short, unpunctuated, a date, a copyright line), repetition, runs of headline-shaped lines, and
its position before the first or after the last paragraph of running prose."""

from __future__ import annotations

from steps_factory import VOCAB

from provenance.model import Block, Paragraph
from provenance.rules import (
    HEADLINE_WORDS,
    LINK_RUN,
    PROSE_WORDS,
    SHORT_WORDS,
    STAMP_OTHER_WORDS,
    UNPUNCTUATED_PROSE_WORDS,
)
from provenance.text.boilerplate import classify
from provenance.text.segment import make_paragraph, paragraphs_from_blocks

BODY_1 = "The town council agreed on Monday to rebuild the old stone bridge that the spring storms damaged."
BODY_2 = "Engineers will survey the riverbank next week before any work can begin on the new foundations."


def words(n: int, offset: int = 0, about: str = "bridge") -> str:
    """`n` distinct words, the first `about` the article (a line of it shares a word with its text, as a headline or
    a subheading does: one that shares none is furniture whatever its shape) and the rest invented (a line repeating
    itself would count as repeated on the page). `about=""`: invented words only."""
    assert n <= len(VOCAB)
    invented = [VOCAB[(offset + i) % len(VOCAB)] for i in range(n)]
    text = " ".join(([about, *invented[: n - 1]]) if about else invented)
    return text[:1].upper() + text[1:]


def classified(*texts: str, tags: dict[int, str] | None = None) -> tuple[Paragraph, ...]:
    tags = tags or {}
    return classify(tuple(make_paragraph(i, t, tag=tags.get(i, "p")) for i, t in enumerate(texts)))


def role(paras: tuple[Paragraph, ...], i: int) -> tuple[str, str]:
    return paras[i].role, paras[i].role_reason


def test_a_date_line_before_the_body_is_boilerplate():
    paras = classified("March 3, 2031 at 10:15", BODY_1, BODY_2)
    assert role(paras, 0) == ("boilerplate", "date or time stamp")
    assert [p.role for p in paras[1:]] == ["body", "body"]


def test_a_stamp_is_mostly_dates_up_to_stamp_other_words_per_date():
    def stamp(others: int) -> str:
        return "March 3 " + " ".join(VOCAB[:others])  # "March 3" is the date

    assert role(classified(stamp(STAMP_OTHER_WORDS), BODY_1, BODY_2), 0) == (
        "boilerplate",
        "date or time stamp",
    )
    assert classified(stamp(STAMP_OTHER_WORDS + 1), BODY_1, BODY_2)[0].role_reason != "date or time stamp"
    two = "Posted March 3 at 10:15 | Updated " + " ".join(VOCAB[: 2 * STAMP_OTHER_WORDS - 3])  # 3 + 5 others
    assert role(classified(two, BODY_1, BODY_2), 0) == ("boilerplate", "date or time stamp")  # two dates


def test_a_line_that_states_a_fact_beside_its_date_is_text():
    paras = classified(
        BODY_1, "December 11 the bridge council approves the rebuilding plan and budget", BODY_2
    )
    assert paras[1].role_reason != "date or time stamp"


def test_a_line_sharing_no_word_with_the_article_is_furniture():
    paras = classified(BODY_1, words(SHORT_WORDS + 2, about=""), BODY_2)
    assert role(paras, 1) == ("boilerplate", "shares no word with the article's text")
    assert classified(BODY_1, words(SHORT_WORDS + 2), BODY_2)[1].role == "heading"


def test_a_last_paragraph_cut_off_in_mid_sentence_is_article_text():
    cut = classified(BODY_1, BODY_2, "The engineers said the foundations of the old bridge were")
    assert role(cut, 2) == ("body", "cut off in mid-sentence: the end of the article text")
    credit = classified(BODY_1, BODY_2, "Reporting by Jane Doe; Editing by John Roe")  # Title Case: a credit
    assert credit[2].is_boilerplate


def test_bylines_and_labelled_teasers_are_furniture():
    assert role(classified("By Jane Doe and John Roe, Gazette", BODY_1, BODY_2), 0) == (
        "boilerplate",
        "a byline",
    )
    teaser = classified(BODY_1, "RELATED STORY | Bridge repairs in the next valley run late", BODY_2)
    assert role(teaser, 1) == ("boilerplate", "a labelled teaser (an upper-case label before a bar)")


def test_a_date_inside_a_sentence_is_not_a_stamp():
    paras = classified(BODY_1, "The bridge fair opens on March 3.", BODY_2)
    assert paras[1].role != "boilerplate"


def test_a_copyright_line_is_boilerplate_wherever_it_stands():
    paras = classified(BODY_1, "\u00a9 2031 Riverside Gazette, all rights kept by the owners", BODY_2)
    assert role(paras, 1) == ("boilerplate", "copyright line")


def test_short_unpunctuated_lines_are_furniture_up_to_short_words():
    short = classified(words(SHORT_WORDS), BODY_1, BODY_2)  # before the body: a menu entry, a label
    assert role(short, 0) == ("boilerplate", "short line without sentence punctuation")
    longer = classified(BODY_1, words(SHORT_WORDS + 1), BODY_2)
    assert longer[1].role == "heading"  # a subheading inside the body


def test_a_short_line_inside_the_body_is_a_subheading_but_not_in_the_tail():
    inside = classified(BODY_1, "Bridge closures", BODY_2)
    assert inside[1].role == "heading"
    tail = classified(BODY_1, BODY_2, "Bridge closures", tags={2: "h2"})
    assert tail[2].role == "boilerplate"
    one_word = classified(BODY_1, "Bridge", BODY_2)
    assert one_word[1].role == "boilerplate"  # a single word ("Advertisement", "Share") is furniture anywhere


def test_running_prose_needs_prose_words_and_sentence_punctuation():
    at = classified(BODY_1, words(PROSE_WORDS) + ".", BODY_2)
    assert at[1].role == "body"
    under = classified(BODY_1, words(PROSE_WORDS - 1) + ".", BODY_2)
    assert under[1].role != "body"


def test_unpunctuated_text_of_two_sentences_is_prose_from_unpunctuated_prose_words():
    def two_sentences(n: int) -> str:
        return words(5) + ". " + words(n - 5, offset=5)  # ends without punctuation

    assert make_paragraph(0, two_sentences(UNPUNCTUATED_PROSE_WORDS)).words == UNPUNCTUATED_PROSE_WORDS
    at = classified(BODY_1, two_sentences(UNPUNCTUATED_PROSE_WORDS), BODY_2)
    assert at[1].role == "body"
    under = classified(BODY_1, two_sentences(UNPUNCTUATED_PROSE_WORDS - 1), BODY_2)
    assert under[1].role == "heading"


def test_the_first_headline_shaped_line_before_the_body_is_the_headline():
    paras = classified(words(HEADLINE_WORDS[0]), words(HEADLINE_WORDS[1], offset=3), BODY_1, BODY_2)
    assert role(paras, 0) == ("heading", "headline")
    assert role(paras, 1) == ("boilerplate", "before the article body")  # a second one: a teaser


def test_a_headline_has_at_most_the_upper_headline_words():
    assert role(classified(words(HEADLINE_WORDS[1]), BODY_1, BODY_2), 0) == ("heading", "headline")
    assert role(classified(words(HEADLINE_WORDS[1] + 1), BODY_1, BODY_2), 0) != ("heading", "headline")


def test_a_run_of_link_run_headline_lines_after_the_body_is_a_list_of_links():
    links = [words(6, offset=k) for k in range(LINK_RUN)]
    paras = classified(BODY_1, BODY_2, *links)
    assert {role(paras, i) for i in range(2, 2 + LINK_RUN)} == {("boilerplate", "part of a list of links")}
    fewer = classified(BODY_1, BODY_2, *links[: LINK_RUN - 1])
    tail = ("boilerplate", "after the end of the article body")
    assert {role(fewer, i) for i in range(2, 1 + LINK_RUN)} == {tail}


def test_lines_of_a_menu_block_before_the_article_are_boilerplate():
    assert LINK_RUN - 1 >= 2, "a block of fewer lines than a link run must still be a multi-line block"
    menu = Block("\n".join(words(SHORT_WORDS + 1, offset=k) for k in range(LINK_RUN - 1)))
    paras = classify(paragraphs_from_blocks([menu, Block(BODY_1), Block(BODY_2)]))
    assert all(p.from_line_block for p in paras[: LINK_RUN - 1])
    assert {role(paras, i) for i in range(LINK_RUN - 1)} == {
        ("boilerplate", "line of a menu-like block before the article")
    }


def test_a_prose_line_of_a_menu_block_repeated_on_the_page_is_boilerplate():
    promo = "Subscribe to the bridge news and read every story."
    block = Block(
        "\n".join([promo, "Bridge news", "Bridge events", "Bridge letters"])
    )  # a menu of short lines
    paras = classify(paragraphs_from_blocks([Block(BODY_1), block, Block(BODY_2), Block(promo)]))
    assert paras[1].from_line_block
    assert role(paras, 1) == ("boilerplate", "repeated line of a menu-like block")


def test_one_paragraph_per_line_is_not_a_menu():
    block = Block(BODY_1 + "\n" + BODY_2)
    paras = classify(paragraphs_from_blocks([block]))
    assert len(paras) == 2 and not any(p.from_line_block for p in paras)
    assert [p.role for p in paras] == ["body", "body"]


def test_a_page_cannot_be_all_furniture():
    paras = classified("Hello there", "See you")
    assert [p.role for p in paras] == ["heading", "heading"]
    assert classify(()) == ()


def test_classify_only_sets_the_role():
    before = tuple(make_paragraph(i, t) for i, t in enumerate(["Share", BODY_1]))
    after = classify(before)
    for b, a in zip(before, after):
        assert (a.text, a.tokens, a.sentences, a.words) == (b.text, b.tokens, b.sentences, b.words)
        assert a.index == b.index
    assert after[0].is_boilerplate and not after[1].is_boilerplate


# Furniture written as sentences: told by newsroom conventions, not by shape.
NOTE = "This is a developing story. Please check back for updates."
BIO = "Jane Roe is a reporter for The Daily Ledger in Riverton, covering the town council and its bridges."


def test_an_editors_note_is_furniture_wherever_it_stands():
    for paras in (
        classified(NOTE, BODY_1, BODY_2),
        classified(BODY_1, NOTE, BODY_2),
        classified(BODY_1, BODY_2, NOTE),
    ):
        notes = [role(paras, i) for i, p in enumerate(paras) if p.text == NOTE]
        assert notes == [("boilerplate", "an editor's note about the story")]
        assert [p.role for p in paras if p.text != NOTE] == ["body", "body"]
    # A sentence that reports an update to the story's events is article text.
    update = "The council said the bridge will be updated with new railings before the summer."
    assert role(classified(BODY_1, update, BODY_2), 1) == ("body", "")


def test_an_authors_biography_is_furniture_only_where_it_ends_the_page():
    paras = classified(BODY_1, BODY_2, BIO, "More about Jane Roe")
    assert role(paras, 2) == ("boilerplate", "the author's biography, after the article")
    # The same sentence followed by article text is about a journalist in the story: text.
    assert role(classified(BODY_1, BIO, BODY_2), 1) == ("body", "")
    # Two authors' biographies after a note: all three are furniture; the article's last paragraph is not.
    two = BIO.replace("Jane Roe is a reporter", "John Doe is the bureau chief")
    paras = classified(BODY_1, BODY_2, NOTE, BIO, two)
    assert [p.role for p in paras] == ["body", "body", "boilerplate", "boilerplate", "boilerplate"]
