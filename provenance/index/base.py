"""What every index backend stores and answers, independent of where it lives."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

from ..errors import UsageError
from ..fingerprint import FingerprintParams

FORMAT_VERSION = 1


@dataclass(frozen=True, slots=True)
class IndexParams:
    """Fingerprint and LSH parameters; an index refuses a query or an insert made with different ones.

    Banding: `bands` x `rows` uses the first that many of the num_perm signature values. Rows of 2 catch content-word Jaccard similarity down to about
    0.2 (a rewrite keeps far fewer shingles than a copy), at the price of more candidates to score.
    """

    fingerprint: FingerprintParams
    bands: int = 32
    rows: int = 2

    def __post_init__(self) -> None:
        if self.bands < 1 or self.rows < 1 or self.bands * self.rows > self.fingerprint.num_perm:
            raise UsageError(f"index banding {self.bands}x{self.rows} needs at most num_perm "
                             f"({self.fingerprint.num_perm}) signature values")

    def to_dict(self) -> dict[str, Any]:
        return {"format": FORMAT_VERSION, "fingerprint": self.fingerprint.to_dict(), "bands": self.bands,
                "rows": self.rows, "signature": "content"}

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), sort_keys=True)

    def check(self, stored: str, location: str) -> None:
        if stored != self.to_json():
            theirs = json.loads(stored)
            raise UsageError(
                f"{location}: the index was built with other parameters ({_summary(theirs)}) than this run "
                f"({_summary(self.to_dict())}); use a new index or the same parameters")


def _summary(d: dict[str, Any]) -> str:
    fp = d.get("fingerprint", {})
    return (f"format {d.get('format')}, num_perm {fp.get('num_perm')}, seed {fp.get('seed')}, "
            f"{d.get('bands')}x{d.get('rows')} bands, {fp.get('scheme')}/{fp.get('hash')}")


_MIX = np.uint64(0x9E3779B97F4A7C15)


def band_keys(sigs: np.ndarray, bands: int, rows: int) -> np.ndarray:
    """One signed 64-bit key per (paragraph, band): the band number and its rows mixed together, vectorised.

    A multiply-xorshift mix is enough here: keys only need to spread evenly, and a rare collision only adds a
    candidate that exact scoring then discards.
    """
    n = sigs.shape[0]
    view = np.ascontiguousarray(sigs[:, : bands * rows], dtype=np.uint32).reshape(n, bands, rows).astype(np.uint64)
    h = np.broadcast_to((np.arange(bands, dtype=np.uint64) + np.uint64(1)) * _MIX, (n, bands)).copy()
    with np.errstate(over="ignore"):
        for j in range(rows):
            h ^= view[:, :, j]
            h *= _MIX
            h ^= h >> np.uint64(29)
    return h.view(np.int64)


@dataclass(frozen=True, slots=True)
class StoredDocument:
    id: str
    digest: str
    format: str
    text: str
    meta: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Candidate:
    doc: str
    paragraph: int  # index of the paragraph in the stored document
    similarity: float  # estimated content Jaccard


class Index(Protocol):
    location: str
    params: IndexParams

    def digest_of(self, doc_id: str) -> str | None: ...

    def put(self, doc: StoredDocument, paragraphs: Sequence[int], signatures: np.ndarray) -> None: ...

    def remove(self, ids: Iterable[str]) -> int: ...

    def candidates(self, signatures: np.ndarray, min_similarity: float) -> list[list[Candidate]]: ...

    def document(self, doc_id: str) -> StoredDocument | None: ...

    def info(self) -> dict[str, Any]: ...

    def close(self) -> None: ...
