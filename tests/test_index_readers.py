"""Readers of a shared index: what one client loaded stays right while other clients write, merge and remove.

Segments never change once written, so a reader keeps what it loaded and, at each query, asks the server only
whether the listing changed; these tests hold it to answering exactly as a client that loads everything afresh."""

from __future__ import annotations

import sqlite3

import pytest

from bench.synthetic import corpus
from provenance.errors import InputError, UsageError
from provenance.fingerprint import FingerprintParams
from provenance.index import IndexParams, open_index
from provenance.index.base import FORMAT_VERSION, Prints, StoredDocument, prints_of_texts
from provenance.index.segments import FANOUT
from provenance.testing import run_cli

DOC, N, PROBES = 5, 1500, 150


@pytest.fixture(scope="module")
def synthetic():
    params = IndexParams(FingerprintParams())
    paragraphs, probes = corpus(N, PROBES)
    prints = prints_of_texts(paragraphs, params)

    def part(lo: int, hi: int) -> Prints:
        m = (prints.sentence_rows >= lo) & (prints.sentence_rows < hi)
        return Prints(
            prints.rows[lo:hi] - lo,
            prints.signatures[lo:hi],
            prints.sizes[lo:hi],
            prints.sentence_keys[m],
            prints.sentence_rows[m] - lo,
        )

    docs = [
        (
            StoredDocument(f"doc-{d // DOC}", str(d), "text", "\n\n".join(paragraphs[d : d + DOC])),
            part(d, d + DOC),
        )
        for d in range(0, N, DOC)
    ]
    return params, docs, prints_of_texts([p.text for p in probes], params)


def fill(index, docs, batch: int) -> None:
    for i in range(0, len(docs), batch):
        index.put_many(docs[i : i + batch])


def fresh(location: str, params: IndexParams, qprints: Prints):
    idx = open_index(location, params=params)
    try:
        return idx.candidates(qprints)
    finally:
        idx.close()


def test_a_reader_sees_other_clients_writes_merges_and_removals(synthetic, redis_url):
    params, docs, qprints = synthetic
    location = f"{redis_url}?prefix=readers"
    writer = open_index(location, create=True, params=params)
    reader = open_index(location, params=params)
    try:
        fill(writer, docs[:40], batch=10)
        first = reader.candidates(qprints)
        assert first == fresh(location, params, qprints) and any(first)
        loaded = set(reader._held)
        # Enough small batches for merges of segments the reader holds with ones it does not.
        fill(writer, docs[40:200], batch=4)
        writer.remove([d.id for d, _ in docs[:10]])
        now = reader.candidates(qprints)
        assert now == fresh(location, params, qprints)
        assert any(c.doc in {d.id for d, _ in docs[150:200]} for cs in now for c in cs), "new documents seen"
        assert not any(c.doc in {d.id for d, _ in docs[:10]} for cs in now for c in cs), "removed ones gone"
        assert loaded < reader._held
    finally:
        writer.close()
        reader.close()


def test_a_reader_reads_merged_segments_only_for_what_it_lacks(synthetic, redis_url, monkeypatch):
    params, docs, qprints = synthetic
    location = f"{redis_url}?prefix=merges"
    writer = open_index(location, create=True, params=params)
    reader = open_index(location, params=params)
    read: list[str] = []
    real = reader.r.mget

    def counting(keys, *args):
        read.extend(k for k in keys if ":seg:" in k)
        return real(keys, *args)

    monkeypatch.setattr(reader.r, "mget", counting)
    try:
        f = FANOUT
        fill(writer, docs[: 4 * (f - 1)], batch=4)  # FANOUT - 1 segments, not merged yet
        reader.candidates(qprints)
        loaded = reader._reader
        assert len(read) == f - 1
        # One more batch merges them all: the reader reads the merged segment once, keeps what it lacked.
        fill(writer, docs[4 * (f - 1) : 4 * f], batch=4)
        assert writer.info()["segments"] == 1
        assert reader.candidates(qprints) == fresh(location, params, qprints)
        assert len(read) == f and reader._reader is loaded, "caught up, not loaded again from scratch"
        # FANOUT more batches seen one by one, then merged by a writer: every batch of the merge is held already.
        with monkeypatch.context() as m:
            m.setattr(type(writer), "_compact", lambda self: None)
            fill(writer, docs[4 * f : 8 * f], batch=4)
            assert writer.info()["segments"] == 1 + f
            assert reader.candidates(qprints) == fresh(location, params, qprints)
        seen = len(read)
        writer._compact()
        assert writer.info()["segments"] == 2
        assert reader.candidates(qprints) == fresh(location, params, qprints)
        assert len(read) == seen, "a merge of segments the reader holds is not read"
        assert reader._reader is loaded
    finally:
        writer.close()
        reader.close()


def test_old_sqlite_files_are_read_and_old_redis_layouts_refused(synthetic, tmp_path, redis_url):
    params, docs, qprints = synthetic
    path = tmp_path / "old.db"
    idx = open_index(str(path), create=True, params=params)
    fill(idx, docs[:20], batch=20)
    want = idx.candidates(qprints)
    idx.close()
    with sqlite3.connect(path) as db:  # format 3 wrote the same layout under another number
        db.execute(
            "UPDATE meta SET value = replace(value, ?, ?) WHERE key='params'",
            (f'"format": {FORMAT_VERSION}', '"format": 3'),
        )
    assert fresh(str(path), params, qprints) == want
    import redis

    r = redis.Redis.from_url(redis_url)
    old = params.to_json().replace(f'"format": {FORMAT_VERSION}', '"format": 3')
    r.hset("oldlayout:meta", mapping={"params": old, "format": "3"})
    with pytest.raises(InputError, match="rebuild the index"):
        open_index(f"{redis_url}?prefix=oldlayout", params=params)


def test_unknown_redis_url_options_are_refused(redis_url):
    with pytest.raises(UsageError, match="unknown option 'buckets'"):
        open_index(f"{redis_url}?prefix=x&buckets=4096", create=True)
    r = run_cli(["index", "info", f"{redis_url}?prefx=typo"])
    assert (
        r.exit_code == 2 and "unknown option 'prefx'" in r.stderr and len(r.stderr.strip().splitlines()) == 1
    )


def test_two_writers_merging_at_once_lose_nothing(synthetic, redis_url, tmp_path):
    """Writers on two machines add batches and merge the same segments at the same time: each merge happens
    once (the script checks its inputs are still listed), and the index answers as one written alone."""
    import threading

    params, docs, qprints = synthetic
    location = f"{redis_url}?prefix=twowriters"
    a, b = open_index(location, create=True, params=params), open_index(location, params=params)
    errors: list[BaseException] = []

    def write(index, part) -> None:
        try:
            fill(index, part, batch=3)
        except Exception as exc:
            errors.append(exc)

    threads = [
        threading.Thread(target=write, args=(a, docs[0:150])),
        threading.Thread(target=write, args=(b, docs[150:300])),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    alone = str(tmp_path / "alone.db")
    one = open_index(alone, create=True, params=params)
    fill(one, docs[:300], batch=300)
    try:
        assert fresh(location, params, qprints) == one.candidates(qprints)
        assert a.verify() == []
        assert a.info()["segments"] < 2 * FANOUT * 3  # merged as they came, not 100 batches side by side
    finally:
        for idx in (a, b, one):
            idx.close()


def test_a_merge_drops_the_paragraphs_of_removed_documents(synthetic, index_location, monkeypatch):
    """Removed documents are skipped at once and dropped from storage by the next merge of their segments, on
    both backends (each asks its own store which documents are live)."""
    params, docs, qprints = synthetic
    idx = open_index(index_location, create=True, params=params)
    try:
        with monkeypatch.context() as m:
            m.setattr(type(idx), "_compact", lambda self: None)
            fill(idx, docs[: 4 * FANOUT], batch=4)  # FANOUT small segments, not merged yet
        before = idx.info()["postings"]
        gone = [d.id for d, _ in docs[:6]]
        assert idx.remove(gone) == 6
        assert idx.info()["postings"] == before, "removal alone rewrites no segment"
        idx._compact()
        assert idx.info()["segments"] == 1
        after = idx.info()["postings"]
        assert (
            0 < after < before - 6 * 5 * params.bands * 0.9
        )  # six documents of five paragraphs, 24 bands each
        assert idx.verify() == []
    finally:
        idx.close()
    answer = fresh(index_location, params, qprints)
    assert not any(c.doc in gone for cs in answer for c in cs)
