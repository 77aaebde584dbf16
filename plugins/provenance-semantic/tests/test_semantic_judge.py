"""The paraphrase judge (provenance_semantic/pairs.py): the adapter ships as plain arrays, loads on first use, and
reads a paraphrase apart from a near miss on sentences of our own (MRPC figures: test_semantic_accuracy.py)."""

from __future__ import annotations

import numpy as np

from provenance_semantic import SemanticScorer, pairs

PARAPHRASES = [
    (
        "The council will close the swimming pool in March for repairs costing 2 million pounds.",
        (
            "The swimming pool is to shut in March so that repairs worth 2 million pounds can be carried out, the "
            "council said."
        ),
    ),
    (
        "Police arrested two men after the robbery at the jeweller's on High Street.",
        "Two men were arrested by police following the jewellery shop robbery on High Street.",
    ),
]
NEAR_MISSES = [  # one story, other figures: what a sentence embedding calls close
    (
        "Shares in the airline fell 4.2 percent to 310 pence on Tuesday.",
        "Shares in the airline rose 1.1 percent to 298 pence on Monday after the results.",
    ),
]


def test_the_adapter_is_plain_arrays_that_fit_the_model():
    with np.load(pairs.ADAPTER, allow_pickle=False) as arrays:  # refuses anything pickled
        assert "meta" in arrays.files and len(arrays.files) > 50
        assert all(arrays[n].dtype in (np.float32, np.uint8) for n in arrays.files)
    meta = pairs.adapter_meta()
    assert meta["held_out_accuracy"] >= 0.78 and meta["epochs"] >= 1


def test_the_judge_reads_paraphrases_apart_from_near_misses():
    yes = pairs.paraphrase(PARAPHRASES)
    no = pairs.paraphrase(NEAR_MISSES)
    assert min(yes) > 0.5 > max(no), (yes, no)


def test_the_scorer_moves_the_cosine_by_the_judgement_and_not_below_the_floor():
    scorer = SemanticScorer()
    both = PARAPHRASES + NEAR_MISSES
    cosines = scorer.score(both)
    judged = scorer.judge(both)
    for c, j, p in zip(cosines, judged, pairs.paraphrase(both)):
        assert j is not None and abs(j - max(-1.0, min(1.0, c + scorer.pair_weight * (p - 0.5)))) < 1e-6
    assert judged[-1] < cosines[-1] and judged[0] > cosines[0]
    unrelated = [("The choir sang carols in the square.", "Interest rates were left unchanged by the bank.")]
    assert scorer.judge(unrelated) == [None]  # below the floor: the cosine stands, no judgement is paid for
    off = SemanticScorer(pair_weight=0.0)
    assert off.judge(both) == [None] * len(both)


def test_a_sentence_paired_with_itself_is_not_read_and_scores_what_the_judge_would_give():
    scorer = SemanticScorer()
    same = [(a, a) for a, _ in PARAPHRASES]
    before = pairs.STATS.judged
    pairs.clear_cache()
    assert scorer.judge(same) == [1.0, 1.0] and pairs.STATS.judged == before  # no reading paid for
    # ... and what reading them would have given: the cosine of 1, moved up by a probability of at least 0.5
    for p in pairs.paraphrase(same):
        assert p > 0.5 and min(1.0, 1.0 + scorer.pair_weight * (p - 0.5)) == 1.0
    assert SemanticScorer(pair_weight=0.0).judge(same) == [None, None]
