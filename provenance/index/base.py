"""What every index backend stores and answers, independent of where it lives."""

from __future__ import annotations

import json
import zlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

from provenance.errors import InputError, UsageError
from provenance.fingerprint import (
    SENTENCE_PERM,
    FingerprintParams,
    Fingerprints,
    fingerprint_document,
    fingerprint_paragraphs,
)
from provenance.model import Document

FORMAT_VERSION = 4  # 4: Redis stores segments, as SQLite does (whose layout is unchanged since format 2)
TEXT_LEVEL = 6  # zlib level of stored texts (compressed by the fingerprinting workers, in parallel)


# Stored counters and sizes: every one read back from an index goes through `stored_int`, by the readers and by
# `index check` alike, so a damaged or hostile value is one line (exit 3) and never sizes an allocation.
MAX_PARAGRAPH_ID = (1 << 32) - 1  # paragraph ids and document numbers are stored as uint32
MAX_DOCUMENT_NUMBER = (1 << 32) - 1
MAX_PARAGRAPHS = 1 << 32  # paragraphs in one index, segment or document: no more ids exist
DEFLATE_RATIO = 1032  # deflate's largest expansion: a blob of n bytes never holds more than 1032 n


def stored_int(value: object, what: str, hi: int, lo: int = 0) -> int:
    """A counter or size read from an index, checked to be a whole number from `lo` to `hi`; ValueError (which
    each backend reports as damage) otherwise."""
    if isinstance(value, bytes):
        value = value.decode("ascii", errors="replace")
    if isinstance(value, str) and value.strip().isascii() and value.strip().lstrip("-").isdigit():
        number: object = int(value) if len(value) < 24 else None
    else:
        number = value if isinstance(value, int) and not isinstance(value, bool) else None
    if not isinstance(number, int) or not lo <= number <= hi:
        shown = repr(value) if len(repr(value)) <= 40 else repr(value)[:37] + "..."
        raise ValueError(f"{what} {shown} is not a whole number from {lo} to {hi}")
    return number


def stored_text(value: object, what: str) -> str:
    """A name or field read from an index, checked to be text (SQLite keeps any type in any column); ValueError
    (damage) otherwise."""
    if not isinstance(value, str):
        raise ValueError(f"{what} is {type(value).__name__}, not text")
    return value


def stored_article(blob: object) -> str:
    """A stored text, inflated and decoded; ValueError (damage) when it does not inflate, is not UTF-8, or would
    inflate past what `index add` can have stored: an article of at most --max-bytes, re-encoded as UTF-8 (at most
    3 bytes a byte; 4 with room). A damaged blob that inflates without end stops there, not at the memory's end."""
    if not isinstance(blob, bytes):
        raise ValueError(f"a stored text is {type(blob).__name__}, not bytes")
    from provenance.limits import max_bytes

    cap = 4 * max_bytes() if max_bytes() else 0
    inflate = zlib.decompressobj()
    try:
        raw = inflate.decompress(blob, cap + 1) if cap else inflate.decompress(blob)
    except zlib.error as exc:
        raise ValueError(f"a stored text does not inflate ({exc})") from None
    if cap and len(raw) > cap:
        raise ValueError(f"a stored text inflates past {cap:,} bytes, more than any article stored")
    return raw.decode("utf-8")


def next_ids(first: int, count: int, location: str) -> None:
    """Refuse a batch whose paragraph ids would pass the largest storable one (they would wrap and collide)."""
    if first + count > MAX_PARAGRAPH_ID + 1:
        raise InputError(
            f"{location}: the index has given paragraph ids up to {first:,} and cannot give {count:,} more "
            f"(at most {MAX_PARAGRAPH_ID + 1:,}); build a new index"
        )


@dataclass(frozen=True, slots=True)
class IndexParams:
    """Fingerprint and LSH parameters; an index refuses a query or an insert made with different ones.

    Banding: `bands` x `rows` uses the first that many of the num_perm content signature values. Rows of 2 catch
    content-word Jaccard similarity down to about 0.25 (a paraphrase keeps far fewer words than a copy); 24 bands
    keep 99.8% of paraphrased source paragraphs of the synthetic benchmark (bench/index_speed.py), 32 add little.
    Each sentence of at least three content words also gets one key of its own, so that a short paragraph copied
    out of a long one (low Jaccard, high containment) is still found.
    """

    fingerprint: FingerprintParams
    bands: int = 24
    rows: int = 2
    sentence_keys: bool = True

    def __post_init__(self) -> None:
        if self.bands < 1 or self.rows < 1 or self.bands * self.rows > self.fingerprint.num_perm:
            raise UsageError(
                f"index banding {self.bands}x{self.rows} needs at most num_perm "
                f"({self.fingerprint.num_perm}) signature values"
            )

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": FORMAT_VERSION,
            "fingerprint": self.fingerprint.to_dict(),
            "bands": self.bands,
            "rows": self.rows,
            "sentence_keys": self.sentence_keys,
            "signature": "content",
            "stored_signature": "8-bit b-bit minhash",
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), sort_keys=True)

    def check(self, stored: str, location: str, also: tuple[int, ...] = ()) -> None:
        """Refuse an index of other parameters or another format; `also`: older formats whose layout a backend
        reads unchanged."""
        if stored == self.to_json():
            return
        try:
            theirs = json.loads(stored)
        except ValueError:
            raise InputError(f"{location}: the index parameters are unreadable (corrupted index?)") from None
        fmt = theirs.get("format") if isinstance(theirs, dict) else None
        if fmt in also and json.dumps({**theirs, "format": FORMAT_VERSION}, sort_keys=True) == self.to_json():
            return
        if fmt != FORMAT_VERSION:
            newer = isinstance(fmt, int) and fmt > FORMAT_VERSION
            raise InputError(
                f"{location}: index format {fmt} was written by a {'newer' if newer else 'older'} text-provenance "
                f"(this one reads format {FORMAT_VERSION}); "
                + ("upgrade text-provenance" if newer else "rebuild the index with `provenance index add`")
            )
        if not _written_by_us(theirs):
            raise InputError(
                f"{location}: the stored index parameters are damaged (no text-provenance writes them: "
                f"{_summary(theirs)}); `provenance index check` reports it, rebuild the index"
            )
        raise UsageError(
            f"{location}: the index was built with other parameters ({_summary(theirs)}) than this run "
            f"({_summary(self.to_dict())}); use a new index or the same parameters"
        )


def _written_by_us(theirs: dict[str, Any]) -> bool:
    """Whether stored parameters are ones this version writes for some IndexParams (other numbers, perhaps): if
    not, a key, a type or a name in them was damaged, which is not a choice of parameters but damage. A changed
    number that still makes valid parameters cannot be told from another choice (docs/reliability.md)."""
    try:
        fp = theirs["fingerprint"]
        wording = fp["wording"].removeprefix("word ").removesuffix("-gram shingles (case-folded)")
        if not all(type(v) is int for v in (fp["num_perm"], fp["seed"], theirs["bands"], theirs["rows"])):
            return False
        built = IndexParams(
            FingerprintParams(fp["num_perm"], fp["seed"], int(wording)),
            theirs["bands"],
            theirs["rows"],
            theirs["sentence_keys"],
        )
        return (
            built.to_dict() == {**theirs, "format": FORMAT_VERSION} and type(theirs["sentence_keys"]) is bool
        )
    except (KeyError, TypeError, ValueError, AttributeError, UsageError):
        return False


def _summary(d: dict[str, Any]) -> str:
    fp = d.get("fingerprint", {})
    return (
        f"format {d.get('format')}, num_perm {fp.get('num_perm')}, seed {fp.get('seed')}, "
        f"{d.get('bands')}x{d.get('rows')} bands, {fp.get('scheme')}/{fp.get('hash')}"
    )


_MIX = np.uint64(0x9E3779B97F4A7C15)
SENTENCE_SALT = 1000  # band number of sentence keys: they never share a key with a paragraph band by design


def band_keys(sigs: np.ndarray, bands: int, rows: int, salt: int = 0) -> np.ndarray:
    """One 32-bit key per (row, band): the band number and its rows mixed together, vectorised.

    A multiply-xorshift mix is enough: keys only need to spread evenly, and a rare collision only adds a candidate
    that verification against the stored signature discards.
    """
    n = sigs.shape[0]
    view = (
        np.ascontiguousarray(sigs[:, : bands * rows], dtype=np.uint32)
        .reshape(n, bands, rows)
        .astype(np.uint64)
    )
    h = np.broadcast_to(
        (np.arange(salt, salt + bands, dtype=np.uint64) + np.uint64(1)) * _MIX, (n, bands)
    ).copy()
    with np.errstate(over="ignore"):
        for j in range(rows):
            h ^= view[:, :, j]
            h *= _MIX
            h ^= h >> np.uint64(29)
    return (h >> np.uint64(32)).astype(np.uint32)


@dataclass(frozen=True, slots=True)
class Prints:
    """What the index keeps of a document's paragraphs (or asks about a derived article's).

    `rows[i]` is the paragraph index in the document; `signatures` the content MinHash signatures; `sizes` the
    number of distinct content words (for containment); `sentence_keys` with `sentence_rows` the keys of single
    sentences and the row each belongs to.
    """

    rows: np.ndarray
    signatures: np.ndarray
    sizes: np.ndarray
    sentence_keys: np.ndarray
    sentence_rows: np.ndarray

    def __len__(self) -> int:
        return len(self.rows)

    @staticmethod
    def empty(num_perm: int) -> Prints:
        return Prints(
            np.zeros(0, np.int64),
            np.zeros((0, num_perm), np.uint32),
            np.zeros(0, np.uint16),
            np.zeros(0, np.uint32),
            np.zeros(0, np.int64),
        )

    @staticmethod
    def concat(parts: Sequence[Prints], num_perm: int) -> Prints:
        """Several documents' prints as one batch (rows numbered across the batch), to key them in one pass."""
        if not parts:
            return Prints.empty(num_perm)
        counts = np.array([len(p) for p in parts], dtype=np.int64)
        offsets = np.cumsum(counts) - counts
        return Prints(
            np.concatenate([p.rows for p in parts]),
            np.concatenate([p.signatures for p in parts]).reshape(-1, num_perm),
            np.concatenate([p.sizes for p in parts]),
            np.concatenate([p.sentence_keys for p in parts]),
            np.concatenate([p.sentence_rows + o for p, o in zip(parts, offsets)]),
        )

    def split(self, counts: Sequence[int]) -> list[Prints]:
        """The prints of consecutive documents of `counts` rows each (`concat` undone)."""
        ends = np.cumsum(np.asarray(counts, dtype=np.int64))
        cuts = np.searchsorted(self.sentence_rows, ends).tolist()
        out = []
        lo = slo = 0
        for hi, shi in zip(ends.tolist(), cuts):
            out.append(
                Prints(
                    self.rows[lo:hi],
                    self.signatures[lo:hi],
                    self.sizes[lo:hi],
                    self.sentence_keys[slo:shi],
                    self.sentence_rows[slo:shi] - lo,
                )
            )
            lo, slo = hi, shi
        return out

    def keys(self, params: IndexParams) -> tuple[np.ndarray, np.ndarray]:
        """Every LSH key of these paragraphs and the row it belongs to."""
        n = len(self)
        bk = band_keys(self.signatures, params.bands, params.rows).ravel()
        brow = np.repeat(np.arange(n, dtype=np.int64), params.bands)
        live = np.repeat(~np.all(self.signatures == np.uint32(0xFFFFFFFF), axis=1), params.bands)
        keys, rows = bk[live], brow[live]
        if params.sentence_keys and len(self.sentence_keys):
            keys = np.concatenate([keys, self.sentence_keys])
            rows = np.concatenate([rows, self.sentence_rows])
        return keys, rows


def prints_of(fp: Fingerprints) -> Prints:
    """What the index keeps of fingerprinted paragraphs: their content signatures and sizes, and the keys of their
    sentences' signatures."""
    if fp.sentence_signatures is not None and len(fp.sentence_signatures):
        skeys = band_keys(fp.sentence_signatures, 1, SENTENCE_PERM, salt=SENTENCE_SALT).ravel()
        srows = fp.sentence_rows if fp.sentence_rows is not None else np.zeros(0, np.int64)
    else:
        skeys, srows = np.zeros(0, np.uint32), np.zeros(0, np.int64)
    return Prints(fp.rows, fp.content, fp.sizes, skeys, srows)


def prints_of_document(doc: Document, params: IndexParams) -> Prints:
    """Prints of every non-boilerplate paragraph of a segmented Document."""
    return prints_of(
        fingerprint_document(doc, params.fingerprint, wording=False, sentences=params.sentence_keys)
    )


def prints_of_texts(texts: Sequence[str], params: IndexParams) -> Prints:
    """Prints of plain paragraphs (benchmarks, tests), segmented into sentences as any paragraph is."""
    from provenance.text.segment import make_paragraph

    paragraphs = [make_paragraph(i, t) for i, t in enumerate(texts)]
    return prints_of(
        fingerprint_paragraphs(paragraphs, params.fingerprint, wording=False, sentences=params.sentence_keys)
    )


@dataclass(frozen=True, slots=True)
class StoredDocument:
    id: str
    digest: str
    format: str
    text: str
    meta: dict[str, str] = field(default_factory=dict)
    packed: bytes | None = None  # the text zlib-compressed, when a worker process has already done it

    def compressed(self) -> bytes:
        return (
            self.packed if self.packed is not None else zlib.compress(self.text.encode("utf-8"), TEXT_LEVEL)
        )


@dataclass(frozen=True, slots=True)
class Written:
    """What one `put_many` did to each of its documents, decided inside the write (under SQLite's write lock, in
    Redis's atomic script), so writers adding the same documents at once count each one `added` exactly once:
    `added` (the id was not stored), `replaced` (stored with another digest), `unchanged` (stored with the same
    digest by then: not written again)."""

    added: int = 0
    replaced: int = 0
    unchanged: int = 0

    def __add__(self, other: Written) -> Written:
        return Written(
            self.added + other.added, self.replaced + other.replaced, self.unchanged + other.unchanged
        )


def last_versions(items: Sequence[tuple[StoredDocument, Prints]]) -> list[tuple[StoredDocument, Prints]]:
    """A batch with each id once, its last version (as written one by one, the last one wins), in batch order."""
    last = {doc.id: i for i, (doc, _) in enumerate(items)}
    return [it for i, it in enumerate(items) if last[it[0].id] == i]


def tally(
    items: Sequence[tuple[StoredDocument, Prints]], stored: Mapping[str, str]
) -> tuple[list[tuple[StoredDocument, Prints]], Written]:
    """The documents to write (new or changed) and the counts, given the digests stored now (id -> digest; called
    inside the write, so no other writer changes them meanwhile). `items` hold each id once (`last_versions`)."""
    write = [(doc, prints) for doc, prints in items if stored.get(doc.id) != doc.digest]
    replaced = sum(doc.id in stored for doc, _ in write)
    return write, Written(len(write) - replaced, replaced, len(items) - len(write))


@dataclass(frozen=True, slots=True)
class Candidate:
    doc: str
    paragraph: int  # index of the paragraph in the stored document
    similarity: float  # estimated content Jaccard
    containment: float = 0.0  # estimated share of the smaller paragraph's content words found in the other

    @property
    def score(self) -> float:
        return max(self.similarity, self.containment)


def few_names(names: Sequence[str], n: int = 3) -> str:
    """A few of many names for a one-line problem report: 'a', 'b', 'c' and 12 more."""
    shown = ", ".join(map(repr, names[:n]))
    return shown + (f" and {len(names) - n} more" if len(names) > n else "")


def embed_meta(value: str | None, location: str) -> dict[str, str]:
    """The recorded `--embed` requests; shared by every backend's meta."""
    if not value:
        return {}
    try:
        kinds = json.loads(value)
    except ValueError:
        kinds = None
    if not isinstance(kinds, dict) or not all(isinstance(v, str) for v in kinds.values()):
        raise InputError(f"{location}: the index's record of stored vectors is unreadable (damaged index?)")
    return {str(k): v for k, v in kinds.items()}


def looks_like_digest(value: object) -> bool:
    """Whether a stored digest is `index add`'s (32 hex digits), which `index check` can recompute."""
    return isinstance(value, str) and len(value) == 32 and all(c in "0123456789abcdef" for c in value)


class Index(Protocol):
    """What every index backend offers: `open(location, *, create, params)` of a backend returns one.

    Both built-in backends (provenance/index/sqlite, provenance/index/redis) implement every method, and a
    third-party backend must too: `open_index` refuses one that lacks any (`missing_members`). An index that cannot
    store vectors still answers: `embeddings()` {} and `vector_counts()` {}, `have_vectors`/`vectors` nothing, and
    `set_embeddings`/`put_vectors` raise UsageError.
    """

    location: str
    params: IndexParams

    # Documents -----------------------------------------------------------------------------------------------

    def digest_of(self, doc_id: str) -> str | None:
        """The digest stored with a document (None: not stored): `index add` skips a document whose digest is
        unchanged."""
        ...

    def put_many(self, items: Sequence[tuple[StoredDocument, Prints]]) -> Written:
        """Store documents (replacing older versions) atomically: all of them or none. A document stored already
        with the same digest is not written again; the counts (`Written`) are decided inside the write, so
        concurrent writers never count one document `added` twice. (A backend that returns None is counted from
        outside its write, exact for a single writer only.)"""
        ...

    def remove(self, ids: Iterable[str]) -> int:
        """Remove documents by id; returns how many were stored."""
        ...

    def document(self, doc_id: str) -> StoredDocument | None:
        """A stored document with its text, or None."""
        ...

    def ids(self) -> list[str]:
        """Every stored document id, sorted (`provenance index list`)."""
        ...

    # Retrieval -----------------------------------------------------------------------------------------------

    def candidates(self, prints: Prints, min_similarity: float = 0.2) -> list[list[Candidate]]:
        """Per query paragraph (row of `prints`), the stored paragraphs that may be its source, best first."""
        ...

    # Upkeep --------------------------------------------------------------------------------------------------

    def info(self) -> dict[str, Any]:
        """At least `location`, `backend`, `documents`, `paragraphs` and `parameters` (IndexParams.to_dict())."""
        ...

    def verify(self) -> list[str]:
        """Every problem found in the stored index, one line each; an empty list: the index is sound."""
        ...

    def close(self) -> None: ...

    # Stored sentence vectors (`index add --embed`, provenance/index/vectors.py) ------------------------------

    def embeddings(self) -> dict[str, str]:
        """Scorer name -> embedding version, for every `--embed` recorded in the index."""
        ...

    def set_embeddings(self, kinds: Mapping[str, str]) -> None:
        """Record which scorers' vectors the index keeps (replacing the earlier record)."""
        ...

    def put_vectors(self, name: str, version: str, items: Sequence[tuple[str, str, bytes]]) -> None:
        """Store (doc id, digest, blob) triples; a document whose digest changed meanwhile keeps none."""
        ...

    def have_vectors(self, name: str, version: str, ids: Sequence[str]) -> set[str]:
        """Which of `ids` have vectors of this scorer and version for their current text."""
        ...

    def vectors(self, name: str, version: str, ids: Sequence[str]) -> dict[str, bytes]:
        """The stored blobs of `ids` for their current text (ids without any are left out)."""
        ...

    def vector_counts(self) -> dict[str, int]:
        """Scorer name -> documents whose current text has its vectors (`provenance index info`)."""
        ...


def missing_members(index: object) -> list[str]:
    """The members of the Index protocol an object lacks (empty: it is a complete index)."""
    members = set(Index.__annotations__) | {
        name for name, value in vars(Index).items() if callable(value) and not name.startswith("_")
    }
    return sorted(m for m in members if not hasattr(index, m))
