"""MinHash fingerprints of paragraphs, computed in batches and identical to datasketch's.

datasketch's `MinHash.update_batch` hashes and permutes one paragraph at a time. Here every shingle of a whole batch
of paragraphs is hashed once (xxh32), pre-mixed and permuted in one vectorised numpy pass, and the per-paragraph
minimum is taken with `np.minimum.reduceat`. The arithmetic is datasketch 2.x's "affine32" scheme, with the
permutations taken from a datasketch `MinHash` of the same seed, so the signatures are the same numbers
datasketch computes (tests/test_fingerprint.py proves it) and can be handed to datasketch's LSH and LeanMinHash.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import chain
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import numpy as np
import xxhash

if TYPE_CHECKING:
    from datasketch import MinHash

from provenance.text.tokenize import Token

SCHEME = "affine32"
HASH_NAME = "xxh32"
_MASK32 = np.uint32(0xFFFFFFFF)


@dataclass(frozen=True, slots=True)
class FingerprintParams:
    """Everything that must match for two signatures to be comparable; stored in reports and indexes."""

    num_perm: int = 64
    seed: int = 1
    wording_ngram: int = 3
    scheme: str = SCHEME
    hash: str = HASH_NAME

    def to_dict(self) -> dict[str, Any]:
        return {
            "num_perm": self.num_perm,
            "seed": self.seed,
            "scheme": self.scheme,
            "hash": self.hash,
            "wording": f"word {self.wording_ngram}-gram shingles (case-folded)",
            "content": "content-word stems (stopwords removed)",
        }


def hash32(data: bytes) -> int:
    """The shingle hash: xxh32 with seed 0, a stable 32-bit hash usable as datasketch's `hashfunc`."""
    return xxhash.xxh32_intdigest(data)


@lru_cache(maxsize=16)
def permutations(num_perm: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """The (a, b) parameters of datasketch 2.x's affine32 permutations, drawn the way datasketch draws them.

    Importing datasketch costs most of a second (it pulls in scipy), which a one-pair comparison should not pay;
    tests/test_fingerprint.py checks these equal `datasketch.MinHash(...).permutations`, so they cannot drift.
    """
    gen = np.random.RandomState(seed)
    a = gen.randint(0, 1 << 31, num_perm, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    b = gen.randint(0, 1 << 32, num_perm, dtype=np.uint32)
    return a, b


def _fmix32(h: np.ndarray) -> np.ndarray:
    h = h ^ (h >> np.uint32(16))
    h = h * np.uint32(0x85EBCA6B)
    h = h ^ (h >> np.uint32(13))
    h = h * np.uint32(0xC2B2AE35)
    return h ^ (h >> np.uint32(16))


def wording_shingles(tokens: Sequence[Token], n: int) -> list[bytes]:
    norms = [t.norm for t in tokens]
    if len(norms) < n:
        return [" ".join(norms).encode()] if norms else []
    return [" ".join(norms[i : i + n]).encode() for i in range(len(norms) - n + 1)]


def content_shingles(tokens: Sequence[Token]) -> list[bytes]:
    return [t.content.encode() for t in tokens if t.content]


def signatures(shingle_sets: Sequence[Sequence[bytes]], num_perm: int = 64, seed: int = 1,
               chunk_rows: int = 1 << 16) -> np.ndarray:
    """MinHash signatures (uint32, one row per shingle set) for many sets at once.

    An empty set gets the all-max signature, as an untouched datasketch MinHash has.
    """
    a, b = permutations(num_perm, seed)
    out = np.full((len(shingle_sets), num_perm), _MASK32, dtype=np.uint32)
    lengths = np.fromiter((len(x) for x in shingle_sets), dtype=np.int64, count=len(shingle_sets))
    hashes = list(map(xxhash.xxh32_intdigest, chain.from_iterable(shingle_sets)))
    if not hashes:
        return out
    hv = _fmix32(np.asarray(hashes, dtype=np.uint32))
    ends = np.cumsum(lengths)
    starts = ends - lengths
    nonempty = np.flatnonzero(lengths)
    # Process whole rows in chunks so the (tokens x num_perm) matrix stays small.
    ne_ends = ends[nonempty]
    row = 0
    while row < len(nonempty):
        first = nonempty[row]
        stop = max(row + 1, int(np.searchsorted(ne_ends, starts[first] + chunk_rows, side="right")))
        rows = nonempty[row:stop]
        lo, hi = starts[rows[0]], ends[rows[-1]]
        phv = hv[lo:hi, None] * a[None, :] + b[None, :]
        out[rows] = np.minimum.reduceat(phv, starts[rows] - lo, axis=0)
        row = stop
    return out


def to_datasketch(signature: np.ndarray, seed: int = 1) -> MinHash:
    """A datasketch LeanMinHash view of a signature, for use with datasketch's LSH classes."""
    from datasketch import LeanMinHash, MinHash

    m = MinHash(num_perm=len(signature), seed=seed, scheme=SCHEME, hashfunc=hash32,
                hashvalues=signature.astype(np.uint32), permutations=permutations(len(signature), seed))
    return LeanMinHash(m)


def jaccard(sig_a: np.ndarray, sig_b: np.ndarray) -> float:
    """Estimated Jaccard similarity of two signatures (share of equal slots); 0 for two empty sets."""
    if np.all(sig_a == _MASK32) or np.all(sig_b == _MASK32):
        return 0.0
    return float(np.count_nonzero(sig_a == sig_b)) / len(sig_a)
