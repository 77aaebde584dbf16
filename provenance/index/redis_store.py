"""The shared index on a real Redis server: several machines fill and query it at once.

Layout (all keys under one prefix, `provenance` unless the URL says `?prefix=name`):

- `P:meta` hash: parameters (format version, fingerprint, banding, bucket count).
- `P:doc:<id>` hash: digest, format, metadata, zlib text, and what the document wrote (so it can be removed).
- `P:docs` hash: document number -> id. `P:ps:<pid // 1024>` hashes: paragraph id -> document number,
  paragraph index and signature (packed bytes).
- `P:b:<bucket>` hashes: band key (8 bytes) -> the paragraph ids in that band bucket (8 bytes each, appended).

Band keys are spread over a fixed number of bucket hashes instead of one Redis key each: one key per band per
paragraph would cost about 80 bytes of key overhead 32 times per paragraph. Every document is written (and an
older version removed) by one Lua script call, which Redis runs atomically: an interrupted `add` leaves whole
documents only, and concurrent writers and readers never see half a document.
"""

from __future__ import annotations

import json
import struct
import zlib
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any
from urllib.parse import parse_qs, urlparse

import numpy as np

from ..errors import InputError, UsageError
from ..fingerprint import jaccard
from ..hookspecs import hookimpl
from .base import FORMAT_VERSION, Candidate, IndexParams, StoredDocument, band_keys

BUCKETS = 1 << 20
PSTORE = 1024

# ARGV: prefix, id, digest, format, meta, text, docnum, band entries (bucket u32 | key 8 | pid 8),
#       paragraph entries (pid 8 | docnum u32 | idx u32 | signature)
_PUT = """
local p = ARGV[1]
local dockey = p .. ':doc:' .. ARGV[2]
local function drop(old_bands, old_pids, old_num)
  for i = 1, #old_bands, 20 do
    local bucket = struct.unpack('>I4', old_bands, i)
    local field = string.sub(old_bands, i + 4, i + 11)
    local pid = string.sub(old_bands, i + 12, i + 19)
    local bkey = p .. ':b:' .. bucket
    local v = redis.call('HGET', bkey, field)
    if v then
      local out = {}
      for j = 1, #v, 8 do
        local q = string.sub(v, j, j + 7)
        if q ~= pid then out[#out + 1] = q end
      end
      if #out == 0 then redis.call('HDEL', bkey, field) else redis.call('HSET', bkey, field, table.concat(out)) end
    end
  end
  for i = 1, #old_pids, 8 do
    local pid = string.sub(old_pids, i, i + 7)
    local hi, lo = struct.unpack('>I4>I4', pid)
    local bucket = math.floor((hi * 4294967296 + lo) / 1024)
    redis.call('HDEL', p .. ':ps:' .. bucket, pid)
  end
  if old_num then redis.call('HDEL', p .. ':docs', old_num) end
end
local old = redis.call('HMGET', dockey, 'bands', 'pids', 'num')
if old[1] then drop(old[1], old[2], old[3]) end
if ARGV[10] == 'remove' then
  local existed = redis.call('DEL', dockey)
  return existed
end
local bands = ARGV[8]
for i = 1, #bands, 20 do
  local bucket = struct.unpack('>I4', bands, i)
  local field = string.sub(bands, i + 4, i + 11)
  local pid = string.sub(bands, i + 12, i + 19)
  local bkey = p .. ':b:' .. bucket
  local v = redis.call('HGET', bkey, field) or ''
  redis.call('HSET', bkey, field, v .. pid)
end
local paras = ARGV[9]
local size = tonumber(ARGV[11])
local pids = {}
for i = 1, #paras, size do
  local pid = string.sub(paras, i, i + 7)
  local hi, lo = struct.unpack('>I4>I4', pid)
  local bucket = math.floor((hi * 4294967296 + lo) / 1024)
  redis.call('HSET', p .. ':ps:' .. bucket, pid, string.sub(paras, i + 8, i + size - 1))
  pids[#pids + 1] = pid
end
redis.call('HSET', dockey, 'digest', ARGV[3], 'format', ARGV[4], 'meta', ARGV[5], 'text', ARGV[6],
           'num', ARGV[7], 'bands', bands, 'pids', table.concat(pids))
redis.call('HSET', p .. ':docs', ARGV[7], ARGV[2])
return 1
"""


def _parse(location: str) -> tuple[str, str]:
    url = urlparse(location)
    if url.scheme not in ("redis", "rediss", "unix"):
        raise UsageError(f"{location}: not a redis:// URL")
    prefix = parse_qs(url.query).get("prefix", ["provenance"])[0]
    return location, prefix


class RedisIndex:
    def __init__(self, location: str, *, create: bool, params: IndexParams) -> None:
        import redis

        self.location = location
        url, self.prefix = _parse(location)
        try:
            self.r = redis.Redis.from_url(url.split("?")[0], socket_timeout=30, socket_connect_timeout=5)
            stored = self.r.hget(f"{self.prefix}:meta", "params")
        except redis.exceptions.ConnectionError as exc:
            raise InputError(f"{location}: cannot reach the Redis server ({exc})") from None
        except redis.exceptions.RedisError as exc:
            raise InputError(f"{location}: Redis refused ({exc})") from None
        if stored is None:
            if not create:
                raise InputError(f"{location}: no index under prefix {self.prefix!r} "
                                 "(create one with `provenance index add`)")
            self.r.hsetnx(f"{self.prefix}:meta", "params", params.to_json())
            self.r.hsetnx(f"{self.prefix}:meta", "buckets", str(BUCKETS))
            stored = self.r.hget(f"{self.prefix}:meta", "params")
        params.check(stored.decode(), location)
        self.params = params
        self.buckets = int(self.r.hget(f"{self.prefix}:meta", "buckets") or BUCKETS)
        self._put = self.r.register_script(_PUT)

    def digest_of(self, doc_id: str) -> str | None:
        d = self.r.hget(f"{self.prefix}:doc:{doc_id}", "digest")
        return d.decode() if d is not None else None

    def _entries(self, paragraphs: Sequence[int], sigs: np.ndarray, docnum: int) -> tuple[bytes, bytes]:
        n = len(paragraphs)
        if n == 0:
            return b"", b""
        first = self.r.incrby(f"{self.prefix}:next", n) - n + 1
        pids = np.arange(first, first + n, dtype=">u8")
        keys = band_keys(sigs, self.params.bands, self.params.rows)
        buckets = (keys.view(np.uint64) % np.uint64(self.buckets)).astype(">u4")
        rec = np.zeros((n, self.params.bands), dtype=[("b", ">u4"), ("k", ">i8"), ("p", ">u8")])
        rec["b"] = buckets
        rec["k"] = keys
        rec["p"] = pids[:, None]
        sig = np.ascontiguousarray(sigs, dtype="<u4")
        prec = np.zeros(n, dtype=[("p", ">u8"), ("d", ">u4"), ("i", ">u4"), ("s", "<u4", (sig.shape[1],))])
        prec["p"] = pids
        prec["d"] = docnum
        prec["i"] = np.asarray(paragraphs, dtype=">u4")
        prec["s"] = sig
        return rec.tobytes(), prec.tobytes()

    def put(self, doc: StoredDocument, paragraphs: Sequence[int], signatures: np.ndarray) -> None:
        docnum = self.r.incr(f"{self.prefix}:docnum")
        bands, paras = self._entries(paragraphs, signatures, docnum)
        size = 16 + 4 * self.params.fingerprint.num_perm
        self._put(args=[self.prefix, doc.id, doc.digest, doc.format, json.dumps(doc.meta, sort_keys=True),
                        zlib.compress(doc.text.encode("utf-8"), 6), docnum, bands, paras, "put", size])

    def remove(self, ids: Iterable[str]) -> int:
        size = 16 + 4 * self.params.fingerprint.num_perm
        return sum(int(self._put(args=[self.prefix, i, "", "", "", "", 0, b"", b"", "remove", size]) or 0)
                   for i in ids)

    def candidates(self, signatures: np.ndarray, min_similarity: float = 0.1) -> list[list[Candidate]]:
        n = len(signatures)
        if n == 0:
            return []
        keys = band_keys(signatures, self.params.bands, self.params.rows)
        buckets = keys.view(np.uint64) % np.uint64(self.buckets)
        pipe = self.r.pipeline(transaction=False)
        for i in range(n):
            for k, b in zip(keys[i], buckets[i]):
                pipe.hget(f"{self.prefix}:b:{int(b)}", struct.pack(">q", int(k)))
        values = pipe.execute()
        hits: list[Counter] = []
        wanted: set[bytes] = set()
        for i in range(n):
            c: Counter = Counter()
            if not np.all(signatures[i] == np.uint32(0xFFFFFFFF)):
                for v in values[i * self.params.bands : (i + 1) * self.params.bands]:
                    if v:
                        c.update(v[j : j + 8] for j in range(0, len(v), 8))
            hits.append(c)
            wanted.update(c)
        order = sorted(wanted)
        pipe = self.r.pipeline(transaction=False)
        for pid in order:
            pipe.hget(f"{self.prefix}:ps:{int.from_bytes(pid, 'big') // PSTORE}", pid)
        stored = dict(zip(order, pipe.execute()))
        nums = {struct.unpack(">I", v[:4])[0] for v in stored.values() if v}
        names = dict(zip(nums, self.r.hmget(f"{self.prefix}:docs", list(nums)) if nums else []))
        out: list[list[Candidate]] = []
        for i in range(n):
            found = []
            for pid in hits[i]:
                v = stored.get(pid)
                if not v or names.get(struct.unpack(">I", v[:4])[0]) is None:
                    continue  # removed by a concurrent writer since the band lookup
                sim = jaccard(signatures[i], np.frombuffer(v[8:], dtype="<u4"))
                if sim >= min_similarity:
                    num, idx = struct.unpack(">II", v[:8])
                    found.append(Candidate(names[num].decode(), idx, sim))
            found.sort(key=lambda c: (-c.similarity, c.doc, c.paragraph))
            out.append(found)
        return out

    def document(self, doc_id: str) -> StoredDocument | None:
        row = self.r.hmget(f"{self.prefix}:doc:{doc_id}", "digest", "format", "meta", "text")
        if row[0] is None:
            return None
        return StoredDocument(doc_id, row[0].decode(), row[1].decode(), zlib.decompress(row[3]).decode("utf-8"),
                              json.loads(row[2]))

    def info(self) -> dict[str, Any]:
        docs = self.r.hlen(f"{self.prefix}:docs")
        paras = 0
        cursor = 0
        while True:
            cursor, keys = self.r.scan(cursor, match=f"{self.prefix}:ps:*", count=1000)
            if keys:
                pipe = self.r.pipeline(transaction=False)
                for k in keys:
                    pipe.hlen(k)
                paras += sum(pipe.execute())
            if cursor == 0:
                break
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
