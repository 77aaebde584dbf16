"""provenance/align/order.py: the order of the two articles as evidence. Anchors (paragraphs aligned on their
own evidence) say where they sit in the source; a paragraph between two anchors, in a stretch of the source
nobody else used, gets a second order-constrained look (`infer`); `windows` are the source spans between
anchored neighbours; `chain` is the longest run of sentence matches in the source's order."""

from __future__ import annotations

import pytest
from steps_factory import aligned, document, link

from provenance.align.core import align
from provenance.align.order import SourcePositions, chain, infer, is_anchor, windows
from provenance.rules import (
    ANCHOR_CONTENT,
    ANCHOR_TRACED,
    ANCHOR_TRACED_SENTENCES,
    ANCHOR_WORDING,
    ORDER_EVIDENCE,
    ORDER_EVIDENCE_EDGE,
    ORDER_MIN_WORDS,
    SENTENCE_TRACE,
    SOURCE_SHARE,
)
from provenance.text.segment import make_paragraph

BELOW = 0.999  # a factor that puts a value just under its threshold

# Five source paragraphs of two sentences each: positions 0..9, paragraph p holds positions 2p and 2p + 1.
SOURCE = [
    make_paragraph(p, f"Sentence one of part {p} is here. Sentence two of part {p} is there.")
    for p in range(5)
]
POSITIONS = SourcePositions(SOURCE)


def anchor(index: int, source_paragraph: int) -> object:
    """A derived paragraph copied from one source paragraph (both its sentences linked)."""
    return aligned(
        index=index,
        content=1.0,
        wording=1.0,
        sources=(source_paragraph,),
        source_weights=(1.0,),
        links=(link(0, source_paragraph, 0, 1.0), link(1, source_paragraph, 1, 1.0)),
        sentences=2,
    )


class Cover:
    """A stand-in for the aligner's order-constrained cover: fixed answers, and a record of its calls."""

    def __init__(self, coverage: float, weight: dict[int, float] | None = None, links=None) -> None:
        self.coverage = coverage
        self.weight = {2: 1.0} if weight is None else weight
        self.links = [link(0, 2, 0, 0.5)] if links is None else links
        self.calls: list[tuple[int, set]] = []

    def __call__(self, i, allowed):
        self.calls.append((i, set(allowed)))
        return self.coverage, dict(self.weight), list(self.links)


# is_anchor --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("field", "threshold"), [("content", ANCHOR_CONTENT), ("wording", ANCHOR_WORDING)])
def test_content_or_wording_make_an_anchor_from_their_threshold(field, threshold):
    assert is_anchor(aligned(**{field: threshold}))
    assert not is_anchor(aligned(**{field: threshold * BELOW}))


def test_traced_sentences_make_an_anchor_only_in_paragraphs_of_enough_sentences():
    assert is_anchor(aligned(sentences=ANCHOR_TRACED_SENTENCES, traced=ANCHOR_TRACED))
    assert not is_anchor(aligned(sentences=ANCHOR_TRACED_SENTENCES, traced=ANCHOR_TRACED * BELOW))
    assert not is_anchor(aligned(sentences=ANCHOR_TRACED_SENTENCES - 1, traced=1.0))


# SourcePositions --------------------------------------------------------------------------------------------


def test_source_positions_number_the_sentences_in_reading_order():
    assert len(POSITIONS) == 10
    assert POSITIONS.order[:3] == [(0, 0), (0, 1), (1, 0)]
    assert POSITIONS.pos[(3, 1)] == 7
    assert POSITIONS.of_paragraph[4] == [8, 9]


def test_placed_uses_strong_links_to_the_paragraphs_own_sources():
    # One strong link; a weak one, and a strong one to a paragraph that is not its source, are left out.
    a = aligned(
        sources=(2,),
        links=(link(0, 2, 1, SENTENCE_TRACE), link(1, 2, 0, SENTENCE_TRACE * BELOW), link(2, 4, 0, 1.0)),
    )
    assert POSITIONS.placed(a) == [5]


def test_placed_falls_back_to_the_whole_main_source_paragraph():
    assert POSITIONS.placed(aligned(sources=(3, 1), links=())) == [6, 7]
    assert POSITIONS.placed(aligned()) == []


# windows ----------------------------------------------------------------------------------------------------


def test_windows_span_the_source_between_anchored_neighbours():
    paras = [anchor(0, 0), aligned(index=1), anchor(2, 3), aligned(index=3)]
    got = windows(paras, POSITIONS)
    assert got[1] == (1, 6)  # from the end of source paragraph 0 to the start of 3, boundaries included
    assert got[3] == (7, 9)  # after the last anchor: to the end of the source
    assert got[0] == (0, 6)  # an anchor's own window lies between its neighbours too


def test_windows_need_two_anchors():
    assert windows([anchor(0, 0), aligned(index=1)], POSITIONS) == {}


# infer ------------------------------------------------------------------------------------------------------


def test_a_paragraph_between_two_anchors_in_an_unused_source_gap_is_placed_by_order():
    cover = Cover(ORDER_EVIDENCE, weight={2: 1.0, 3: SOURCE_SHARE * BELOW})
    paras = [anchor(0, 0), aligned(index=1, content=0.02), anchor(2, 4)]
    out = infer(paras, POSITIONS, cover)
    placed = out[1]
    assert placed.order_inferred
    assert placed.sources == (2,)  # 3 gives less than SOURCE_SHARE of the top weight
    assert placed.source_weights == (1.0,)
    assert placed.links == (link(0, 2, 0, 0.5),)
    assert placed.content == ORDER_EVIDENCE
    assert placed.order_gap == (0, 1, 2, 3, 4)  # the gap keeps the neighbours' boundary sentences
    ((i, allowed),) = cover.calls
    assert i == 1 and allowed == {POSITIONS.order[k] for k in range(1, 9)}
    assert out[0] == paras[0] and out[2] == paras[2]


def test_coverage_under_order_evidence_is_not_placed():
    paras = [anchor(0, 0), aligned(index=1), anchor(2, 4)]
    out = infer(paras, POSITIONS, Cover(ORDER_EVIDENCE * BELOW))
    assert out[1] == paras[1]


def test_at_an_edge_more_evidence_is_asked():
    paras = [aligned(index=0), anchor(1, 2), anchor(2, 4)]
    between = (ORDER_EVIDENCE + ORDER_EVIDENCE_EDGE) / 2
    first = {"weight": {0: 1.0}, "links": [link(0, 0, 0, 0.5)]}
    assert not infer(paras, POSITIONS, Cover(between, **first))[0].order_inferred
    edge = infer(paras, POSITIONS, Cover(ORDER_EVIDENCE_EDGE, **first))[0]
    assert edge.order_inferred and edge.sources == (0,)


def test_short_paragraphs_are_not_placed_by_order_alone():
    cover = Cover(1.0)
    paras = [anchor(0, 0), aligned(index=1, words=ORDER_MIN_WORDS - 1), anchor(2, 4)]
    assert not infer(paras, POSITIONS, cover)[1].order_inferred and cover.calls == []
    assert infer(
        [anchor(0, 0), aligned(index=1, words=ORDER_MIN_WORDS), anchor(2, 4)], POSITIONS, Cover(1.0)
    )[1].order_inferred


def test_no_unused_source_between_the_anchors_means_no_inference():
    cover = Cover(1.0)
    paras = [anchor(0, 1), aligned(index=1), anchor(2, 2)]  # source paragraphs 1 and 2 are adjacent
    assert not infer(paras, POSITIONS, cover)[1].order_inferred and cover.calls == []


def test_one_anchor_says_nothing_about_order():
    cover = Cover(1.0)
    paras = [anchor(0, 0), aligned(index=1)]
    assert infer(paras, POSITIONS, cover) == paras and cover.calls == []


def test_no_source_weight_means_no_inference():
    paras = [anchor(0, 0), aligned(index=1), anchor(2, 4)]
    assert not infer(paras, POSITIONS, Cover(1.0, weight={}, links=[]))[1].order_inferred


def test_a_paragraph_placed_by_order_anchors_the_next():
    cover = Cover(ORDER_EVIDENCE, weight={2: 1.0}, links=[link(0, 2, 0, 0.5)])  # places each at position 4
    paras = [anchor(0, 0), aligned(index=1), aligned(index=2), anchor(3, 4)]
    out = infer(paras, POSITIONS, cover)
    assert out[1].order_inferred and out[2].order_inferred
    (_, first), (_, second) = cover.calls
    assert min(POSITIONS.pos[k] for k in first) == 1
    assert min(POSITIONS.pos[k] for k in second) == 4  # the gap now starts where the first one was placed


# chain ------------------------------------------------------------------------------------------------------


def test_chain_is_the_longest_run_of_matches_in_source_order():
    best = {0: (0.9, 0), 1: (0.9, 7), 2: (0.9, 1), 3: (0.9, 4), 4: (0.9, 3), 5: (0.9, 5)}
    assert chain(best, 0.5) == 4  # positions 0, 1, 3, 5 (or 0, 1, 4, 5)


def test_chain_counts_a_source_sentence_once():
    """An independent report coming back to the event's lead sentence after sentence retells nothing."""
    again = {i: (0.9, 0) for i in range(6)}
    assert chain(again, 0.5) == 1
    assert chain({0: (0.9, 0), 1: (0.9, 1), 2: (0.9, 1), 3: (0.9, 2)}, 0.5) == 3


def test_chain_ignores_matches_below_the_match_bar():
    best = {0: (0.9, 0), 1: (0.4, 1), 2: (0.9, 2), 3: (0.4, 3)}
    assert chain(best, 0.5) == 2
    assert chain(best, 0.4) == 4
    assert chain({}, 0.5) == 0


# end to end through align() ---------------------------------------------------------------------------------

SOURCE_TEXTS = (
    "The harbour board approved a new ferry terminal for the island on Tuesday evening.",
    "Construction crews will start dredging the shallow northern channel during the autumn months.",
    "Local fishermen said the project would bring more visitors to their small village.",
)
LOOSE = "Crews in work boats are due to deepen the waterway up north once the summer ends."


def test_align_places_a_loose_paraphrase_between_two_copies():
    src = document(*SOURCE_TEXTS, name="src")
    placed = align(src, document(SOURCE_TEXTS[0], LOOSE, SOURCE_TEXTS[2], name="der")).paragraphs[1]
    assert not is_anchor(placed)
    assert placed.order_inferred and placed.sources == (1,) and placed.order_gap == (0, 1, 2)
    assert ORDER_EVIDENCE <= placed.content < ANCHOR_CONTENT


def test_align_does_not_place_the_paraphrase_without_anchors_or_an_unused_gap():
    src = document(*SOURCE_TEXTS, name="src")
    alone = align(src, document(LOOSE, name="der")).paragraphs[0]
    assert not alone.order_inferred
    all_used = document(SOURCE_TEXTS[0], SOURCE_TEXTS[1], LOOSE, SOURCE_TEXTS[2], name="der")
    used = align(src, all_used).paragraphs[2]
    assert not used.order_inferred
