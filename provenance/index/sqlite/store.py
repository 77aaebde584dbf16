"""The embedded index: one SQLite file in WAL mode, so readers can audit while a writer adds.

Layout (format 4; unchanged since format 2, so files of formats 2 and 3 are read as they are). Postings are not one
row per (key, paragraph): at 27 keys a paragraph that costs about a kilobyte per paragraph and caps inserts at a few
thousand paragraphs a second. Instead each write batch becomes a *segment* row (provenance.index.segments, shared
with the Redis backend): its keys sorted and packed, the paragraph id under each key, and one fixed-size record per
paragraph. Segments are merged eight of similar size at a time, which also drops the paragraphs of removed or
replaced documents (otherwise only skipped).

A query loads the segments once (a few hundred bytes per paragraph) and answers with vectorised binary searches.
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

from provenance.errors import InputError, UsageError
from provenance.hookspecs import hookimpl
from provenance.index import retrieve
from provenance.index import segments as seglib
from provenance.index.base import (
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
FANOUT = seglib.FANOUT
READS_FORMATS = (2, 3)  # the same layout under older format numbers


def path_of(location: str) -> Path:
    if location.startswith("sqlite:///"):
        return Path(location[len("sqlite:///"):])
    if location.startswith("sqlite://"):
        raise UsageError(f"{location}: write sqlite:///relative/path or sqlite:////absolute/path")
    return Path(location)


@dataclass(slots=True)
class _Snapshot:
    """The postings and records of one consistent read, held for the queries of one run."""

    reader: seglib.Reader
    names: dict[int, str]


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
        params.check(row[0], location, also=READS_FORMATS)
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
                _insert(db, seglib.Segment.build(keys, krows + first, pids, recs))
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
            crowded = seglib.crowded(rows)
            if not crowded:
                return
            self._merge(crowded)

    def _merge(self, segs: list[int]) -> None:
        marks = ",".join("?" * len(segs))
        with self._guard(), self._tx() as db:
            rows = db.execute(f"SELECT {SEGMENT_COLUMNS} FROM segments WHERE seg IN ({marks})", segs).fetchall()
            if len(rows) != len(segs):  # another writer merged them first
                return
            parts = [seglib.decode(_segment(r), self.rec_dtype) for r in rows]
            docs = [d.recs["doc"] for d in parts if len(d.recs)]
            lo, hi = (int(min(d.min() for d in docs)), int(max(d.max() for d in docs))) if docs else (0, -1)
            # Only the documents these segments can hold: a range of the primary key, not the whole table.
            live = np.array([r[0] for r in db.execute("SELECT num FROM documents WHERE num BETWEEN ? AND ? "
                                                        "ORDER BY num", (lo, hi))], dtype=np.int64)
            merged = seglib.merge(parts, live)
            db.execute(f"DELETE FROM segments WHERE seg IN ({marks})", segs)
            if merged is not None:
                _insert(db, merged)

    # Reading -------------------------------------------------------------------------------------------------

    def _snapshot(self) -> _Snapshot:
        if self._snap is not None:
            return self._snap
        with self._guard():
            self.db.execute("BEGIN")
            try:
                rows = self.db.execute(f"SELECT {SEGMENT_COLUMNS} FROM segments").fetchall()
                names = dict(self.db.execute("SELECT num, id FROM documents"))
                next_pid = int((self.db.execute("SELECT value FROM meta WHERE key='next_pid'").fetchone() or [0])[0])
            finally:
                self.db.execute("COMMIT")
            reader = seglib.Reader(self.rec_dtype)
            parts = []
            while rows:  # decoded one by one, each stored row freed as soon as it is read
                parts.append(seglib.decode(_segment(rows.pop()), self.rec_dtype))
            try:
                reader.add(parts, next_pid)
            except ValueError as exc:
                raise InputError(f"{self.location}: the index file is damaged ({exc})") from None
        live = seglib.member(reader.store.doc.astype(np.int64), np.array(sorted(names), dtype=np.int64))
        reader.paragraphs = int(live.sum())
        self._snap = _Snapshot(reader, names)
        return self._snap

    def candidates(self, prints: Prints, min_similarity: float = 0.2) -> list[list[Candidate]]:
        """Per query paragraph, the stored paragraphs that may be its source, verified and best first."""
        if len(prints) == 0:
            return []
        snap = self._snapshot()
        names = snap.names
        return snap.reader.candidates(prints, self.params, min_similarity,
                                      lambda nums: {n: names[n] for n in nums.tolist() if n in names})

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
        from provenance.index.vectors import unpack

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
        from provenance.text.inputs import RawDocument
        from provenance.index.ingest import digest

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
        live = state["live"]
        seq = self.db.execute("SELECT COALESCE(MAX(seq), 0) FROM sqlite_sequence WHERE name='documents'").fetchone()
        max_num = max([int(seq[0]), *live]) if seq else max([0, *live])
        rows = self.db.execute(f"SELECT seg, {SEGMENT_COLUMNS} FROM segments ORDER BY seg")
        seglib.check(problems, ((str(r[0]), _segment(r[1:])) for r in rows), self.rec_dtype, state["next_pid"],
                     live, max_num, self.params.bands)


SEGMENT_COLUMNS = "entries, paragraphs, keys, kpids, pids, records"


def _segment(row: Sequence[Any]) -> seglib.Segment:
    return seglib.Segment(*row)


def _insert(db: sqlite3.Connection, seg: seglib.Segment) -> None:
    db.execute(f"INSERT INTO segments({SEGMENT_COLUMNS}) VALUES(?,?,?,?,?,?)",
               (seg.entries, seg.paragraphs, seg.keys, seg.kpids, seg.pids, seg.records))


class SqliteBackend:
    name = "sqlite"
    schemes = ("sqlite",)
    description = "embedded index in one SQLite file (the default; no server)"

    def open(self, location: str, *, create: bool, params: IndexParams) -> SqliteIndex:
        return SqliteIndex(location, create=create, params=params)


@hookimpl
def register_index_backends(register) -> None:
    register(SqliteBackend())
