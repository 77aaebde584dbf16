"""provenance/align/wording.py: maximal runs of at least RUN shared words between a derived paragraph and the
whole source (never across a source paragraph boundary), their share of the paragraph, the longest phrases,
and quotations tracked apart so a verbatim quote inside reworded prose is not taken for copied prose."""

from __future__ import annotations

import math

import pytest
from steps_factory import OTHER, VOCAB

from provenance.align.wording import RunIndex, wording_of
from provenance.rules import PHRASES_SHOWN, QUOTE_ATTRIBUTED, QUOTE_COPIED, RUN
from provenance.text.segment import make_paragraph


def words(n: int, offset: int = 0, vocab: list[str] = VOCAB) -> str:
    return " ".join(vocab[offset : offset + n])


def source(*texts: str) -> RunIndex:
    return RunIndex([make_paragraph(i, t) for i, t in enumerate(texts)])


def test_a_run_of_run_words_counts_and_one_word_less_does_not():
    idx = source(words(20))
    at = wording_of(make_paragraph(0, f"{words(4, vocab=OTHER)} {words(RUN)} {words(4, 4, OTHER)}"), idx)
    assert at.runs == [(4, RUN, 0)] and at.longest_run == RUN
    assert at.wording == pytest.approx(RUN / (RUN + 8))
    under_text = f"{words(4, vocab=OTHER)} {words(RUN - 1)} {words(4, 4, OTHER)}"
    under = wording_of(make_paragraph(0, under_text), idx)
    assert under.runs == [] and under.wording == 0.0 and under.longest_run == 0


def test_runs_are_maximal_and_case_and_punctuation_blind():
    idx = source("The quiet river bends past the old mill, then it slows.")
    derived = "Below town the QUIET river bends past the old mill; then it slows"
    w = wording_of(make_paragraph(0, derived), idx)
    assert w.longest_run == 11 and w.runs == [(2, 11, 0)]
    assert w.covered == [0, 0] + [1] * 11
    assert w.phrases[0].text == derived[11:]  # as the derived text has it


def test_runs_never_cross_a_source_paragraph_boundary():
    half = RUN - 1
    idx = source(f"{words(5, 10)} {words(half)}", f"{words(half, half)} {words(5, 20)}")
    # The two halves, adjacent only in the derived text.
    joined = wording_of(make_paragraph(0, words(2 * half)), idx)
    assert joined.runs == [] and joined.wording == 0.0


def test_a_run_is_attributed_to_the_source_paragraph_it_comes_from():
    idx = source(words(10), words(10, 10), words(10, 20))
    w = wording_of(make_paragraph(0, words(6, 21)), idx)
    assert w.runs == [(0, 6, 2)]


def test_a_passage_repeated_in_the_source_maps_to_the_nearest_paragraph():
    repeated = words(RUN + 2)
    idx = source(repeated, words(8, 20), words(8, 30), repeated)
    first = wording_of(make_paragraph(0, repeated + " " + words(3, vocab=OTHER)), idx)
    last = wording_of(make_paragraph(3, repeated + " " + words(3, vocab=OTHER)), idx)
    assert first.runs[0][2] == 0 and last.runs[0][2] == 3


def test_a_paragraph_shorter_than_a_run_matches_only_a_whole_identical_source_paragraph():
    short = words(RUN - 1)
    idx = source(words(12, 10), short)
    exact = wording_of(make_paragraph(0, short), idx)
    assert exact.wording == 1.0 and exact.runs == [(0, RUN - 1, 1)]
    assert wording_of(make_paragraph(0, words(RUN - 1, 1)), idx).wording == 0.0


def test_phrases_list_runs_longer_than_run_longest_first_as_written():
    idx = source(words(40))
    text = (
        f"{words(RUN).upper()} {words(3, vocab=OTHER)} {words(RUN + 1, 10)}, {words(2, 3, OTHER)} "
        f"{words(RUN + 3, 20)}."
    )
    w = wording_of(make_paragraph(0, text), idx)
    assert [p.words for p in w.phrases] == [RUN + 3, RUN + 1]  # the RUN-word run is evidence but not shown
    assert w.phrases[1].text == words(RUN + 1, 10)
    assert all(p.source_paragraph == 0 for p in w.phrases)


def test_at_most_phrases_shown_phrases_are_listed():
    n = PHRASES_SHOWN + 2
    chunk = RUN + 1
    pieces = [f"{words(chunk, k * chunk % 30)} {OTHER[k]}" for k in range(n)]
    idx = source(*[words(chunk, k * chunk % 30) for k in range(n)])
    w = wording_of(make_paragraph(0, " ".join(pieces)), idx)
    assert len(w.runs) == n and len(w.phrases) == PHRASES_SHOWN


def test_a_verbatim_quote_in_reworded_prose_is_a_copied_quote_not_copied_prose():
    quote = words(8)
    idx = source(f"{quote} {words(6, 20)}")
    w = wording_of(make_paragraph(0, f'{words(6, vocab=OTHER)} "{quote}" {words(6, 6, OTHER)}.'), idx)
    (q,) = w.quotes
    assert (q.text, q.words, q.copied, q.source_paragraph) == (quote, 8, True, 0)
    assert w.wording == pytest.approx(8 / 20)
    assert w.wording_outside_quotes == 0.0 and w.words_outside_quotes == 12


def quote_with_shared(n: int, shared: int) -> tuple[RunIndex, str]:
    """A derived paragraph holding a quotation of `n` words whose first `shared` words are the source's."""
    idx = source(words(shared) + " " + words(5, 30))
    quote = words(shared) + " " + words(n - shared, vocab=OTHER)
    return idx, f'{words(3, 10, OTHER)} said "{quote}" at noon.'


@pytest.mark.parametrize("n", [20])
def test_quote_copied_and_attributed_thresholds(n):
    copied_at = math.ceil(QUOTE_COPIED * n)
    attributed_at = math.ceil(QUOTE_ATTRIBUTED * n)
    assert attributed_at - 1 >= RUN and copied_at < n
    cases = {
        copied_at: (True, 0),
        copied_at - 1: (False, 0),
        attributed_at: (False, 0),
        attributed_at - 1: (False, None),
    }
    for shared, (copied, src) in cases.items():
        idx, text = quote_with_shared(n, shared)
        (q,) = wording_of(make_paragraph(0, text), idx).quotes
        assert q.words == n
        assert (q.copied, q.source_paragraph) == (copied, src), shared


def test_quotes_of_fewer_than_three_words_are_not_tracked():
    idx = source(words(10))
    assert wording_of(make_paragraph(0, f'He said "{words(2)}" and left the meadow.'), idx).quotes == ()


def test_an_empty_paragraph_has_no_wording():
    w = wording_of(make_paragraph(0, "..."), source(words(10)))
    assert (w.wording, w.runs, w.longest_run) == (0.0, [], 0)
