"""The embedded index: one SQLite file in WAL mode, so readers can audit while a writer adds.

Postings are not one row per (key, paragraph): at 27 keys a paragraph that costs about a kilobyte per paragraph and
caps inserts at a few thousand paragraphs a second. Instead each write batch becomes a *segment* row
(provenance.index.segments, shared with the Redis backend): its keys sorted and packed, the paragraph id under each
key, and one fixed-size record per paragraph. Segments are merged eight of similar size at a time, which also drops
the paragraphs of removed or replaced documents (otherwise only skipped). The tables: `schema.py`.

A query loads the segments once (a few hundred bytes per paragraph) and answers with vectorised binary searches.
Every batch of documents is written in one transaction: interrupting `index add` (Ctrl-C, kill -9) leaves every
batch committed before and nothing half-written. Texts are stored zlib-compressed, so an audit can run the full
comparison against a candidate without the corpus ever being held in memory.

Opening and failures: `connection.py`; stored sentence vectors: `vectors.py`; `index check`: `check.py`.
"""

from __future__ import annotations

import json
import os
import zlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from provenance.errors import InputError
from provenance.index import retrieve
from provenance.index import segments as seglib
from provenance.index.base import (
    MAX_DOCUMENT_NUMBER,
    Candidate,
    IndexParams,
    Prints,
    StoredDocument,
    Written,
    last_versions,
    next_ids,
    stored_article,
    stored_int,
    stored_text,
    tally,
)
from provenance.index.sqlite import vectors as stored_vectors
from provenance.index.sqlite.connection import connect, guard, path_of, transaction
from provenance.index.sqlite.schema import (
    SEGMENT_COLUMNS,
    insert_segment,
    last_document_number,
    segment_of,
    stored_next_pid,
)

DIGEST_CHUNK = 500  # ids per query of stored digests: under SQLite's bound-variable limit (999 before 3.32)


@dataclass(slots=True)
class _Snapshot:
    """The postings and records of one consistent read, held for the queries of one run."""

    reader: seglib.Reader
    names: dict[int, str]


class SqliteIndex:
    def __init__(self, location: str, *, create: bool, params: IndexParams) -> None:
        self.location = location
        self.path = path_of(location)
        self.rec_dtype = retrieve.record_dtype(params.fingerprint.num_perm)
        self._snap: _Snapshot | None = None
        self.db = connect(location, create=create, params=params)
        self.params = params

    # Documents -----------------------------------------------------------------------------------------------

    def digest_of(self, doc_id: str) -> str | None:
        with guard(self.location):
            row = self.db.execute("SELECT digest FROM documents WHERE id=?", (doc_id,)).fetchone()
            return stored_text(row[0], "a digest") if row else None

    def put_many(self, items: Sequence[tuple[StoredDocument, Prints]]) -> Written:
        """Store a batch of documents (replacing older versions) in one transaction, as one new segment. Which
        documents are new, changed or unchanged is read under the write lock (BEGIN IMMEDIATE), so concurrent
        writers of the same documents count each one added once; an unchanged one is not written again."""
        items = last_versions(items)
        if not items:
            return Written()
        blobs = {doc.id: doc.compressed() for doc, _ in items}
        batch = Prints.concat([p for _, p in items], self.params.fingerprint.num_perm)
        keys, krows = batch.keys(self.params)  # outside the lock: another writer waits for less
        with guard(self.location), transaction(self.db) as db:
            write, written = tally(items, self._digests(db, [doc.id for doc, _ in items]))
            if not write:
                return written
            if len(write) < len(items):  # another writer stored some meanwhile: key only the rest
                batch = Prints.concat([p for _, p in write], self.params.fingerprint.num_perm)
                keys, krows = batch.keys(self.params)
            first = stored_next_pid(db)
            total = sum(len(p) for _, p in write)
            next_ids(first, total, self.location)
            db.executemany("DELETE FROM documents WHERE id=?", [(doc.id,) for doc, _ in write])
            stored_vectors.drop(db, [doc.id for doc, _ in write])
            seq = last_document_number(db)
            db.executemany(
                "INSERT INTO documents(id, digest, paragraphs, format, meta, text) VALUES(?,?,?,?,?,?)",
                [
                    (
                        doc.id,
                        doc.digest,
                        len(prints),
                        doc.format,
                        json.dumps(doc.meta, sort_keys=True),
                        blobs[doc.id],
                    )
                    for doc, prints in write
                ],
            )
            # AUTOINCREMENT numbers rows one after another, and this transaction holds the write lock.
            nums = np.arange(seq + 1, seq + 1 + len(write), dtype=np.uint32)
            counts = np.array([len(p) for _, p in write], dtype=np.int64)
            if total:
                recs = retrieve.records(np.repeat(nums, counts), batch)
                pids = np.arange(first, first + total, dtype="<u4")
                insert_segment(db, seglib.Segment.build(keys, krows + first, pids, recs))
            db.execute("UPDATE meta SET value=? WHERE key='next_pid'", (str(first + total),))
        self._snap = None
        self._compact()
        return written

    @staticmethod
    def _digests(db: Any, ids: list[str]) -> dict[str, str]:
        """The stored digests of these ids (those stored), read in chunks under SQLite's variable limit."""
        out: dict[str, str] = {}
        for i in range(0, len(ids), DIGEST_CHUNK):
            chunk = ids[i : i + DIGEST_CHUNK]
            marks = ",".join("?" * len(chunk))
            for doc_id, dig in db.execute(f"SELECT id, digest FROM documents WHERE id IN ({marks})", chunk):
                out[stored_text(doc_id, "a document id")] = stored_text(dig, "a digest")
        return out

    def remove(self, ids: Iterable[str]) -> int:
        ids = list(dict.fromkeys(ids))
        with guard(self.location), transaction(self.db) as db:
            before = db.total_changes
            db.executemany("DELETE FROM documents WHERE id=?", [(i,) for i in ids])
            removed = db.total_changes - before
            stored_vectors.drop(db, ids)
        self._snap = None
        return removed

    def document(self, doc_id: str) -> StoredDocument | None:
        with guard(self.location):
            row = self.db.execute(
                "SELECT id, digest, format, meta, text FROM documents WHERE id=?", (doc_id,)
            ).fetchone()
            if row is None:
                return None
            try:
                text = stored_article(row[4])
                meta = json.loads(row[3])
                for value in row[:3]:
                    stored_text(value, "a stored field")
                if not isinstance(meta, dict):
                    raise ValueError("metadata is not a JSON object")
            except (zlib.error, ValueError, TypeError) as exc:
                raise InputError(
                    f"{self.location}: the stored text of {doc_id!r} is damaged ({exc})"
                ) from None
        return StoredDocument(row[0], row[1], row[2], text, meta)

    def ids(self) -> list[str]:
        """Every stored document id, sorted (`provenance index list`)."""
        with guard(self.location):
            return [
                stored_text(r[0], "a document id")
                for r in self.db.execute("SELECT id FROM documents ORDER BY id")
            ]

    # Segments ------------------------------------------------------------------------------------------------

    def _compact(self) -> None:
        """Merge FANOUT segments of one size class into one (and drop dead paragraphs) until none is crowded."""
        while True:
            with guard(self.location):
                rows = self.db.execute("SELECT seg, entries FROM segments ORDER BY seg").fetchall()
            crowded = seglib.crowded(rows)
            if not crowded:
                return
            self._merge(crowded)

    def _merge(self, segs: list[int]) -> None:
        marks = ",".join("?" * len(segs))
        with guard(self.location), transaction(self.db) as db:
            rows = db.execute(
                f"SELECT {SEGMENT_COLUMNS} FROM segments WHERE seg IN ({marks})", segs
            ).fetchall()
            if len(rows) != len(segs):  # another writer merged them first
                return
            parts = [seglib.decode(segment_of(r), self.rec_dtype) for r in rows]
            docs = [d.recs["doc"] for d in parts if len(d.recs)]
            lo, hi = (int(min(d.min() for d in docs)), int(max(d.max() for d in docs))) if docs else (0, -1)
            # Only the documents these segments can hold: a range of the primary key, not the whole table.
            live = np.array(
                [
                    r[0]
                    for r in db.execute(
                        "SELECT num FROM documents WHERE num BETWEEN ? AND ? ORDER BY num", (lo, hi)
                    )
                ],
                dtype=np.int64,
            )
            merged = seglib.merge(parts, live)
            db.execute(f"DELETE FROM segments WHERE seg IN ({marks})", segs)
            if merged is not None:
                insert_segment(db, merged)

    # Retrieval -----------------------------------------------------------------------------------------------

    def _snapshot(self) -> _Snapshot:
        if self._snap is not None:
            return self._snap
        with guard(self.location):
            rows, names, next_pid = self._read_segments()
            reader = seglib.Reader(self.rec_dtype)
            parts = []
            while rows:  # decoded one by one, each stored row freed as soon as it is read
                parts.append(seglib.decode(segment_of(rows.pop()), self.rec_dtype))
            try:
                reader.add(parts, next_pid)
            except ValueError as exc:
                raise InputError(f"{self.location}: the index file is damaged ({exc})") from None
        live = seglib.member(reader.store.doc.astype(np.int64), np.array(sorted(names), dtype=np.int64))
        reader.paragraphs = int(live.sum())
        self._snap = _Snapshot(reader, names)
        return self._snap

    def _read_segments(self) -> tuple[list[Any], dict[int, str], int]:
        """The stored segment rows, the document names by number and the next paragraph id, in one read."""
        self.db.execute("BEGIN")
        try:
            rows = self.db.execute(f"SELECT {SEGMENT_COLUMNS} FROM segments").fetchall()
            names = {
                stored_int(num, "a document number", MAX_DOCUMENT_NUMBER): stored_text(
                    doc_id, "a document id"
                )
                for num, doc_id in self.db.execute("SELECT num, id FROM documents")
            }
            next_pid = stored_next_pid(self.db)
        finally:
            self.db.execute("COMMIT")
        return rows, names, next_pid

    takes_floor = True  # `candidates` takes `floor` (provenance/index/auditing.py `evidence`)

    def candidates(
        self, prints: Prints, min_similarity: float = 0.2, *, floor: float = 0.0
    ) -> list[list[Candidate]]:
        """Per query paragraph, the stored paragraphs that may be its source, verified and best first (`floor`:
        provenance/index/retrieve.py `verified`)."""
        if len(prints) == 0:
            return []
        snap = self._snapshot()
        names = snap.names
        return snap.reader.candidates(
            prints,
            self.params,
            min_similarity,
            lambda nums: {n: names[n] for n in nums.tolist() if n in names},
            floor,
        )

    # Upkeep --------------------------------------------------------------------------------------------------

    def info(self) -> dict[str, Any]:
        with guard(self.location):
            docs, paras = self.db.execute(
                "SELECT COUNT(*), COALESCE(SUM(paragraphs), 0) FROM documents"
            ).fetchone()
            segs, entries = self.db.execute(
                "SELECT COUNT(*), COALESCE(SUM(entries), 0) FROM segments"
            ).fetchone()
        size = sum(os.path.getsize(p) for p in (self.path, Path(f"{self.path}-wal")) if os.path.exists(p))
        return {
            "location": self.location,
            "backend": "sqlite",
            "documents": docs,
            "paragraphs": paras,
            "segments": segs,
            "postings": entries,
            "bytes": size,
            "bytes_per_paragraph": round(size / paras, 1) if paras else None,
            "parameters": self.params.to_dict(),
        }

    def verify(self) -> list[str]:
        """Every problem found in the file, one line each; none: the index is sound (`provenance index check`)."""
        from provenance.index.sqlite.check import verify  # loaded by `index check` only

        return verify(self.db, self.params, self.rec_dtype)

    def close(self) -> None:
        self._snap = None
        self.db.close()

    # Stored sentence vectors ---------------------------------------------------------------------------------

    def embeddings(self) -> dict[str, str]:
        with guard(self.location):
            return stored_vectors.kinds(self.db, self.location)

    def set_embeddings(self, kinds: Mapping[str, str]) -> None:
        with guard(self.location), transaction(self.db) as db:
            stored_vectors.set_kinds(db, kinds)

    def put_vectors(self, name: str, version: str, items: Sequence[tuple[str, str, bytes]]) -> None:
        with guard(self.location), transaction(self.db) as db:
            stored_vectors.put(db, name, version, items)

    def have_vectors(self, name: str, version: str, ids: Sequence[str]) -> set[str]:
        with guard(self.location):
            return stored_vectors.having(self.db, name, version, ids)

    def vectors(self, name: str, version: str, ids: Sequence[str]) -> dict[str, bytes]:
        with guard(self.location):
            return stored_vectors.get(self.db, name, version, ids)

    def vector_counts(self) -> dict[str, int]:
        with guard(self.location):
            return stored_vectors.counts(self.db)
