"""What the SQLite file holds (format 4; unchanged since format 2, so files of formats 2 and 3 are read as they are).

- `meta(key, value)`: `params` (IndexParams.to_json()), `format`, `next_pid` (the next paragraph id to give) and,
  once `index add --embed` ran, `embed` (scorer name -> embedding version, JSON).
- `documents`: one row per document, numbered by `num` (AUTOINCREMENT: numbers are never reused, so a paragraph of
  a removed or replaced document, whose number is gone, is dead); digest, paragraph count, format, metadata (JSON)
  and the text, zlib-compressed.
- `segments`: one row per write batch or merge (provenance.index.segments, shared with the Redis backend): its
  keys sorted and packed, the paragraph id under each key, and one fixed-size record per paragraph.
- `vectors`, created on the first `index add --embed`: per (document, scorer) the digest of the text the vectors
  were computed from and the scorer's blob (provenance.index.vectors).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import Any

from provenance.index.base import MAX_DOCUMENT_NUMBER, MAX_PARAGRAPH_ID, stored_int
from provenance.index.segments import Segment

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS documents(
    num INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT UNIQUE NOT NULL, digest TEXT NOT NULL,
    paragraphs INTEGER NOT NULL, format TEXT NOT NULL, meta TEXT NOT NULL, text BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS segments(
    seg INTEGER PRIMARY KEY AUTOINCREMENT, entries INTEGER NOT NULL, paragraphs INTEGER NOT NULL,
    keys BLOB NOT NULL, kpids BLOB NOT NULL, pids BLOB NOT NULL, records BLOB NOT NULL);
"""
VECTORS = (
    "CREATE TABLE IF NOT EXISTS vectors(doc TEXT NOT NULL, name TEXT NOT NULL, version TEXT NOT NULL, "
    "digest TEXT NOT NULL, data BLOB NOT NULL, PRIMARY KEY(doc, name)) WITHOUT ROWID"
)
READS_FORMATS = (2, 3)  # the same layout under older format numbers
SEGMENT_COLUMNS = "entries, paragraphs, keys, kpids, pids, records"


def create_tables(db: sqlite3.Connection) -> None:
    for stmt in SCHEMA.strip().split(";"):
        if stmt.strip():
            db.execute(stmt)


def segment_of(row: Sequence[Any]) -> Segment:
    """A segment from a row of SEGMENT_COLUMNS."""
    return Segment(*row)


def insert_segment(db: sqlite3.Connection, seg: Segment) -> None:
    db.execute(
        f"INSERT INTO segments({SEGMENT_COLUMNS}) VALUES(?,?,?,?,?,?)",
        (seg.entries, seg.paragraphs, seg.keys, seg.kpids, seg.pids, seg.records),
    )


def last_document_number(db: sqlite3.Connection) -> int:
    """The highest document number ever given (AUTOINCREMENT's counter; 0 before the first document)."""
    row = db.execute("SELECT COALESCE(MAX(seq), 0) FROM sqlite_sequence WHERE name='documents'").fetchone()
    return stored_int(row[0] if row else 0, "the last document number", MAX_DOCUMENT_NUMBER)


def stored_next_pid(db: sqlite3.Connection) -> int:
    """The next paragraph id to give (meta `next_pid`), checked; ValueError (damage) when it is not one."""
    row = db.execute("SELECT value FROM meta WHERE key='next_pid'").fetchone()
    if row is None:
        raise ValueError("meta: no next_pid")
    return stored_int(row[0], "meta: next_pid", MAX_PARAGRAPH_ID + 1)


def has_vectors(db: sqlite3.Connection) -> bool:
    return (
        db.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name='vectors'").fetchone() is not None
    )
