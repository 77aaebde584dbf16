"""The shared index on a real Redis server: several machines fill and query it at once.

Layout (format 3; all keys under one prefix, `provenance` unless the URL says `?prefix=name`):

- `P:meta` hash: parameters, format, bucket count, the number of live paragraphs, and a random token naming this
  index (a client's cache of records is dropped when an index is rebuilt under the same prefix).
- `P:doc:<id>` hash: digest, format, metadata, zlib text, document number, first paragraph id and count.
- `P:docs` hash: document number -> id. A paragraph whose document number is missing here is dead (its document
  was removed or replaced) and is skipped by queries.
- `P:r:<pid // 1024>` strings: fixed-size paragraph records (document number, paragraph index, content size,
  8-bit packed signature: 74 bytes at 64 permutations), written with SETRANGE, read with GETRANGE.
- `P:k:<bucket>` strings: postings, 8 bytes per entry (key, paragraph id, little-endian), sorted by key (format 3;
  format 2 appended them unsorted). 65,536 buckets unless `?buckets=N`.

Why not datasketch's Redis storage: it keeps one Redis set per band value and pickled keys, about 10 KB and
dozens of commands per paragraph. Here a batch of documents is one Lua call that merges its entries into a few tens
of thousands of sorted bucket strings. A query batch is one Lua call that finds each key's postings by binary
search in its bucket and returns their counts and the postings a query may use (not whole buckets: so buckets can
be few, which is what keeps a young index small, and still grow long), then one call for the records the client
has not cached yet (a record never changes once written), then the names; filtering and scoring happen in numpy on
the client (provenance.index.retrieve, shared with the SQLite backend).

Atomicity: a batch is written by one script, which Redis runs atomically, so an interrupted `add` leaves whole
batches only and readers never see half a document. Paragraph ids and document numbers are reserved before the
script runs; a client killed in between only leaves an unused range. The scripts touch keys they compute from
the prefix, which a standalone server allows (Redis Cluster would not: use one server or a replica set).

Outages: every call is retried a few times with exponential backoff (redis-py's Retry), then fails in one line
naming the server, the attempts and the time spent. A batch script whose reply was lost may run twice (the first
call reached the server, the retry too): it notices that its reserved first paragraph slot is already written and
does nothing the second time. Stored values are plain bytes: JSON, zlib text, little-endian integer arrays.
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

BUCKETS = 1 << 16
PAGE = 1024
TIMEOUT = 10.0  # seconds a call may take (`?timeout=`): a 20,000-paragraph batch script takes half a second
ATTEMPTS = 4  # then the command fails; between attempts 0.5, 1 and 2 s of backoff
BACKOFF_BASE, BACKOFF_CAP = 0.25, 2.0
T = TypeVar("T")

# ARGV: prefix, ndocs, records blob, groups blob (bucket u32 BE, bytes u32 BE)*, entries blob, record size,
#       first pid, then per document: id, digest, format, meta, text, num, paragraphs
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

_PUT = """
local p = ARGV[1]
local ndocs = tonumber(ARGV[2])
local recs, groups, entries = ARGV[3], ARGV[4], ARGV[5]
local rsize, first = tonumber(ARGV[6]), tonumber(ARGV[7])
-- A retried call whose first run reached the server: its first record slot (reserved for it alone) already holds
-- its first record, or its first document already holds its number. Running again would append postings twice.
if #recs > 0 then
  local off = (first % 1024) * rsize
  if redis.call('GETRANGE', p .. ':r:' .. math.floor(first / 1024), off, off + rsize - 1) == string.sub(recs, 1, rsize)
  then return 0 end
end
if ndocs > 0 and redis.call('HGET', p .. ':doc:' .. ARGV[8], 'num') == ARGV[13] then return 0 end
local dead = 0
for d = 0, ndocs - 1 do
  local base = 8 + d * 7
  local dockey = p .. ':doc:' .. ARGV[base]
  local old = redis.call('HMGET', dockey, 'num', 'n')
  if old[1] then
    redis.call('HDEL', p .. ':docs', old[1])
    dead = dead + tonumber(old[2])
  end
end
-- Buckets stay sorted by key (the client sends each bucket's new entries sorted), so that a query finds a key's
-- postings by binary search and reads only them. A new entry goes after every stored entry of a key at most its own:
-- one binary search per entry, the pieces joined once. SET of the whole new value rather than APPEND: APPEND
-- over-allocates (doubles) the string, SET sizes it exactly.
local call, sub, unpack, floor = redis.call, string.sub, struct.unpack, math.floor
local pk = p .. ':k:'
local off = 1
for i = 1, #groups, 8 do
  local bucket, size = unpack('>I4>I4', groups, i)
  local key = pk .. bucket
  local add = sub(entries, off, off + size - 1)
  local v = call('GET', key)
  if not v then
    call('SET', key, add)
  else
    local n = #v / 8
    if unpack('<I4', v, #v - 7) <= unpack('<I4', add, 1) then
      call('SET', key, v .. add)
    elseif size == 8 then  -- the usual case: one new entry in this bucket
      local k = unpack('<I4', add, 1)
      local lo, hi = 0, n
      while lo < hi do
        local mid = floor((lo + hi) / 2)
        if unpack('<I4', v, mid * 8 + 1) <= k then lo = mid + 1 else hi = mid end
      end
      call('SET', key, sub(v, 1, lo * 8) .. add .. sub(v, lo * 8 + 1))
    else
      local pieces, done = {}, 0
      for e = 1, size, 8 do
        local k = unpack('<I4', add, e)
        local lo, hi = done, n
        while lo < hi do
          local mid = floor((lo + hi) / 2)
          if unpack('<I4', v, mid * 8 + 1) <= k then lo = mid + 1 else hi = mid end
        end
        if lo > done then pieces[#pieces + 1] = sub(v, done * 8 + 1, lo * 8) end
        pieces[#pieces + 1] = sub(add, e, e + 7)
        done = lo
      end
      if done < n then pieces[#pieces + 1] = sub(v, done * 8 + 1) end
      call('SET', key, table.concat(pieces))
    end
  end
  off = off + size
end
local pid = first
local pos = 1
while pos <= #recs do
  local page = math.floor(pid / 1024)
  local slot = pid % 1024
  local take = math.min(1024 - slot, (#recs - pos + 1) / rsize)
  redis.call('SETRANGE', p .. ':r:' .. page, slot * rsize, string.sub(recs, pos, pos + take * rsize - 1))
  pos = pos + take * rsize
  pid = pid + take
end
local cursor = first
local added = 0
for d = 0, ndocs - 1 do
  local base = 8 + d * 7
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

# ARGV: prefix, buckets blob (u32 BE each). Returns two strings: every bucket's length in bytes (u32 BE each),
# and the buckets' postings one after another (one reply to parse instead of thousands). Reads whole buckets:
# `index check` and tests, never a query.
_POSTINGS = """
local call, unpack, pack = redis.call, struct.unpack, struct.pack
local pk = ARGV[1] .. ':k:'
local b = ARGV[2]
local lens, out = {}, {}
for i = 1, #b, 4 do
  local v = call('GET', pk .. unpack('>I4', b, i)) or ''
  lens[#lens + 1] = pack('>I4', #v)
  out[#out + 1] = v
end
return {table.concat(lens), table.concat(out)}
"""

# The lookup shared by the query scripts: where the entries of key k lie in sorted bucket string v, as entry
# numbers [lo, hi).
_RANGE = """
local function range(v, k)
  local n = #v / 8
  local lo, hi = 0, n
  while lo < hi do
    local mid = floor((lo + hi) / 2)
    if unpack('<I4', v, mid * 8 + 1) < k then lo = mid + 1 else hi = mid end
  end
  local first = lo
  hi = n
  while lo < hi do
    local mid = floor((lo + hi) / 2)
    if unpack('<I4', v, mid * 8 + 1) <= k then lo = mid + 1 else hi = mid end
  end
  return first, lo
end
"""

# ARGV: prefix, request blob ((bucket u32 BE, key u32 LE)*, sorted by bucket), cap or -1 to read it from meta.
# Returns: the live paragraph count, the index token, every key's number of postings (u32 BE each), and the
# entries of the keys with at most `cap` postings (the only ones a query may gather, but for a paragraph's three
# rarest), one after another. The cap is the one retrieve.max_postings gives for the count read here.
_LOOKUP = """
local call, unpack, pack, floor, sub = redis.call, struct.unpack, struct.pack, math.floor, string.sub
""" + _RANGE + """
local p = ARGV[1]
local pk = p .. ':k:'
local b = ARGV[2]
local cap = tonumber(ARGV[3])
local meta = call('HMGET', p .. ':meta', 'paragraphs', 'token')
if cap < 0 then cap = math.max(40, floor((tonumber(meta[1]) or 0) / 1000)) end
local counts, out = {}, {}
local last, v = -1, ''
for i = 1, #b, 8 do
  local bucket, k = unpack('>I4<I4', b, i)
  if bucket ~= last then
    v = call('GET', pk .. bucket) or ''
    last = bucket
  end
  local lo, hi = range(v, k)
  counts[#counts + 1] = pack('>I4', hi - lo)
  if hi - lo <= cap and hi > lo then out[#out + 1] = sub(v, lo * 8 + 1, hi * 8) end
end
return {meta[1] or '0', meta[2] or '', table.concat(counts), table.concat(out)}
"""

# ARGV: prefix, record size, pids blob (u32 BE each). Returns the records, zero-filled where never written.
# Page names and offsets are made once per call: number-to-string conversions cost as much as the GETRANGE.
_RECORDS = """
local call, unpack, floor = redis.call, struct.unpack, math.floor
local pr = ARGV[1] .. ':r:'
local rsize = tonumber(ARGV[2])
local b = ARGV[3]
local out, pages, offsets = {}, {}, {}
local zero = string.rep(string.char(0), rsize)
for i = 1, #b, 4 do
  local pid = unpack('>I4', b, i)
  local page, slot = floor(pid / 1024), pid % 1024
  local key = pages[page]
  if not key then
    key = pr .. page
    pages[page] = key
  end
  local at = offsets[slot]
  if not at then
    at = {tostring(slot * rsize), tostring(slot * rsize + rsize - 1)}
    offsets[slot] = at
  end
  local v = call('GETRANGE', key, at[1], at[2])
  if #v < rsize then v = zero end
  out[#out + 1] = v
end
return table.concat(out)
"""

QUERY_BUCKETS = 20000
ENTRY = np.dtype([("k", "<u4"), ("p", "<u4")])  # buckets fetched per script call: keeps each call short for other clients


def _parse(location: str) -> tuple[str, str, int, float]:
    url = urlparse(location)
    if url.scheme not in ("redis", "rediss", "unix"):
        raise UsageError(f"{location}: not a redis:// URL")
    query = parse_qs(url.query)
    prefix = query.get("prefix", ["provenance"])[0]
    try:
        buckets = int(query.get("buckets", [BUCKETS])[0])
    except ValueError:
        buckets = 0
    if not 1 <= buckets <= 1 << 24:
        raise UsageError(f"{location}: buckets must be a number from 1 to {1 << 24}")
    try:
        timeout = float(query.get("timeout", [TIMEOUT])[0])
    except ValueError:
        timeout = 0.0
    if not 0.05 <= timeout <= 3600:
        raise UsageError(f"{location}: timeout must be a number of seconds from 0.05 to 3600")
    return location.split("?")[0], prefix, buckets, timeout


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
        url, self.prefix, buckets, timeout = _parse(location)
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
                self.r.hsetnx(f"{self.prefix}:meta", "buckets", str(buckets))
                # Names this index (not another one created later under the same prefix) for cached records.
                self.r.hsetnx(f"{self.prefix}:meta", "token", os.urandom(8).hex())
                return self.r.hget(f"{self.prefix}:meta", "params")

            stored = self._call(create_meta)
        try:
            params.check(stored.decode(), location)
        except UnicodeDecodeError:
            raise InputError(f"{location}: the index parameters are unreadable (corrupted index?)") from None
        self.params = params
        stored_buckets = self._call(lambda: self.r.hget(f"{self.prefix}:meta", "buckets"))
        try:
            self.buckets = int(stored_buckets or BUCKETS)
        except ValueError:
            raise InputError(f"{location}: the index is damaged (bucket count {stored_buckets!r})") from None
        with self._guard():
            self._put = self.r.register_script(_PUT)
            self._remove = self.r.register_script(_REMOVE)
            self._postings = self.r.register_script(_POSTINGS)
            self._records = self.r.register_script(_RECORDS)
            self._put_vectors = self.r.register_script(_PUT_VECTORS)
            self._lookup = self.r.register_script(_LOOKUP)
        self._cache = _RecordCache(self.rec_dtype)

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
        """Store a batch of documents (replacing older versions) in one atomic script call."""
        if not items:
            return
        # The last version of an id in a batch wins, as it would written one by one.
        last = {doc.id: i for i, (doc, _) in enumerate(items)}
        items = [it for i, it in enumerate(items) if last[it[0].id] == i]
        counts = np.array([len(p) for _, p in items], dtype=np.int64)
        total = int(counts.sum())
        # A reservation retried after a lost reply only leaves an unused range.
        first = int(self._call(lambda: self.r.incrby(f"{self.prefix}:next", max(total, 1)))) - max(total, 1)
        num0 = int(self._call(lambda: self.r.incrby(f"{self.prefix}:docnum", len(items)))) - len(items) + 1
        nums = np.arange(num0, num0 + len(items), dtype=np.uint32)
        batch = Prints.concat([p for _, p in items], self.params.fingerprint.num_perm)
        keys, krows = batch.keys(self.params)
        kpids = krows + first
        buckets = (keys % np.uint32(self.buckets)).astype(np.int64)
        order = np.lexsort((keys, buckets))  # each bucket's new entries sorted by key, as the script merges them
        entries = np.zeros(len(keys), dtype=ENTRY)
        entries["k"] = keys[order]
        entries["p"] = kpids[order]
        ub, sizes = np.unique(buckets[order], return_counts=True)
        groups = np.zeros(len(ub), dtype=[("b", ">u4"), ("n", ">u4")])
        groups["b"] = ub
        groups["n"] = sizes * 8
        recs = retrieve.records(np.repeat(nums, counts), batch)
        args: list[Any] = [self.prefix, len(items), recs.tobytes(), groups.tobytes(), entries.tobytes(),
                           self.rec_dtype.itemsize, first]
        for (doc, prints), num in zip(items, nums):
            args += [doc.id, doc.digest, doc.format, json.dumps(doc.meta, sort_keys=True),
                     doc.compressed(), int(num), len(prints)]
        self._call(lambda: self._put(args=args))  # safe to run twice: the script notices it already ran

    def remove(self, ids: Iterable[str]) -> int:
        ids = list(dict.fromkeys(ids))
        if not ids:
            return 0
        return int(self._call(lambda: self._remove(args=[self.prefix, *ids])) or 0)

    def candidates(self, prints: Prints, min_similarity: float = 0.2) -> list[list[Candidate]]:
        """One script finds every key's postings count by binary search in its sorted bucket and returns the postings
        of the keys a query may gather; the rare kept key past the cap takes a second call; records come from the
        client's cache, or a third call for the ones it lacks; names a fourth."""
        if len(prints) == 0:
            return []
        qkeys, qrows = prints.keys(self.params)
        if len(qkeys) == 0:
            return [[] for _ in range(len(prints))]
        ukeys, inverse = np.unique(qkeys, return_inverse=True)
        ubuckets = (ukeys % np.uint32(self.buckets)).astype(np.int64)
        order = np.argsort(ubuckets, kind="stable")  # a bucket read once for all its keys
        req = np.zeros(len(ukeys), dtype=[("b", ">u4"), ("k", "<u4")])
        req["b"], req["k"] = ubuckets[order], ukeys[order]
        paragraphs, token, counts, got = self._lookup_keys(req, -1)
        self._cache.token(token)
        cap = retrieve.max_postings(paragraphs)
        lengths = np.empty(len(ukeys), dtype=np.int64)
        lengths[order] = counts
        keep = retrieve.kept_requests(qrows, lengths[inverse], cap)
        # Postings of each unique key (in request order): those within the cap came with the counts; the others
        # that a paragraph keeps among its rarest are asked for now (a writer may have added some since: the
        # counts of this second reply are the ones that say where its entries lie).
        have = (counts <= cap) & (counts > 0)
        starts = np.zeros(len(req), dtype=np.int64)
        starts[have] = np.cumsum(counts[have]) - counts[have]
        ent_counts = np.where(have, counts, 0)
        ent = self._entries(got)
        more = np.zeros(len(ukeys), dtype=bool)
        more[inverse[keep]] = True
        more = more[order] & ~have & (counts > 0)
        if more.any():
            _, _, counts2, got2 = self._lookup_keys(req[more], 1 << 31)
            ent2 = self._entries(got2)
            starts[more] = len(ent) + np.cumsum(counts2) - counts2
            ent_counts[more] = counts2
            ent = np.concatenate([ent, ent2])
        pos_of = np.empty(len(ukeys), dtype=np.int64)
        pos_of[order] = np.arange(len(ukeys))
        at = pos_of[inverse]  # each request's row in req
        lo = starts[at]
        hi = np.where(keep, lo + ent_counts[at], lo)
        owner, pos = retrieve.expand(lo, hi)
        if len(pos) == 0:
            return [[] for _ in range(len(prints))]
        q_rows, pids = retrieve.unique_pairs(qrows, owner, ent["p"][pos])
        upids = retrieve.sorted_unique(pids)
        store = retrieve.Columns.of(self._fetch_records(upids))
        return retrieve.verified(prints, q_rows, np.searchsorted(upids, pids), store, min_similarity, self._names)

    def _lookup_keys(self, req: np.ndarray, cap: int) -> tuple[int, str, np.ndarray, bytes]:
        paragraphs, token, counts, got = 0, "", [], []
        for i in range(0, len(req), QUERY_BUCKETS):
            reply = self._call(lambda i=i: self._lookup(args=[self.prefix, req[i : i + QUERY_BUCKETS].tobytes(), cap]))
            paragraphs, token = int(reply[0] or 0), reply[1].decode(errors="replace")
            counts.append(np.frombuffer(reply[2], ">u4").astype(np.int64))
            got.append(reply[3])
        return paragraphs, token, np.concatenate(counts), b"".join(got)

    def _entries(self, blob: bytes) -> np.ndarray:
        try:
            return np.frombuffer(blob, dtype=ENTRY)
        except ValueError:
            raise InputError(f"{self.location}: the index is damaged (a bucket of postings is not a whole number "
                             "of entries)") from None

    def _fetch_records(self, upids: np.ndarray) -> np.ndarray:
        """Records of sorted unique paragraph ids: cached ones from memory, the others in one script call."""
        recs, missing = self._cache.get(upids)
        if len(missing):
            ids = upids[missing]
            blob = b"".join(self._call(lambda i=i: self._records(
                args=[self.prefix, self.rec_dtype.itemsize, ids[i : i + QUERY_BUCKETS].astype(">u4").tobytes()]))
                for i in range(0, len(ids), QUERY_BUCKETS))
            fetched = np.frombuffer(blob, dtype=self.rec_dtype)
            if len(fetched) != len(ids):
                raise InputError(f"{self.location}: the index is damaged (paragraph records of another size)")
            recs[missing] = fetched
            self._cache.put(ids, fetched)
        return recs

    def _names(self, nums: np.ndarray) -> dict[int, str]:
        nums = [int(n) for n in nums if n]
        if not nums:
            return {}
        values = self._call(lambda: self.r.hmget(f"{self.prefix}:docs", nums))
        return {n: v.decode(errors="replace") for n, v in zip(nums, values) if v is not None}

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
        # The whole server's memory: other data on the same server counts too (bench/ measures the index alone).
        return {"location": self.location, "backend": "redis", "prefix": self.prefix, "documents": docs,
                "paragraphs": paras, "server_used_memory": used, "parameters": self.params.to_dict()}

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
        every stored document listed; every paragraph of a listed document with its record and at least its band
        postings; every bucket a whole number of entries, each in its right bucket and pointing at a paragraph id
        that was given; the live paragraph count. Redis offers no snapshot across calls, so a writer adding at
        the same time is reported as such rather than mistaken for damage: check again when it is done.
        """
        problems: list[str] = []
        p = self.prefix
        before = self._call(lambda: self.r.mget(f"{p}:next", f"{p}:docnum"))
        meta = {k.decode(errors="replace"): v.decode(errors="replace")
                for k, v in self._call(lambda: self.r.hgetall(f"{p}:meta")).items()}
        if meta.get("format") != str(FORMAT_VERSION):
            problems.append(f"meta: format {meta.get('format')!r} where {FORMAT_VERSION} was expected")
        next_pid, last_num = (_int(v) for v in before)
        if next_pid is None or last_num is None:
            problems.append(f"the paragraph and document counters are not numbers ({before!r})")
            return problems
        listed = self._verify_documents(problems, next_pid, last_num)
        live_paragraphs = sum(n for _, (_, _, n) in listed.items())
        if _int(meta.get("paragraphs")) != live_paragraphs:
            problems.append(f"meta: {meta.get('paragraphs')!r} live paragraphs counted, {live_paragraphs} stored")
        self._verify_paragraphs(problems, listed, next_pid)
        self._verify_vectors(problems, sorted(doc_id for doc_id, _, _ in listed.values()))
        if self._call(lambda: self.r.mget(f"{p}:next", f"{p}:docnum")) != before:
            problems.append("a writer changed the index during the check: check again when it is done")
        return problems

    def _verify_vectors(self, problems: list[str], ids: list[str]) -> None:
        """Stored vectors (`index add --embed`) that do not unpack or do not match the version recorded beside."""
        from ..embeddings import unpack

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
        from .ingest import RawDocument, digest
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

    def _verify_paragraphs(self, problems: list[str], listed: dict[int, tuple[str, int, int]], next_pid: int) -> None:
        p, rsize = self.prefix, self.rec_dtype.itemsize
        pages = (next_pid + PAGE - 1) // PAGE
        recs = np.zeros(pages * PAGE, dtype=self.rec_dtype)
        for lo in range(0, pages, 256):
            def fetch(lo: int = lo) -> list[Any]:
                return self.r.mget([f"{p}:r:{k}" for k in range(lo, min(lo + 256, pages))])

            for k, page in zip(range(lo, pages), self._call(fetch)):
                if page is None:
                    continue
                if len(page) % rsize or len(page) > PAGE * rsize:
                    problems.append(f"record page {k}: {len(page)} bytes, not a whole number of records")
                    continue
                recs[k * PAGE : k * PAGE + len(page) // rsize] = np.frombuffer(page, self.rec_dtype)
        postings = np.zeros(max(next_pid, 1), dtype=np.int64)
        distinct = np.zeros(max(next_pid, 1), dtype=np.int64)  # a batch applied twice doubles every posting
        wrong_bucket = never_given = ragged = unsorted = 0
        for lo in range(0, self.buckets, QUERY_BUCKETS):
            ub = np.arange(lo, min(lo + QUERY_BUCKETS, self.buckets), dtype=np.int64)
            lens, data = self._call(lambda ub=ub: self._postings(args=[p, ub.astype(">u4").tobytes()]))
            sizes = np.frombuffer(lens, ">u4").astype(np.int64)
            if np.any(sizes % 8):  # rare: keep the whole buckets, so one bad bucket does not hide the rest
                ragged += int(np.count_nonzero(sizes % 8))
                ends = np.cumsum(sizes)
                data = b"".join(data[e - n : e] for e, n in zip(ends, sizes) if n % 8 == 0)
                ub, sizes = ub[sizes % 8 == 0], sizes[sizes % 8 == 0]
            ent = np.frombuffer(data, dtype=ENTRY)
            home = np.repeat(ub, sizes // 8)
            wrong_bucket += int(np.count_nonzero(ent["k"] % np.uint32(self.buckets) != home))
            unsorted += int(np.count_nonzero((home[1:] == home[:-1]) & (ent["k"][1:] < ent["k"][:-1])))
            pids = ent["p"].astype(np.int64)
            given = pids < next_pid
            never_given += int(np.count_nonzero(~given))
            postings += np.bincount(pids[given], minlength=len(postings))[: len(postings)]
            pairs = np.unique((pids[given].astype(np.uint64) << np.uint64(32)) | ent["k"][given].astype(np.uint64))
            distinct += np.bincount((pairs >> np.uint64(32)).astype(np.int64), minlength=len(distinct))
        for count, what in ((ragged, "buckets not a whole number of entries"),
                            (wrong_bucket, "postings in the wrong bucket"),
                            (unsorted, "postings out of key order in their bucket"),
                            (never_given, "postings of paragraph ids never given")):
            if count:
                problems.append(f"postings: {count} {what}")
        missing, short, twice = [], [], []
        for num, (doc_id, first, n) in sorted(listed.items()):
            rows, count, unique = recs[first : first + n], postings[first : first + n], distinct[first : first + n]
            if n and (np.any(rows["doc"] != num) or len(np.unique(rows["para"])) != n):
                missing.append(doc_id)
            elif np.any(~np.all(rows["sig"] == 0xFF, axis=1) & (count < self.params.bands)):
                short.append(doc_id)
            elif np.any((count > 0) & (2 * unique <= count)):
                twice.append(doc_id)  # a repeated sentence repeats one key, never all of them
        if missing:
            problems.append(f"documents: {len(missing)} whose paragraph records are missing or not theirs "
                            f"({few_names(missing)})")
        if short:
            problems.append(f"documents: {len(short)} with paragraphs that have fewer postings than their "
                            f"{self.params.bands} bands ({few_names(short)})")
        if twice:
            problems.append(f"documents: {len(twice)} whose postings are all stored twice ({few_names(twice)})")


class _RecordCache:
    """Paragraph records already read, by paragraph id. A record never changes once written (ids are never given
    twice; a replaced document gets new ones, a removed one is told by its missing name), so the cache needs no
    invalidation but for an index rebuilt under the same prefix, which has another token. Never-written (zero)
    records are not kept. Bounded: ids past MAX_CACHED are always read from the server."""

    MAX_CACHED = 1 << 23  # paragraph ids (about 600 MB of records at 64 permutations)

    def __init__(self, dtype: np.dtype) -> None:
        self.dtype = dtype
        self._token = ""
        self._recs = np.zeros(0, dtype)
        self._have = np.zeros(0, bool)

    def token(self, token: str) -> None:
        if token != self._token:
            self._token, self._recs, self._have = token, np.zeros(0, self.dtype), np.zeros(0, bool)

    def get(self, pids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The records of pids (uninitialised where missing) and the positions of the missing ones."""
        inside = pids < len(self._have)
        hit = np.zeros(len(pids), bool)
        hit[inside] = self._have[pids[inside]]
        recs = np.empty(len(pids), self.dtype)
        recs[hit] = self._recs[pids[hit]]
        return recs, np.flatnonzero(~hit)

    def put(self, pids: np.ndarray, recs: np.ndarray) -> None:
        if not self._token:
            return
        ok = (recs["doc"] != 0) & (pids < self.MAX_CACHED)
        pids, recs = pids[ok], recs[ok]
        if not len(pids):
            return
        top = int(pids.max()) + 1
        if top > len(self._have):
            size = min(max(top, 2 * len(self._have), 1024), self.MAX_CACHED)
            grown = np.zeros(size, self.dtype)
            grown[: len(self._recs)] = self._recs
            have = np.zeros(size, bool)
            have[: len(self._have)] = self._have
            self._recs, self._have = grown, have
        self._recs[pids] = recs
        self._have[pids] = True


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
