"""Issue 21: three concurrent adds of the same documents reported "added" more often than there are documents.
`put_many` now decides added / replaced / unchanged inside its write (SQLite under BEGIN IMMEDIATE, Redis in its
Lua script), so however the writers interleave, each document is counted added exactly once across them."""

from __future__ import annotations

import json
import os
import random
import re
import subprocess
import sys
from pathlib import Path

from provenance.index import open_index

ROOT = Path(__file__).resolve().parents[1]
WRITERS = 3
DOCUMENTS = 400
SUMMARY = re.compile(r"added (\d+), replaced (\d+), unchanged (\d+), failed (\d+)")


def _corpus(path: Path, seed: int = 21) -> Path:
    """DOCUMENTS short generated articles (two paragraphs each, words of their own), one JSONL line each."""
    rng = random.Random(seed)
    syllables = ["ka", "lo", "mi", "ne", "ru", "sa", "to", "vi", "de", "po", "la", "re"]

    def word() -> str:
        return "".join(rng.choice(syllables) for _ in range(rng.randint(2, 4)))

    def sentence() -> str:
        return " ".join(word() for _ in range(rng.randint(8, 14))).capitalize() + "."

    with path.open("w", encoding="utf-8") as f:
        for i in range(DOCUMENTS):
            text = "\n\n".join(" ".join(sentence() for _ in range(3)) for _ in range(2))
            f.write(json.dumps({"id": f"doc-{i:04d}", "text": text}) + "\n")
    return path


def _add_at_once(location: str, corpus: Path) -> list[tuple[int, int, int]]:
    """WRITERS `provenance index add` processes started together on the same corpus; each one's summary."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PROVENANCE_LOAD_PLUGINS": ""}
    env.pop("PROVENANCE_DEBUG", None)
    # Small batches: the writers interleave many times, where every batch is a chance to count twice.
    args = [sys.executable, "-m", "provenance", "index", "add", location, str(corpus), "--batch-size", "8"]
    procs = [
        subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
        for _ in range(WRITERS)
    ]
    counts = []
    for proc in procs:
        _, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err
        found = SUMMARY.search(err)
        assert found, err
        added, replaced, unchanged, failed = map(int, found.groups())
        assert failed == 0, err
        counts.append((added, replaced, unchanged))
    return counts


def test_concurrent_adds_count_each_document_added_once(index_location, tmp_path):
    corpus = _corpus(tmp_path / "corpus.jsonl")
    counts = _add_at_once(index_location, corpus)
    assert sum(added for added, _, _ in counts) == DOCUMENTS, counts
    assert all(replaced == 0 for _, replaced, _ in counts), counts
    assert all(sum(c) == DOCUMENTS for c in counts), counts  # every document counted once by every writer
    idx = open_index(index_location)
    try:
        assert len(idx.ids()) == DOCUMENTS
        assert idx.info()["paragraphs"] == 2 * DOCUMENTS
        assert idx.verify() == []
    finally:
        idx.close()


def test_concurrent_adds_of_changed_documents_count_each_replaced_once(index_location, tmp_path):
    """The same ids with new texts: one writer replaces each, the others find it unchanged by then."""
    first, second = _corpus(tmp_path / "a.jsonl", seed=1), _corpus(tmp_path / "b.jsonl", seed=2)
    idx = open_index(index_location, create=True)
    idx.close()
    subprocess.run(
        [sys.executable, "-m", "provenance", "index", "add", index_location, str(first)],
        check=True,
        capture_output=True,
        env={**os.environ, "PYTHONPATH": str(ROOT), "PROVENANCE_LOAD_PLUGINS": ""},
    )
    counts = _add_at_once(index_location, second)
    assert sum(replaced for _, replaced, _ in counts) == DOCUMENTS, counts
    assert all(added == 0 for added, _, _ in counts), counts
    idx = open_index(index_location)
    try:
        assert idx.info()["paragraphs"] == 2 * DOCUMENTS and idx.verify() == []
    finally:
        idx.close()


def test_a_batch_written_again_is_unchanged_and_stores_nothing_twice(index_location, tmp_path):
    """put_many itself: the same batch twice answers unchanged the second time and adds no live paragraph."""
    from provenance.index.base import Written
    from provenance.index.ingest import prepare
    from provenance.text.inputs import RawDocument

    idx = open_index(index_location, create=True)
    try:
        lines = _corpus(tmp_path / "c.jsonl").read_text(encoding="utf-8").splitlines()[:5]
        raws = [RawDocument(d["id"], d["text"], "text") for d in map(json.loads, lines)]
        items = [(p.doc, p.prints) for p in (prepare(r, idx.params) for r in raws)]
        assert idx.put_many(items) == Written(added=5)
        for _ in range(2):
            assert idx.put_many(items) == Written(unchanged=5)
        changed = prepare(RawDocument(raws[0].id, raws[1].text, "text"), idx.params)
        assert idx.put_many([*items[1:3], (changed.doc, changed.prints)]) == Written(0, 1, 2)
        assert idx.info()["paragraphs"] == 10 and idx.verify() == []
    finally:
        idx.close()
