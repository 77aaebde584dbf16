"""Immutable segments of postings and records: the storage both built-in backends share.

A write batch becomes one *segment*: its LSH keys sorted (uint32), the paragraph id under each key, and one
fixed-size record per paragraph (document number, paragraph index, content size, 8-bit packed signature). Keys are
stored as gaps in byte planes and deflated (1.6 bytes a key instead of 4). Segments are never changed once written:
eight of similar size are merged into a new one (a log-structured merge tree), which also drops the paragraphs of
removed or replaced documents (otherwise only skipped, since their document has no name any more).

SQLite keeps a segment as a row, Redis as one string; either way an insert is one write of one value, whatever
the number of keys, and a reader loads each segment once and answers queries from memory (`Reader`). Because a
segment never changes, a reader that has loaded it never reads it again: after new batches it loads only the new
segments, and a merged segment whose inputs it already holds is not read at all (`covers`).
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from provenance.index import retrieve
from provenance.index.base import (
    DEFLATE_RATIO,
    MAX_PARAGRAPHS,
    Candidate,
    IndexParams,
    Prints,
    few_names,
    stored_int,
)

FANOUT = 8  # segments of one size class merged at once
BASE_ENTRIES = 1 << 14
MAX_MERGED_ENTRIES = (
    1 << 22
)  # about 150,000 paragraphs: bounds a merge's memory (~250 MB); past it, segments stay
MAX_RUNS = 6  # sorted runs a reader searches one by one before it combines them into one
SAMPLE = 64  # a reader keeps every SAMPLE-th key of a run: a search walks the small sample, then one block
# The byte planes are runs of equal bytes (the high planes) and bytes with no repeats to find (the low ones): zlib's
# run-length strategy packs the postings of bench/e2e_speed.py's corpus 4% smaller than its default at level 1, in
# 60% of the time, and inflates as any deflate stream does (indexes written before read the same).
PLANE_STRATEGY = zlib.Z_RLE
_HEAD = struct.Struct("<4sIIIII")
MAGIC = b"PVS1"


@dataclass(frozen=True, slots=True)
class Segment:
    """A segment as stored: sizes and four byte strings."""

    entries: int
    paragraphs: int
    keys: bytes  # sorted keys, as gaps, in byte planes, deflated
    kpids: bytes  # the paragraph id of each key, in byte planes, deflated
    pids: bytes  # the segment's paragraph ids, increasing (uint32 little-endian)
    records: bytes  # one record per paragraph id, in the same order

    @staticmethod
    def build(
        keys: np.ndarray, kpids: np.ndarray, pids: np.ndarray, recs: np.ndarray, *, runs: bool = False
    ) -> Segment:
        """`runs`: the postings are sorted runs one after another (`pack_postings`)."""
        kblob, kpblob = pack_postings(keys, kpids, runs=runs)
        return Segment(
            len(keys), len(pids), kblob, kpblob, np.ascontiguousarray(pids, "<u4").tobytes(), recs.tobytes()
        )

    def to_bytes(self) -> bytes:
        """One string (Redis): a header with the sizes, then the four parts."""
        return (
            _HEAD.pack(MAGIC, self.entries, self.paragraphs, len(self.keys), len(self.kpids), len(self.pids))
            + self.keys
            + self.kpids
            + self.pids
            + self.records
        )

    @staticmethod
    def from_bytes(blob: bytes) -> Segment:
        if len(blob) < _HEAD.size:
            raise ValueError(f"a segment of {len(blob)} bytes is shorter than its header")
        magic, entries, paragraphs, nk, nkp, np_ = _HEAD.unpack_from(blob)
        if magic != MAGIC:
            raise ValueError("not a segment (its header is not one)")
        at = _HEAD.size
        if at + nk + nkp + np_ > len(blob):
            raise ValueError("a segment shorter than its header says")
        keys, kpids = blob[at : at + nk], blob[at + nk : at + nk + nkp]
        pids, records = blob[at + nk + nkp : at + nk + nkp + np_], blob[at + nk + nkp + np_ :]
        return Segment(entries, paragraphs, keys, kpids, pids, records)


@dataclass(frozen=True, slots=True)
class Decoded:
    keys: np.ndarray  # uint32, sorted (with kpids: sorted by key, then paragraph id)
    kpids: np.ndarray  # uint32
    pids: np.ndarray  # uint32, increasing
    recs: np.ndarray  # records, one per pid


def decode(seg: Segment, rec_dtype: np.dtype) -> Decoded:
    """The arrays of a stored segment; ValueError (or zlib.error) when its parts do not have their stated sizes."""
    keys = unpack(seg.keys, seg.entries, delta=True)
    kpids = unpack(seg.kpids, seg.entries)
    stored_int(seg.paragraphs, "a segment's paragraph count", MAX_PARAGRAPHS)
    if not isinstance(seg.pids, bytes) or len(seg.pids) != 4 * seg.paragraphs:
        raise ValueError(f"{seg.paragraphs} paragraphs but a paragraph id list of another size")
    if not isinstance(seg.records, bytes) or len(seg.records) != rec_dtype.itemsize * seg.paragraphs:
        raise ValueError(f"{seg.paragraphs} paragraphs but a record list of another size")
    return Decoded(keys, kpids, np.frombuffer(seg.pids, "<u4"), np.frombuffer(seg.records, rec_dtype))


def merge(parts: Sequence[Decoded], live: np.ndarray) -> Segment | None:
    """Several segments as one, without the paragraphs of documents not in `live` (sorted document numbers)."""
    pids = np.concatenate([d.pids for d in parts])
    recs = np.concatenate([d.recs for d in parts])
    alive = member(recs["doc"].astype(np.int64), live)
    pids, recs = pids[alive], recs[alive]
    order = np.argsort(pids, kind="stable")
    pids, recs = pids[order], recs[order]
    keys = np.concatenate([d.keys for d in parts])
    kpids = np.concatenate([d.kpids for d in parts])
    kalive = member(kpids.astype(np.int64), pids.astype(np.int64))
    if not len(pids):
        return None
    # Each part's postings are sorted: the concatenation is sorted runs.
    return Segment.build(keys[kalive], kpids[kalive], pids, recs, runs=True)


def level(entries: int) -> int:
    return max(0, int(np.log(max(entries, 1) / BASE_ENTRIES) / np.log(FANOUT)) + 1)


def crowded(listing: Sequence[tuple[int, int]]) -> list[int]:
    """Of (segment, entries) in writing order, the first FANOUT of a size class that has that many (and whose
    merge stays under MAX_MERGED_ENTRIES); none: nothing to merge."""
    classes: dict[int, list[tuple[int, int]]] = {}
    for seg, entries in listing:
        classes.setdefault(level(entries), []).append((seg, entries))
    for _, segs in sorted(classes.items()):
        if len(segs) >= FANOUT and sum(e for _, e in segs[:FANOUT]) <= MAX_MERGED_ENTRIES:
            return [seg for seg, _ in segs[:FANOUT]]
    return []


# Covers: which write batches a segment holds, as "1-4,9,12-15" -------------------------------------------------


def covers_text(batches: Iterable[int]) -> str:
    out: list[str] = []
    run: list[int] = []
    for b in sorted(set(batches)):
        if run and b == run[-1] + 1:
            run[-1] = b
        else:
            if run:
                out.append(f"{run[0]}-{run[1]}" if run[1] != run[0] else str(run[0]))
            run = [b, b]
    if run:
        out.append(f"{run[0]}-{run[1]}" if run[1] != run[0] else str(run[0]))
    return ",".join(out)


def parse_covers(text: str) -> frozenset[int]:
    """The batches of a covers text; ValueError if it is not one."""
    out: set[int] = set()
    for part in text.split(","):
        lo, _, hi = part.partition("-")
        a, b = int(lo), int(hi or lo)
        if a < 0 or b < a or b - a > 1 << 24:
            raise ValueError(f"not a batch range: {part!r}")
        out.update(range(a, b + 1))
    return frozenset(out)


# Packing ---------------------------------------------------------------------------------------------------------


def pack_postings(keys: np.ndarray, kpids: np.ndarray, *, runs: bool = False) -> tuple[bytes, bytes]:
    """Keys sorted (with their paragraph ids), packed: one 64-bit sort instead of an argsort and two gathers.
    `runs`: the postings are sorted runs one after another (segments being merged), which a stable sort (timsort)
    merges in about a seventh of the time the default sort takes over them; the result is the same either way."""
    combo = (keys.astype(np.uint64) << np.uint64(32)) | kpids.astype(np.uint64)
    combo.sort(kind="stable" if runs else "quicksort")
    return pack((combo >> np.uint64(32)).astype(np.uint32), delta=True), pack(combo.astype(np.uint32))


def pack(values: np.ndarray, *, delta: bool = False) -> bytes:
    """uint32s as byte planes (all high bytes, then ...), deflated: sorted keys as gaps take 1.6 bytes instead of 4.

    Splitting the bytes of each number into planes puts the near-constant high bytes together, which is what lets
    a fast zlib level compress them; decoding runs at hundreds of MB/s, so an audit's one-time load stays short.
    Deflated with the run-length strategy (PLANE_STRATEGY): a plain deflate stream all the same.
    """
    v = np.ascontiguousarray(values, dtype="<u4")
    if delta and len(v):
        v = np.diff(v, prepend=np.uint32(0)).astype("<u4")
    deflate = zlib.compressobj(1, zlib.DEFLATED, zlib.MAX_WBITS, 8, PLANE_STRATEGY)
    return deflate.compress(v.view(np.uint8).reshape(-1, 4).T.tobytes()) + deflate.flush()


def unpack(blob: bytes, n: int, *, delta: bool = False) -> np.ndarray:
    """n uint32s from `pack`; ValueError when the blob does not hold exactly that many. The stated count is checked
    against what the blob can hold before anything is allocated, and inflating stops past it."""
    if not isinstance(blob, bytes):
        raise ValueError(f"a postings blob is {type(blob).__name__}, not bytes")
    n = stored_int(
        n, "a segment's posting count", min(MAX_PARAGRAPHS * 64, DEFLATE_RATIO * len(blob) // 4 + 64)
    )
    inflate = zlib.decompressobj()
    raw = np.frombuffer(inflate.decompress(blob, 4 * n + 1), dtype=np.uint8)
    if raw.size != 4 * n or inflate.unconsumed_tail:
        raise ValueError(f"a postings blob holds {raw.size} bytes where {4 * n} were expected")
    v = np.ascontiguousarray(raw.reshape(4, n).T).view("<u4").ravel()
    return np.cumsum(v, dtype=np.uint32) if delta else v


TABLE_MAX = 1 << 28  # below this largest member, membership is looked up in a table of flags


def member(values: np.ndarray, sorted_set: np.ndarray) -> np.ndarray:
    """values (non-negative) in sorted_set, vectorised. Ids and document numbers are dense: a table of flags answers
    in one gather, 5-10x faster than a binary search per value (np.isin would sort both sides)."""
    if len(sorted_set) == 0 or len(values) == 0:
        return np.zeros(len(values), dtype=bool)
    top = int(sorted_set[-1])
    if top < TABLE_MAX and top <= 8 * len(values) + (1 << 20):
        table = np.zeros(top + 2, dtype=bool)
        table[sorted_set] = True
        return table[np.minimum(values, top + 1)]
    at = np.minimum(np.searchsorted(sorted_set, values), len(sorted_set) - 1)
    return sorted_set[at] == values


# Reading -----------------------------------------------------------------------------------------------------------


class Reader:
    """Loaded segments, searched in memory.

    Postings are held as sorted runs (keys, rows); records in one table of rows, one per loaded paragraph, in the
    order they were loaded (the signatures are one contiguous 64-byte row each: one cache line per raw candidate).
    A posting holds the row of its paragraph, not its stored id: ids only have to be unique, so a table indexed by
    id would be sized by the largest id, which a damaged or hostile index can set to anything (2^31 ids: 148 GiB).
    Rows are sized by the data. A query binary-searches every run: segments loaded together form one run, and past
    MAX_RUNS runs they are combined (a stable sort of runs that are each sorted is a merge, linear).
    """

    def __init__(self, rec_dtype: np.dtype) -> None:
        self.rec_dtype = rec_dtype
        self.runs: list[_Run] = []
        self.store = retrieve.Columns.of(np.zeros(0, rec_dtype))
        self.used = 0  # rows of `store` in use
        self.known = np.zeros(0, np.int64)  # the paragraph ids loaded, sorted
        self.paragraphs = 0  # live paragraphs, for the cap on common keys (retrieve.max_postings)

    def add(self, parts: Sequence[Decoded], limit: int) -> None:
        """Load decoded segments. `limit`: the next paragraph id to be given; an id at or past it is damage, as
        are ids out of order within a segment or postings that point at no paragraph of their segment."""
        parts = [self._unheld(d) for d in parts if len(d.pids) or len(d.keys)]
        parts = [d for d in parts if len(d.pids) or len(d.keys)]
        if not parts:
            return
        top = max(int(d.pids.max()) if len(d.pids) else -1 for d in parts)
        if top >= limit:
            raise ValueError("a paragraph id past the last one given")
        total = sum(len(d.pids) for d in parts)
        self._grow(self.used + total)
        postings, loaded = [], [self.known]
        for d in parts:
            pids = d.pids.astype(np.int64)
            if np.any(np.diff(pids) <= 0):
                raise ValueError("paragraph ids out of order in a segment")
            at = np.minimum(np.searchsorted(pids, d.kpids.astype(np.int64)), max(len(pids) - 1, 0))
            if len(d.kpids) and (not len(pids) or np.any(pids[at] != d.kpids)):
                raise ValueError("postings that point at no paragraph of their segment")
            rows = np.arange(self.used, self.used + len(pids), dtype=np.int64)
            s = self.store
            s.doc[rows], s.para[rows] = d.recs["doc"], d.recs["para"]
            s.size[rows], s.sig[rows] = d.recs["size"], d.recs["sig"]
            postings.append((d.keys, (rows[at] if len(pids) else at).astype(np.uint32)))
            self.used += len(pids)
            loaded.append(pids)
        self.known = np.unique(np.concatenate(loaded))
        self.runs.append(_Run(*_run(postings)))
        if len(self.runs) > MAX_RUNS:
            self.runs = [_Run(*_run([(r.keys, r.pids) for r in self.runs]))]

    def _unheld(self, d: Decoded) -> Decoded:
        """A segment without the paragraphs already loaded: a merge of batches of which some were loaded before
        (paragraph ids are never given twice, so a loaded id is a loaded paragraph)."""
        if not len(self.known) or not len(d.pids):
            return d
        held = member(d.pids.astype(np.int64), self.known)
        if not held.any():
            return d
        pids, recs = d.pids[~held], d.recs[~held]
        keep = member(d.kpids.astype(np.int64), pids.astype(np.int64))
        return Decoded(d.keys[keep], d.kpids[keep], pids, recs)

    def _grow(self, size: int) -> None:
        old = self.store
        if size <= len(old):
            return
        size = max(size, len(old) + len(old) // 2)
        grown = retrieve.Columns.of(np.zeros(size, self.rec_dtype))
        for a, b in (
            (grown.doc, old.doc),
            (grown.para, old.para),
            (grown.size, old.size),
            (grown.sig, old.sig),
        ):
            a[: len(b)] = b
        self.store = grown

    def postings(self) -> tuple[np.ndarray, np.ndarray]:
        """Every posting (key, row of `store`), sorted: tests compare indexes by it."""
        if not self.runs:
            return np.zeros(0, np.uint32), np.zeros(0, np.uint32)
        return _run([(r.keys, r.pids) for r in self.runs])

    def candidates(
        self,
        prints: Prints,
        params: IndexParams,
        min_similarity: float,
        names: Callable[[np.ndarray], dict[int, str]],
        floor: float = 0.0,
    ) -> list[list[Candidate]]:
        """Per query paragraph, the stored paragraphs that may be its source, verified and best first (`floor`:
        retrieve.verified)."""
        if len(prints) == 0:
            return []
        qkeys, qrows = prints.keys(params)
        if not self.runs or len(qkeys) == 0:
            return [[] for _ in range(len(prints))]
        with np.errstate(over="ignore"):
            bounds = np.concatenate([qkeys, qkeys + np.uint32(1)])  # integer keys: k+1 "left" is k "right"
        nq = len(qkeys)
        top = qkeys == np.uint32(0xFFFFFFFF)
        ranges = []
        lengths = np.zeros(nq, dtype=np.int64)
        for run in self.runs:
            both = run.locate(bounds)
            lo, hi = both[:nq], np.where(top, len(run.keys), both[nq:])
            ranges.append((lo, hi))
            lengths += hi - lo
        # Only the postings of kept keys are gathered: a skipped common key may hold a hundred thousand.
        sentence = np.arange(nq) >= nq - (len(prints.sentence_keys) if params.sentence_keys else 0)
        keep = retrieve.kept_requests(qrows, lengths, retrieve.max_postings(self.paragraphs), sentence)
        owners, cands = [], []
        for run, (lo, hi) in zip(self.runs, ranges):
            owner, pos = retrieve.expand(lo, np.where(keep, hi, lo))
            owners.append(owner)
            cands.append(run.pids[pos])
        owner = np.concatenate(owners) if len(owners) > 1 else owners[0]
        cand = (np.concatenate(cands) if len(cands) > 1 else cands[0]).astype(np.int64)
        return retrieve.verified(prints, qrows[owner], cand, self.store, min_similarity, names, floor)


class _Run:
    """Sorted postings (keys, paragraph ids) and every SAMPLE-th key. At a million paragraphs the keys take 112 MB,
    and a plain binary search misses the cache at nearly every step; the sample (1.7 MB) stays in cache, and the
    last step reads one block of 64 keys (four cache lines): about 4x faster."""

    __slots__ = ("keys", "pids", "sample")

    def __init__(self, keys: np.ndarray, pids: np.ndarray) -> None:
        self.keys, self.pids = keys, pids
        self.sample = np.ascontiguousarray(keys[::SAMPLE])

    def locate(self, bounds: np.ndarray) -> np.ndarray:
        """np.searchsorted(keys, bounds, side="left"), by way of the sample."""
        n = len(self.keys)
        if n == 0:
            return np.zeros(len(bounds), dtype=np.int64)
        block = (
            np.searchsorted(self.sample, bounds, side="left") - 1
        )  # sample[block] < bound <= sample[block+1]
        start = np.maximum(block, 0) * SAMPLE
        pos = start[:, None] + np.arange(SAMPLE)
        below = np.take(self.keys, np.minimum(pos, n - 1)) < bounds[:, None]
        below &= pos < n
        return np.where(block < 0, 0, start + np.count_nonzero(below, axis=1))


def _run(parts: Sequence[tuple[np.ndarray, np.ndarray]]) -> tuple[np.ndarray, np.ndarray]:
    """Sorted (key, paragraph id) postings as one run."""
    if len(parts) == 1:
        return parts[0]
    combo = np.concatenate([(k.astype(np.uint64) << np.uint64(32)) | p.astype(np.uint64) for k, p in parts])
    combo.sort(kind="stable")  # timsort: merges the sorted runs it is made of
    return (combo >> np.uint64(32)).astype(np.uint32), combo.astype(np.uint32)


# Checking ----------------------------------------------------------------------------------------------------------


def check(
    problems: list[str],
    segments: Iterable[tuple[str, Segment | str]],
    rec_dtype: np.dtype,
    next_pid: int | None,
    live: dict[int, tuple[str, int]],
    max_num: int,
    bands: int,
) -> None:
    """What a query relies on and a store cannot see: parts of their stated sizes, postings sorted and pointing at
    a record of their own segment, paragraph ids unique and below the next one to be given, exactly one record per
    paragraph of each stored document (`live`: number -> (id, paragraph count)) with at least its band postings.
    `segments`: (name, stored segment or why it could not be read)."""
    checked: list[_Checked] = []
    for name, seg in segments:
        if isinstance(seg, str):
            problems.append(f"segment {name}: {seg}")
            continue
        try:
            d = decode(seg, rec_dtype)
        except (TypeError, ValueError, zlib.error) as exc:
            problems.append(f"segment {name}: does not decode ({exc})")
            continue
        checked.append(_check_segment(problems, name, d, next_pid, max_num))
    _check_paragraphs(problems, _Checked.concat(checked), live, max_num, bands)


@dataclass(frozen=True, slots=True)
class _Checked:
    """Per paragraph record of checked segments: its id, document number, paragraph index, postings, and whether
    it is an empty paragraph (no band keys)."""

    pids: np.ndarray
    docs: np.ndarray
    paras: np.ndarray
    postings: np.ndarray
    bare: np.ndarray

    @staticmethod
    def concat(parts: Sequence[_Checked]) -> _Checked:
        if not parts:
            empty = np.zeros(0, np.int64)
            return _Checked(empty, empty, empty, empty, np.zeros(0, bool))
        return _Checked(
            np.concatenate([p.pids for p in parts]),
            np.concatenate([p.docs for p in parts]),
            np.concatenate([p.paras for p in parts]),
            np.concatenate([p.postings for p in parts]),
            np.concatenate([p.bare for p in parts]),
        )


def _check_segment(
    problems: list[str], name: str, d: Decoded, next_pid: int | None, max_num: int
) -> _Checked:
    """One segment on its own: postings sorted and pointing at its records, paragraph ids increasing and given,
    records of document numbers given."""
    keys, kpids, recs = d.keys, d.kpids, d.recs
    pids = d.pids.astype(np.int64)
    combo = (keys.astype(np.uint64) << np.uint64(32)) | kpids.astype(np.uint64)
    if np.any(combo[1:] < combo[:-1]):
        problems.append(f"segment {name}: its postings are not sorted")
    pids_order = None
    if np.any(np.diff(pids) <= 0):
        problems.append(f"segment {name}: its paragraph ids are not in increasing order")
        pids_order = np.argsort(pids, kind="stable")
    if next_pid is not None and len(pids) and int(pids.max()) >= next_pid:
        problems.append(f"segment {name}: paragraph ids at or past the next one to be given ({next_pid})")
    spids = pids if pids_order is None else pids[pids_order]
    found = member(kpids.astype(np.int64), spids)
    if not found.all():
        problems.append(f"segment {name}: {int((~found).sum())} postings point at no record of the segment")
    at = np.searchsorted(spids, kpids[found].astype(np.int64))
    counts = np.bincount(at, minlength=len(spids))
    if pids_order is not None:
        counts = counts[np.argsort(pids_order)]
    docs = recs["doc"].astype(np.int64)
    unknown = (docs < 1) | (docs > max_num)
    if unknown.any():
        problems.append(f"segment {name}: {int(unknown.sum())} records of document numbers never given")
    return _Checked(pids, docs, recs["para"].astype(np.int64), counts, np.all(recs["sig"] == 0xFF, axis=1))


def _check_paragraphs(
    problems: list[str], c: _Checked, live: dict[int, tuple[str, int]], max_num: int, bands: int
) -> None:
    """Across segments: paragraph ids unique, one record per paragraph of each stored document, each with at least
    its band postings."""
    dup = int(len(c.pids) - len(np.unique(c.pids)))
    if dup:
        problems.append(f"segments: {dup} paragraph ids stored twice")
    alive = np.isin(c.docs, np.fromiter(live, dtype=np.int64, count=len(live)))
    nums, counts = np.unique(c.docs[alive], return_counts=True)  # sized by the records, not by any number
    have = dict(zip(nums.tolist(), counts.tolist()))
    wrong = [doc_id for num, (doc_id, n) in live.items() if have.get(num, 0) != n]
    if wrong:
        problems.append(
            f"documents: {len(wrong)} whose paragraph records do not match their paragraph count "
            f"({few_names(sorted(wrong))})"
        )
    pairs = c.docs[alive] * (1 << 32) + c.paras[alive]
    twice = len(pairs) - len(np.unique(pairs))
    if twice:
        problems.append(f"segments: {twice} paragraphs of stored documents recorded twice")
    short = alive & ~c.bare & (c.postings < bands)
    if short.any():
        names = sorted({live[int(n)][0] for n in np.unique(c.docs[short])})
        problems.append(
            f"segments: {int(short.sum())} paragraphs with fewer postings than their "
            f"{bands} bands ({few_names(names)})"
        )
