"""The shared index on a real Redis server: several machines fill and query it at once.

Layout (format 4; all keys under one prefix, `provenance` unless the URL says `?prefix=name`):

- `P:meta` hash: parameters, format, the number of live paragraphs, a generation number (bumped whenever the list
  of segments changes) and a random token naming this index (readers drop what they loaded when an index is
  rebuilt under the same prefix).
- `P:doc:<id>` hash: digest, format, metadata, zlib text, document number, first paragraph id and count.
- `P:docs` hash: document number -> id. A paragraph whose document number is missing here is dead (its document
  was removed or replaced) and is skipped by queries.
- `P:seg:<n>` strings: segments (provenance.index.segments, the same as SQLite's rows): a write batch's postings
  sorted and packed, and its paragraph records. Never changed once written; eight of a size are merged into one.
- `P:segs` hash: segment number -> "<entries> <batches it covers>", e.g. "81234 1-4,9". `P:batches` set: every
  batch number applied (a batch script run twice does nothing the second time).
- `P:next`, `P:docnum`, `P:segnum`: counters that reserve paragraph ids, document numbers and segment numbers.

Why not datasketch's Redis storage: it keeps one Redis set per band value and pickled keys, about 8 KB and dozens
of commands per paragraph. Why not postings in buckets read by scripts (this backend's formats 2 and 3): every
batch rewrote tens of thousands of bucket strings, and every query ran binary searches in Lua, where each string
access costs microseconds; both rates stayed a few times datasketch's. Here a batch is one script call that writes
one string, whatever the number of keys, and a reader loads each segment once, keeps it in memory (a segment never
changes) and answers queries with the same vectorised searches as SQLite's reader. Each query asks the server
one small question first (has the list of segments changed?), so documents added by other machines are seen at
the next query; a reader then loads only the new segments, and skips a merged one whose batches it holds already.
The price: a reader holds the postings and records in memory (about 230 bytes a paragraph), and its first query
on a large index loads them (seconds at a million paragraphs).

Atomicity: a batch, a merge and a removal are each one script, which Redis runs atomically, so an interrupted
`add` leaves whole batches only and readers never see half a document. Ids and numbers are reserved before the
script runs; a client killed in between only leaves an unused range. The scripts touch keys they compute from the
prefix, which a standalone server allows (Redis Cluster would not: use one server or a replica set).

Outages: every call is retried a few times with exponential backoff (redis-py's Retry), then fails in one line
naming the server, the attempts and the time spent. A batch script whose reply was lost may run twice (the first
call reached the server, the retry too): its batch number is already in `P:batches`, so the second run does
nothing. Stored values are plain bytes: JSON, zlib text, little-endian integer arrays.
"""

from __future__ import annotations

import json
import os
import time
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar
from urllib.parse import parse_qs, urlparse

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

TIMEOUT = 10.0  # seconds a call may take (`?timeout=`): a 20,000-paragraph batch script takes half a second
ATTEMPTS = 4  # then the command fails; between attempts 0.5, 1 and 2 s of backoff
BACKOFF_BASE, BACKOFF_CAP = 0.25, 2.0
T = TypeVar("T")

_PUT_VECTORS = """
local p, name, version = ARGV[1], ARGV[2], ARGV[3]
for i = 4, #ARGV, 3 do
  local key = p .. ':doc:' .. ARGV[i]
  if redis.call('HGET', key, 'digest') == ARGV[i + 1] then
    redis.call('HSET', key, 'vec:' .. name, ARGV[i + 2], 'vecv:' .. name, version, 'vecd:' .. name, ARGV[i + 1])
  end
end
return 0
"""

# ARGV: prefix, ndocs, batch (segment) number, segment blob ('' when the batch has no paragraphs), listing value,
#       first paragraph id, then per document: id, digest, format, meta, text, num, paragraphs
_PUT = """
local p = ARGV[1]
local ndocs = tonumber(ARGV[2])
local seg, blob, listing, first = ARGV[3], ARGV[4], ARGV[5], tonumber(ARGV[6])
-- A retried call whose first run reached the server: its batch number is already recorded.
if redis.call('SADD', p .. ':batches', seg) == 0 then return 0 end
local dead = 0
for d = 0, ndocs - 1 do
  local base = 7 + d * 7
  local old = redis.call('HMGET', p .. ':doc:' .. ARGV[base], 'num', 'n')
  if old[1] then
    redis.call('HDEL', p .. ':docs', old[1])
    dead = dead + tonumber(old[2])
  end
end
if #blob > 0 then
  redis.call('SET', p .. ':seg:' .. seg, blob)
  redis.call('HSET', p .. ':segs', seg, listing)
  redis.call('HINCRBY', p .. ':meta', 'gen', 1)
end
local cursor, added = first, 0
for d = 0, ndocs - 1 do
  local base = 7 + d * 7
  local n = tonumber(ARGV[base + 6])
  redis.call('DEL', p .. ':doc:' .. ARGV[base])
  redis.call('HSET', p .. ':doc:' .. ARGV[base], 'digest', ARGV[base + 1], 'format', ARGV[base + 2],
             'meta', ARGV[base + 3], 'text', ARGV[base + 4], 'num', ARGV[base + 5], 'first', cursor, 'n', n)
  redis.call('HSET', p .. ':docs', ARGV[base + 5], ARGV[base])
  cursor = cursor + n
  added = added + n
end
redis.call('HINCRBY', p .. ':meta', 'paragraphs', added - dead)
return added
"""

# ARGV: prefix, new segment number, its blob ('' when every paragraph was dead), its listing value, then the
# segments it replaces. Does nothing (returns 0) when another writer merged any of them first.
_MERGE = """
local p = ARGV[1]
for i = 5, #ARGV do
  if redis.call('HEXISTS', p .. ':segs', ARGV[i]) == 0 then return 0 end
end
for i = 5, #ARGV do
  redis.call('DEL', p .. ':seg:' .. ARGV[i])
  redis.call('HDEL', p .. ':segs', ARGV[i])
end
if #ARGV[3] > 0 then
  redis.call('SET', p .. ':seg:' .. ARGV[2], ARGV[3])
  redis.call('HSET', p .. ':segs', ARGV[2], ARGV[4])
end
redis.call('HINCRBY', p .. ':meta', 'gen', 1)
return 1
"""

_REMOVE = """
local p = ARGV[1]
local removed = 0
for i = 2, #ARGV do
  local dockey = p .. ':doc:' .. ARGV[i]
  local old = redis.call('HMGET', dockey, 'num', 'n')
  if old[1] then
    redis.call('HDEL', p .. ':docs', old[1])
    redis.call('DEL', dockey)
    redis.call('HINCRBY', p .. ':meta', 'paragraphs', -tonumber(old[2]))
    removed = removed + 1
  end
end
return removed
"""

# ARGV: prefix, document numbers. Returns the state a reader's answer depends on (live paragraphs, token,
# generation of the segment listing) and the names of those numbers (nil where removed): one round trip a query.
_NAMES = """
local p = ARGV[1]
local meta = redis.call('HMGET', p .. ':meta', 'paragraphs', 'token', 'gen')
local out = {meta[1] or '0', meta[2] or '', meta[3] or '0'}
for i = 2, #ARGV, 1000 do
  local names = redis.call('HMGET', p .. ':docs', unpack(ARGV, i, math.min(i + 999, #ARGV)))
  for j = 1, #names do out[#out + 1] = names[j] end
end
return out
"""

LOAD_CHUNK = 8  # segments per MGET when a reader loads them: bounds one reply's size
LOAD_ATTEMPTS = 3  # listings read in a row when merges keep removing segments between the listing and the read


URL_OPTIONS = ("prefix", "timeout")


def _parse(location: str) -> tuple[str, str, float]:
    url = urlparse(location)
    if url.scheme not in ("redis", "rediss", "unix"):
        raise UsageError(f"{location}: not a redis:// URL")
    query = parse_qs(url.query)
    unknown = sorted(set(query) - set(URL_OPTIONS))
    if unknown:
        raise UsageError(f"{location}: unknown option {unknown[0]!r} (options: {', '.join(URL_OPTIONS)})")
    prefix = query.get("prefix", ["provenance"])[0]
    try:
        timeout = float(query.get("timeout", [TIMEOUT])[0])
    except ValueError:
        timeout = 0.0
    if not 0.05 <= timeout <= 3600:
        raise UsageError(f"{location}: timeout must be a number of seconds from 0.05 to 3600")
    return location.split("?")[0], prefix, timeout


def _address(url: str) -> str:
    parsed = urlparse(url)
    if parsed.scheme == "unix":
        return parsed.path
    return f"{parsed.hostname or 'localhost'}:{parsed.port or 6379}"


class RedisIndex:
    def __init__(self, location: str, *, create: bool, params: IndexParams) -> None:
        import redis
        from redis.backoff import ExponentialBackoff, NoBackoff
        from redis.retry import Retry

        self._redis = redis
        self.location = location
        url, self.prefix, timeout = _parse(location)
        self.address = _address(url)
        self.rec_dtype = retrieve.record_dtype(params.fingerprint.num_perm)
        # The client itself never retries: _call does, around whole operations, so that attempts and time are
        # counted once (redis-py's own retry nests a reconnect retry inside each command retry).
        self._retry = Retry(ExponentialBackoff(cap=BACKOFF_CAP, base=BACKOFF_BASE), ATTEMPTS - 1)
        self._answered = False
        with self._guard():
            self.r = redis.Redis.from_url(url, socket_timeout=timeout, socket_connect_timeout=min(timeout, 5.0),
                                          retry=Retry(NoBackoff(), 0))
        stored = self._call(lambda: self.r.hget(f"{self.prefix}:meta", "params"))
        if stored is None:
            if not create:
                raise InputError(f"{location}: no index under prefix {self.prefix!r} "
                                 "(create one with `provenance index add`)")

            def create_meta() -> Any:
                self.r.hsetnx(f"{self.prefix}:meta", "params", params.to_json())
                self.r.hsetnx(f"{self.prefix}:meta", "format", str(FORMAT_VERSION))
                # Names this index (not another one created later under the same prefix) for loaded segments.
                self.r.hsetnx(f"{self.prefix}:meta", "token", os.urandom(8).hex())
                return self.r.hget(f"{self.prefix}:meta", "params")

            stored = self._call(create_meta)
        try:
            params.check(stored.decode(), location)
        except UnicodeDecodeError:
            raise InputError(f"{location}: the index parameters are unreadable (corrupted index?)") from None
        self.params = params
        with self._guard():
            self._put = self.r.register_script(_PUT)
            self._merge = self.r.register_script(_MERGE)
            self._remove = self.r.register_script(_REMOVE)
            self._put_vectors = self.r.register_script(_PUT_VECTORS)
            self._names_script = self.r.register_script(_NAMES)
        # What this client has loaded: the segments' contents, the batches they cover, and the listing's version.
        self._reader: seglib.Reader | None = None
        self._held: set[int] = set()
        self._token = self._gen = b""

    @contextmanager
    def _guard(self, attempts: int = 1, since: float | None = None) -> Iterator[None]:
        """A server that goes away or refuses is an input error in one line (exit 3), never a traceback."""
        redis = self._redis
        try:
            yield
        except (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError) as exc:
            spent = f"{attempts} attempt{'s' if attempts > 1 else ''}" + (
                f" over {time.monotonic() - since:.1f} s" if since is not None else "")
            if not self._answered:
                raise InputError(f"{self.location}: cannot reach the Redis server at {self.address} "
                                 f"({spent}: {exc})") from None
            raise InputError(f"redis at {self.address} stopped answering after {spent} ({exc})") from None
        except redis.exceptions.RedisError as exc:
            raise InputError(f"{self.location}: Redis refused ({exc})") from None

    def _call(self, fn: Callable[[], T]) -> T:
        """Run fn (Redis calls that may safely run again) with a bounded retry; then fail in one line."""
        with self._guard(attempts=ATTEMPTS, since=time.monotonic()):  # the retry only gives up after them all
            result = self._retry.call_with_retry(fn, lambda _error: None)
        self._answered = True
        return result

    def digest_of(self, doc_id: str) -> str | None:
        d = self._call(lambda: self.r.hget(f"{self.prefix}:doc:{doc_id}", "digest"))
        return d.decode(errors="replace") if d is not None else None

    def put(self, doc: StoredDocument, prints: Prints) -> None:
        self.put_many([(doc, prints)])

    def put_many(self, items: Sequence[tuple[StoredDocument, Prints]]) -> None:
        """Store a batch of documents (replacing older versions) as one segment, in one atomic script call; then
        merge segments while a size class is crowded."""
        if not items:
            return
        # The last version of an id in a batch wins, as it would written one by one.
        last = {doc.id: i for i, (doc, _) in enumerate(items)}
        items = [it for i, it in enumerate(items) if last[it[0].id] == i]
        counts = np.array([len(p) for _, p in items], dtype=np.int64)
        total = int(counts.sum())
        p = self.prefix
        # A reservation retried after a lost reply only leaves an unused range.
        first = int(self._call(lambda: self.r.incrby(f"{p}:next", max(total, 1)))) - max(total, 1)
        num0 = int(self._call(lambda: self.r.incrby(f"{p}:docnum", len(items)))) - len(items) + 1
        seg = int(self._call(lambda: self.r.incr(f"{p}:segnum")))
        nums = np.arange(num0, num0 + len(items), dtype=np.uint32)
        batch = Prints.concat([p for _, p in items], self.params.fingerprint.num_perm)
        blob, listing = b"", ""
        if total:
            keys, krows = batch.keys(self.params)
            recs = retrieve.records(np.repeat(nums, counts), batch)
            built = seglib.Segment.build(keys, krows + first, np.arange(first, first + total, dtype="<u4"), recs)
            blob, listing = built.to_bytes(), f"{built.entries} {seg}"
        args: list[Any] = [p, len(items), seg, blob, listing, first]
        for (doc, prints), num in zip(items, nums):
            args += [doc.id, doc.digest, doc.format, json.dumps(doc.meta, sort_keys=True),
                     doc.compressed(), int(num), len(prints)]
        self._call(lambda: self._put(args=args))  # safe to run twice: the script notices it already ran
        self._compact()

    def _listing(self) -> dict[int, tuple[int, frozenset[int]]]:
        """Segment number -> (entries, batches covered), as listed in `P:segs`."""
        out = {}
        for k, v in self._call(lambda: self.r.hgetall(f"{self.prefix}:segs")).items():
            try:
                entries, _, covers = v.decode().partition(" ")
                out[int(k)] = (int(entries), seglib.parse_covers(covers))
            except (ValueError, UnicodeDecodeError):
                raise InputError(f"{self.location}: the index is damaged (segment listing {k!r}: {v!r})") from None
        return out

    def _compact(self) -> None:
        """Merge FANOUT segments of one size class into one (dropping dead paragraphs) until none is crowded. A
        merge that another writer beat to it changes nothing: the script checks its inputs are still listed."""
        p = self.prefix
        for _ in range(64):  # each merge removes three segments: a bound, never reached in practice
            listing = self._listing()
            crowded = seglib.crowded([(sid, entries) for sid, (entries, _) in sorted(listing.items())])
            if not crowded:
                return
            blobs = self._call(lambda c=crowded: self.r.mget([f"{p}:seg:{sid}" for sid in c]))
            if any(b is None for b in blobs):
                continue  # merged by another writer meanwhile: list again
            with self._damage("a segment"):
                parts = [seglib.decode(seglib.Segment.from_bytes(b), self.rec_dtype) for b in blobs]
            merged = seglib.merge(parts, self._live(np.unique(np.concatenate([d.recs["doc"] for d in parts]))))
            new = int(self._call(lambda: self.r.incr(f"{p}:segnum")))
            covers = seglib.covers_text(set().union(*(listing[sid][1] for sid in crowded)))
            blob = merged.to_bytes() if merged is not None else b""
            value = f"{merged.entries if merged is not None else 0} {covers}"
            args = [p, new, blob, value, *crowded]
            self._call(lambda a=args: self._merge(args=a))

    def _live(self, nums: np.ndarray) -> np.ndarray:
        """Which of these document numbers are live, sorted: only the documents a merge's segments can hold are
        asked about, not the whole list."""
        wanted = [n for n in nums.tolist() if n]
        live = []
        for i in range(0, len(wanted), 10000):
            chunk = wanted[i : i + 10000]
            names = self._call(lambda c=chunk: self.r.hmget(f"{self.prefix}:docs", c))
            live += [n for n, name in zip(chunk, names) if name is not None]
        return np.array(sorted(live), dtype=np.int64)

    @contextmanager
    def _damage(self, what: str) -> Iterator[None]:
        try:
            yield
        except (ValueError, TypeError, zlib.error) as exc:
            raise InputError(f"{self.location}: the index is damaged ({what} does not decode: {exc})") from None

    def remove(self, ids: Iterable[str]) -> int:
        ids = list(dict.fromkeys(ids))
        if not ids:
            return 0
        return int(self._call(lambda: self._remove(args=[self.prefix, *ids])) or 0)

    def candidates(self, prints: Prints, min_similarity: float = 0.2) -> list[list[Candidate]]:
        """From the segments loaded in memory, with one round trip: the names of the candidates' documents come
        back with the state of the index (segment listing, live paragraphs). If that state is not the one the
        answer was computed with (another client wrote meanwhile), the reader catches up and answers again."""
        if len(prints) == 0:
            return []
        if self._reader is None:
            self._refresh()
        for _ in range(LOAD_ATTEMPTS):
            reader = self._reader
            assert reader is not None
            seen: list[tuple[bytes, bytes, bytes]] = []

            def names(nums: np.ndarray, seen: list[tuple[bytes, bytes, bytes]] = seen) -> dict[int, str]:
                found, state = self._names(nums)
                seen.append(state)
                return found

            result = reader.candidates(prints, self.params, min_similarity, names)
            state = seen[-1] if seen else self._names(np.zeros(0, np.int64))[1]
            if state == (str(reader.paragraphs).encode(), self._token, self._gen):
                return result
            self._refresh(state)
        return result

    def _refresh(self, state: tuple[bytes, bytes, bytes] | None = None) -> seglib.Reader:
        """The loaded segments, brought up to date when the listing changed (another writer added or merged)."""
        if state is None:
            state = self._names(np.zeros(0, np.int64))[1]
        paragraphs, token, gen = state
        if self._reader is None or token != self._token or gen != self._gen:
            for _ in range(LOAD_ATTEMPTS):
                if self._load(token):
                    break
            else:
                raise InputError(f"{self.location}: segments were merged away under {LOAD_ATTEMPTS} reads in a "
                                 "row; run the command again")
            self._gen = gen
        assert self._reader is not None
        self._reader.paragraphs = _int(paragraphs) or 0
        return self._reader

    def _load(self, token: bytes) -> bool:
        """Load the listed segments this client lacks; False if one vanished (merged) before it was read."""
        p = self.prefix
        listing = self._listing()
        limit = _int(self._call(lambda: self.r.get(f"{p}:next"))) or 0
        held = self._held if self._reader is not None and token == self._token else set()
        # A merge of batches of which the reader holds some: it reads the merged segment and keeps only the
        # paragraphs it lacks (Reader.add); of batches it holds all of: nothing to read.
        new = [sid for sid, (_, covers) in sorted(listing.items()) if not covers <= held]
        reader = self._reader if held else seglib.Reader(self.rec_dtype)
        parts = []
        for i in range(0, len(new), LOAD_CHUNK):
            chunk = new[i : i + LOAD_CHUNK]
            blobs = self._call(lambda c=chunk: self.r.mget([f"{p}:seg:{sid}" for sid in c]))
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

    def _names(self, nums: np.ndarray) -> tuple[dict[int, str], tuple[bytes, bytes, bytes]]:
        """Names of document numbers, and the index's state (live paragraphs, token, listing generation)."""
        wanted = [n for n in np.asarray(nums).tolist() if n]
        reply = self._call(lambda: self._names_script(args=[self.prefix, *wanted]))
        state = (bytes(reply[0]), bytes(reply[1]), bytes(reply[2]))
        found = {n: v.decode(errors="replace") for n, v in zip(wanted, reply[3:]) if v is not None}
        return found, state

    def document(self, doc_id: str) -> StoredDocument | None:
        row = self._call(lambda: self.r.hmget(f"{self.prefix}:doc:{doc_id}", "digest", "format", "meta", "text"))
        if row[0] is None:
            return None
        try:
            text = zlib.decompress(row[3]).decode("utf-8")
            return StoredDocument(doc_id, row[0].decode(), row[1].decode(), text, json.loads(row[2]))
        except (zlib.error, ValueError, TypeError, AttributeError) as exc:
            raise InputError(f"{self.location}: the stored text of {doc_id!r} is damaged ({exc})") from None

    def info(self) -> dict[str, Any]:
        docs = self._call(lambda: self.r.hlen(f"{self.prefix}:docs"))
        paras = int(self._call(lambda: self.r.hget(f"{self.prefix}:meta", "paragraphs")) or 0)
        used = self._call(lambda: self.r.info("memory")).get("used_memory")
        listing = self._listing()
        # The whole server's memory: other data on the same server counts too (bench/ measures the index alone).
        return {"location": self.location, "backend": "redis", "prefix": self.prefix, "documents": docs,
                "paragraphs": paras, "segments": len(listing), "postings": sum(e for e, _ in listing.values()),
                "server_used_memory": used, "parameters": self.params.to_dict()}

    def close(self) -> None:
        self.r.close()

    # Stored vectors (provenance/embeddings.py) ---------------------------------------------------------------
    # Fields of the document's own hash (`vec:<name>`, `vecv:<name>`, `vecd:<name>`): replacing or removing the
    # document deletes the hash, so a vector never outlives its text, with no extra bookkeeping in the batch script.

    def embeddings(self) -> dict[str, str]:
        """Scorer name -> embedding version, for every `--embed` recorded in the index."""
        value = self._call(lambda: self.r.hget(f"{self.prefix}:meta", "embed"))
        return embed_meta(value.decode(errors="replace") if value else None, self.location)

    def set_embeddings(self, kinds: dict[str, str]) -> None:
        value = json.dumps(kinds, sort_keys=True)
        self._call(lambda: self.r.hset(f"{self.prefix}:meta", "embed", value))

    def have_vectors(self, name: str, version: str, ids: Sequence[str]) -> set[str]:
        """Which of `ids` have vectors of this scorer and version for their current text."""
        found: set[str] = set()
        for lo in range(0, len(ids), 500):
            chunk = list(ids[lo : lo + 500])

            def fetch(chunk: list[str] = chunk) -> list[Any]:
                pipe = self.r.pipeline(transaction=False)
                for doc_id in chunk:
                    pipe.hmget(f"{self.prefix}:doc:{doc_id}", "digest", f"vecd:{name}", f"vecv:{name}")
                return pipe.execute()

            for doc_id, (dig, vdig, ver) in zip(chunk, self._call(fetch)):
                if dig is not None and dig == vdig and ver == version.encode():
                    found.add(doc_id)
        return found

    def put_vectors(self, name: str, version: str, items: Sequence[tuple[str, str, bytes]]) -> None:
        """Store (doc id, digest, blob) in one script call: a document changed since its digest was read keeps
        none (its next `index add` embeds the new text)."""
        if not items:
            return
        args: list[Any] = [self.prefix, name, version]
        for doc_id, dig, blob in items:
            args += [doc_id, dig, blob]
        self._call(lambda: self._put_vectors(args=args))

    def vectors(self, name: str, version: str, ids: Sequence[str]) -> dict[str, bytes]:
        def fetch() -> list[Any]:
            pipe = self.r.pipeline(transaction=False)
            for doc_id in ids:
                pipe.hmget(f"{self.prefix}:doc:{doc_id}", "digest", f"vecd:{name}", f"vecv:{name}", f"vec:{name}")
            return pipe.execute()

        return {doc_id: bytes(blob) for doc_id, (dig, vdig, ver, blob) in zip(ids, self._call(fetch))
                if dig is not None and dig == vdig and ver == version.encode() and blob is not None}

    def vector_counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        names = list(self.embeddings())
        if not names:
            return counts
        ids = self.ids()
        for name in names:
            n = 0
            for lo in range(0, len(ids), 500):
                chunk = ids[lo : lo + 500]
                field = f"vecd:{name}"
                n += sum(v is not None for v in self._call(lambda c=chunk, f=field: self._hmget_many(c, f)))
            counts[name] = n
        return counts

    def _hmget_many(self, ids: Sequence[str], field: str) -> list[Any]:
        pipe = self.r.pipeline(transaction=False)
        for doc_id in ids:
            pipe.hget(f"{self.prefix}:doc:{doc_id}", field)
        return pipe.execute()

    # Checking ------------------------------------------------------------------------------------------------

    def ids(self) -> list[str]:
        """Every stored document id, sorted (`provenance index list`)."""
        return sorted(v.decode(errors="replace") for v in self._call(lambda: self.r.hvals(f"{self.prefix}:docs")))

    def verify(self) -> list[str]:
        """Every problem found under the prefix, one line each; none: the index is sound (`provenance index check`).

        Checked: the meta hash; every listed document stored whole (text, metadata, number, paragraph range) and
        every stored document listed; every listed segment stored and decoding, every stored one listed, no batch
        in two; every paragraph of a listed document with its record and at least its band postings, postings
        sorted and pointing at paragraph ids that were given; the live paragraph count. Redis offers no snapshot across calls, so a writer adding at
        the same time is reported as such rather than mistaken for damage: check again when it is done.
        """
        problems: list[str] = []
        p = self.prefix
        before = self._call(lambda: self.r.mget(f"{p}:next", f"{p}:docnum", f"{p}:segnum"))
        meta = {k.decode(errors="replace"): v.decode(errors="replace")
                for k, v in self._call(lambda: self.r.hgetall(f"{p}:meta")).items()}
        if meta.get("format") != str(FORMAT_VERSION):
            problems.append(f"meta: format {meta.get('format')!r} where {FORMAT_VERSION} was expected")
        next_pid, last_num = (_int(v) for v in before[:2])
        if next_pid is None or last_num is None:
            problems.append(f"the paragraph and document counters are not numbers ({before!r})")
            return problems
        listed = self._verify_documents(problems, next_pid, last_num)
        live_paragraphs = sum(n for _, (_, _, n) in listed.items())
        if _int(meta.get("paragraphs")) != live_paragraphs:
            problems.append(f"meta: {meta.get('paragraphs')!r} live paragraphs counted, {live_paragraphs} stored")
        self._verify_segments(problems, listed, next_pid, last_num)
        self._verify_vectors(problems, sorted(doc_id for doc_id, _, _ in listed.values()))
        if self._call(lambda: self.r.mget(f"{p}:next", f"{p}:docnum", f"{p}:segnum")) != before:
            problems.append("a writer changed the index during the check: check again when it is done")
        return problems

    def _verify_segments(self, problems: list[str], listed: dict[int, tuple[str, int, int]], next_pid: int,
                         last_num: int) -> None:
        """Listed segments stored and decoding, stored ones listed, each batch covered once, then what every
        segment store checks (provenance.index.segments.check)."""
        p = self.prefix
        try:
            listing = self._listing()
        except InputError as exc:
            problems.append(str(exc).split(": ", 1)[-1])
            return
        batches = {_int(b) for b in self._call(lambda: self.r.smembers(f"{p}:batches"))}
        seen: dict[int, int] = {}
        for sid, (_, covers) in sorted(listing.items()):
            unknown = sorted(covers - batches)
            if unknown:
                problems.append(f"segment {sid}: covers batches never applied ({unknown[:3]})")
            for b in covers:
                if b in seen:
                    problems.append(f"segments {seen[b]} and {sid} both cover batch {b}")
                seen[b] = sid
        prefix = f"{p}:seg:".encode()
        stored = {k[len(prefix):].decode(errors="replace")
                  for k in self._call(lambda: list(self.r.scan_iter(match=_glob_escape(prefix) + b"*", count=1000)))}
        strays = sorted(stored - {str(sid) for sid in listing})
        if strays:
            problems.append(f"segments: {len(strays)} stored but not listed ({few_names(strays)})")

        def segments() -> Iterator[tuple[str, seglib.Segment | str]]:
            ids = sorted(listing)
            for i in range(0, len(ids), LOAD_CHUNK):
                chunk = ids[i : i + LOAD_CHUNK]
                for sid, blob in zip(chunk, self._call(lambda c=chunk: self.r.mget([f"{p}:seg:{x}" for x in c]))):
                    if blob is None:
                        yield str(sid), "listed but not stored"
                        continue
                    try:
                        yield str(sid), seglib.Segment.from_bytes(blob)
                    except ValueError as exc:
                        yield str(sid), f"does not decode ({exc})"

        live = {num: (doc_id, n) for num, (doc_id, _, n) in listed.items()}
        seglib.check(problems, segments(), self.rec_dtype, next_pid, live, last_num, self.params.bands)

    def _verify_vectors(self, problems: list[str], ids: list[str]) -> None:
        """Stored vectors (`index add --embed`) that do not unpack or do not match the version recorded beside."""
        from provenance.index.vectors import unpack

        for name in self.embeddings():
            bad, stale = [], []
            for lo in range(0, len(ids), 500):
                chunk = ids[lo : lo + 500]

                def fetch(chunk: list[str] = chunk, name: str = name) -> list[Any]:
                    pipe = self.r.pipeline(transaction=False)
                    for doc_id in chunk:
                        pipe.hmget(f"{self.prefix}:doc:{doc_id}", "digest", f"vecd:{name}", f"vecv:{name}",
                                   f"vec:{name}")
                    return pipe.execute()

                for doc_id, (dig, vdig, ver, blob) in zip(chunk, self._call(fetch)):
                    if blob is None:
                        continue
                    if vdig != dig:
                        stale.append(doc_id)
                        continue
                    try:
                        if ver is None or unpack(bytes(blob))[0] != ver.decode(errors="replace"):
                            bad.append(doc_id)
                    except InputError:
                        bad.append(doc_id)
            if stale:
                problems.append(f"vectors: {len(stale)} {name} vector set(s) belong to an older text "
                                f"({few_names(stale)})")
            if bad:
                problems.append(f"vectors: damaged {name} vectors for {len(bad)} document(s) ({few_names(bad)})")

    def _verify_documents(self, problems: list[str], next_pid: int, last_num: int) -> dict[int, tuple[str, int, int]]:
        """Listed documents (number -> id, first paragraph id, paragraph count) that are stored whole."""
        from provenance.text.inputs import RawDocument
        from provenance.index.ingest import digest
        p = self.prefix
        docs = self._call(lambda: self.r.hgetall(f"{p}:docs"))
        listed: dict[int, tuple[str, int, int]] = {}
        bad: dict[str, list[str]] = {}
        ids = {}
        for num_b, id_b in docs.items():
            num, doc_id = _int(num_b), id_b.decode(errors="replace")
            if num is None or not 1 <= num <= last_num:
                bad.setdefault("listed under a document number never given", []).append(doc_id)
            else:
                ids[doc_id] = num
        names = sorted(ids)
        fields = ("num", "first", "n", "digest", "format", "meta", "text")
        for i in range(0, len(names), 500):
            chunk = names[i : i + 500]

            def fetch(chunk: list[str] = chunk) -> list[Any]:
                pipe = self.r.pipeline(transaction=False)
                for doc_id in chunk:
                    pipe.hmget(f"{p}:doc:{doc_id}", *fields)
                return pipe.execute()

            for doc_id, row in zip(chunk, self._call(fetch)):
                num, first, n, dig, fmt, meta, blob = row
                if num is None:
                    bad.setdefault("listed but not stored", []).append(doc_id)
                    continue
                first_i, n_i = _int(first), _int(n)
                if _int(num) != ids[doc_id]:
                    bad.setdefault("stored under another document number than listed", []).append(doc_id)
                    continue
                if first_i is None or n_i is None or first_i < 0 or n_i < 0 or first_i + n_i > next_pid:
                    bad.setdefault("with a paragraph range never given", []).append(doc_id)
                    continue
                try:
                    text, fmt_s, meta_d = zlib.decompress(blob).decode("utf-8"), fmt.decode(), json.loads(meta)
                except (TypeError, ValueError, AttributeError, zlib.error):
                    meta_d = None
                if not isinstance(meta_d, dict):
                    bad.setdefault("whose text or metadata does not decode", []).append(doc_id)
                    continue
                dig_s = dig.decode(errors="replace") if isinstance(dig, bytes) else ""
                if looks_like_digest(dig_s) and dig_s != digest(RawDocument(doc_id, text, fmt_s)):
                    bad.setdefault("whose stored text does not match its digest", []).append(doc_id)
                    continue
                listed[ids[doc_id]] = (doc_id, first_i, n_i)
        prefix = f"{p}:doc:".encode()
        stored = {k[len(prefix):].decode(errors="replace")
                  for k in self._call(lambda: list(self.r.scan_iter(match=_glob_escape(prefix) + b"*", count=1000)))}
        orphans = sorted(stored - set(ids))
        if orphans:
            bad.setdefault("stored but not listed (half-written?)", []).extend(orphans)
        for what, who in bad.items():
            problems.append(f"documents: {len(who)} {what} ({few_names(who)})")
        return listed


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _glob_escape(value: bytes) -> bytes:
    """A prefix as a literal in a SCAN MATCH pattern."""
    out = bytearray()
    for b in value:
        if b in b"*?[]\\":
            out += b"\\"
        out.append(b)
    return bytes(out)


class RedisBackend:
    name = "redis"
    schemes = ("redis", "rediss", "unix")
    description = "shared index on a Redis server (redis://host:port/db?prefix=name)"

    def open(self, location: str, *, create: bool, params: IndexParams) -> RedisIndex:
        return RedisIndex(location, create=create, params=params)


@hookimpl
def register_index_backends(register) -> None:
    register(RedisBackend())
