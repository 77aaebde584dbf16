"""Candidate retrieval shared by every built-in backend: LSH postings in, verified candidates out.

A backend only answers two questions: which stored paragraphs sit under each key (postings), and what it keeps of
a paragraph (a record: document number, paragraph index, content size and an 8-bit packed signature). The rest is
here, so SQLite and Redis return the same candidates for the same corpus.

Two stages. First, LSH: a stored paragraph sharing one key with the query is a raw candidate. A key shared by more
than a thousandth of the corpus (a band made of two common words) says nothing and is skipped, the way a search
engine skips stopwords, except that each query paragraph always keeps its three rarest keys, so a text that is in
the corpus thousands of times is still found; and a query paragraph takes its keys rarest first until they have
brought 1,000 postings, which bounds the work per query on a large corpus (at a million paragraphs: 1.7x the
query rate for 0.1% of recall). Second, verification: the packed signatures estimate Jaccard
similarity and containment, and only candidates reaching either threshold are returned.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from .base import Candidate, Prints

SIG_BYTES_PER_VALUE = 1  # b-bit minhash, b = 8 (Li & Koenig): 1 byte per signature value
RECORD_DTYPE_FIELDS = [("doc", "<u4"), ("para", "<u4"), ("size", "<u2")]
MIN_CONTAINMENT = 0.6
CONTAINMENT_MIN_WORDS = 5
KEEP_RAREST = 3


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


ROW_BUDGET = 1000  # postings a query paragraph may pull: bounds the work per query on a large corpus


def kept_requests(req_rows: np.ndarray, lengths: np.ndarray, cap: int) -> np.ndarray:
    """Which key lookups count: rarest first, while short enough and within the row's budget of postings; and
    always each row's KEEP_RAREST rarest."""
    order = np.lexsort((lengths, req_rows))
    srows = req_rows[order]
    slen = lengths[order]
    first = np.searchsorted(srows, srows, side="left")
    rank = np.arange(len(order)) - first
    csum = np.cumsum(slen)
    within = csum - (csum[first] - slen[first])  # postings of this row up to and including this key
    keep = np.zeros(len(order), dtype=bool)
    keep[order] = (rank < KEEP_RAREST) | ((slen <= cap) & (within <= ROW_BUDGET))
    return keep & (lengths > 0)


def verified(prints: Prints, q_rows: np.ndarray, recs: np.ndarray, min_similarity: float,
             names: Callable[[np.ndarray], dict[int, str]]) -> list[list[Candidate]]:
    """Score raw candidates against their packed signatures and keep the ones that reach a threshold."""
    out: list[list[Candidate]] = [[] for _ in range(len(prints))]
    if len(q_rows) == 0:
        return out
    qsig = pack(prints.signatures)
    m = (recs["sig"] == qsig[q_rows]).mean(axis=1)
    j = np.clip((m - 1 / 256) / (1 - 1 / 256), 0.0, 1.0)
    qs = prints.sizes[q_rows].astype(np.float64)
    ss = recs["size"].astype(np.float64)
    inter = j * (qs + ss) / (1 + j)
    small = np.minimum(qs, ss)
    cont = np.where(small >= CONTAINMENT_MIN_WORDS, np.minimum(1.0, inter / np.maximum(small, 1)), 0.0)
    keep = (j >= min_similarity) | (cont >= MIN_CONTAINMENT)
    idx = np.flatnonzero(keep)
    if len(idx) == 0:
        return out
    named = names(np.unique(recs["doc"][idx]))
    for i in idx:
        name = named.get(int(recs["doc"][i]))
        if name is None:  # removed (or replaced) since its postings were written
            continue
        out[int(q_rows[i])].append(Candidate(name, int(recs["para"][i]), round(float(j[i]), 4),
                                             round(float(cont[i]), 4)))
    for found in out:
        found.sort(key=lambda c: (-c.score, c.doc, c.paragraph))
    return out


def pairs(req_rows: np.ndarray, hit_req: np.ndarray, hit_pid: np.ndarray, lengths: np.ndarray,
          cap: int) -> tuple[np.ndarray, np.ndarray]:
    """Unique (query row, stored paragraph id) pairs from postings hits, common keys skipped."""
    m = kept_requests(req_rows, lengths, cap)[hit_req]
    return unique_pairs(req_rows, hit_req[m], hit_pid[m])


def unique_pairs(req_rows: np.ndarray, hit_req: np.ndarray, hit_pid: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Unique (query row, stored paragraph id) pairs from the postings hits of kept key lookups."""
    combo = np.unique((req_rows[hit_req].astype(np.int64) << 32) | hit_pid.astype(np.int64))
    return combo >> 32, combo & 0xFFFFFFFF

