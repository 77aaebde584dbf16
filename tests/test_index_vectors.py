"""Sentence vectors stored in the index (`index add --embed`): computed in batches, once per document text, kept
with the document on both backends, and handed to the scorer by `audit` so that only the audited article is
encoded. The scorer here is a stub whose vectors are exact, so a stored vector and a fresh one give the same score;
plugins/provenance-semantic/tests covers the real model."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from pathlib import Path
from typing import ClassVar

import numpy as np
import pytest

from provenance import Option, hookimpl
from provenance.errors import InputError
from provenance.index.vectors import MAGIC, digest, pack, unpack
from provenance.testing import run_cli

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"


class VectorScorer:
    """Cosine of word-count vectors (hashed into 64 dimensions): exact, so stored and fresh vectors agree. Counts
    every text it encodes."""

    name = "bag"
    embedding_version = "bag/64/1"
    options: ClassVar[dict[str, Option]] = {
        "threshold": Option(0.8, float, "close meaning", -1.0, 1.0),
        "context_threshold": Option(0.6, float, "in an ordered retelling", -1.0, 1.0),
        "match": Option(0.6, float, "counts towards the chain", -1.0, 1.0),
    }

    def __init__(self) -> None:
        self.encoded: list[str] = []
        self.known: dict[str, np.ndarray] = {}

    def _encode(self, text: str) -> np.ndarray:
        self.encoded.append(text)
        v = np.zeros(64, dtype=np.float64)
        for w in text.lower().split():
            v[int(hashlib.md5(w.encode()).hexdigest(), 16) % 64] += 1.0
        return v

    def vector(self, text: str) -> np.ndarray:
        if text not in self.known:
            self.known[text] = self._encode(text)
        return self.known[text]

    def embed(self, texts):
        return [self._encode(t).tobytes() for t in texts]

    def remember(self, items):
        for text, blob in items:
            self.known[text] = np.frombuffer(blob, dtype=np.float64)

    def score(self, pairs):
        out = []
        for a, b in pairs:
            va, vb = self.vector(a), self.vector(b)
            out.append(float(va @ vb / (np.linalg.norm(va) * np.linalg.norm(vb) or 1.0)))
        return out


class VectorPlugin:
    __name__ = "vector-plugin"

    def __init__(self, scorer: VectorScorer) -> None:
        self.scorer = scorer

    @hookimpl
    def register_scorers(self, register):
        register(self.scorer)


def cli(args, scorer: VectorScorer | None = None):
    return run_cli(list(map(str, args)), plugins=[VectorPlugin(scorer)] if scorer else [])


@pytest.fixture()
def corpus(tmp_path: Path) -> Path:
    d = tmp_path / "corpus"
    d.mkdir()
    for name in ("wire-story.txt", "independent-report.txt"):
        (d / name).write_text((EXAMPLES / name).read_text(encoding="utf-8"), encoding="utf-8")
    return d


def sentences_of(path: Path) -> set[str]:
    from provenance.index.vectors import sentence_texts
    from provenance.plugins import get_host
    from provenance.text.load import load_document

    return set(sentence_texts(load_document(path.read_text(encoding="utf-8"), str(path), host=get_host())))


def test_vectors_are_stored_once_per_document_text(index_location, corpus, tmp_path):
    scorer = VectorScorer()
    r = cli(["index", "add", index_location, corpus, "--embed", "bag"], scorer)
    assert r.exit_code == 0, r.stderr
    assert "embedded 2 (bag)" in r.stderr
    expected = set().union(*(sentences_of(p) for p in corpus.iterdir()))
    assert set(scorer.encoded) == expected and len(scorer.encoded) == len(expected)  # each sentence once

    info = json.loads(cli(["index", "info", index_location, "--json"], scorer).stdout)
    assert info["embeddings"] == {"bag": {"version": "bag/64/1", "documents": 2}}

    scorer.encoded.clear()  # unchanged documents: nothing is encoded again, and --embed is remembered
    r = cli(["index", "add", index_location, corpus], scorer)
    assert r.exit_code == 0 and "unchanged 2" in r.stderr and "embedded 0" in r.stderr, r.stderr
    assert scorer.encoded == []

    story = corpus / "wire-story.txt"  # a changed document gets new vectors, and only it
    story.write_text(
        story.read_text(encoding="utf-8") + "\nA late paragraph was added to the story tonight.\n",
        encoding="utf-8",
    )
    r = cli(["index", "add", index_location, corpus], scorer)
    assert "replaced 1" in r.stderr and "embedded 1" in r.stderr, r.stderr
    assert set(scorer.encoded) == sentences_of(story)

    scorer.encoded.clear()
    (corpus / "extra.txt").write_text(
        "An extra story about the harbour wall and its repair.\n", encoding="utf-8"
    )
    r = cli(["index", "add", index_location, corpus, "--no-embed"], scorer)
    assert "added 1" in r.stderr and scorer.encoded == [], r.stderr
    info = json.loads(cli(["index", "info", index_location, "--json"], scorer).stdout)
    assert info["embeddings"]["bag"]["documents"] == 2  # the extra document waits for a later add
    r = cli(["index", "add", index_location, corpus], scorer)
    assert "unchanged 3" in r.stderr and "embedded 1" in r.stderr, r.stderr
    assert set(scorer.encoded) == sentences_of(corpus / "extra.txt")

    assert cli(["index", "remove", index_location, str(corpus / "extra.txt")], scorer).exit_code == 0
    info = json.loads(cli(["index", "info", index_location, "--json"], scorer).stdout)
    assert info["embeddings"]["bag"]["documents"] == 2
    assert cli(["index", "check", index_location], scorer).exit_code == 0


def test_an_index_built_without_vectors_gets_them_once(index_location, corpus):
    scorer = VectorScorer()
    assert cli(["index", "add", index_location, corpus], scorer).exit_code == 0
    assert scorer.encoded == []  # no request, no vectors
    r = cli(["index", "add", index_location, corpus, "--embed", "bag"], scorer)
    assert "unchanged 2" in r.stderr and "embedded 2" in r.stderr, r.stderr
    scorer.encoded.clear()
    r = cli(["index", "add", index_location, corpus, "--embed", "bag"], scorer)
    assert "embedded 0" in r.stderr and scorer.encoded == []


def test_audit_encodes_only_the_article_and_decides_as_without_vectors(index_location, corpus, tmp_path):
    derived = EXAMPLES / "rewrite-with-commentary.md"
    plain = tmp_path / "plain.db"
    assert cli(["index", "add", plain, corpus], VectorScorer()).exit_code == 0
    fresh = VectorScorer()
    without = cli(["audit", plain, derived, "--format", "json"], fresh)
    assert without.exit_code == 0, without.stderr

    assert cli(["index", "add", index_location, corpus, "--embed", "bag"], VectorScorer()).exit_code == 0
    stored = VectorScorer()
    with_vectors = cli(["audit", index_location, derived, "--format", "json"], stored)
    assert with_vectors.exit_code == 0, with_vectors.stderr
    source_sentences = set().union(*(sentences_of(p) for p in corpus.iterdir()))
    article = sentences_of(derived)
    assert set(stored.encoded) <= article  # no source sentence was encoded...
    assert set(fresh.encoded) & (source_sentences - article)  # ...which, without vectors, it had to be
    a, b = json.loads(without.stdout)[0], json.loads(with_vectors.stdout)[0]
    for audit in (a, b):
        audit.pop("reports")
    assert a == b


def test_embed_errors_are_one_line(tmp_path, corpus):
    idx = tmp_path / "i.db"
    r = cli(["index", "add", idx, corpus, "--embed", "nope"], VectorScorer())
    assert (
        r.exit_code == 2 and "--embed nope" in r.stderr and "bag" in r.stderr and "Traceback" not in r.stderr
    )
    assert not idx.exists() or json.loads(cli(["index", "info", idx, "--json"]).stdout)["documents"] == 0
    r = cli(["index", "add", idx, corpus, "--embed", "bag", "--no-embed"], VectorScorer())
    assert r.exit_code == 2 and "exclude" in r.stderr
    assert cli(["index", "add", idx, corpus, "--embed", "bag"], VectorScorer()).exit_code == 0
    r = cli(["index", "add", idx, corpus])  # the plugin is gone: the request cannot be honoured silently
    assert (
        r.exit_code == 2 and "'bag'" in r.stderr and "--no-embed" in r.stderr and "Traceback" not in r.stderr
    )
    assert cli(["index", "add", idx, corpus, "--no-embed"]).exit_code == 0
    # and an audit without the plugin simply does not use the vectors
    assert cli(["audit", idx, EXAMPLES / "rewrite-with-commentary.md"]).exit_code == 0


def _damage(location: str, corpus: Path) -> None:
    """Cut the stored vectors of wire-story.txt short, behind the index's back."""
    doc_id = str(corpus / "wire-story.txt")
    if location.startswith("redis://"):
        import redis

        url, _, query = location.partition("?")
        prefix = dict(kv.split("=") for kv in query.split("&"))["prefix"]
        client = redis.Redis.from_url(url)
        blob = client.hget(f"{prefix}:doc:{doc_id}", "vec:bag")
        client.hset(f"{prefix}:doc:{doc_id}", "vec:bag", blob[:40])
        return
    with sqlite3.connect(location) as db:
        assert (
            db.execute("UPDATE vectors SET data = substr(data, 1, 40) WHERE doc=?", (doc_id,)).rowcount == 1
        )


def test_damaged_vectors_are_reported_and_ignored(index_location, corpus):
    assert cli(["index", "add", index_location, corpus, "--embed", "bag"], VectorScorer()).exit_code == 0
    assert cli(["index", "check", index_location], VectorScorer()).exit_code == 0
    _damage(index_location, corpus)
    r = cli(["index", "check", index_location], VectorScorer())
    assert r.exit_code == 3 and "damaged bag vectors" in r.stdout + r.stderr, r
    scorer = VectorScorer()
    r = cli(["audit", index_location, EXAMPLES / "rewrite-with-commentary.md"], scorer)
    assert r.exit_code == 0, r.stderr
    assert set(scorer.encoded) & sentences_of(corpus / "wire-story.txt")  # computed instead


def test_the_vector_blob_round_trips_and_refuses_damage():
    texts = ["One sentence.", "Another, longer sentence here.", "A third."]
    vectors = [b"\x01\x02", None, b"\x03" * 7]
    version, got = unpack(pack("v/1", texts, vectors))
    assert version == "v/1"
    assert got == {digest(texts[0]): b"\x01\x02", digest(texts[2]): b"\x03" * 7}
    blob = pack("v/1", texts, vectors)
    for bad in (
        blob[:-1],
        blob + b"x",
        b"garbage",
        MAGIC + b"{not json}\n",
        blob.replace(b'"count": 2', b'"count": 3'),
    ):
        with pytest.raises(InputError):
            unpack(bad)
    assert not pack("v/1", texts, vectors).startswith(b"\x80")  # never a pickle


def test_stored_vectors_have_their_documented_layout_and_no_pickle(index_location, corpus):
    from test_index_faults import _pickled

    assert cli(["index", "add", index_location, corpus, "--embed", "bag"], VectorScorer()).exit_code == 0
    blobs = []
    if index_location.startswith("redis://"):
        import redis

        url, _, query = index_location.partition("?")
        prefix = dict(kv.split("=") for kv in query.split("&"))["prefix"]
        client = redis.Redis.from_url(url)
        assert json.loads(client.hget(f"{prefix}:meta", "embed")) == {"bag": "bag/64/1"}
        for path in corpus.iterdir():
            fields = client.hgetall(f"{prefix}:doc:{path}")
            assert fields[b"vecv:bag"] == b"bag/64/1" and fields[b"vecd:bag"] == fields[b"digest"]
            blobs.append(fields[b"vec:bag"])
    else:
        with sqlite3.connect(index_location) as db:
            meta = dict(db.execute("SELECT key, value FROM meta"))
            assert json.loads(meta["embed"]) == {"bag": "bag/64/1"}
            rows = db.execute(
                "SELECT v.doc, v.name, v.version, v.digest, v.data, d.digest FROM vectors v "
                "JOIN documents d ON d.id = v.doc"
            ).fetchall()
            assert len(rows) == 2
            for _doc, name, version, dig, data, current in rows:
                assert (name, version, dig) == ("bag", "bag/64/1", current) and isinstance(data, bytes)
                blobs.append(data)
    for blob in blobs:
        assert blob.startswith(MAGIC) and not _pickled(blob)
        version, vectors = unpack(blob)
        assert version == "bag/64/1" and vectors and all(len(v) == 64 * 8 for v in vectors.values())
