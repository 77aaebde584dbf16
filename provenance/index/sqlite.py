"""The embedded index: one SQLite file in WAL mode, so readers can audit while a writer adds.

Every document is written in its own transaction: interrupting `index add` (Ctrl-C, kill -9) leaves every document
committed before the interruption, and nothing half-written. Texts are stored zlib-compressed, so an audit can run
the full comparison against a candidate without the corpus ever being held in memory.
"""

from __future__ import annotations

import json
import os
import sqlite3
import zlib
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import InputError, UsageError
from ..fingerprint import jaccard
from ..hookspecs import hookimpl
from .base import FORMAT_VERSION, Candidate, IndexParams, StoredDocument, band_keys

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS documents(
    rowid INTEGER PRIMARY KEY, id TEXT UNIQUE NOT NULL, digest TEXT NOT NULL, format TEXT NOT NULL,
    meta TEXT NOT NULL, text BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS paragraphs(
    pid INTEGER PRIMARY KEY, doc INTEGER NOT NULL, idx INTEGER NOT NULL, sig BLOB NOT NULL);
CREATE INDEX IF NOT EXISTS paragraphs_doc ON paragraphs(doc);
CREATE TABLE IF NOT EXISTS bands(key INTEGER NOT NULL, pid INTEGER NOT NULL, PRIMARY KEY(key, pid)) WITHOUT ROWID;
"""


def path_of(location: str) -> Path:
    if location.startswith("sqlite:///"):
        return Path(location[len("sqlite:///"):])
    if location.startswith("sqlite://"):
        raise UsageError(f"{location}: write sqlite:///relative/path or sqlite:////absolute/path")
    return Path(location)


class SqliteIndex:
    def __init__(self, location: str, *, create: bool, params: IndexParams) -> None:
        self.location = location
        self.path = path_of(location)
        exists = self.path.exists()
        if not exists and not create:
            raise InputError(f"{location}: no such index (create one with `provenance index add`)")
        if exists and self.path.is_dir():
            raise InputError(f"{location}: is a directory, not an index file")
        if not exists and not self.path.parent.is_dir():
            raise UsageError(f"{location}: directory {self.path.parent} does not exist")
        try:
            self.db = sqlite3.connect(self.path, timeout=60, isolation_level=None)
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=NORMAL")
            self.db.executescript(SCHEMA)
            row = self.db.execute("SELECT value FROM meta WHERE key='params'").fetchone()
        except sqlite3.DatabaseError as exc:
            raise InputError(f"{location}: not a text-provenance index ({exc})") from None
        if row is None:
            if not create:
                raise InputError(f"{location}: not a text-provenance index (no parameters stored)")
            with self._tx():
                self.db.execute("INSERT OR IGNORE INTO meta VALUES('params', ?)", (params.to_json(),))
                self.db.execute("INSERT OR IGNORE INTO meta VALUES('format', ?)", (str(FORMAT_VERSION),))
            row = self.db.execute("SELECT value FROM meta WHERE key='params'").fetchone()
        params.check(row[0], location)
        self.params = params

    # Writing -------------------------------------------------------------------------------------------------

    class _Tx:
        def __init__(self, db: sqlite3.Connection) -> None:
            self.db = db

        def __enter__(self) -> sqlite3.Connection:
            self.db.execute("BEGIN IMMEDIATE")
            return self.db

        def __exit__(self, exc_type, exc, tb) -> None:
            self.db.execute("ROLLBACK" if exc_type else "COMMIT")

    def _tx(self) -> SqliteIndex._Tx:
        return SqliteIndex._Tx(self.db)

    def digest_of(self, doc_id: str) -> str | None:
        row = self.db.execute("SELECT digest FROM documents WHERE id=?", (doc_id,)).fetchone()
        return row[0] if row else None

    def _delete(self, db: sqlite3.Connection, rowid: int) -> None:
        rows = db.execute("SELECT pid, sig FROM paragraphs WHERE doc=?", (rowid,)).fetchall()
        if rows:
            sigs = np.frombuffer(b"".join(r[1] for r in rows), dtype=np.uint32).reshape(len(rows), -1)
            keys = band_keys(sigs, self.params.bands, self.params.rows)
            db.executemany("DELETE FROM bands WHERE key=? AND pid=?",
                           [(int(k), pid) for (pid, _), ks in zip(rows, keys) for k in ks])
        db.execute("DELETE FROM paragraphs WHERE doc=?", (rowid,))
        db.execute("DELETE FROM documents WHERE rowid=?", (rowid,))

    def put(self, doc: StoredDocument, paragraphs: Sequence[int], signatures: np.ndarray) -> None:
        """Store one document (replacing an older version of it) in a single transaction."""
        keys = band_keys(signatures, self.params.bands, self.params.rows) if len(paragraphs) else None
        blob = zlib.compress(doc.text.encode("utf-8"), 6)
        with self._tx() as db:
            old = db.execute("SELECT rowid FROM documents WHERE id=?", (doc.id,)).fetchone()
            if old:
                self._delete(db, old[0])
            cur = db.execute("INSERT INTO documents(id, digest, format, meta, text) VALUES(?,?,?,?,?)",
                             (doc.id, doc.digest, doc.format, json.dumps(doc.meta, sort_keys=True), blob))
            rowid = cur.lastrowid
            first = (db.execute("SELECT COALESCE(MAX(pid), 0) FROM paragraphs").fetchone()[0]) + 1
            pids = list(range(first, first + len(paragraphs)))
            db.executemany("INSERT INTO paragraphs(pid, doc, idx, sig) VALUES(?,?,?,?)",
                           [(pid, rowid, idx, signatures[i].astype(np.uint32).tobytes())
                            for i, (pid, idx) in enumerate(zip(pids, paragraphs))])
            if keys is not None:
                db.executemany("INSERT OR IGNORE INTO bands(key, pid) VALUES(?,?)",
                               [(int(k), pid) for pid, ks in zip(pids, keys) for k in ks])

    def remove(self, ids: Iterable[str]) -> int:
        removed = 0
        for doc_id in ids:
            with self._tx() as db:
                row = db.execute("SELECT rowid FROM documents WHERE id=?", (doc_id,)).fetchone()
                if row:
                    self._delete(db, row[0])
                    removed += 1
        return removed

    # Reading -------------------------------------------------------------------------------------------------

    def candidates(self, signatures: np.ndarray, min_similarity: float = 0.1) -> list[list[Candidate]]:
        """Per query signature, the stored paragraphs sharing a band, scored by estimated Jaccard, best first."""
        if len(signatures) == 0:
            return []
        keys = band_keys(signatures, self.params.bands, self.params.rows)
        out: list[list[Candidate]] = []
        docs: dict[int, str] = {}
        marks = ",".join("?" * self.params.bands)
        for sig, ks in zip(signatures, keys):
            if np.all(sig == np.uint32(0xFFFFFFFF)):
                out.append([])
                continue
            hits = Counter(pid for (pid,) in self.db.execute(
                f"SELECT pid FROM bands WHERE key IN ({marks})", [int(k) for k in ks]))
            found: list[Candidate] = []
            pids = list(hits)
            for start in range(0, len(pids), 900):
                chunk = pids[start : start + 900]
                rows = self.db.execute(
                    f"SELECT doc, idx, sig FROM paragraphs WHERE pid IN ({','.join('?' * len(chunk))})", chunk)
                for doc, idx, blob in rows:
                    sim = jaccard(sig, np.frombuffer(blob, dtype=np.uint32))
                    if sim >= min_similarity:
                        if doc not in docs:
                            docs[doc] = self.db.execute("SELECT id FROM documents WHERE rowid=?", (doc,)).fetchone()[0]
                        found.append(Candidate(docs[doc], idx, sim))
            found.sort(key=lambda c: (-c.similarity, c.doc, c.paragraph))
            out.append(found)
        return out

    def document(self, doc_id: str) -> StoredDocument | None:
        row = self.db.execute("SELECT id, digest, format, meta, text FROM documents WHERE id=?", (doc_id,)).fetchone()
        if row is None:
            return None
        return StoredDocument(row[0], row[1], row[2], zlib.decompress(row[4]).decode("utf-8"), json.loads(row[3]))

    def info(self) -> dict[str, Any]:
        docs = self.db.execute("SELECT COUNT(*) FROM documents").fetchone()[0]
        paras = self.db.execute("SELECT COUNT(*) FROM paragraphs").fetchone()[0]
        size = sum(os.path.getsize(p) for p in (self.path, Path(f"{self.path}-wal")) if os.path.exists(p))
        return {"location": self.location, "backend": "sqlite", "documents": docs, "paragraphs": paras,
                "bytes": size, "bytes_per_paragraph": round(size / paras, 1) if paras else None,
                "parameters": self.params.to_dict()}

    def close(self) -> None:
        self.db.close()


class SqliteBackend:
    name = "sqlite"
    schemes = ("sqlite",)
    description = "embedded index in one SQLite file (the default; no server)"

    def open(self, location: str, *, create: bool, params: IndexParams) -> SqliteIndex:
        return SqliteIndex(location, create=create, params=params)


@hookimpl
def register_index_backends(register) -> None:
    register(SqliteBackend())
