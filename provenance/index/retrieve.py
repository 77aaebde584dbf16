"""Candidate retrieval shared by every built-in backend: LSH postings in, verified candidates out.

A backend only answers two questions: which stored paragraphs sit under each key (postings), and what it keeps of
a paragraph (a record: document number, paragraph index, content size and an 8-bit packed signature). The rest is
here, so SQLite and Redis return the same candidates for the same corpus.

Two stages. First, LSH: a stored paragraph sharing one key with the query is a raw candidate. A key shared by more
than a thousandth of the corpus (a band made of two common words) says nothing and is skipped, the way a search
engine skips stopwords, except that each query paragraph always keeps its three rarest keys, so a text that is in
the corpus thousands of times is still found; and a query paragraph takes its band keys rarest first until they
have brought 250 postings, which bounds the work per query on a large corpus, while its sentence keys all count
(at a million paragraphs, against a budget of 1,000 postings for all keys: 1.5x the query rate, and recall
0.994 instead of 0.992, excerpts gaining more than paraphrases lose). Second, verification: the packed signatures estimate Jaccard
similarity and containment, and only candidates reaching either threshold are returned.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from provenance.index.base import Candidate, Prints

SIG_BYTES_PER_VALUE = 1  # b-bit minhash, b = 8 (Li & Koenig): 1 byte per signature value
RECORD_DTYPE_FIELDS = [("doc", "<u4"), ("para", "<u4"), ("size", "<u2")]
MIN_CONTAINMENT = 0.6
# An audit ranks stored documents by candidates whose similarity or containment reaches this weaker bar (not only
# those reaching min_similarity or MIN_CONTAINMENT): a heavy paraphrase shares few content words with any one source
# paragraph (Clough's g4pE_taska against orig_taska, best containment 0.31), and the comparison, which judges the
# article as a whole, must get to see its source. Every Clough derived answer that `compare` finds derived is then
# among its audit's candidates (tests/test_audit_recall.py).
WEAK_EVIDENCE = 0.2
CONTAINMENT_MIN_WORDS = 5
KEEP_RAREST = 3


def audit_evidence(cands: list[Candidate], min_similarity: float) -> list[Candidate]:
    """The candidates an audit ranks, out of those verified with no threshold: similarity or containment from
    min(`min_similarity`, WEAK_EVIDENCE). One rule for the index's audit and the Spark path."""
    bar = min(min_similarity, WEAK_EVIDENCE)
    return [c for c in cands if c.score >= bar]


def record_dtype(num_perm: int) -> np.dtype:
    return np.dtype([*RECORD_DTYPE_FIELDS, ("sig", "u1", (num_perm,))])


def pack(sigs: np.ndarray) -> np.ndarray:
    """The low byte of each signature value: two equal values agree there; unequal ones do 1/256 of the time."""
    return (np.asarray(sigs, dtype=np.uint32) & np.uint32(0xFF)).astype(np.uint8)


def records(docnums: np.ndarray, prints: Prints) -> np.ndarray:
    rec = np.zeros(len(prints), dtype=record_dtype(prints.signatures.shape[1]))
    rec["doc"] = docnums
    rec["para"] = prints.rows
    rec["size"] = prints.sizes
    rec["sig"] = pack(prints.signatures)
    return rec


def max_postings(paragraphs: int) -> int:
    return max(40, paragraphs // 1000)


def expand(lo: np.ndarray, hi: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For ranges [lo, hi): the range number and the position of every element, vectorised."""
    counts = hi - lo
    total = int(counts.sum())
    owner = np.repeat(np.arange(len(lo)), counts)
    starts = np.cumsum(counts) - counts
    pos = np.arange(total, dtype=np.int64) - np.repeat(starts, counts) + np.repeat(lo, counts)
    return owner, pos


ROW_BUDGET = (
    250  # postings a query paragraph's band keys may pull: bounds the work per query on a large corpus
)


def kept_requests(
    req_rows: np.ndarray, lengths: np.ndarray, cap: int, sentence: np.ndarray | None = None
) -> np.ndarray:
    """Which key lookups count: a paragraph's band keys rarest first, while short enough and within the row's
    budget of postings, and always its KEEP_RAREST rarest; its sentence keys (`sentence`) whenever short enough,
    outside the budget (an excerpt's one sentence is often its only good key)."""
    order = np.lexsort((lengths, req_rows))
    srows = req_rows[order]
    slen = lengths[order]
    first = np.searchsorted(srows, srows, side="left")
    rank = np.arange(len(order)) - first
    csum = np.cumsum(slen)
    within = csum - (csum[first] - slen[first])  # postings of this row up to and including this key
    keep = np.zeros(len(order), dtype=bool)
    keep[order] = (rank < KEEP_RAREST) | ((slen <= cap) & (within <= ROW_BUDGET))
    if sentence is not None:
        keep |= sentence & (lengths <= cap)
    return keep & (lengths > 0)


@dataclass(frozen=True, slots=True)
class Columns:
    """Paragraph records as columns. A signature is then one contiguous row (64 bytes: one cache line), which a
    query gathers about five times faster than it gathers whole 74-byte records; the document number and paragraph
    index are only read for the few candidates that pass verification."""

    doc: np.ndarray  # uint32
    para: np.ndarray  # uint32
    size: np.ndarray  # uint16
    sig: np.ndarray  # (n, num_perm) uint8, C-contiguous

    @staticmethod
    def of(recs: np.ndarray) -> Columns:
        return Columns(
            np.ascontiguousarray(recs["doc"]),
            np.ascontiguousarray(recs["para"]),
            np.ascontiguousarray(recs["size"]),
            np.ascontiguousarray(recs["sig"]),
        )

    def __len__(self) -> int:
        return len(self.doc)


_ONES = np.uint64(0x0101010101010101)


def agreements(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Per row, how many bytes of a and b (n x num_perm uint8) are equal. The equality flags (one byte each, 0 or
    1) are summed eight at a time as 64-bit words, then the eight byte lanes folded with one multiplication."""
    n, width = a.shape
    if width % 8 or width > 8 * 255:
        return np.count_nonzero(a == b, axis=1)
    lanes = (a == b).view(np.uint64).sum(axis=1, dtype=np.uint64)  # per byte lane, up to width / 8
    if width <= 255:  # the lanes fold into the top byte without overflowing it
        with np.errstate(over="ignore"):
            return ((lanes * _ONES) >> np.uint64(56)).astype(np.int64)
    return lanes.view(np.uint8).reshape(n, 8).sum(axis=1, dtype=np.int64)


def verified(
    prints: Prints,
    q_rows: np.ndarray,
    cand: np.ndarray,
    store: Columns,
    min_similarity: float,
    names: Callable[[np.ndarray], dict[int, str]],
    floor: float = 0.0,
) -> list[list[Candidate]]:
    """Score raw candidates (query row, row of `store`) against their packed signatures; keep the ones that reach
    a threshold. A pair may come more than once (it shared several keys): it is scored again and counted once.
    `floor`: also drop those whose score (`Candidate.score`, as rounded) is below it, before any is made: what an
    audit keeps of candidates asked with no threshold (`audit_evidence`), without a Candidate for each of the
    others."""
    out: list[list[Candidate]] = [[] for _ in range(len(prints))]
    if len(q_rows) == 0:
        return out
    qsig = pack(prints.signatures)
    width = qsig.shape[1]
    # np.take copies whole rows; fancy indexing a 2-D uint8 array copies byte by byte (4x slower at a million).
    k = agreements(np.take(store.sig, cand, axis=0), np.take(qsig, q_rows, axis=0))
    j_of, j_rounded = _jaccard_table(width)  # Jaccard takes one of width + 1 values: computed once
    j = j_of[k]
    qs = prints.sizes[q_rows].astype(np.float64)
    ss = store.size[cand].astype(np.float64)
    inter = j * (qs + ss) / (1 + j)
    small = np.minimum(qs, ss)
    cont = np.where(small >= CONTAINMENT_MIN_WORDS, np.minimum(1.0, inter / np.maximum(small, 1)), 0.0)
    keep = (j >= min_similarity) | (cont >= MIN_CONTAINMENT)
    if floor > 0:  # a margin past any rounding: the exact test is made below, on the rounded scores
        keep &= np.maximum(j, cont) >= floor - 1e-4
    idx = np.flatnonzero(keep)
    if len(idx) == 0:
        return out
    _, first = np.unique((q_rows[idx].astype(np.int64) << 32) | cand[idx].astype(np.int64), return_index=True)
    idx = idx[first]
    jj = j_rounded[k[idx]]
    cc = np.array([round(c, 4) for c in cont[idx].tolist()])
    if floor > 0:
        kept = np.maximum(jj, cc) >= floor
        idx, jj, cc = idx[kept], jj[kept], cc[kept]
    at = cand[idx]
    docs = store.doc[at]
    udocs = np.unique(docs)
    named = names(udocs)
    labels = [
        named.get(d) for d in udocs.tolist()
    ]  # None: removed (or replaced) since its postings were written
    di = np.searchsorted(udocs, docs)
    ok = np.fromiter((x is not None for x in labels), dtype=bool, count=len(labels))[di]
    if not ok.any():
        return out
    by_name = np.empty(len(labels), dtype=np.int64)
    by_name[sorted(range(len(labels)), key=lambda i: labels[i] or "")] = np.arange(len(labels))
    rows, paras = q_rows[idx], store.para[at]
    # Best first within each query row: score, then document id, then paragraph (as Candidate.score orders).
    order = np.lexsort((paras, by_name[di], -np.maximum(jj, cc), rows))
    order = order[ok[order]]
    for r, d, p, s, c in zip(
        rows[order].tolist(),
        di[order].tolist(),
        paras[order].tolist(),
        jj[order].tolist(),
        cc[order].tolist(),
    ):
        out[r].append(Candidate(labels[d], p, s, c))
    return out


@lru_cache(maxsize=8)
def _jaccard_table(width: int) -> tuple[np.ndarray, np.ndarray]:
    """Estimated Jaccard similarity for each number of agreeing b-bit values (0..width), and the same rounded to
    4 places as reports show it; the estimate corrects for chance agreement of 1/256 per value."""
    m = np.arange(width + 1) / width
    j = np.clip((m - 1 / 256) / (1 - 1 / 256), 0.0, 1.0)
    return j, np.array([round(x, 4) for x in j.tolist()])
