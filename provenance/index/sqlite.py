"""The embedded index: one SQLite file in WAL mode, so readers can audit while a writer adds.

Layout (format 3, unchanged since format 2). Postings are not one row per (key, paragraph): at 27 keys a paragraph that costs about a
kilobyte per paragraph and caps inserts at a few thousand paragraphs a second. Instead each write batch becomes a
*segment*: one row holding its keys sorted (uint32), the paragraph id under each key, and one fixed-size record
per paragraph (document number, paragraph index, content size, 8-bit packed signature). Segments are merged
(four of similar size into one, like a log-structured merge tree) so a query looks into few of them; a merge
also drops the paragraphs of removed or replaced documents, which are otherwise only skipped.

A query loads the segments once (a few hundred bytes per paragraph) and answers with vectorised binary searches.
The loaded postings point straight at record rows, and the records are held as columns (the signatures one
contiguous 64-byte row each), so verifying a raw candidate costs one cache line.
Every batch of documents is written in one transaction: interrupting `index add` (Ctrl-C, kill -9) leaves every
batch committed before and nothing half-written. Texts are stored zlib-compressed, so an audit can run the full
comparison against a candidate without the corpus ever being held in memory.
"""

from __future__ import annotations

import json
import os
import sqlite3
import zlib
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import InputError, UsageError
from ..hookspecs import hookimpl
from . import retrieve
from .base import (
    FORMAT_VERSION,
    Candidate,
    IndexParams,
    Prints,
    StoredDocument,
    embed_meta,
    few_names,
    looks_like_digest,
)

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS documents(
    num INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT UNIQUE NOT NULL, digest TEXT NOT NULL,
    paragraphs INTEGER NOT NULL, format TEXT NOT NULL, meta TEXT NOT NULL, text BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS segments(
    seg INTEGER PRIMARY KEY AUTOINCREMENT, entries INTEGER NOT NULL, paragraphs INTEGER NOT NULL,
    keys BLOB NOT NULL, kpids BLOB NOT NULL, pids BLOB NOT NULL, records BLOB NOT NULL);
"""
FANOUT = 4  # segments of one size class merged at once
BASE_ENTRIES = 1 << 14
MAX_MERGED_ENTRIES = 1 << 22  # about 150,000 paragraphs: bounds a merge's memory (~250 MB); past it, segments stay


def path_of(location: str) -> Path:
    if location.startswith("sqlite:///"):
        return Path(location[len("sqlite:///"):])
    if location.startswith("sqlite://"):
        raise UsageError(f"{location}: write sqlite:///relative/path or sqlite:////absolute/path")
    return Path(location)


@dataclass(slots=True)
class _Snapshot:
    """The postings and records of one consistent read, held for the queries of one run."""

    keys: np.ndarray  # every posting's key, sorted (uint32)
    rows: np.ndarray  # the row in `store` of each posting's paragraph (int32): no id-to-row lookup per query
    store: retrieve.Columns
    names: dict[int, str]
    paragraphs: int


class SqliteIndex:
    def __init__(self, location: str, *, create: bool, params: IndexParams) -> None:
        self.location = location
        self.path = path_of(location)
        exists = self.path.exists()
        empty = not exists or (self.path.is_file() and self.path.stat().st_size == 0)
        if not exists and not create:
            raise InputError(f"{location}: no such index (create one with `provenance index add`)")
        if empty and not create:  # connecting would turn the empty file into a database: leave it alone
            raise InputError(f"{location}: not a text-provenance index (an empty file)")
        if exists and self.path.is_dir():
            raise InputError(f"{location}: is a directory, not an index file")
        if not exists and not self.path.parent.is_dir():
            raise UsageError(f"{location}: directory {self.path.parent} does not exist")
        self.rec_dtype = retrieve.record_dtype(params.fingerprint.num_perm)
        self._snap: _Snapshot | None = None
        try:
            self.db = sqlite3.connect(self.path, timeout=60, isolation_level=None)
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=NORMAL")
            row = None if empty else self.db.execute("SELECT value FROM meta WHERE key='params'").fetchone()
        except sqlite3.OperationalError as exc:
            if "no such table" not in str(exc) or not empty:
                raise self._open_error(exc) from None
            row = None
        except sqlite3.DatabaseError as exc:
            raise self._open_error(exc) from None
        if row is None:
            if not create:
                raise InputError(f"{location}: not a text-provenance index (no parameters stored)")
            with self._guard(), self._tx() as db:
                for stmt in SCHEMA.strip().split(";"):
                    if stmt.strip():
                        db.execute(stmt)
                db.execute("INSERT OR IGNORE INTO meta VALUES('params', ?)", (params.to_json(),))
                db.execute("INSERT OR IGNORE INTO meta VALUES('format', ?)", (str(FORMAT_VERSION),))
                db.execute("INSERT OR IGNORE INTO meta VALUES('next_pid', '0')")
            row = self.db.execute("SELECT value FROM meta WHERE key='params'").fetchone()
        params.check(row[0], location)
        self.params = params

    # Plumbing ------------------------------------------------------------------------------------------------

    def _open_error(self, exc: sqlite3.Error) -> InputError:
        """Why a file did not open: a full disk, a damaged SQLite file (its header is SQLite's), or another file."""
        name = getattr(exc, "sqlite_errorname", "")
        if name == "SQLITE_FULL":
            return InputError(f"{self.location}: the disk is full ({exc})")
        try:
            with self.path.open("rb") as fh:
                ours = fh.read(16) == b"SQLite format 3\0"
        except OSError:
            ours = False
        if ours and name.startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB", "SQLITE_IOERR")):
            return InputError(f"{self.location}: the index file is damaged ({exc})")
        return InputError(f"{self.location}: not a text-provenance index ({exc})")

    @contextmanager
    def _guard(self) -> Iterator[None]:
        """A damaged file is an input error (one line, exit 3), not a traceback."""
        try:
            yield
        except sqlite3.OperationalError as exc:
            if getattr(exc, "sqlite_errorname", "") == "SQLITE_FULL" or "disk is full" in str(exc):
                raise InputError(f"{self.location}: the disk is full ({exc}); every batch committed before is "
                                 "kept: free some space and run the command again") from None
            if "locked" in str(exc) or "busy" in str(exc):
                raise InputError(f"{self.location}: the index is locked by another writer ({exc})") from None
            raise InputError(f"{self.location}: cannot use the index ({exc})") from None
        except sqlite3.DatabaseError as exc:
            raise InputError(f"{self.location}: the index file is damaged ({exc})") from None
        except (ValueError, zlib.error) as exc:  # a blob of the wrong size: truncated or tampered with
            raise InputError(f"{self.location}: the index file is damaged ({exc})") from None

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield self.db
        except BaseException:
            # SQLite may already have rolled back (a full disk does): then the first error is the one to tell.
            if self.db.in_transaction:
                try:
                    self.db.execute("ROLLBACK")
                except sqlite3.Error:
                    pass
            raise
        self.db.execute("COMMIT")

    # Writing -------------------------------------------------------------------------------------------------

    def digest_of(self, doc_id: str) -> str | None:
        with self._guard():
            row = self.db.execute("SELECT digest FROM documents WHERE id=?", (doc_id,)).fetchone()
        return row[0] if row else None

    def put(self, doc: StoredDocument, prints: Prints) -> None:
        self.put_many([(doc, prints)])

    def put_many(self, items: Sequence[tuple[StoredDocument, Prints]]) -> None:
        """Store a batch of documents (replacing older versions) in one transaction, as one new segment."""
        if not items:
            return
        blobs = [doc.compressed() for doc, _ in items]
        metas = [json.dumps(doc.meta, sort_keys=True) for doc, _ in items]
        batch = Prints.concat([p for _, p in items], self.params.fingerprint.num_perm)
        keys, krows = batch.keys(self.params)
        with self._guard(), self._tx() as db:
            first = int(db.execute("SELECT value FROM meta WHERE key='next_pid'").fetchone()[0])
            db.executemany("DELETE FROM documents WHERE id=?", [(doc.id,) for doc, _ in items])
            self._drop_vectors(db, [doc.id for doc, _ in items])
            seq = db.execute("SELECT COALESCE(MAX(seq), 0) FROM sqlite_sequence WHERE name='documents'").fetchone()[0]
            db.executemany("INSERT OR REPLACE INTO documents(id, digest, paragraphs, format, meta, text) "
                           "VALUES(?,?,?,?,?,?)", [(doc.id, doc.digest, len(prints), doc.format, meta, blob)
                                                   for (doc, prints), blob, meta in zip(items, blobs, metas)])
            # AUTOINCREMENT numbers rows one after another, and this transaction holds the write lock.
            nums = np.arange(seq + 1, seq + 1 + len(items), dtype=np.uint32)
            counts = np.array([len(p) for _, p in items], dtype=np.int64)
            total = int(counts.sum())
            if total:
                recs = retrieve.records(np.repeat(nums, counts), batch)
                pids = np.arange(first, first + total, dtype="<u4")
                db.execute("INSERT INTO segments(entries, paragraphs, keys, kpids, pids, records) VALUES(?,?,?,?,?,?)",
                           (len(keys), total, *_postings(keys, krows + first), pids.tobytes(), recs.tobytes()))
            db.execute("UPDATE meta SET value=? WHERE key='next_pid'", (str(first + total),))
        self._snap = None
        self._compact()

    def remove(self, ids: Iterable[str]) -> int:
        ids = list(dict.fromkeys(ids))
        with self._guard(), self._tx() as db:
            before = db.total_changes
            db.executemany("DELETE FROM documents WHERE id=?", [(i,) for i in ids])
            removed = db.total_changes - before
            self._drop_vectors(db, ids)
        self._snap = None
        return removed

    def _compact(self) -> None:
        """Merge FANOUT segments of one size class into one (and drop dead paragraphs) until none is crowded."""
        while True:
            with self._guard():
                rows = self.db.execute("SELECT seg, entries FROM segments ORDER BY seg").fetchall()
            classes: dict[int, list[tuple[int, int]]] = {}
            for seg, entries in rows:
                level = max(0, int(np.log(max(entries, 1) / BASE_ENTRIES) / np.log(FANOUT)) + 1)
                classes.setdefault(level, []).append((seg, entries))
            crowded = [[seg for seg, _ in segs[:FANOUT]] for _, segs in sorted(classes.items())
                       if len(segs) >= FANOUT and sum(e for _, e in segs[:FANOUT]) <= MAX_MERGED_ENTRIES]
            if not crowded:
                return
            self._merge(crowded[0][:FANOUT])

    def _merge(self, segs: list[int]) -> None:
        marks = ",".join("?" * len(segs))
        with self._guard(), self._tx() as db:
            rows = db.execute(f"SELECT keys, kpids, pids, records, entries FROM segments WHERE seg IN ({marks})",
                              segs).fetchall()
            if len(rows) != len(segs):  # another writer merged them first
                return
            live = np.array(sorted(r[0] for r in db.execute("SELECT num FROM documents")), dtype=np.int64)
            keys = np.concatenate([_unpack(r[0], r[4], delta=True) for r in rows])
            kpids = np.concatenate([_unpack(r[1], r[4]) for r in rows])
            pids = np.concatenate([np.frombuffer(r[2], "<u4") for r in rows])
            recs = np.concatenate([np.frombuffer(r[3], self.rec_dtype) for r in rows])
            alive = _member(recs["doc"].astype(np.int64), live)
            pids, recs = pids[alive], recs[alive]
            order = np.argsort(pids, kind="stable")
            pids, recs = pids[order], recs[order]
            kalive = _member(kpids.astype(np.int64), pids.astype(np.int64))
            keys, kpids = keys[kalive], kpids[kalive]
            db.execute(f"DELETE FROM segments WHERE seg IN ({marks})", segs)
            if len(pids):
                db.execute("INSERT INTO segments(entries, paragraphs, keys, kpids, pids, records) VALUES(?,?,?,?,?,?)",
                           (len(keys), len(pids), *_postings(keys, kpids), pids.tobytes(), recs.tobytes()))

    # Reading -------------------------------------------------------------------------------------------------

    def _snapshot(self) -> _Snapshot:
        if self._snap is not None:
            return self._snap
        with self._guard():
            self.db.execute("BEGIN")
            try:
                rows = self.db.execute("SELECT keys, kpids, pids, records, entries FROM segments").fetchall()
                names = dict(self.db.execute("SELECT num, id FROM documents"))
                next_pid = int((self.db.execute("SELECT value FROM meta WHERE key='next_pid'").fetchone() or [0])[0])
            finally:
                self.db.execute("COMMIT")
            keys = [_unpack(r[0], r[4], delta=True) for r in rows]
            kpids = [_unpack(r[1], r[4]) for r in rows]
            pids = np.concatenate([np.frombuffer(r[2], "<u4") for r in rows]) if rows else np.zeros(0, np.uint32)
            recs = (np.concatenate([np.frombuffer(r[3], self.rec_dtype) for r in rows]) if rows
                    else np.zeros(0, self.rec_dtype))
            del rows
        if len(pids) != len(recs):
            raise InputError(f"{self.location}: the index file is damaged (paragraph records do not match)")
        if len(pids) and int(pids.max()) >= next_pid:  # a damaged id would otherwise size the table below
            raise InputError(f"{self.location}: the index file is damaged (a paragraph id past the last one given)")
        if len(keys) > 1:  # one sorted array: a query then costs one binary search, not one per segment
            combo = np.concatenate([(k.astype(np.uint64) << np.uint64(32)) | p.astype(np.uint64)
                                    for k, p in zip(keys, kpids)])
            combo.sort()
            keys, kpids = [(combo >> np.uint64(32)).astype(np.uint32)], [combo.astype(np.uint32)]
            del combo
        order = np.argsort(pids, kind="stable")
        live = _member(recs["doc"].astype(np.int64), np.array(sorted(names), dtype=np.int64))
        pids = pids[order]
        row_of = np.full(int(pids[-1]) + 1 if len(pids) else 0, -1, dtype=np.int32)  # ids are dense: a table
        row_of[pids] = np.arange(len(pids), dtype=np.int32)
        # Postings point at rows of the records once and for all (a posting without a record, which only a damaged
        # file has, is dropped).
        all_keys = keys[0] if keys else np.zeros(0, np.uint32)
        all_pids = kpids[0].astype(np.int64) if kpids else np.zeros(0, np.int64)
        del keys, kpids
        at = row_of[np.minimum(all_pids, len(row_of) - 1)] if len(row_of) else np.full(len(all_pids), -1, np.int32)
        at[all_pids >= len(row_of)] = -1
        found = at >= 0
        if not found.all():
            all_keys, at = all_keys[found], at[found]
        self._snap = _Snapshot(all_keys, at, retrieve.Columns.of(recs[order]), names, int(live.sum()))
        return self._snap

    def candidates(self, prints: Prints, min_similarity: float = 0.2) -> list[list[Candidate]]:
        """Per query paragraph, the stored paragraphs that may be its source, verified and best first."""
        if len(prints) == 0:
            return []
        snap = self._snapshot()
        qkeys, qrows = prints.keys(self.params)
        if len(snap.keys) == 0 or len(qkeys) == 0:
            return [[] for _ in range(len(prints))]
        with np.errstate(over="ignore"):
            bounds = np.concatenate([qkeys, qkeys + np.uint32(1)])  # integer keys: k+1 "left" is k "right"
        nq = len(qkeys)
        # Searched in sorted order: consecutive searches then walk nearby memory (2-4x faster than unsorted).
        order = np.argsort(bounds, kind="stable")
        both = np.empty(len(bounds), dtype=np.int64)
        both[order] = np.searchsorted(snap.keys, bounds[order], side="left")
        lo = both[:nq]
        hi = np.where(qkeys == np.uint32(0xFFFFFFFF), len(snap.keys), both[nq:])
        # Only the postings of kept keys are gathered: a skipped common key may hold a hundred thousand.
        keep = retrieve.kept_requests(qrows, hi - lo, retrieve.max_postings(snap.paragraphs))
        owner, pos = retrieve.expand(lo, np.where(keep, hi, lo))
        return retrieve.verified(prints, qrows[owner], snap.rows[pos], snap.store, min_similarity,
                                 lambda nums: {int(n): snap.names[int(n)] for n in nums if int(n) in snap.names})

    def document(self, doc_id: str) -> StoredDocument | None:
        with self._guard():
            row = self.db.execute("SELECT id, digest, format, meta, text FROM documents WHERE id=?",
                                  (doc_id,)).fetchone()
            if row is None:
                return None
            try:
                text = zlib.decompress(row[4]).decode("utf-8")
                meta = json.loads(row[3])
            except (zlib.error, ValueError, TypeError) as exc:
                raise InputError(f"{self.location}: the stored text of {doc_id!r} is damaged ({exc})") from None
        return StoredDocument(row[0], row[1], row[2], text, meta)

    def info(self) -> dict[str, Any]:
        with self._guard():
            docs, paras = self.db.execute("SELECT COUNT(*), COALESCE(SUM(paragraphs), 0) FROM documents").fetchone()
            segs, entries = self.db.execute("SELECT COUNT(*), COALESCE(SUM(entries), 0) FROM segments").fetchone()
        size = sum(os.path.getsize(p) for p in (self.path, Path(f"{self.path}-wal")) if os.path.exists(p))
        return {"location": self.location, "backend": "sqlite", "documents": docs, "paragraphs": paras,
                "segments": segs, "postings": entries,
                "bytes": size, "bytes_per_paragraph": round(size / paras, 1) if paras else None,
                "parameters": self.params.to_dict()}

    def close(self) -> None:
        self._snap = None
        self.db.close()

    # Stored vectors (provenance/embeddings.py) ---------------------------------------------------------------
    # In a table of their own, created on the first `index add --embed`: an index without it reads as before. A
    # row holds its document's digest and is deleted with the document, so a vector never outlives its text.

    VECTORS = ("CREATE TABLE IF NOT EXISTS vectors(doc TEXT NOT NULL, name TEXT NOT NULL, version TEXT NOT NULL, "
               "digest TEXT NOT NULL, data BLOB NOT NULL, PRIMARY KEY(doc, name)) WITHOUT ROWID")

    def _has_vectors(self, db: sqlite3.Connection) -> bool:
        return db.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name='vectors'").fetchone() is not None

    def _drop_vectors(self, db: sqlite3.Connection, ids: Sequence[str]) -> None:
        if self._has_vectors(db):
            db.executemany("DELETE FROM vectors WHERE doc=?", [(i,) for i in ids])

    def embeddings(self) -> dict[str, str]:
        """Scorer name -> embedding version, for every `--embed` recorded in the index."""
        with self._guard():
            row = self.db.execute("SELECT value FROM meta WHERE key='embed'").fetchone()
        return embed_meta(row[0] if row else None, self.location)

    def set_embeddings(self, kinds: dict[str, str]) -> None:
        with self._guard(), self._tx() as db:
            db.execute(self.VECTORS)
            db.execute("INSERT OR REPLACE INTO meta VALUES('embed', ?)", (json.dumps(kinds, sort_keys=True),))

    def have_vectors(self, name: str, version: str, ids: Sequence[str]) -> set[str]:
        """Which of `ids` have vectors of this scorer and version for their current text."""
        found: set[str] = set()
        with self._guard():
            if not self._has_vectors(self.db):
                return found
            for lo in range(0, len(ids), 500):
                chunk = list(ids[lo : lo + 500])
                marks = ",".join("?" * len(chunk))
                found.update(r[0] for r in self.db.execute(
                    f"SELECT v.doc FROM vectors v JOIN documents d ON d.id = v.doc AND d.digest = v.digest "
                    f"WHERE v.name=? AND v.version=? AND v.doc IN ({marks})", (name, version, *chunk)))
        return found

    def put_vectors(self, name: str, version: str, items: Sequence[tuple[str, str, bytes]]) -> None:
        """Store (doc id, digest, blob) in one transaction; a document changed since its digest was read keeps
        none (its next `index add` embeds the new text)."""
        with self._guard(), self._tx() as db:
            db.execute(self.VECTORS)
            db.executemany(
                "INSERT OR REPLACE INTO vectors(doc, name, version, digest, data) "
                "SELECT ?, ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM documents WHERE id=? AND digest=?)",
                [(doc, name, version, dig, blob, doc, dig) for doc, dig, blob in items])

    def vectors(self, name: str, version: str, ids: Sequence[str]) -> dict[str, bytes]:
        with self._guard():
            if not ids or not self._has_vectors(self.db):
                return {}
            marks = ",".join("?" * len(ids))
            return {r[0]: bytes(r[1]) for r in self.db.execute(
                f"SELECT v.doc, v.data FROM vectors v JOIN documents d ON d.id = v.doc AND d.digest = v.digest "
                f"WHERE v.name=? AND v.version=? AND v.doc IN ({marks})", (name, version, *ids))}

    def vector_counts(self) -> dict[str, int]:
        with self._guard():
            if not self._has_vectors(self.db):
                return {}
            return dict(self.db.execute("SELECT v.name, COUNT(*) FROM vectors v JOIN documents d ON d.id = v.doc "
                                        "AND d.digest = v.digest GROUP BY v.name"))

    # Checking ------------------------------------------------------------------------------------------------

    def ids(self) -> list[str]:
        """Every stored document id, sorted (`provenance index list`)."""
        with self._guard():
            return [r[0] for r in self.db.execute("SELECT id FROM documents ORDER BY id")]

    def verify(self) -> list[str]:
        """Every problem found in the file, one line each; none: the index is sound (`provenance index check`).

        SQLite checks its own pages (integrity_check). The rest is what a query relies on and SQLite cannot see:
        blobs that decode to their stated sizes, postings sorted and pointing at a record of their own segment,
        paragraph ids unique and below the next one to be given, exactly one record per paragraph of each stored
        document with at least its band postings, texts that decompress and match their digest. Records are not
        checksummed: a flipped bit inside a signature goes unnoticed (docs/reliability.md). Everything is read in
        one transaction, so a writer adding at the same time is not mistaken for damage.
        """
        problems: list[str] = []
        state: dict[str, Any] = {"next_pid": None, "live": {}}
        try:
            self.db.execute("BEGIN")
        except sqlite3.Error as exc:
            return [f"cannot be read ({exc})"]
        try:
            for what, stage in (("SQLite", self._verify_pages), ("meta", self._verify_meta),
                                ("documents", self._verify_documents), ("segments", self._verify_segments),
                                ("vectors", self._verify_vectors)):
                try:
                    stage(problems, state)
                except (sqlite3.Error, ValueError, TypeError, zlib.error) as exc:
                    problems.append(f"{what}: cannot be read ({exc})")
        finally:
            try:
                self.db.execute("COMMIT")
            except sqlite3.Error:
                pass
        return problems

    def _verify_pages(self, problems: list[str], state: dict[str, Any]) -> None:
        rows = [r[0] for r in self.db.execute("PRAGMA integrity_check(10)")]
        if rows != ["ok"]:
            problems.extend(f"SQLite: {r}" for r in rows)

    def _verify_meta(self, problems: list[str], state: dict[str, Any]) -> None:
        meta = dict(self.db.execute("SELECT key, value FROM meta"))
        if meta.get("params") != self.params.to_json():
            problems.append("meta: the stored parameters are missing or differ from the ones it opened with")
        if meta.get("format") != str(FORMAT_VERSION):
            problems.append(f"meta: format {meta.get('format')!r} where {FORMAT_VERSION} was expected")
        try:
            state["next_pid"] = int(meta["next_pid"])
        except (KeyError, ValueError):
            problems.append(f"meta: next_pid {meta.get('next_pid')!r} is not a paragraph id")

    def _verify_vectors(self, problems: list[str], state: dict[str, Any]) -> None:
        from ..embeddings import unpack

        if not self._has_vectors(self.db):
            return
        stale = self.db.execute("SELECT COUNT(*) FROM vectors v WHERE NOT EXISTS (SELECT 1 FROM documents d "
                                "WHERE d.id = v.doc AND d.digest = v.digest)").fetchone()[0]
        if stale:
            problems.append(f"vectors: {stale} stored vector set(s) belong to no current document text")
        bad: dict[str, list[str]] = {}
        for doc, name, version, data in self.db.execute("SELECT doc, name, version, data FROM vectors"):
            try:
                ok = unpack(bytes(data))[0] == version
            except InputError:
                ok = False
            if not ok:
                bad.setdefault(name, []).append(doc)
        for name, docs in sorted(bad.items()):
            problems.append(f"vectors: damaged {name} vectors for {len(docs)} document(s) ({few_names(docs)})")

    def _verify_documents(self, problems: list[str], state: dict[str, Any]) -> None:
        from .ingest import RawDocument, digest

        texts, metas, digests, counts = [], [], [], []
        live: dict[int, tuple[str, int]] = state["live"]
        for num, doc_id, dig, paragraphs, fmt, meta, blob in self.db.execute(
                "SELECT num, id, digest, paragraphs, format, meta, text FROM documents"):
            live[num] = (doc_id, paragraphs)
            if not isinstance(paragraphs, int) or paragraphs < 0:
                counts.append(doc_id)
            try:
                if not isinstance(json.loads(meta), dict):
                    metas.append(doc_id)
            except (TypeError, ValueError):
                metas.append(doc_id)
            try:
                text = zlib.decompress(blob).decode("utf-8")
            except (TypeError, zlib.error, UnicodeDecodeError):
                texts.append(doc_id)
                continue
            # `index add` digests format and text; other writers may keep a digest of their own.
            if looks_like_digest(dig) and dig != digest(RawDocument(doc_id, text, fmt)):
                digests.append(doc_id)
        for bad, what in ((texts, "stored texts do not decompress"), (metas, "metadata is not a JSON object"),
                          (digests, "stored texts do not match their digest"),
                          (counts, "paragraph counts are not counts")):
            if bad:
                problems.append(f"documents: {len(bad)} whose {what} ({few_names(bad)})")

    def _verify_segments(self, problems: list[str], state: dict[str, Any]) -> None:
        next_pid, live = state["next_pid"], state["live"]
        seq = self.db.execute("SELECT COALESCE(MAX(seq), 0) FROM sqlite_sequence WHERE name='documents'").fetchone()
        max_num = max([int(seq[0]), *live]) if seq else max([0, *live])
        pids_all, docs_all, paras_all, postings_all, bare_all = [], [], [], [], []
        for seg, entries, paragraphs, kblob, kpblob, pblob, rblob in self.db.execute(
                "SELECT seg, entries, paragraphs, keys, kpids, pids, records FROM segments ORDER BY seg"):
            try:
                keys = _unpack(kblob, entries, delta=True)
                kpids = _unpack(kpblob, entries)
            except (TypeError, ValueError, zlib.error) as exc:
                problems.append(f"segment {seg}: its postings do not decode ({exc})")
                continue
            if not isinstance(pblob, bytes) or len(pblob) != 4 * paragraphs:
                problems.append(f"segment {seg}: {paragraphs} paragraphs but a paragraph id list of another size")
                continue
            if not isinstance(rblob, bytes) or len(rblob) != self.rec_dtype.itemsize * paragraphs:
                problems.append(f"segment {seg}: {paragraphs} paragraphs but a record list of another size")
                continue
            pids = np.frombuffer(pblob, "<u4").astype(np.int64)
            recs = np.frombuffer(rblob, self.rec_dtype)
            combo = (keys.astype(np.uint64) << np.uint64(32)) | kpids.astype(np.uint64)
            if np.any(combo[1:] < combo[:-1]):
                problems.append(f"segment {seg}: its postings are not sorted")
            if np.any(np.diff(pids) <= 0):
                problems.append(f"segment {seg}: its paragraph ids are not in increasing order")
                pids_order = np.argsort(pids, kind="stable")
            else:
                pids_order = None
            if next_pid is not None and len(pids) and int(pids.max()) >= next_pid:
                problems.append(f"segment {seg}: paragraph ids at or past next_pid ({next_pid}), never given")
            spids = pids if pids_order is None else pids[pids_order]
            found = _member(kpids.astype(np.int64), spids)
            if not found.all():
                problems.append(f"segment {seg}: {int((~found).sum())} postings point at no record of the segment")
            at = np.searchsorted(spids, kpids[found].astype(np.int64))
            counts = np.bincount(at, minlength=len(spids))
            if pids_order is not None:
                counts = counts[np.argsort(pids_order)]
            docs = recs["doc"].astype(np.int64)
            unknown = (docs < 1) | (docs > max_num)
            if unknown.any():
                problems.append(f"segment {seg}: {int(unknown.sum())} records of document numbers never given")
            pids_all.append(pids)
            docs_all.append(docs)
            paras_all.append(recs["para"].astype(np.int64))
            postings_all.append(counts)
            bare_all.append(np.all(recs["sig"] == 0xFF, axis=1))  # an empty paragraph: no band keys
        if not pids_all:
            pids_all, docs_all, paras_all, postings_all = ([np.zeros(0, np.int64)] for _ in range(4))
            bare_all = [np.zeros(0, bool)]
        pids, docs, paras = np.concatenate(pids_all), np.concatenate(docs_all), np.concatenate(paras_all)
        postings, bare = np.concatenate(postings_all), np.concatenate(bare_all)
        dup = int(len(pids) - len(np.unique(pids)))
        if dup:
            problems.append(f"segments: {dup} paragraph ids stored twice")
        alive = np.isin(docs, np.fromiter(live, dtype=np.int64, count=len(live)))
        have = np.bincount(docs[alive], minlength=max_num + 1) if alive.any() else np.zeros(max_num + 1, np.int64)
        wrong = [doc_id for num, (doc_id, n) in live.items() if num <= max_num and have[num] != n]
        if wrong:
            problems.append(f"documents: {len(wrong)} whose paragraph records do not match their paragraph count "
                            f"({few_names(wrong)})")
        pairs = docs[alive] * (1 << 32) + paras[alive]
        twice = len(pairs) - len(np.unique(pairs))
        if twice:
            problems.append(f"segments: {twice} paragraphs of stored documents recorded twice")
        short = alive & ~bare & (postings < self.params.bands)
        if short.any():
            names = sorted({live[int(n)][0] for n in np.unique(docs[short])})
            problems.append(f"segments: {int(short.sum())} paragraphs with fewer postings than their "
                            f"{self.params.bands} bands ({few_names(names)})")


def _postings(keys: np.ndarray, kpids: np.ndarray) -> tuple[bytes, bytes]:
    """Keys sorted (with their paragraph ids), packed: one 64-bit sort instead of an argsort and two gathers."""
    combo = (keys.astype(np.uint64) << np.uint64(32)) | kpids.astype(np.uint64)
    combo.sort()
    return _pack((combo >> np.uint64(32)).astype(np.uint32), delta=True), _pack(combo.astype(np.uint32))


def _pack(values: np.ndarray, *, delta: bool = False) -> bytes:
    """uint32s as byte planes (all high bytes, then ...), deflated: sorted keys as gaps take 1.6 bytes instead of 4.

    Splitting the bytes of each number into planes puts the near-constant high bytes together, which is what lets
    a fast zlib level compress them; decoding runs at hundreds of MB/s, so an audit's one-time load stays short.
    """
    v = np.ascontiguousarray(values, dtype="<u4")
    if delta and len(v):
        v = np.diff(v, prepend=np.uint32(0)).astype("<u4")
    return zlib.compress(v.view(np.uint8).reshape(-1, 4).T.tobytes(), 1)


def _unpack(blob: bytes, n: int, *, delta: bool = False) -> np.ndarray:
    raw = np.frombuffer(zlib.decompress(blob), dtype=np.uint8)
    if raw.size != 4 * n:
        raise ValueError(f"a postings blob holds {raw.size} bytes where {4 * n} were expected")
    v = np.ascontiguousarray(raw.reshape(4, n).T).view("<u4").ravel()
    return np.cumsum(v, dtype=np.uint32) if delta else v


def _member(values: np.ndarray, sorted_set: np.ndarray) -> np.ndarray:
    """values in sorted_set, vectorised (np.isin sorts both sides; one already is)."""
    if len(sorted_set) == 0:
        return np.zeros(len(values), dtype=bool)
    at = np.minimum(np.searchsorted(sorted_set, values), len(sorted_set) - 1)
    return sorted_set[at] == values


class SqliteBackend:
    name = "sqlite"
    schemes = ("sqlite",)
    description = "embedded index in one SQLite file (the default; no server)"

    def open(self, location: str, *, create: bool, params: IndexParams) -> SqliteIndex:
        return SqliteIndex(location, create=create, params=params)


@hookimpl
def register_index_backends(register) -> None:
    register(SqliteBackend())
