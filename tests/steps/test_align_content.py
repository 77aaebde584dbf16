"""provenance/align/content.py: the content view. A derived sentence's content stems are covered greedily by
up to MAX_SOURCES_PER_SENTENCE source sentences; a second or third joins only when it adds at least
MERGE_GAIN of the sentence's content; stems found in many source sentences weigh less (specificity)."""

from __future__ import annotations

import pytest

from provenance.align.content import PARAGRAPHS_KEPT, SourceContent, prepare, prepared
from provenance.align.core import align
from provenance.align.lexicon import REPORTING_CLASS
from provenance.model import Document
from provenance.rules import MAX_SOURCES_PER_SENTENCE, MERGE_GAIN
from provenance.text.segment import make_paragraph


def index(sentences: dict[tuple[int, int], list[str]]) -> SourceContent:
    """A source content index with every stem equally specific (spec 1): gains are plain shares of weight."""
    keys = sorted(sentences)
    columns: dict[str, list[int]] = {}
    for j, key in enumerate(keys):
        for s in sentences[key]:
            columns.setdefault(s, []).append(j)
    return SourceContent({s: 1.0 for s in columns}, keys, columns)


def second_stem_weight(share: float) -> float:
    """The weight of a stem `y` beside a stem `x` of weight 1 that makes `y` `share` of the sentence."""
    return share / (1.0 - share)


SPLIT = index({(0, 0): ["x"], (3, 1): ["y"]})


def test_a_second_source_sentence_merges_when_it_adds_at_least_merge_gain():
    g = second_stem_weight(MERGE_GAIN * 1.01)
    covered, picks = SPLIT.cover({"x": 1.0, "y": g})
    assert [(p, s) for p, s, _ in picks] == [(0, 0), (3, 1)]
    assert picks[1][2] == pytest.approx(MERGE_GAIN * 1.01)
    assert covered == pytest.approx(1.0)


def test_a_second_source_sentence_adding_less_than_merge_gain_is_left_out():
    g = second_stem_weight(MERGE_GAIN * 0.99)
    covered, picks = SPLIT.cover({"x": 1.0, "y": g})
    assert [(p, s) for p, s, _ in picks] == [(0, 0)]
    assert covered == pytest.approx(1.0 / (1.0 + g))


def test_the_first_source_sentence_is_kept_however_little_it_covers():
    covered, picks = SPLIT.cover({"x": 1.0, "unknown": 99.0})
    assert [(p, s) for p, s, _ in picks] == [(0, 0)]
    assert picks[0][2] == pytest.approx(0.01) and covered == pytest.approx(0.01)


def test_at_most_max_sources_per_sentence_merge():
    n = MAX_SOURCES_PER_SENTENCE + 1
    assert 1.0 / n >= MERGE_GAIN, "each stem must be worth a merge for this test"
    stems = {f"s{k}": 1.0 for k in range(n)}
    covered, picks = index({(k, 0): [f"s{k}"] for k in range(n)}).cover(stems)
    assert len(picks) == MAX_SOURCES_PER_SENTENCE
    assert covered == pytest.approx(MAX_SOURCES_PER_SENTENCE / n)


def test_the_greedy_cover_takes_the_biggest_gain_first_and_counts_each_stem_once():
    src = index({(0, 0): ["a"], (1, 0): ["a", "b", "c"], (2, 0): ["c", "d"]})
    covered, picks = src.cover({"a": 1.0, "b": 1.0, "c": 1.0, "d": 1.0})
    assert [(p, s) for p, s, _ in picks] == [(1, 0), (2, 0)]
    # c was covered already: (2, 0) adds only d.
    assert [g for _, _, g in picks] == pytest.approx([0.75, 0.25])
    assert covered == pytest.approx(1.0)


def test_equal_gains_go_to_the_earlier_source_sentence():
    src = index({(4, 0): ["a"], (1, 2): ["a"], (1, 0): ["a"]})
    _, picks = src.cover({"a": 1.0})
    assert [(p, s) for p, s, _ in picks] == [(1, 0)]


def test_allowed_restricts_the_source_sentences():
    _, picks = SPLIT.cover({"x": 1.0, "y": 1.0}, allowed={(3, 1)})
    assert [(p, s) for p, s, _ in picks] == [(3, 1)]
    assert SPLIT.cover({"x": 1.0}, allowed=set()) == (0.0, [])


def test_a_sentence_without_content_is_not_covered():
    assert SPLIT.cover({}) == (0.0, [])


def test_stems_in_many_source_sentences_are_less_specific():
    topic_text = "The harbour board met. The harbour was busy. A storm hit the harbour."
    src = [prepare(make_paragraph(0, topic_text)), prepare(make_paragraph(1, "The ferry terminal opened."))]
    content = SourceContent.build(src)
    assert content.spec["harbour"] < content.spec["ferri"] == 1.0
    topic, _ = content.cover({"harbour": 3.0})
    specific, _ = content.cover({"ferri": 3.0})
    assert topic < specific == pytest.approx(1.0)
    assert content.weights({"never": 2.0}) == {"never": 2.0}  # a word the source never uses weighs in full


def test_prepare_groups_content_by_sentence_and_folds_reporting_verbs():
    text = "The mayor announced a ferry. Critics confirmed the delay, and the ferry sank."
    pp = prepare(make_paragraph(0, text))
    assert pp.sent_words == [5, 8]
    assert REPORTING_CLASS in pp.sent_stems[0] and REPORTING_CLASS in pp.sent_stems[1]
    assert "ferri" in pp.sent_stems[0] and "ferri" in pp.sent_stems[1]
    assert "the" not in pp.sent_stems[0]  # stopwords carry no content
    assert all(w > 0 for stems in pp.sent_stems for w in stems.values())


def test_align_merges_two_source_paragraphs_into_one_derived_sentence():
    source = Document(
        "src",
        "text",
        (
            make_paragraph(0, "The harbour board approved a new ferry terminal on Tuesday."),
            make_paragraph(1, "Local fishermen welcomed the decision to dredge the old channel."),
            make_paragraph(2, "A brass band played outside the town hall all afternoon."),
        ),
    )
    derived = Document(
        "der",
        "text",
        (
            make_paragraph(
                0, "Fishermen welcomed the dredging of the channel as the board approved a ferry terminal."
            ),
            make_paragraph(1, "Nobody could say what the weather would bring next spring."),
        ),
    )
    merged, unrelated = align(source, derived).paragraphs
    assert set(merged.sources) == {0, 1}
    assert {link.source_paragraph for link in merged.links} == {0, 1}
    assert merged.content >= 0.8 and merged.traced == 1.0
    assert unrelated.sources == () and unrelated.content == 0.0


def test_a_paragraphs_preparation_is_kept_by_identity():
    """An audit aligns one article with each of its sources: the same Paragraph is prepared once, an equal but
    distinct one afresh (to the same result), and the oldest kept are let go."""
    text = "The harbour board approved the new breakwater on Tuesday."
    para = make_paragraph(0, text)
    first = prepared(para)
    assert prepared(para) is first
    twin = prepared(make_paragraph(0, text))
    assert twin is not first and twin.sent_stems == first.sent_stems == prepare(para).sent_stems
    for i in range(PARAGRAPHS_KEPT):
        prepared(make_paragraph(i, f"Paragraph {i} of many."))
    assert prepared(para) is not first
