"""The vectorised MinHash path must produce exactly datasketch's signatures for the same hash function."""

from __future__ import annotations

import numpy as np
import pytest
from datasketch import MinHash
from hypothesis import given, settings
from hypothesis import strategies as st

from provenance.fingerprint import (
    DOCUMENTS_KEPT,
    FingerprintParams,
    content_shingles,
    fingerprint_document,
    hash32,
    jaccard,
    signatures,
    to_datasketch,
    wording_shingles,
)
from provenance.testing import make_host
from provenance.text.load import load_document
from provenance.text.tokenize import tokenize


def _datasketch(shingles: list[bytes], num_perm: int, seed: int) -> np.ndarray:
    m = MinHash(num_perm=num_perm, seed=seed, hashfunc=hash32)
    m.update_batch(shingles)
    return m.hashvalues.astype(np.uint32)


word_lists = st.lists(
    st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), min_size=1, max_size=12).map(
        str.encode
    ),
    min_size=0,
    max_size=60,
)


@settings(max_examples=60, deadline=None)
@given(st.lists(word_lists, min_size=1, max_size=12), st.sampled_from([16, 64, 128]), st.integers(1, 5))
def test_batch_signatures_equal_datasketch(sets, num_perm, seed):
    ours = signatures(sets, num_perm=num_perm, seed=seed, chunk_rows=64)
    for row, shingles in zip(ours, sets):
        assert np.array_equal(row, _datasketch(shingles, num_perm, seed))


def test_paragraph_shingles_match_datasketch_on_real_text():
    paragraphs = [
        "The river rose 2.4 metres overnight, officials said on Tuesday.",
        "“We lost everything,” said one resident of Mill Lane.",
        "",
    ]
    toks = [tokenize(p) for p in paragraphs]
    params = FingerprintParams()
    for shingle_fn in (lambda t: wording_shingles(t, params.wording_ngram), content_shingles):
        sets = [shingle_fn(t) for t in toks]
        ours = signatures(sets, params.num_perm, params.seed)
        for row, shingles in zip(ours, sets):
            assert np.array_equal(row, _datasketch(shingles, params.num_perm, params.seed))


def test_leanminhash_view_agrees_with_estimate():
    a = [f"w{i}".encode() for i in range(200)]
    b = [f"w{i}".encode() for i in range(100, 300)]
    sa, sb = signatures([a, b], num_perm=128, seed=1)
    assert abs(to_datasketch(sa).jaccard(to_datasketch(sb)) - jaccard(sa, sb)) < 1e-9
    assert 0.15 < jaccard(sa, sb) < 0.55  # true Jaccard is 1/3


def test_empty_sets_are_never_similar():
    empty, other = signatures([[], [b"x"]], num_perm=16, seed=1)
    assert jaccard(empty, empty) == 0.0
    assert jaccard(empty, other) == 0.0


def test_permutations_are_datasketchs():
    """Drawn or kept as constants (so a comparison need not import numpy.random), they are datasketch's."""
    from provenance.fingerprint import _DRAWN, permutations

    assert (64, 1) in _DRAWN  # the default draw is one of the constants
    for num_perm, seed in sorted({*_DRAWN, (16, 1), (128, 7), (256, 12345)}):
        a, b = permutations(num_perm, seed)
        da, db = MinHash(num_perm=num_perm, seed=seed, scheme="affine32").permutations
        assert np.array_equal(a, da) and np.array_equal(b, db)
        assert a.dtype == da.dtype and b.dtype == db.dtype


def test_a_documents_fingerprints_are_kept_by_identity_and_read_only():
    """The same Document (an audit's article against each source, lineage's versions) is fingerprinted once; an
    equal but distinct Document, other parameters or other options are worked out afresh, and what is handed out
    again cannot be changed in place."""
    host = make_host()
    text = "The council met on Monday to vote on the bridge.\n\nIt approved the plan by seven votes to two.\n"
    doc = load_document(text, "a.txt", host=host)
    params = FingerprintParams()
    first = fingerprint_document(doc, params)
    assert fingerprint_document(doc, params) is first
    twin = load_document(text, "a.txt", host=host)
    again = fingerprint_document(twin, params)
    assert again is not first and np.array_equal(again.content, first.content)
    assert fingerprint_document(doc, FingerprintParams(seed=2)) is not first
    assert fingerprint_document(doc, params, wording=False) is not first
    with pytest.raises(ValueError):
        first.content[0, 0] = 0
    for i in range(DOCUMENTS_KEPT + 1):  # the oldest kept are let go
        fingerprint_document(load_document(f"Paragraph number {i} of many.\n", f"{i}.txt", host=host), params)
    assert fingerprint_document(doc, params) is not first
