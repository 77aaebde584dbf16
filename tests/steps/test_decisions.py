"""provenance/detectors/decisions.py and the built-in detectors (copy, rewrite, commentary): the rules that
label a paragraph, as functions of its ParagraphAlignment. Values are built directly from a small factory,
so each rule is checked on both sides of its threshold."""

from __future__ import annotations

from dataclasses import replace

import pytest
from steps_factory import aligned, document, link, signal

from provenance.detectors.commentary import CommentaryDetector
from provenance.detectors.context import DetectionContext
from provenance.detectors.copy import CopyDetector
from provenance.detectors.decisions import decide, derived_article, is_copy, is_rewrite
from provenance.detectors.rewrite import RewriteDetector
from provenance.model import Alignment, Derivation, Quote, Retelling
from provenance.rules import (
    CHAIN,
    COPY_PASSAGE_SHARE,
    COPY_PASSAGE_WORDS,
    COPY_PROSE_THRESHOLD,
    COPY_THRESHOLD,
    ENOUGH_PROSE,
    REWRITE_THRESHOLD,
    REWRITE_TRACED,
    REWRITE_TRACED_SENTENCES,
    REWRITE_WORDING,
    SIGNAL_SUPPORT,
    STRONG_WORDING,
)

BELOW = 0.999


def copy(a, quotes="auto"):
    return is_copy(a, COPY_THRESHOLD, COPY_PROSE_THRESHOLD, COPY_PASSAGE_WORDS, quotes)


def rewrite(a):
    return is_rewrite(a, REWRITE_THRESHOLD, REWRITE_TRACED)


def copied(wording, outside=None, words=40, words_outside=None, longest=10):
    """A paragraph with `wording` of its words in shared runs (`outside` of those outside quotation marks)."""
    return aligned(
        sources=(0,),
        source_weights=(1.0,),
        words=words,
        wording=wording,
        wording_outside_quotes=wording if outside is None else outside,
        words_outside_quotes=words if words_outside is None else words_outside,
        longest_run=longest,
    )


# is_copy ----------------------------------------------------------------------------------------------------


def test_copy_from_the_copy_threshold():
    assert copy(copied(COPY_THRESHOLD))
    assert not copy(copied(COPY_THRESHOLD * BELOW))


def test_no_source_no_copy():
    assert not copy(aligned(wording=1.0, wording_outside_quotes=1.0, longest_run=20))


def test_verbatim_quotes_in_reworded_prose_are_not_a_copy():
    quoted = copied(0.9, outside=COPY_PROSE_THRESHOLD * BELOW, words_outside=ENOUGH_PROSE)
    assert not copy(quoted)
    assert copy(copied(0.9, outside=COPY_PROSE_THRESHOLD, words_outside=ENOUGH_PROSE))
    # Too little prose outside the quotation to judge it apart: the paragraph is a copy.
    assert copy(copied(0.9, outside=0.0, words_outside=ENOUGH_PROSE - 1))


def test_a_long_verbatim_passage_makes_a_long_paragraph_a_copy():
    words = COPY_PASSAGE_WORDS * 4
    passage = copied(COPY_PASSAGE_SHARE, words=words, longest=COPY_PASSAGE_WORDS)
    assert COPY_PASSAGE_SHARE < COPY_THRESHOLD and copy(passage)
    assert not copy(copied(COPY_PASSAGE_SHARE, words=words, longest=COPY_PASSAGE_WORDS - 1))
    assert not copy(copied(COPY_PASSAGE_SHARE * BELOW, words=words, longest=COPY_PASSAGE_WORDS))


def test_quotes_count_treats_quoted_words_like_any_other():
    quoted = copied(COPY_THRESHOLD, outside=0.0, words_outside=ENOUGH_PROSE)
    assert not copy(quoted, "auto")
    assert copy(quoted, "count")
    assert not copy(copied(COPY_THRESHOLD * BELOW, outside=0.0), "count")


def test_quotes_ignore_judges_only_the_words_outside_quotation_marks():
    all_quote = copied(1.0, outside=0.0, words_outside=ENOUGH_PROSE)
    assert not copy(all_quote, "ignore")
    prose = copied(0.5, outside=COPY_THRESHOLD, words_outside=ENOUGH_PROSE)
    assert copy(prose, "ignore") and not copy(prose, "auto")
    assert not copy(copied(1.0, outside=1.0, words_outside=ENOUGH_PROSE - 1), "ignore")  # too little prose


# is_rewrite -------------------------------------------------------------------------------------------------


def sourced(**changes):
    return aligned(sources=(1,), source_weights=(1.0,), **changes)


def test_rewrite_from_the_rewrite_threshold_of_content():
    assert rewrite(sourced(content=REWRITE_THRESHOLD))
    assert not rewrite(sourced(content=REWRITE_THRESHOLD * BELOW))
    assert not rewrite(aligned(content=1.0))  # no source paragraph named


def test_rewrite_by_order_or_by_wording():
    assert rewrite(sourced(order_inferred=True))
    assert rewrite(sourced(wording=REWRITE_WORDING))
    assert not rewrite(sourced(wording=REWRITE_WORDING * BELOW))


def test_rewrite_by_traced_sentences_only_in_paragraphs_of_enough_sentences():
    assert rewrite(sourced(sentences=REWRITE_TRACED_SENTENCES, traced=REWRITE_TRACED))
    assert not rewrite(sourced(sentences=REWRITE_TRACED_SENTENCES, traced=REWRITE_TRACED * BELOW))
    assert not rewrite(sourced(sentences=REWRITE_TRACED_SENTENCES - 1, traced=1.0))


# decide -----------------------------------------------------------------------------------------------------


def replace_signals(a, *signals):
    return replace(a, signals=tuple(signals))


LEXICAL = sourced(content=REWRITE_THRESHOLD)
ORDERED = CHAIN  # a chain this long: the article retells the source in order
SCATTERED = CHAIN - 1


def test_without_signals_decide_is_the_lexical_rule():
    assert decide(LEXICAL, REWRITE_THRESHOLD, REWRITE_TRACED).rewrite
    assert decide(LEXICAL, REWRITE_THRESHOLD, REWRITE_TRACED).scorer == "lexical"
    assert not decide(aligned(), REWRITE_THRESHOLD, REWRITE_TRACED).rewrite


def test_a_heading_outside_a_derived_article_is_derived_only_by_its_wording():
    # Two reports of one event headline it alike: shared content makes a heading a rewrite only inside an article
    # that derives; in an undecided one its kept wording alone does (body paragraphs are judged on their own).
    undecided = Derivation(
        derived=None, score=0.0, retelling=Retelling(0.0), copied=0.0, novelty=0.0, sentences=(9, 9)
    )
    derives = replace(undecided, derived=True)
    one_line = replace(undecided, sentences=(1, 9))  # too short to weigh whole: the line is judged on its own
    assert decide(LEXICAL, REWRITE_THRESHOLD, REWRITE_TRACED, one_line, heading=True).rewrite
    assert decide(LEXICAL, REWRITE_THRESHOLD, REWRITE_TRACED, undecided).rewrite
    assert not decide(LEXICAL, REWRITE_THRESHOLD, REWRITE_TRACED, undecided, heading=True).rewrite
    assert decide(LEXICAL, REWRITE_THRESHOLD, REWRITE_TRACED, derives, heading=True).rewrite
    worded = sourced(content=REWRITE_THRESHOLD, wording_outside_quotes=STRONG_WORDING)
    assert decide(worded, REWRITE_THRESHOLD, REWRITE_TRACED, undecided, heading=True).rewrite


def test_derived_article_from_chain():
    assert derived_article(signal(chain=ORDERED)) and not derived_article(signal(chain=SCATTERED))


def test_a_lexical_rewrite_is_overruled_by_a_signal_under_its_bar():
    sig = signal(score=0.69, threshold=0.7, context_threshold=0.5, chain=SCATTERED, sources=(1,))
    d = decide(replace_signals(LEXICAL, sig), REWRITE_THRESHOLD, REWRITE_TRACED)
    assert (d.rewrite, d.scorer) == (False, "stub") and "0.69 < 0.70" in d.reason
    at_bar = signal(score=0.7, chain=SCATTERED)
    kept = decide(replace_signals(LEXICAL, at_bar), REWRITE_THRESHOLD, REWRITE_TRACED)
    assert kept.rewrite and kept.scorer == "lexical"


def test_inside_an_ordered_retelling_the_lower_context_bar_applies():
    sig = signal(score=0.6, threshold=0.7, context_threshold=0.5, chain=ORDERED)
    assert decide(replace_signals(LEXICAL, sig), REWRITE_THRESHOLD, REWRITE_TRACED).rewrite
    low = signal(score=0.49, threshold=0.7, context_threshold=0.5, chain=ORDERED)
    assert not decide(replace_signals(LEXICAL, low), REWRITE_THRESHOLD, REWRITE_TRACED).rewrite


def test_shared_wording_is_never_overruled():
    lexical = sourced(content=REWRITE_THRESHOLD, wording=STRONG_WORDING)
    sig = signal(score=0.0, chain=SCATTERED)
    assert decide(replace_signals(lexical, sig), REWRITE_THRESHOLD, REWRITE_TRACED).rewrite
    weaker = sourced(content=REWRITE_THRESHOLD, wording=STRONG_WORDING * BELOW)
    assert not decide(replace_signals(weaker, sig), REWRITE_THRESHOLD, REWRITE_TRACED).rewrite


def test_in_an_ordered_retelling_a_signal_in_its_place_makes_a_rewrite():
    sig = signal(score=0.5, context_threshold=0.5, chain=ORDERED, in_order=True, sources=(2,))
    d = decide(replace_signals(aligned(), sig), REWRITE_THRESHOLD, REWRITE_TRACED)
    assert (d.rewrite, d.scorer) == (True, "stub") and "placed by the order" in d.reason
    out_of_place = signal(score=0.5, context_threshold=0.5, chain=ORDERED, in_order=False, sources=(2,))
    assert not decide(replace_signals(aligned(), out_of_place), REWRITE_THRESHOLD, REWRITE_TRACED).rewrite
    # Out of its place, shared content supports it; in an ordered retelling a new figure is no obstacle.
    assert SIGNAL_SUPPORT < REWRITE_THRESHOLD
    supported = replace_signals(sourced(content=SIGNAL_SUPPORT), replace(out_of_place, new_numbers=("12",)))
    d = decide(supported, REWRITE_THRESHOLD, REWRITE_TRACED)
    assert d.rewrite and d.reason.endswith(", with shared content")
    unsupported = replace_signals(sourced(content=SIGNAL_SUPPORT * BELOW), out_of_place)
    assert not decide(unsupported, REWRITE_THRESHOLD, REWRITE_TRACED).rewrite


def test_outside_an_ordered_retelling_a_signal_needs_close_meaning_support_and_no_new_figures():
    close = signal(score=0.7, threshold=0.7, chain=SCATTERED, in_order=True, sources=(2,))
    supported = sourced(content=SIGNAL_SUPPORT)
    d = decide(replace_signals(supported, close), REWRITE_THRESHOLD, REWRITE_TRACED)
    assert d.rewrite and "no new figures" in d.reason
    cases = [
        replace_signals(sourced(content=SIGNAL_SUPPORT * BELOW), close),  # too little shared content
        replace_signals(
            supported, signal(score=0.7, threshold=0.7, chain=SCATTERED, sources=(2,), new_numbers=("12",))
        ),  # a figure the source lacks
        replace_signals(supported, signal(score=0.69, threshold=0.7, chain=SCATTERED, sources=(2,))),  # far
        replace_signals(supported, signal(score=0.9, threshold=0.7, chain=SCATTERED, sources=())),  # no match
    ]
    for a in cases:
        assert not decide(a, REWRITE_THRESHOLD, REWRITE_TRACED).rewrite


# The detectors ----------------------------------------------------------------------------------------------

OPTIONS = {
    f"{det.name}.{key}": opt.default
    for det in (CopyDetector, RewriteDetector)
    for key, opt in det.options.items()
}
DOCS = (
    document("One source paragraph of plain words.", name="src"),
    document("A derived one of plain words.", "And a second derived one.", name="der"),
)


def detect(detector, *paragraphs, options=None):
    ctx = DetectionContext(*DOCS, Alignment(*DOCS, tuple(paragraphs), ()), {**OPTIONS, **(options or {})})
    return list(detector.detect(ctx))


def test_the_copy_detector_reports_copied_wording_with_its_sources():
    (f,) = detect(CopyDetector(), copied(0.5, longest=3), copied(0.8, longest=12))
    assert (f.detector, f.relation, f.paragraph, f.score, f.sources) == ("copy", "copy", 0, 0.8, (0,))
    assert "longest 12" in f.message
    assert detect(CopyDetector(), copied(0.8), options={"copy.threshold": 0.9}) == []


def test_the_rewrite_detector_reports_order_merges_and_kept_quotes():
    a = sourced(
        content=0.2,
        order_inferred=True,
        order_gap=(1, 2),
        links=(link(0, 1, 0, 0.3), link(1, 2, 0, 0.3)),
        quotes=(Quote("we will rebuild it", 4, True, 1),),
    )
    (f,) = detect(RewriteDetector(), a)
    assert (f.relation, f.score, f.sources) == ("rewrite", 0.2, (1,))
    assert "placed where the source text it paraphrases was otherwise unused" in f.message
    assert "merges several source paragraphs" in f.message and "1 quote(s) kept verbatim" in f.message
    assert f.evidence["order"] == {"inferred": True, "unused_source_gap": [1, 2]}


def test_a_rewrite_made_by_a_signal_takes_the_signals_sources_and_score():
    sig = signal(score=0.8, context_threshold=0.5, chain=ORDERED, in_order=True, sources=(3,))
    (f,) = detect(RewriteDetector(), replace_signals(aligned(), sig))
    assert (f.relation, f.sources, f.score) == ("rewrite", (3,), 0.8)
    assert f.evidence["scorer"] == "stub"


def test_the_commentary_detector_reports_what_no_rewrite_claims():
    found = detect(CommentaryDetector(), sourced(content=REWRITE_THRESHOLD), sourced(index=1, content=0.25))
    (f,) = found
    assert (f.relation, f.paragraph, f.sources) == ("added", 1, ())
    assert f.score == pytest.approx(0.75)
    assert "closest source paragraph 1" in f.message
    overruled = replace_signals(sourced(content=REWRITE_THRESHOLD), signal(score=0.1, chain=SCATTERED))
    (g,) = detect(CommentaryDetector(), overruled)
    assert "the meaning is not close enough" in g.message


def test_reused_answers_with_the_built_in_rules():
    ctx = DetectionContext(*DOCS, Alignment(*DOCS, (), ()), OPTIONS)
    assert ctx.reused(copied(COPY_THRESHOLD))
    assert ctx.reused(sourced(content=REWRITE_THRESHOLD))
    assert not ctx.reused(sourced(content=REWRITE_THRESHOLD * BELOW))
    with pytest.raises(KeyError):
        ctx.option("copy.unknown")
