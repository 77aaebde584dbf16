"""provenance/fingerprint.py `fingerprint_document`: the one place a Document becomes MinHash signatures.
Boilerplate is never fingerprinted, signatures come from the tokens the segmenter made, signatures of
different parameters refuse to be compared, and `best_matches` picks the source paragraph with the most
shared content (wording breaks ties, then the first in the source)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from provenance.errors import UsageError
from provenance.fingerprint import (
    SENTENCE_MIN_WORDS,
    FingerprintParams,
    best_matches,
    fingerprint_document,
    fingerprint_paragraphs,
    similarities,
)
from provenance.model import Document
from provenance.text.boilerplate import classify
from provenance.text.segment import make_paragraph

GULLS = "The lighthouse keeper counted forty gulls on the northern rocks at dawn."
GULLS_SHUFFLED = "Rocks northern the on gulls forty counted keeper lighthouse the dawn at."  # same words
BAKER = "A baker in the square sold warm rye bread to the early fishermen."
PARAMS = FingerprintParams()


def doc(*texts: str, name: str = "doc") -> Document:
    return Document(name, "text", classify(tuple(make_paragraph(i, t) for i, t in enumerate(texts))))


def test_boilerplate_is_never_fingerprinted():
    d = doc("Share", GULLS, BAKER, "\u00a9 2031 Harbour Weekly")
    assert [p.role for p in d.paragraphs] == ["boilerplate", "body", "body", "boilerplate"]
    fp = fingerprint_document(d, PARAMS)
    assert fp.rows.tolist() == [1, 2]
    assert len(fp) == 2
    assert fp.content.shape == fp.wording.shape == (2, PARAMS.num_perm)


def test_signatures_come_from_the_paragraph_tokens_not_its_text():
    d = doc(GULLS, BAKER)
    stripped = Document("doc", "text", tuple(replace(p, tokens=()) for p in d.paragraphs))
    fp, empty = fingerprint_document(d, PARAMS), fingerprint_document(stripped, PARAMS)
    assert not np.array_equal(fp.content, empty.content)
    assert (empty.content == np.iinfo(np.uint32).max).all()  # no tokens: the empty set's signature
    assert empty.sizes.tolist() == [0, 0]


def test_sizes_count_distinct_content_words():
    fp = fingerprint_document(doc("Gulls, gulls and more gulls circled the harbour wall."), PARAMS)
    assert fp.sizes.tolist() == [4]  # gull, circl, harbour, wall ("and", "more", "the" are stopwords)


def test_signatures_are_deterministic_and_depend_on_the_seed():
    d = doc(GULLS, BAKER)
    a, b = fingerprint_document(d, PARAMS), fingerprint_document(d, PARAMS)
    assert np.array_equal(a.content, b.content) and np.array_equal(a.wording, b.wording)
    other = fingerprint_document(d, replace(PARAMS, seed=PARAMS.seed + 1))
    assert not np.array_equal(a.content, other.content)


def test_signatures_of_different_parameters_refuse_to_be_compared():
    src = fingerprint_document(doc(GULLS), PARAMS)
    for changed in (
        replace(PARAMS, seed=PARAMS.seed + 1),
        replace(PARAMS, num_perm=PARAMS.num_perm * 2),
        replace(PARAMS, wording_ngram=PARAMS.wording_ngram + 1),
    ):
        with pytest.raises(UsageError, match="different parameters"):
            best_matches(src, fingerprint_document(doc(GULLS), changed))


def test_best_match_picks_the_source_paragraph_with_the_most_shared_content():
    src = fingerprint_document(doc(BAKER, GULLS, name="src"), PARAMS)
    der = fingerprint_document(
        doc(
            "Forty gulls sat on the northern rocks, the lighthouse keeper counted.",
            "The early fishermen bought warm rye bread from a baker in the square.",
            name="der",
        ),
        PARAMS,
    )
    best = best_matches(src, der)
    assert best[0]["source_paragraph"] == 1 and best[1]["source_paragraph"] == 0
    assert best[0]["content_jaccard"] > 0.5
    assert set(best[0]) == {"source_paragraph", "wording_jaccard", "content_jaccard"}


def test_wording_breaks_a_content_tie_before_source_order():
    # Both source paragraphs have the derived paragraph's content words; only the second has its wording.
    src = fingerprint_document(doc(GULLS_SHUFFLED, GULLS), PARAMS)
    der = fingerprint_document(doc(GULLS), PARAMS)
    match = best_matches(src, der)[0]
    assert match == {"source_paragraph": 1, "wording_jaccard": 1.0, "content_jaccard": 1.0}


def test_a_full_tie_goes_to_the_first_source_paragraph():
    src = fingerprint_document(doc(BAKER, GULLS, GULLS), PARAMS)
    assert best_matches(src, fingerprint_document(doc(GULLS), PARAMS))[0]["source_paragraph"] == 1


def test_best_matches_keys_are_document_paragraph_indexes():
    src = fingerprint_document(doc("Share", GULLS), PARAMS)
    der = fingerprint_document(doc("Menu", "Home", BAKER, GULLS), PARAMS)
    assert set(best_matches(src, der)) == {2, 3}
    assert best_matches(src, der)[3]["source_paragraph"] == 1


def test_best_matches_needs_wording_signatures_and_tolerates_an_empty_source():
    d = doc(GULLS)
    with pytest.raises(ValueError, match="wording"):
        best_matches(fingerprint_document(d, PARAMS, wording=False), fingerprint_document(d, PARAMS))
    assert best_matches(fingerprint_paragraphs([], PARAMS), fingerprint_document(d, PARAMS)) == {}


def test_similarities_of_empty_sets_are_zero():
    fp = fingerprint_paragraphs([make_paragraph(0, GULLS), make_paragraph(1, "It is what it was.")], PARAMS)
    assert fp.sizes.tolist()[1] == 0  # no content word
    sims = similarities(fp.content, fp.content)
    assert sims[0, 0] == 1.0
    assert sims[1, 1] == 0.0 and sims[0, 1] == 0.0
    assert similarities(fp.content[:0], fp.content).shape == (0, 2)


def test_sentence_signatures_only_for_sentences_with_enough_content_words():
    short = "Gulls cried."
    assert len({t.content for t in make_paragraph(0, short).tokens if t.content}) < SENTENCE_MIN_WORDS
    d = doc(f"{GULLS} {short}", BAKER)
    fp = fingerprint_document(d, PARAMS, sentences=True)
    assert fp.sentence_rows.tolist() == [0, 1]  # row 0's second sentence is too short
    assert fp.sentence_signatures.shape[0] == 2
    assert fingerprint_document(d, PARAMS).sentence_signatures is None
