"""Sentence vectors of an indexed corpus (`provenance index add --embed semantic`): an audit encodes only the
article it audits, and the stored half-precision vectors score like freshly computed ones."""

from __future__ import annotations

import json

import numpy as np
from provenance.index import open_index
from provenance.index.vectors import sentence_texts
from provenance.testing import run_cli

import provenance_semantic
from provenance_semantic import SemanticScorer, model


def test_stored_vectors_score_like_fresh_ones(examples):
    from provenance.plugins import get_host
    from provenance.text.load import load_document

    doc = load_document((examples / "wire-story.txt").read_text(encoding="utf-8"), "w", host=get_host())
    texts = sentence_texts(doc)
    scorer = SemanticScorer()
    fresh = model.embed(texts)
    stored = scorer.embed(texts)
    assert all(len(b) == model.DIMENSIONS * 2 for b in stored)  # float16: half the bytes of float32
    model.clear_cache()
    scorer.remember(list(zip(texts, stored)))
    before = model.STATS.encoded_texts
    again = model.embed(texts)
    assert model.STATS.encoded_texts == before  # all from the remembered vectors
    cosines_fresh = fresh @ fresh.T
    cosines_stored = again @ again.T
    assert np.abs(cosines_fresh - cosines_stored).max() < 2e-3
    assert scorer.embed(["\u8fd9\u662f\u4e2d\u6587\u53e5\u5b50\u3002"]) == [None]  # nothing to keep: no opinion


def test_an_audit_with_stored_vectors_encodes_only_the_article(tmp_path, examples):
    idx = tmp_path / "corpus.db"
    plugin = [provenance_semantic]
    r = run_cli(
        [
            "index",
            "add",
            str(idx),
            str(examples / "wire-story.txt"),
            str(examples / "independent-report.txt"),
            "--embed",
            "semantic",
        ],
        plugins=plugin,
    )
    assert r.exit_code == 0 and "embedded 2 (semantic)" in r.stderr, r.stderr

    derived = examples / "rewrite-with-commentary.md"
    model.clear_cache()
    before = model.STATS.encoded_texts
    with_vectors = run_cli(["audit", str(idx), str(derived), "--format", "json"], plugins=plugin)
    assert with_vectors.exit_code == 0, with_vectors.stderr
    encoded_with = model.STATS.encoded_texts - before

    from provenance.plugins import get_host
    from provenance.text.load import load_document

    article = sentence_texts(
        load_document(derived.read_text(encoding="utf-8"), str(derived), fmt="markdown", host=get_host())
    )
    assert 0 < encoded_with <= len(article)

    plain = tmp_path / "plain.db"
    assert (
        run_cli(
            ["index", "add", str(plain), str(examples / "wire-story.txt"), str(examples / "independent-report.txt")],
            plugins=plugin,
        ).exit_code
        == 0
    )
    model.clear_cache()
    before = model.STATS.encoded_texts
    without = run_cli(["audit", str(plain), str(derived), "--format", "json"], plugins=plugin)
    assert model.STATS.encoded_texts - before > encoded_with  # the sources' sentences too
    a, b = json.loads(with_vectors.stdout)[0], json.loads(without.stdout)[0]
    assert [p["relation"] for p in a["paragraphs"]] == [p["relation"] for p in b["paragraphs"]]
    assert a["verdict"] == b["verdict"] and a["sources"] == b["sources"]
    index = open_index(str(idx), create=False)
    try:
        assert index.vector_counts() == {"semantic": 2}
    finally:
        index.close()
