"""`provenance index check` of a Redis index: every problem found under the prefix, one line each.

Checked: the meta hash; every listed document stored whole (text, metadata, number, paragraph range) and every
stored document listed; every listed segment stored and decoding, every stored one listed, no batch in two; every
paragraph of a listed document with its record and at least its band postings, postings sorted and pointing at
paragraph ids that were given; the live paragraph count; stored vectors that unpack. Redis offers no snapshot across
calls, so a writer adding at the same time is reported as such rather than mistaken for damage: check again when
it is done.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import numpy as np

from provenance.errors import InputError
from provenance.index import segments as seglib
from provenance.index.base import FORMAT_VERSION, IndexParams, few_names, looks_like_digest, stored_article
from provenance.index.ingest import digest
from provenance.index.redis import vectors as stored_vectors
from provenance.index.redis.connection import Connection
from provenance.index.redis.layout import Listing, as_int, read_listing
from provenance.index.vectors import unpack
from provenance.text.inputs import RawDocument

LOAD_CHUNK = 8  # segments per MGET: bounds one reply's size
Listed = dict[int, tuple[str, int, int]]  # document number -> (id, first paragraph id, paragraph count)


@dataclass(slots=True)
class _Check:
    conn: Connection
    params: IndexParams
    rec_dtype: np.dtype
    problems: list[str] = field(default_factory=list)
    bad: dict[str, list[str]] = field(default_factory=dict)  # what is wrong -> the documents it is wrong with


def verify(conn: Connection, params: IndexParams, rec_dtype: np.dtype) -> list[str]:
    """Every problem found under the prefix, one line each; none: the index is sound."""
    check = _Check(conn, params, rec_dtype)
    before = _counters(conn)
    meta = {
        k.decode(errors="replace"): v.decode(errors="replace")
        for k, v in conn.call(lambda: conn.r.hgetall(f"{conn.prefix}:meta")).items()
    }
    if meta.get("format") != str(FORMAT_VERSION):
        check.problems.append(f"meta: format {meta.get('format')!r} where {FORMAT_VERSION} was expected")
    next_pid, last_num = (0 if v is None else as_int(v) for v in before[:2])  # None: nothing reserved yet
    if next_pid is None or last_num is None:
        check.problems.append(f"the paragraph and document counters are not numbers ({before!r})")
        return check.problems
    listed = _documents(check, next_pid, last_num)
    live_paragraphs = sum(n for _, (_, _, n) in listed.items())
    if as_int(meta.get("paragraphs", 0)) != live_paragraphs:  # absent until the first batch
        check.problems.append(
            f"meta: {meta.get('paragraphs')!r} live paragraphs counted, {live_paragraphs} stored"
        )
    _segments(check, listed, next_pid, last_num)
    _vectors(check, sorted(doc_id for doc_id, _, _ in listed.values()))
    if _counters(conn) != before:
        check.problems.append("a writer changed the index during the check: check again when it is done")
    return check.problems


def _counters(conn: Connection) -> list[Any]:
    p = conn.prefix
    return list(conn.call(lambda: conn.r.mget(f"{p}:next", f"{p}:docnum", f"{p}:segnum")))


# Documents ---------------------------------------------------------------------------------------------------


def _documents(check: _Check, next_pid: int, last_num: int) -> Listed:
    """Listed documents that are stored whole."""
    conn = check.conn
    ids = _listed_ids(check, last_num)
    listed: Listed = {}
    fields = ("num", "first", "n", "digest", "format", "meta", "text")
    for doc_id, row in stored_vectors.fields(conn, sorted(ids), *fields):
        problem = _document_problem(doc_id, row, ids[doc_id], next_pid)
        if problem:
            check.bad.setdefault(problem, []).append(doc_id)
        else:
            listed[ids[doc_id]] = (doc_id, int(row[1]), int(row[2]))
    orphans = sorted(conn.keys_under(f"{conn.prefix}:doc:") - set(ids))
    if orphans:
        check.bad.setdefault("stored but not listed (half-written?)", []).extend(orphans)
    for what, who in check.bad.items():
        check.problems.append(f"documents: {len(who)} {what} ({few_names(who)})")
    return listed


def _listed_ids(check: _Check, last_num: int) -> dict[str, int]:
    """id -> document number of every document listed in `P:docs` under a number that was given."""
    conn = check.conn
    ids = {}
    for num_b, id_b in conn.call(lambda: conn.r.hgetall(f"{conn.prefix}:docs")).items():
        num, doc_id = as_int(num_b), id_b.decode(errors="replace")
        if num is None or not 1 <= num <= last_num:
            check.bad.setdefault("listed under a document number never given", []).append(doc_id)
        else:
            ids[doc_id] = num
    return ids


def _document_problem(doc_id: str, row: list[Any], num: int, next_pid: int) -> str | None:
    """What is wrong with a listed document's hash (num, first, n, digest, format, meta, text), or None."""
    stored_num, first, n, dig, fmt, meta, blob = row
    if stored_num is None:
        return "listed but not stored"
    first_i, n_i = as_int(first), as_int(n)
    if as_int(stored_num) != num:
        return "stored under another document number than listed"
    if first_i is None or n_i is None or first_i < 0 or n_i < 0 or first_i + n_i > next_pid:
        return "with a paragraph range never given"
    try:
        text, fmt_s, meta_d = stored_article(blob), fmt.decode(), json.loads(meta)
    except (TypeError, ValueError, AttributeError, zlib.error):
        meta_d = None
    if not isinstance(meta_d, dict):
        return "whose text or metadata does not decode"
    dig_s = dig.decode(errors="replace") if isinstance(dig, bytes) else ""
    if looks_like_digest(dig_s) and dig_s != digest(RawDocument(doc_id, text, fmt_s)):
        return "whose stored text does not match its digest"
    return None


# Segments ----------------------------------------------------------------------------------------------------


def _segments(check: _Check, listed: Listed, next_pid: int, last_num: int) -> None:
    """Listed segments stored and decoding, stored ones listed, each batch covered once, then what every segment
    store checks (provenance.index.segments.check)."""
    conn = check.conn
    try:
        listing = read_listing(conn)
    except InputError as exc:
        check.problems.append(str(exc).split(": ", 1)[-1])
        return
    _coverage(check, listing)
    strays = sorted(conn.keys_under(f"{conn.prefix}:seg:") - {str(sid) for sid in listing})
    if strays:
        check.problems.append(f"segments: {len(strays)} stored but not listed ({few_names(strays)})")
    live = {num: (doc_id, n) for num, (doc_id, _, n) in listed.items()}
    seglib.check(
        check.problems,
        _stored_segments(conn, listing),
        check.rec_dtype,
        next_pid,
        live,
        last_num,
        check.params.bands,
    )


def _coverage(check: _Check, listing: Listing) -> None:
    """Every batch a segment covers was applied, and no batch is covered by two segments."""
    conn = check.conn
    batches = {as_int(b) for b in conn.call(lambda: conn.r.smembers(f"{conn.prefix}:batches"))}
    seen: dict[int, int] = {}
    for sid, (_, covers) in sorted(listing.items()):
        unknown = sorted(covers - batches)
        if unknown:
            check.problems.append(f"segment {sid}: covers batches never applied ({unknown[:3]})")
        for b in covers:
            if b in seen:
                check.problems.append(f"segments {seen[b]} and {sid} both cover batch {b}")
            seen[b] = sid


def _stored_segments(conn: Connection, listing: Listing) -> Iterator[tuple[str, seglib.Segment | str]]:
    """Each listed segment as stored, or what is wrong with it, LOAD_CHUNK per round trip."""
    ids = sorted(listing)
    for i in range(0, len(ids), LOAD_CHUNK):
        chunk = ids[i : i + LOAD_CHUNK]
        blobs = conn.call(partial(conn.r.mget, [f"{conn.prefix}:seg:{x}" for x in chunk]))
        for sid, blob in zip(chunk, blobs):
            if blob is None:
                yield str(sid), "listed but not stored"
                continue
            try:
                yield str(sid), seglib.Segment.from_bytes(blob)
            except ValueError as exc:
                yield str(sid), f"does not decode ({exc})"


# Vectors -----------------------------------------------------------------------------------------------------


def _vectors(check: _Check, ids: list[str]) -> None:
    """Stored vectors (`index add --embed`) that do not unpack or do not match the version recorded beside."""
    for name in stored_vectors.kinds(check.conn):
        bad, stale = [], []
        rows = stored_vectors.fields(check.conn, ids, "digest", f"vecd:{name}", f"vecv:{name}", f"vec:{name}")
        for doc_id, (dig, vdig, ver, blob) in rows:
            if blob is None:
                continue
            if vdig != dig:
                stale.append(doc_id)
            elif not _unpacks(blob, ver):
                bad.append(doc_id)
        if stale:
            check.problems.append(
                f"vectors: {len(stale)} {name} vector set(s) belong to an older text ({few_names(stale)})"
            )
        if bad:
            check.problems.append(
                f"vectors: damaged {name} vectors for {len(bad)} document(s) ({few_names(bad)})"
            )


def _unpacks(blob: bytes, version: bytes | None) -> bool:
    try:
        return version is not None and unpack(bytes(blob))[0] == version.decode(errors="replace")
    except InputError:
        return False
