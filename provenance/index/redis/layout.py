"""What the Redis backend stores (format 4): all keys under one prefix, `provenance` unless the URL says
`?prefix=name`.

- `P:meta` hash: parameters, format, the number of live paragraphs, a generation number (bumped whenever the list
  of segments changes), a random token naming this index (readers drop what they loaded when an index is rebuilt
  under the same prefix) and, once `index add --embed` ran, `embed` (scorer name -> embedding version, JSON).
- `P:doc:<id>` hash: digest, format, metadata, zlib text, document number, first paragraph id and count; and per
  scorer whose vectors are stored, `vec:<name>`, `vecv:<name>` (version) and `vecd:<name>` (the digest of the text
  they were computed from). Replacing or removing the document deletes the hash, vectors included.
- `P:docs` hash: document number -> id. A paragraph whose document number is missing here is dead (its document
  was removed or replaced) and is skipped by queries.
- `P:seg:<n>` strings: segments (provenance.index.segments, the same as SQLite's rows): a write batch's postings
  sorted and packed, and its paragraph records. Never changed once written; eight of a size are merged into one.
- `P:segs` hash: segment number -> "<entries> <batches it covers>", e.g. "81234 1-4,9". `P:batches` set: every
  batch number applied (a batch script run twice does nothing the second time). `P:written:<batch>` string: the
  batch's counts (added, replaced, unchanged), what a retried call answers; it expires after a day.
- `P:next`, `P:docnum`, `P:segnum`: counters that reserve paragraph ids, document numbers and segment numbers.

Stored values are plain bytes: JSON, zlib text, little-endian integer arrays.
"""

from __future__ import annotations

from typing import Any

from provenance.errors import InputError
from provenance.index import segments as seglib
from provenance.index.base import MAX_PARAGRAPH_ID, MAX_PARAGRAPHS, stored_int
from provenance.index.redis.connection import Connection

Listing = dict[int, tuple[int, frozenset[int]]]  # segment number -> (entries, batches it covers)


def read_listing(conn: Connection) -> Listing:
    """The segments listed in `P:segs`; a listing that does not parse is damage (InputError)."""
    out = {}
    for k, v in conn.call(lambda: conn.r.hgetall(f"{conn.prefix}:segs")).items():
        try:
            entries, _, covers = v.decode().partition(" ")
            sid = stored_int(k, "segment number", MAX_PARAGRAPH_ID + 1)
            out[sid] = (stored_int(entries, "entries", MAX_PARAGRAPHS * 64), seglib.parse_covers(covers))
        except (ValueError, UnicodeDecodeError):
            raise InputError(
                f"{conn.location}: the index is damaged (segment listing {k!r}: {v!r})"
            ) from None
    return out


def as_int(value: Any, hi: int = MAX_PARAGRAPH_ID + 1) -> int | None:
    """A stored counter or number from 0 to `hi` (base.stored_int), or None when it is not one."""
    try:
        return stored_int(value, "", hi)
    except ValueError:
        return None
