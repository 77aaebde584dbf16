"""The shared index on a real Redis server: several machines fill and query it at once.

Layout (format 2; all keys under one prefix, `provenance` unless the URL says `?prefix=name`):

- `P:meta` hash: parameters, format, bucket count, and the number of live paragraphs.
- `P:doc:<id>` hash: digest, format, metadata, zlib text, document number, first paragraph id and count.
- `P:docs` hash: document number -> id. A paragraph whose document number is missing here is dead (its document
  was removed or replaced) and is skipped by queries.
- `P:r:<pid // 1024>` strings: fixed-size paragraph records (document number, paragraph index, content size,
  8-bit packed signature: 74 bytes at 64 permutations), written with SETRANGE, read with GETRANGE.
- `P:k:<bucket>` strings: postings, 8 bytes per entry (key, paragraph id), appended.

Why not datasketch's Redis storage: it keeps one Redis set per band value and pickled keys, about 10 KB and
dozens of commands per paragraph. Here a batch of documents is one Lua call that appends to a few tens of thousands
of bucket strings, and a query batch is two Lua calls (postings, then records); filtering and scoring happen in
numpy on the client (provenance.index.retrieve, shared with the SQLite backend).

Atomicity: a batch is written by one script, which Redis runs atomically, so an interrupted `add` leaves whole
batches only and readers never see half a document. Paragraph ids and document numbers are reserved before the
script runs; a client killed in between only leaves an unused range. The scripts touch keys they compute from
the prefix, which a standalone server allows (Redis Cluster would not: use one server or a replica set).
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any
from urllib.parse import parse_qs, urlparse

import numpy as np

from ..errors import InputError, UsageError
from ..hookspecs import hookimpl
from . import retrieve
from .base import FORMAT_VERSION, Candidate, IndexParams, Prints, StoredDocument

BUCKETS = 1 << 18
PAGE = 1024

# ARGV: prefix, ndocs, records blob, groups blob (bucket u32 BE, bytes u32 BE)*, entries blob, record size,
#       first pid, then per document: id, digest, format, meta, text, num, paragraphs
_PUT = """
local p = ARGV[1]
local ndocs = tonumber(ARGV[2])
local recs, groups, entries = ARGV[3], ARGV[4], ARGV[5]
local rsize, first = tonumber(ARGV[6]), tonumber(ARGV[7])
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
-- SET of the whole new value rather than APPEND: APPEND over-allocates (doubles) the string, SET sizes it
-- exactly and stores short ones inline with their header, which halves the memory of a young index.
local call, sub, unpack = redis.call, string.sub, struct.unpack
local pk = p .. ':k:'
local off = 1
for i = 1, #groups, 8 do
  local bucket, size = unpack('>I4>I4', groups, i)
  local key = pk .. bucket
  local v = call('GET', key)
  if v then
    call('SET', key, v .. sub(entries, off, off + size - 1))
  else
    call('SET', key, sub(entries, off, off + size - 1))
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
# and the buckets' postings one after another (one reply to parse instead of thousands).
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

# ARGV: prefix, record size, pids blob (u32 BE each). Returns the records, zero-filled where never written.
_RECORDS = """
local call, unpack, floor = redis.call, struct.unpack, math.floor
local pr = ARGV[1] .. ':r:'
local rsize = tonumber(ARGV[2])
local b = ARGV[3]
local out = {}
local zero = string.rep(string.char(0), rsize)
for i = 1, #b, 4 do
  local pid = unpack('>I4', b, i)
  local off = (pid % 1024) * rsize
  local v = call('GETRANGE', pr .. floor(pid / 1024), off, off + rsize - 1)
  if #v < rsize then v = zero end
  out[#out + 1] = v
end
return table.concat(out)
"""

QUERY_BUCKETS = 20000
ENTRY = np.dtype([("k", "<u4"), ("p", "<u4")])  # buckets fetched per script call: keeps each call short for other clients


def _parse(location: str) -> tuple[str, str, int]:
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
    return location.split("?")[0], prefix, buckets


class RedisIndex:
    def __init__(self, location: str, *, create: bool, params: IndexParams) -> None:
        import redis

        self._redis = redis
        self.location = location
        url, self.prefix, buckets = _parse(location)
        self.rec_dtype = retrieve.record_dtype(params.fingerprint.num_perm)
        with self._guard():
            self.r = redis.Redis.from_url(url, socket_timeout=60, socket_connect_timeout=5,
                                          retry_on_timeout=True)
            stored = self.r.hget(f"{self.prefix}:meta", "params")
            if stored is None:
                if not create:
                    raise InputError(f"{location}: no index under prefix {self.prefix!r} "
                                     "(create one with `provenance index add`)")
                self.r.hsetnx(f"{self.prefix}:meta", "params", params.to_json())
                self.r.hsetnx(f"{self.prefix}:meta", "format", str(FORMAT_VERSION))
                self.r.hsetnx(f"{self.prefix}:meta", "buckets", str(buckets))
                stored = self.r.hget(f"{self.prefix}:meta", "params")
            params.check(stored.decode(), location)
            self.params = params
            self.buckets = int(self.r.hget(f"{self.prefix}:meta", "buckets") or BUCKETS)
            self._put = self.r.register_script(_PUT)
            self._remove = self.r.register_script(_REMOVE)
            self._postings = self.r.register_script(_POSTINGS)
            self._records = self.r.register_script(_RECORDS)

    @contextmanager
    def _guard(self) -> Iterator[None]:
        """A server that goes away is an input error with one line, after redis-py's bounded retry."""
        redis = self._redis
        try:
            yield
        except redis.exceptions.ConnectionError as exc:
            raise InputError(f"{self.location}: cannot reach the Redis server ({exc})") from None
        except redis.exceptions.TimeoutError as exc:
            raise InputError(f"{self.location}: the Redis server did not answer in time ({exc})") from None
        except redis.exceptions.RedisError as exc:
            raise InputError(f"{self.location}: Redis refused ({exc})") from None

    def digest_of(self, doc_id: str) -> str | None:
        with self._guard():
            d = self.r.hget(f"{self.prefix}:doc:{doc_id}", "digest")
        return d.decode() if d is not None else None

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
        with self._guard():
            first = int(self.r.incrby(f"{self.prefix}:next", max(total, 1))) - max(total, 1)
            num0 = int(self.r.incrby(f"{self.prefix}:docnum", len(items))) - len(items) + 1
        nums = np.arange(num0, num0 + len(items), dtype=np.uint32)
        batch = Prints.concat([p for _, p in items], self.params.fingerprint.num_perm)
        keys, krows = batch.keys(self.params)
        kpids = krows + first
        buckets = (keys % np.uint32(self.buckets)).astype(np.int64)
        order = np.argsort(buckets, kind="stable")
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
        with self._guard():
            self._put(args=args)

    def remove(self, ids: Iterable[str]) -> int:
        ids = list(dict.fromkeys(ids))
        if not ids:
            return 0
        with self._guard():
            return int(self._remove(args=[self.prefix, *ids]) or 0)

    def candidates(self, prints: Prints, min_similarity: float = 0.2) -> list[list[Candidate]]:
        if len(prints) == 0:
            return []
        qkeys, qrows = prints.keys(self.params)
        if len(qkeys) == 0:
            return [[] for _ in range(len(prints))]
        buckets = (qkeys % np.uint32(self.buckets)).astype(np.int64)
        ub, inverse = np.unique(buckets, return_inverse=True)
        with self._guard():
            paragraphs = int(self.r.hget(f"{self.prefix}:meta", "paragraphs") or 0)
            replies = [self._postings(args=[self.prefix, ub[i : i + QUERY_BUCKETS].astype(">u4").tobytes()])
                       for i in range(0, len(ub), QUERY_BUCKETS)]
        # Each request r looks for qkeys[r] among the entries of its bucket inverse[r].
        counts = np.concatenate([np.frombuffer(lens, ">u4") for lens, _ in replies]).astype(np.int64) // 8
        ent = np.frombuffer(b"".join(data for _, data in replies), dtype=ENTRY)
        starts = np.cumsum(counts) - counts
        lo = starts[inverse]
        req, pos = retrieve.expand(lo, lo + counts[inverse])
        match = ent["k"][pos] == qkeys[req]
        hit_req, hit_pid = req[match], ent["p"][pos][match]
        lengths = np.bincount(hit_req, minlength=len(qkeys)).astype(np.int64)
        q_rows, pids = retrieve.pairs(qrows, hit_req, hit_pid, lengths, retrieve.max_postings(paragraphs))
        if len(pids) == 0:
            return [[] for _ in range(len(prints))]
        upids, pinv = np.unique(pids, return_inverse=True)
        with self._guard():
            rblob = b"".join(self._records(args=[self.prefix, self.rec_dtype.itemsize,
                                                 upids[i : i + QUERY_BUCKETS].astype(">u4").tobytes()])
                             for i in range(0, len(upids), QUERY_BUCKETS))
        recs = np.frombuffer(rblob, dtype=self.rec_dtype)[pinv]
        return retrieve.verified(prints, q_rows, recs, min_similarity, self._names)

    def _names(self, nums: np.ndarray) -> dict[int, str]:
        nums = [int(n) for n in nums if n]
        if not nums:
            return {}
        with self._guard():
            values = self.r.hmget(f"{self.prefix}:docs", nums)
        return {n: v.decode() for n, v in zip(nums, values) if v is not None}

    def document(self, doc_id: str) -> StoredDocument | None:
        with self._guard():
            row = self.r.hmget(f"{self.prefix}:doc:{doc_id}", "digest", "format", "meta", "text")
        if row[0] is None:
            return None
        try:
            text = zlib.decompress(row[3]).decode("utf-8")
        except (zlib.error, UnicodeDecodeError, TypeError) as exc:
            raise InputError(f"{self.location}: the stored text of {doc_id!r} is damaged ({exc})") from None
        return StoredDocument(doc_id, row[0].decode(), row[1].decode(), text, json.loads(row[2]))

    def info(self) -> dict[str, Any]:
        with self._guard():
            docs = self.r.hlen(f"{self.prefix}:docs")
            paras = int(self.r.hget(f"{self.prefix}:meta", "paragraphs") or 0)
            used = self.r.info("memory").get("used_memory")
        # The whole server's memory: other data on the same server counts too (bench/ measures the index alone).
        return {"location": self.location, "backend": "redis", "prefix": self.prefix, "documents": docs,
                "paragraphs": paras, "server_used_memory": used, "parameters": self.params.to_dict()}

    def close(self) -> None:
        self.r.close()


class RedisBackend:
    name = "redis"
    schemes = ("redis", "rediss", "unix")
    description = "shared index on a Redis server (redis://host:port/db?prefix=name)"

    def open(self, location: str, *, create: bool, params: IndexParams) -> RedisIndex:
        return RedisIndex(location, create=create, params=params)


@hookimpl
def register_index_backends(register) -> None:
    register(RedisBackend())
