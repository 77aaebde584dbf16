"""Indexing outlines documents (provenance/text/load.py `outline_document`: no Token per word) and fingerprints a
batch of them at once; the prints equal those of the whole Document path (`load_document`, `prints_of_document`),
one document at a time, on every benchmark text."""

from __future__ import annotations

import numpy as np
from test_text_fast import _benchmark_texts

from provenance.fingerprint import FingerprintParams
from provenance.index.base import IndexParams, Prints, prints_of_document
from provenance.index.ingest import prepare_many
from provenance.plugins import get_host
from provenance.text import tokenize as tok
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
                tok._CHUNKS.clear()
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
