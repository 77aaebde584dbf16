"""`provenance index check` of an SQLite index: every problem found in the file, one line each.

SQLite checks its own pages (integrity_check). The rest is what a query relies on and SQLite cannot see: blobs that
decode to their stated sizes, postings sorted and pointing at a record of their own segment, paragraph ids unique
and below the next one to be given, exactly one record per paragraph of each stored document with at least its band
postings, texts that decompress and match their digest. Records are not checksummed: a flipped bit inside a
signature goes unnoticed (docs/reliability.md). Everything is read in one transaction, so a writer adding at the
same time is not mistaken for damage.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from provenance.errors import InputError
from provenance.index import segments as seglib
from provenance.index.base import (
    FORMAT_VERSION,
    MAX_DOCUMENT_NUMBER,
    MAX_PARAGRAPHS,
    IndexParams,
    few_names,
    looks_like_digest,
    stored_article,
    stored_int,
)
from provenance.index.ingest import digest
from provenance.index.sqlite.schema import (
    SEGMENT_COLUMNS,
    has_vectors,
    last_document_number,
    segment_of,
    stored_next_pid,
)
from provenance.index.vectors import unpack
from provenance.text.inputs import RawDocument


@dataclass(slots=True)
class _Check:
    db: sqlite3.Connection
    params: IndexParams
    rec_dtype: np.dtype
    problems: list[str] = field(default_factory=list)
    next_pid: int | None = None
    live: dict[int, tuple[str, int]] = field(default_factory=dict)  # document number -> (id, paragraphs)


def verify(db: sqlite3.Connection, params: IndexParams, rec_dtype: np.dtype) -> list[str]:
    """Every problem found in the file, one line each; none: the index is sound."""
    check = _Check(db, params, rec_dtype)
    try:
        db.execute("BEGIN")
    except sqlite3.Error as exc:
        return [f"cannot be read ({exc})"]
    stages: tuple[tuple[str, Callable[[_Check], None]], ...] = (
        ("SQLite", _pages),
        ("meta", _meta),
        ("documents", _documents),
        ("segments", _segments),
        ("vectors", _vectors),
    )
    try:
        for what, stage in stages:
            try:
                stage(check)
            except (sqlite3.Error, ValueError, TypeError, zlib.error) as exc:
                check.problems.append(f"{what}: cannot be read ({exc})")
    finally:
        with contextlib.suppress(sqlite3.Error):
            db.execute("COMMIT")
    return check.problems


def _pages(check: _Check) -> None:
    rows = [r[0] for r in check.db.execute("PRAGMA integrity_check(10)")]
    if rows != ["ok"]:
        check.problems.extend(f"SQLite: {r}" for r in rows)


def _meta(check: _Check) -> None:
    meta = dict(check.db.execute("SELECT key, value FROM meta"))
    if meta.get("params") != check.params.to_json():
        check.problems.append(
            "meta: the stored parameters are missing or differ from the ones it opened with"
        )
    if meta.get("format") != str(FORMAT_VERSION):
        check.problems.append(f"meta: format {meta.get('format')!r} where {FORMAT_VERSION} was expected")
    try:
        check.next_pid = stored_next_pid(check.db)
    except ValueError as exc:
        check.problems.append(str(exc))


def _documents(check: _Check) -> None:
    texts, metas, digests, counts, names = [], [], [], [], []
    for num, doc_id, dig, paragraphs, fmt, meta, blob in check.db.execute(
        "SELECT num, id, digest, paragraphs, format, meta, text FROM documents"
    ):
        if not all(isinstance(v, str) for v in (doc_id, dig, fmt)):
            names.append(str(doc_id))
            continue
        try:
            check.live[num] = (doc_id, stored_int(paragraphs, "paragraphs", MAX_PARAGRAPHS))
        except ValueError:
            counts.append(doc_id)
            check.live[num] = (doc_id, 0)
        try:
            if not isinstance(json.loads(meta), dict):
                metas.append(doc_id)
        except (TypeError, ValueError):
            metas.append(doc_id)
        try:
            text = stored_article(blob)
        except ValueError:  # does not inflate, too large, not UTF-8
            texts.append(doc_id)
            continue
        # `index add` digests format and text; other writers may keep a digest of their own.
        if looks_like_digest(dig) and dig != digest(RawDocument(doc_id, text, fmt)):
            digests.append(doc_id)
    for bad, what in (
        (texts, "stored texts do not decompress"),
        (metas, "metadata is not a JSON object"),
        (digests, "stored texts do not match their digest"),
        (counts, "paragraph counts are not counts"),
        (names, "id, digest or format is not text"),
    ):
        if bad:
            check.problems.append(f"documents: {len(bad)} whose {what} ({few_names(bad)})")


def _segments(check: _Check) -> None:
    max_num = max([last_document_number(check.db), *check.live])
    if max_num > MAX_DOCUMENT_NUMBER:
        check.problems.append(f"documents: number {max_num} is past the largest one ({MAX_DOCUMENT_NUMBER})")
        return
    rows = check.db.execute(f"SELECT seg, {SEGMENT_COLUMNS} FROM segments ORDER BY seg")
    seglib.check(
        check.problems,
        ((str(r[0]), segment_of(r[1:])) for r in rows),
        check.rec_dtype,
        check.next_pid,
        check.live,
        max_num,
        check.params.bands,
    )


def _vectors(check: _Check) -> None:
    if not has_vectors(check.db):
        return
    stale = check.db.execute(
        "SELECT COUNT(*) FROM vectors v WHERE NOT EXISTS (SELECT 1 FROM documents d "
        "WHERE d.id = v.doc AND d.digest = v.digest)"
    ).fetchone()[0]
    if stale:
        check.problems.append(f"vectors: {stale} stored vector set(s) belong to no current document text")
    bad: dict[str, list[str]] = {}
    for doc, name, version, data in check.db.execute("SELECT doc, name, version, data FROM vectors"):
        try:
            ok = unpack(bytes(data))[0] == version
        except InputError:
            ok = False
        if not ok:
            bad.setdefault(name, []).append(doc)
    for name, docs in sorted(bad.items()):
        check.problems.append(
            f"vectors: damaged {name} vectors for {len(docs)} document(s) ({few_names(docs)})"
        )
