"""The shared index on a real Redis server: several machines fill and query it at once.

What is stored where: `layout.py`. Why not datasketch's Redis storage: it keeps one Redis set per band value and
pickled keys, about 8 KB and dozens of commands per paragraph. Why not postings in buckets read by scripts (this
backend's formats 2 and 3): every batch rewrote tens of thousands of bucket strings, and every query ran binary
searches in Lua, where each string access costs microseconds; both rates stayed a few times datasketch's. Here a
batch is one script call (`scripts.py`) that writes one string, whatever the number of keys, and a reader loads
each segment once, keeps it in memory (a segment never changes) and answers queries with the same vectorised
searches as SQLite's reader. Each query asks the server one small question first (has the list of segments
changed?), so documents added by other machines are seen at the next query; a reader then loads only the new
segments, and skips a merged one whose batches it holds already. The price: a reader holds the postings and records
in memory (about 230 bytes a paragraph), and its first query on a large index loads them (seconds at a million
paragraphs).

Atomicity: a batch, a merge and a removal are each one script, which Redis runs atomically. Outages and retries:
`connection.py`; stored sentence vectors: `vectors.py`; `index check`: `check.py`.
"""

from __future__ import annotations

import json
import os
import zlib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from functools import partial
from typing import Any

import numpy as np

from provenance.errors import InputError
from provenance.index import retrieve
from provenance.index import segments as seglib
from provenance.index.base import (
    FORMAT_VERSION,
    MAX_DOCUMENT_NUMBER,
    MAX_PARAGRAPH_ID,
    MAX_PARAGRAPHS,
    Candidate,
    IndexParams,
    Prints,
    StoredDocument,
    Written,
    last_versions,
    next_ids,
    stored_article,
    stored_int,
)
from provenance.index.redis import scripts
from provenance.index.redis import vectors as stored_vectors
from provenance.index.redis.connection import Connection
from provenance.index.redis.layout import Listing, read_listing

LOAD_CHUNK = 8  # segments per MGET when a reader loads them: bounds one reply's size
WRITTEN_KEPT = 86400  # seconds a batch's counts are kept for a retried call (retries take seconds)
LOAD_ATTEMPTS = (
    3  # listings read in a row when merges keep removing segments between the listing and the read
)
State = tuple[
    bytes, bytes, bytes
]  # what a reader's answer depends on: live paragraphs, token, listing generation


class RedisIndex:
    def __init__(self, location: str, *, create: bool, params: IndexParams) -> None:
        self.location = location
        self.conn = Connection(location)
        self.r, self.prefix, self.address = self.conn.r, self.conn.prefix, self.conn.address
        self.rec_dtype = retrieve.record_dtype(params.fingerprint.num_perm)
        stored = self.conn.call(lambda: self.r.hget(f"{self.prefix}:meta", "params"))
        if stored is None:
            if not create:
                raise InputError(
                    f"{location}: no index under prefix {self.prefix!r} "
                    "(create one with `provenance index add`)"
                )
            stored = self.conn.call(lambda: self._create(params))
        try:
            params.check(stored.decode(), location)
        except UnicodeDecodeError:
            raise InputError(f"{location}: the index parameters are unreadable (corrupted index?)") from None
        self.params = params
        self._put = self.conn.script(scripts.PUT)
        self._merge = self.conn.script(scripts.MERGE)
        self._remove = self.conn.script(scripts.REMOVE)
        self._put_vectors = self.conn.script(scripts.PUT_VECTORS)
        self._names_script = self.conn.script(scripts.NAMES)
        # What this client has loaded: the segments' contents, the batches they cover, and the listing's version.
        self._reader: seglib.Reader | None = None
        self._held: set[int] = set()
        self._token = self._gen = b""

    def _create(self, params: IndexParams) -> Any:
        """The meta hash of a new index (each field set only if absent: two clients may create it at once)."""
        meta = f"{self.prefix}:meta"
        self.r.hsetnx(meta, "params", params.to_json())
        self.r.hsetnx(meta, "format", str(FORMAT_VERSION))
        # Names this index (not another one created later under the same prefix) for loaded segments.
        self.r.hsetnx(meta, "token", os.urandom(8).hex())
        return self.r.hget(meta, "params")

    # Documents -----------------------------------------------------------------------------------------------

    def digest_of(self, doc_id: str) -> str | None:
        d = self.conn.call(lambda: self.r.hget(f"{self.prefix}:doc:{doc_id}", "digest"))
        return d.decode(errors="replace") if d is not None else None

    def put_many(self, items: Sequence[tuple[StoredDocument, Prints]]) -> Written:
        """Store a batch of documents (replacing older versions) as one segment, in one atomic script call; then
        merge segments while a size class is crowded. The script decides which documents are new, changed or
        unchanged (those it does not write again), so concurrent writers count each document added once."""
        items = last_versions(items)  # an id's last version in a batch wins, as it would written one by one
        if not items:
            return Written()
        counts = np.array([len(p) for _, p in items], dtype=np.int64)
        total = int(counts.sum())
        p, call = self.prefix, self.conn.call
        # A reservation retried after a lost reply only leaves an unused range.
        with self._damage("the paragraph counter"):  # refused before reserving: the counter stays in range
            given = call(lambda: self.r.get(f"{p}:next"))
            start = 0 if given is None else stored_int(given, f"{p}:next", MAX_PARAGRAPH_ID + 1)
        next_ids(start, total, self.location)
        reserved = call(lambda: self.r.incrby(f"{p}:next", max(total, 1)))
        with self._damage("the paragraph counter"):
            first = stored_int(reserved, f"{p}:next", MAX_PARAGRAPH_ID + 1 + max(total, 1)) - max(total, 1)
        next_ids(first, total, self.location)
        numbered = call(lambda: self.r.incrby(f"{p}:docnum", len(items)))
        with self._damage("the document counter"):
            num0 = stored_int(numbered, f"{p}:docnum", MAX_DOCUMENT_NUMBER) - len(items) + 1
        seg = int(call(lambda: self.r.incr(f"{p}:segnum")))
        nums = np.arange(num0, num0 + len(items), dtype=np.uint32)
        batch = Prints.concat([p for _, p in items], self.params.fingerprint.num_perm)
        blob, listing = b"", ""
        if total:
            keys, krows = batch.keys(self.params)
            recs = retrieve.records(np.repeat(nums, counts), batch)
            built = seglib.Segment.build(
                keys, krows + first, np.arange(first, first + total, dtype="<u4"), recs
            )
            blob, listing = built.to_bytes(), f"{built.entries} {seg}"
        args: list[Any] = [p, len(items), seg, blob, listing, first, WRITTEN_KEPT]
        for (doc, prints), num in zip(items, nums):
            args += [
                doc.id,
                doc.digest,
                doc.format,
                json.dumps(doc.meta, sort_keys=True),
                doc.compressed(),
                int(num),
                len(prints),
            ]
        # Safe to run twice: the script notices it already ran, and answers what the first run wrote.
        reply = call(lambda: self._put(args=args))
        with self._damage("a batch's counts"):
            added, replaced, unchanged = (stored_int(v, "a count", len(items)) for v in reply)
        self._compact()
        return Written(added, replaced, unchanged)

    def remove(self, ids: Iterable[str]) -> int:
        ids = list(dict.fromkeys(ids))
        if not ids:
            return 0
        return int(self.conn.call(lambda: self._remove(args=[self.prefix, *ids])) or 0)

    def document(self, doc_id: str) -> StoredDocument | None:
        row = self.conn.call(
            lambda: self.r.hmget(f"{self.prefix}:doc:{doc_id}", "digest", "format", "meta", "text")
        )
        if row[0] is None:
            return None
        try:
            text = stored_article(row[3])
            return StoredDocument(doc_id, row[0].decode(), row[1].decode(), text, json.loads(row[2]))
        except (zlib.error, ValueError, TypeError, AttributeError) as exc:
            raise InputError(f"{self.location}: the stored text of {doc_id!r} is damaged ({exc})") from None

    def ids(self) -> list[str]:
        """Every stored document id, sorted (`provenance index list`)."""
        return sorted(
            v.decode(errors="replace") for v in self.conn.call(lambda: self.r.hvals(f"{self.prefix}:docs"))
        )

    # Segments ------------------------------------------------------------------------------------------------

    def _listing(self) -> Listing:
        return read_listing(self.conn)

    def _compact(self) -> None:
        """Merge FANOUT segments of one size class into one (dropping dead paragraphs) until none is crowded. A
        merge that another writer beat to it changes nothing: the script checks its inputs are still listed."""
        for _ in range(64):  # each merge removes three segments: a bound, never reached in practice
            listing = self._listing()
            crowded = seglib.crowded([(sid, entries) for sid, (entries, _) in sorted(listing.items())])
            if not crowded:
                return
            self._merge_segments(crowded, listing)

    def _merge_segments(self, crowded: list[int], listing: Listing) -> None:
        p, call = self.prefix, self.conn.call
        blobs = call(lambda: self.r.mget([f"{p}:seg:{sid}" for sid in crowded]))
        if any(b is None for b in blobs):
            return  # merged by another writer meanwhile: list again
        with self._damage("a segment"):
            parts = [seglib.decode(seglib.Segment.from_bytes(b), self.rec_dtype) for b in blobs]
        merged = seglib.merge(parts, self._live(np.unique(np.concatenate([d.recs["doc"] for d in parts]))))
        new = int(call(lambda: self.r.incr(f"{p}:segnum")))
        covers = seglib.covers_text(set().union(*(listing[sid][1] for sid in crowded)))
        blob = merged.to_bytes() if merged is not None else b""
        value = f"{merged.entries if merged is not None else 0} {covers}"
        args = [p, new, blob, value, *crowded]
        call(lambda: self._merge(args=args))

    def _live(self, nums: np.ndarray) -> np.ndarray:
        """Which of these document numbers are live, sorted: only the documents a merge's segments can hold are
        asked about, not the whole list."""
        wanted = [n for n in nums.tolist() if n]
        live = []
        for i in range(0, len(wanted), 10000):
            chunk = wanted[i : i + 10000]
            names = self.conn.call(partial(self.r.hmget, f"{self.prefix}:docs", chunk))
            live += [n for n, name in zip(chunk, names) if name is not None]
        return np.array(sorted(live), dtype=np.int64)

    @contextmanager
    def _damage(self, what: str) -> Iterator[None]:
        try:
            yield
        except (ValueError, TypeError, zlib.error) as exc:
            raise InputError(f"{self.location}: the index is damaged ({what} does not read: {exc})") from None

    # Retrieval -----------------------------------------------------------------------------------------------

    takes_floor = True  # `candidates` takes `floor` (provenance/index/auditing.py `evidence`)

    def candidates(
        self, prints: Prints, min_similarity: float = 0.2, *, floor: float = 0.0
    ) -> list[list[Candidate]]:
        """From the segments loaded in memory, with one round trip: the names of the candidates' documents come
        back with the state of the index (segment listing, live paragraphs). If that state is not the one the
        answer was computed with (another client wrote meanwhile), the reader catches up and answers again.
        `floor`: provenance/index/retrieve.py `verified`."""
        if len(prints) == 0:
            return []
        if self._reader is None:
            self._refresh()
        for _ in range(LOAD_ATTEMPTS):
            reader = self._reader
            assert reader is not None
            seen: list[State] = []

            def names(nums: np.ndarray, seen: list[State] = seen) -> dict[int, str]:
                found, state = self._names(nums)
                seen.append(state)
                return found

            result = reader.candidates(prints, self.params, min_similarity, names, floor)
            state = seen[-1] if seen else self._names(np.zeros(0, np.int64))[1]
            if state == (str(reader.paragraphs).encode(), self._token, self._gen):
                return result
            self._refresh(state)
        return result

    def _refresh(self, state: State | None = None) -> seglib.Reader:
        """The loaded segments, brought up to date when the listing changed (another writer added or merged)."""
        if state is None:
            state = self._names(np.zeros(0, np.int64))[1]
        paragraphs, token, gen = state
        if self._reader is None or token != self._token or gen != self._gen:
            for _ in range(LOAD_ATTEMPTS):
                if self._load(token):
                    break
            else:
                raise InputError(
                    f"{self.location}: segments were merged away under {LOAD_ATTEMPTS} reads in a "
                    "row; run the command again"
                )
            self._gen = gen
        assert self._reader is not None
        with self._damage("the live paragraph count"):
            self._reader.paragraphs = stored_int(paragraphs or b"0", "meta paragraphs", MAX_PARAGRAPHS)
        return self._reader

    def _load(self, token: bytes) -> bool:
        """Load the listed segments this client lacks; False if one vanished (merged) before it was read."""
        p = self.prefix
        listing = self._listing()
        stored = self.conn.call(lambda: self.r.get(f"{p}:next"))
        with self._damage("the paragraph counter"):
            limit = 0 if stored is None else stored_int(stored, f"{p}:next", MAX_PARAGRAPH_ID + 1)
        held = self._held if self._reader is not None and token == self._token else set()
        # A merge of batches of which the reader holds some: it reads the merged segment and keeps only the
        # paragraphs it lacks (Reader.add); of batches it holds all of: nothing to read.
        new = [sid for sid, (_, covers) in sorted(listing.items()) if not covers <= held]
        reader = self._reader if held else seglib.Reader(self.rec_dtype)
        parts = []
        for i in range(0, len(new), LOAD_CHUNK):
            chunk = new[i : i + LOAD_CHUNK]
            blobs = self.conn.call(partial(self.r.mget, [f"{p}:seg:{sid}" for sid in chunk]))
            if any(b is None for b in blobs):
                return False
            with self._damage("a segment"):
                parts += [seglib.decode(seglib.Segment.from_bytes(b), self.rec_dtype) for b in blobs]
            del blobs
        assert reader is not None
        try:
            reader.add(parts, limit)
        except ValueError as exc:
            raise InputError(f"{self.location}: the index is damaged ({exc})") from None
        self._reader, self._token = reader, token
        self._held = held | set().union(*(listing[sid][1] for sid in new))
        return True

    def _names(self, nums: np.ndarray) -> tuple[dict[int, str], State]:
        """Names of document numbers, and the index's state (live paragraphs, token, listing generation)."""
        wanted = [n for n in np.asarray(nums).tolist() if n]
        reply = self.conn.call(lambda: self._names_script(args=[self.prefix, *wanted]))
        state = (bytes(reply[0]), bytes(reply[1]), bytes(reply[2]))
        found = {n: v.decode(errors="replace") for n, v in zip(wanted, reply[3:]) if v is not None}
        return found, state

    # Upkeep --------------------------------------------------------------------------------------------------

    def info(self) -> dict[str, Any]:
        docs = self.conn.call(lambda: self.r.hlen(f"{self.prefix}:docs"))
        stored = self.conn.call(lambda: self.r.hget(f"{self.prefix}:meta", "paragraphs"))
        with self._damage("the live paragraph count"):
            paras = stored_int(stored or b"0", "meta paragraphs", MAX_PARAGRAPHS)
        used = self.conn.call(lambda: self.r.info("memory")).get("used_memory")
        listing = self._listing()
        # The whole server's memory: other data on the same server counts too (bench/ measures the index alone).
        return {
            "location": self.location,
            "backend": "redis",
            "prefix": self.prefix,
            "documents": docs,
            "paragraphs": paras,
            "segments": len(listing),
            "postings": sum(e for e, _ in listing.values()),
            "server_used_memory": used,
            "parameters": self.params.to_dict(),
        }

    def verify(self) -> list[str]:
        """Every problem found under the prefix, one line each; none: the index is sound (`provenance index check`)."""
        from provenance.index.redis.check import verify  # loaded by `index check` only

        return verify(self.conn, self.params, self.rec_dtype)

    def close(self) -> None:
        self.conn.close()

    # Stored sentence vectors ---------------------------------------------------------------------------------

    def embeddings(self) -> dict[str, str]:
        return stored_vectors.kinds(self.conn)

    def set_embeddings(self, kinds: Mapping[str, str]) -> None:
        stored_vectors.set_kinds(self.conn, kinds)

    def put_vectors(self, name: str, version: str, items: Sequence[tuple[str, str, bytes]]) -> None:
        stored_vectors.put(self.conn, self._put_vectors, name, version, items)

    def have_vectors(self, name: str, version: str, ids: Sequence[str]) -> set[str]:
        return stored_vectors.having(self.conn, name, version, ids)

    def vectors(self, name: str, version: str, ids: Sequence[str]) -> dict[str, bytes]:
        return stored_vectors.get(self.conn, name, version, ids)

    def vector_counts(self) -> dict[str, int]:
        names = list(self.embeddings())
        return stored_vectors.counts(self.conn, names, self.ids()) if names else {}
