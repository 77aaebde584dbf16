"""The Lua scripts of the Redis backend: each runs atomically on the server, so an interrupted `add` leaves whole
batches only and readers never see half a document.

Ids and numbers are reserved (INCRBY) before a script runs; a client killed in between only leaves an unused range.
The scripts touch keys they compute from the prefix, which a standalone server allows (Redis Cluster would not: use
one server or a replica set). The keys: provenance/index/redis/layout.py.
"""

from __future__ import annotations

# ARGV: prefix, scorer name, embedding version, then per document: id, digest, blob. A document whose digest
# changed since it was read keeps no vectors.
PUT_VECTORS = """
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
#       first paragraph id, seconds its counts are kept, then per document: id, digest, format, meta, text, num,
#       paragraphs.
# Returns {added, replaced, unchanged}, decided here, atomically: a document stored with the same digest is left
# as it is (its paragraphs in the segment are dead from the start; a merge drops them), one stored with another
# digest is replaced, any other added. A retried call whose first run reached the server writes nothing and
# answers the first run's counts, kept for a while under P:written:<batch>.
PUT = """
local p = ARGV[1]
local ndocs = tonumber(ARGV[2])
local seg, blob, listing, first, keep = ARGV[3], ARGV[4], ARGV[5], tonumber(ARGV[6]), tonumber(ARGV[7])
if redis.call('SADD', p .. ':batches', seg) == 0 then
  local counts = redis.call('GET', p .. ':written:' .. seg)
  if not counts then return {0, 0, 0} end
  local a, r, u = string.match(counts, '(%d+) (%d+) (%d+)')
  return {tonumber(a), tonumber(r), tonumber(u)}
end
local dead, nadded, nreplaced, nunchanged = 0, 0, 0, 0
local write = {}
for d = 0, ndocs - 1 do
  local base = 8 + d * 7
  local old = redis.call('HMGET', p .. ':doc:' .. ARGV[base], 'num', 'n', 'digest')
  if old[1] and old[3] == ARGV[base + 1] then
    nunchanged = nunchanged + 1
  else
    write[d] = true
    if old[1] then
      redis.call('HDEL', p .. ':docs', old[1])
      dead = dead + tonumber(old[2])
      nreplaced = nreplaced + 1
    else
      nadded = nadded + 1
    end
  end
end
if #blob > 0 and nunchanged < ndocs then
  redis.call('SET', p .. ':seg:' .. seg, blob)
  redis.call('HSET', p .. ':segs', seg, listing)
  redis.call('HINCRBY', p .. ':meta', 'gen', 1)
end
local cursor, added = first, 0
for d = 0, ndocs - 1 do
  local base = 8 + d * 7
  local n = tonumber(ARGV[base + 6])
  if write[d] then
    redis.call('DEL', p .. ':doc:' .. ARGV[base])
    redis.call('HSET', p .. ':doc:' .. ARGV[base], 'digest', ARGV[base + 1], 'format', ARGV[base + 2],
               'meta', ARGV[base + 3], 'text', ARGV[base + 4], 'num', ARGV[base + 5], 'first', cursor, 'n', n)
    redis.call('HSET', p .. ':docs', ARGV[base + 5], ARGV[base])
    added = added + n
  end
  cursor = cursor + n
end
redis.call('HINCRBY', p .. ':meta', 'paragraphs', added - dead)
redis.call('SET', p .. ':written:' .. seg, nadded .. ' ' .. nreplaced .. ' ' .. nunchanged, 'EX', keep)
return {nadded, nreplaced, nunchanged}
"""

# ARGV: prefix, new segment number, its blob ('' when every paragraph was dead), its listing value, then the
# segments it replaces. Does nothing (returns 0) when another writer merged any of them first.
MERGE = """
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

# ARGV: prefix, then the ids to remove. Returns how many were stored.
REMOVE = """
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
NAMES = """
local p = ARGV[1]
local meta = redis.call('HMGET', p .. ':meta', 'paragraphs', 'token', 'gen')
local out = {meta[1] or '0', meta[2] or '', meta[3] or '0'}
for i = 2, #ARGV, 1000 do
  local names = redis.call('HMGET', p .. ':docs', unpack(ARGV, i, math.min(i + 999, #ARGV)))
  for j = 1, #names do out[#out + 1] = names[j] end
end
return out
"""
