"""provenance/signals.py `score_alignment`: each scorer plugin is asked once, with every (derived sentence,
source sentence) pair in one batch, and each derived paragraph gets a `Signal` (word-weighted best
similarities, matches, whether they sit in the order's window, new figures, the article's ordered chain). A
scorer that breaks its contract is recorded as an error, never raised; the comparison goes on with the
evidence that remains."""

from __future__ import annotations

import math

import pytest
from steps_factory import document

from provenance.align.core import align
from provenance.components import Option
from provenance.rules import CHAIN, MAX_PAIRS, WINDOW
from provenance.signals import _Sentence, candidate_pairs, score_alignment
from provenance.text.tokenize import tokenize

S0 = "The harbour board approved a new ferry terminal on Tuesday."
S1 = "Crews will dredge the northern channel in the autumn."
S2 = "Fishermen expect 40 more boats to visit the village."
S3 = "The mayor thanked the engineers for their patience."
D1A = "Dredging of the channel starts after summer."
D1B = "It will cost 12 million."
SOURCE = document("Share", S0, S1, S2, S3, name="src")  # paragraph 0 is furniture: never scored
DERIVED = document(S0, f"{D1A} {D1B}", S2, S3, name="der")
ALIGNMENT = align(SOURCE, DERIVED)


class Stub:
    """Similarity 1 for identical sentences, the `table` value for listed pairs, `other` for the rest."""

    def __init__(self, table=None, other=0.0, name="stub", threshold=0.7, context=None, match=None):
        self.name = name
        self.table = dict(table or {})
        self.other = other
        self.calls: list[list[tuple[str, str]]] = []
        self.options = {"threshold": Option(threshold, float)}
        if context is not None:
            self.options["context_threshold"] = Option(context, float)
        if match is not None:
            self.options["match"] = Option(match, float)

    def values(self, pairs):
        return [1.0 if a == b else self.table.get((a, b), self.other) for a, b in pairs]

    def score(self, pairs):
        self.calls.append(list(pairs))
        return self.values(pairs)


PARAPHRASE = {(D1A, S1): 0.8, (D1B, S1): 0.6}


def run(*scorers, options=None):
    return score_alignment(ALIGNMENT, [("stub-plugin", s) for s in scorers], options or {})


def test_without_scorers_the_alignment_is_unchanged():
    assert score_alignment(ALIGNMENT, [], {}) == (ALIGNMENT, [])


def test_every_pair_is_asked_once_in_one_batch_without_boilerplate():
    stub = Stub(PARAPHRASE)
    run(stub)
    (pairs,) = stub.calls
    derived = [S0, D1A, D1B, S2, S3]
    assert pairs == [(d, s) for d in derived for s in (S0, S1, S2, S3)]


def test_a_paragraph_signal_is_the_word_weighted_best_similarity():
    scored, errors = run(Stub(PARAPHRASE))
    assert errors == []
    sig = scored.paragraphs[1].signal("stub")
    wa, wb = len(tokenize(D1A)), len(tokenize(D1B))
    assert sig.score == pytest.approx((wa * 0.8 + wb * 0.6) / (wa + wb), abs=1e-4)
    assert [(lk.sentence, lk.source_paragraph, lk.source_sentence, lk.gain) for lk in sig.links] == [
        (0, 2, 0, 0.8),
        (1, 2, 0, 0.6),
    ]
    assert sig.sources == (2,)
    assert sig.new_numbers == ("12",)  # the source paragraph it matches has no 12
    assert scored.paragraphs[3].signal("stub").new_numbers == ()  # 40 is in its source


def test_thresholds_come_from_the_declared_defaults_or_the_users_options():
    sig = run(Stub(PARAPHRASE, threshold=0.7))[0].paragraphs[0].signal("stub")
    # No context_threshold declared: the threshold stands in for it.
    assert (sig.threshold, sig.context_threshold) == (0.7, 0.7)
    sig = (
        run(Stub(PARAPHRASE, threshold=0.7, context=0.4), options={"stub.threshold": 0.9})[0]
        .paragraphs[0]
        .signal("stub")
    )
    assert (sig.threshold, sig.context_threshold) == (0.9, 0.4)


def test_matches_inside_the_window_between_anchored_neighbours_are_in_order():
    sig = run(Stub(PARAPHRASE))[0].paragraphs[1].signal("stub")
    assert sig.in_order
    # Source paragraph 4 lies after the next anchor (source paragraph 3).
    elsewhere = {(D1A, S3): 0.8, (D1B, S3): 0.6}
    assert not run(Stub(elsewhere))[0].paragraphs[1].signal("stub").in_order


def test_chain_counts_matches_in_source_order_from_the_match_bar():
    # Matches >= 0.7: S0, D1A (0.8), S2, S3 in order; D1A drops out over a higher `match`. D1B (0.6) matches S1
    # again: under a lower `match` it adds nothing, a source sentence counts once.
    assert run(Stub(PARAPHRASE))[0].paragraphs[0].signal("stub").chain == 4
    assert run(Stub(PARAPHRASE, match=0.9))[0].paragraphs[0].signal("stub").chain == 3
    assert run(Stub(PARAPHRASE, match=0.5))[0].paragraphs[0].signal("stub").chain == 4
    chains = {a.signal("stub").chain for a in run(Stub(PARAPHRASE))[0].paragraphs}
    assert chains == {4}  # the same for every paragraph of the comparison


def test_none_means_no_opinion():
    class Silent(Stub):
        def score(self, pairs):
            return [None if a in (D1A, D1B) else v for (a, _), v in zip(pairs, self.values(pairs))]

    scored, errors = run(Silent(PARAPHRASE))
    assert errors == []
    assert scored.paragraphs[1].signals == ()  # no opinion on any of its sentences
    assert scored.paragraphs[0].signal("stub").score == 1.0


def expect_error(scored, errors, fragment):
    assert len(errors) == 1
    (err,) = errors
    assert err["plugin"] == "stub-plugin" and err["detector"] == "stub" and err["component"] == "scorer"
    assert fragment in err["error"]
    assert all(a.signals == () for a in scored.paragraphs)


def test_a_scorer_returning_the_wrong_number_of_values_is_recorded_not_raised():
    class Short(Stub):
        def score(self, pairs):
            return [0.5]

    scored, errors = run(Short())
    expect_error(scored, errors, f"returned 1 values for {5 * 4} pairs")


@pytest.mark.parametrize(
    ("values", "fragment"),
    [
        (lambda n: [math.nan] * n, "NaN"),
        (lambda n: ["close"] * n, "not a sequence of numbers"),
        (lambda n: 0.5, "not a sequence of numbers"),
    ],
)
def test_a_scorer_returning_other_than_numbers_is_recorded(values, fragment):
    class Bad(Stub):
        def score(self, pairs):
            return values(len(pairs))

    expect_error(*run(Bad()), fragment)


def test_a_scorer_that_raises_is_recorded_and_the_others_still_run():
    class Broken(Stub):
        def score(self, pairs):
            raise RuntimeError("model file missing")

    scored, errors = run(Broken(name="broken"), Stub(PARAPHRASE))
    assert errors == [
        {
            "plugin": "stub-plugin",
            "detector": "broken",
            "component": "scorer",
            "error": "RuntimeError: model file missing",
        }
    ]
    assert all(a.signal("broken") is None for a in scored.paragraphs)
    assert scored.paragraphs[1].signal("stub") is not None


def test_provenance_debug_raises_instead(monkeypatch):
    class Broken(Stub):
        def score(self, pairs):
            raise RuntimeError("model file missing")

    monkeypatch.setenv("PROVENANCE_DEBUG", "1")
    with pytest.raises(RuntimeError, match="model file missing"):
        run(Broken())


def test_a_configurable_scorer_gets_its_options_in_effect_before_it_is_asked():
    class Configurable(Stub):
        def configure(self, values):
            self.configured = dict(values)
            assert not self.calls

    stub = Configurable(PARAPHRASE, threshold=0.7, context=0.4)
    run(stub, options={"stub.context_threshold": 0.3})
    assert stub.configured == {"threshold": 0.7, "context_threshold": 0.3}


def test_a_judging_scorer_reads_every_closest_match_and_decides_only_outside_an_ordered_retelling():
    class Judging(Stub):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.judged: list[list[tuple[str, str]]] = []

        def judge(self, pairs):
            self.judged.append(list(pairs))
            return [0.95] * len(pairs)

    ordered = Judging(PARAPHRASE)
    scored, _ = run(ordered)
    signal = scored.paragraphs[0].signal("stub")
    assert signal.chain >= CHAIN
    # Asked once, about each derived sentence's closest match: its confirmations are article-level evidence
    # (provenance/derivation.py) ...
    assert len(ordered.judged) == 1 and len(ordered.judged[0]) <= 5
    assert (
        signal.judged >= 1 and signal.confirmed == signal.judged
    )  # 0.95 >= the threshold: every one confirmed
    # ... but inside an ordered retelling the first scores stand for the paragraphs.
    assert signal.score == signal.similarity
    scattered = Judging(PARAPHRASE, threshold=1.5)  # nothing reaches the match bar: chain 0
    scored, errors = run(scattered)
    assert errors == [] and len(scattered.judged) == 1
    # Outside one, the judgement replaces the score of the paragraphs a signal can still change.
    assert (D1A, S1) in scattered.judged[0] and len(scattered.judged[0]) <= 5
    assert scored.paragraphs[1].signal("stub").score == 0.95
    assert scored.paragraphs[1].signal("stub").confirmed == 0  # 0.95 < a threshold of 1.5


def test_candidate_pairs_are_all_pairs_up_to_max_pairs_then_a_window_and_lexical_candidates():
    def sentences(n: int, word: str) -> list[_Sentence]:
        texts = [f"{word} number {k}" for k in range(n)]
        return [_Sentence(k, 0, t, tuple(tokenize(t))) for k, t in enumerate(texts)]

    small_d, small_s = sentences(10, "derived"), sentences(MAX_PAIRS // 10, "source")
    assert len(small_d) * len(small_s) <= MAX_PAIRS
    assert len(candidate_pairs(small_d, small_s)) == len(small_d) * len(small_s)
    side = math.isqrt(MAX_PAIRS) + 1
    der, src = sentences(side, "derived"), sentences(side, "source")
    pairs = candidate_pairs(der, src)
    assert len(pairs) < side * side
    first = {j for i, j in pairs if i == 0}
    assert set(range(WINDOW + 1)) <= first  # the window around its proportional place (the start)
    last = {j for i, j in pairs if i == side - 1}
    assert set(range(side - 1 - WINDOW, side)) <= last
