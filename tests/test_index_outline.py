"""Indexing outlines documents (provenance/text/load.py `outline_document`: no Token per word) and fingerprints a
batch of them at once; the prints equal those of the whole Document path (`load_document`, `prints_of_document`),
one document at a time, on every benchmark text."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from test_text_fast import _SENTENCE_PIECES, _benchmark_texts

from provenance.errors import ProvenanceError
from provenance.fingerprint import FingerprintParams
from provenance.index.base import IndexParams, Prints, prints_of_document
from provenance.index.ingest import prepare_many
from provenance.plugins import get_host
from provenance.text import chunks
from provenance.text.inputs import RawDocument
from provenance.text.load import load_document


def _equal(a: Prints, b: Prints) -> bool:
    return all(
        np.array_equal(getattr(a, f), getattr(b, f))
        for f in ("rows", "signatures", "sizes", "sentence_keys", "sentence_rows")
    )


def test_prints_of_outlined_batches_equal_the_document_path_on_every_benchmark_text(shared, examples):
    host = get_host()
    texts = _benchmark_texts(shared, examples)
    raws = [RawDocument(f"doc{i}", t, "html" if "<p" in t[:2000] else "text") for i, t in enumerate(texts)]
    raws += [
        RawDocument(
            "page.md", "# Title\n\nMenu\nHome\nNews\n\nA body sentence of words. And another.\n", "markdown"
        )
    ]
    for params in (IndexParams(FingerprintParams()), IndexParams(FingerprintParams(), sentence_keys=False)):
        for cleared in (True, False):  # the chunks learnt, then from the memo
            if cleared:
                chunks.start_batch(afresh=True)
            prepared = []
            for k in range(0, len(raws), 37):
                prepared += prepare_many(raws[k : k + 37], params, host=host)
            for raw, p in zip(raws, prepared):
                doc = load_document(raw.text, raw.id, fmt=raw.format, host=host)
                assert p.error is None
                assert _equal(p.prints, prints_of_document(doc, params)), raw.id
                assert p.doc.meta == {
                    k: v
                    for k, v in doc.metadata.items()
                    if k in ("title", "author", "sitename", "url", "date")
                }


def _document_prints(raws, params, host):
    """Per document, its prints by the Document path, or the one-line error it gives."""
    out = []
    for r in raws:
        try:
            out.append(prints_of_document(load_document(r.text, r.id, fmt=r.format, host=host), params))
        except ProvenanceError as exc:
            out.append(str(exc))
    return out


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(st.sampled_from(_SENTENCE_PIECES), min_size=1, max_size=30), min_size=1, max_size=6))
def test_prints_of_outlined_batches_equal_the_document_path_on_any_mix(paragraphs):
    host = get_host()
    params = IndexParams(FingerprintParams())
    raws = [
        RawDocument(f"d{i}", "\n\n".join("".join(p) for p in paragraphs[i:]) or "x", "text")
        for i in range(len(paragraphs))
    ]
    raws = [r for r in raws if r.text.strip()]
    prepared = prepare_many(raws, params, host=host)
    expected = [] if not raws else _document_prints(raws, params, host)
    for p, e in zip(prepared, expected):
        assert p.error == e if isinstance(e, str) else p.error is None and _equal(p.prints, e)


def test_a_batch_of_more_new_words_than_ids_is_prepared_word_by_word(monkeypatch):
    host = get_host()
    params = IndexParams(FingerprintParams())
    raws = [
        RawDocument(f"d{i}", f"Words number {i} and {i + 1} to {i}x{i}y are distinct here.", "text")
        for i in range(40)
    ]
    monkeypatch.setattr(chunks, "CONTENT_WORDS_KEPT", 30)
    monkeypatch.setattr(chunks, "BATCH_HEADROOM", 10)
    chunks.start_batch(afresh=True)
    prepared = prepare_many(raws, params, host=host)
    assert all(_equal(p.prints, e) for p, e in zip(prepared, _document_prints(raws, params, host)))
    chunks.start_batch(afresh=True)
