"""MinHash fingerprints of paragraphs, computed in batches and identical to datasketch's.

`fingerprint_document` is the one place a Document becomes signatures, for `compare` (evidence beside each derived
paragraph) and for the corpus index (candidate retrieval) alike. Signatures travel with the parameters that made
them, and two of different parameters refuse to be compared, as datasketch's MinHash does.

datasketch's `MinHash.update_batch` hashes and permutes one paragraph at a time. Here every shingle of a whole batch
of paragraphs is hashed once (xxh32), pre-mixed and permuted in one vectorised numpy pass, and the per-paragraph
minimum is taken with `np.minimum.reduceat`. The arithmetic is datasketch 2.x's "affine32" scheme, with the
permutations taken from a datasketch `MinHash` of the same seed, so the signatures are the same numbers
datasketch computes (tests/test_fingerprint.py proves it) and can be handed to datasketch's LSH and LeanMinHash.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import chain
from typing import TYPE_CHECKING, Any

import numpy as np
import xxhash

if TYPE_CHECKING:
    from datasketch import MinHash

from provenance.errors import UsageError
from provenance.kept import KeptByIdentity
from provenance.model import Document, Paragraph, Token
from provenance.text.chunks import decode_batch, vocabulary
from provenance.text.tokenize import contents_by_sentence

SCHEME = "affine32"
HASH_NAME = "xxh32"
_MASK32 = np.uint32(0xFFFFFFFF)
# Sentences get a small signature of their own (for the index's sentence keys: a short paragraph copied out of a long
# one has a low Jaccard similarity with it but shares whole sentences), when they hold this many distinct content
# words: shorter ones ("He said so.") would match everywhere.
SENTENCE_MIN_WORDS = 3
SENTENCE_PERM = 2


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


# The draws every comparison and index makes (the default num_perm and seed, and the sentence signatures'), as
# little-endian uint32 hex: taking them from RandomState imports numpy.random, about 8 ms of a cold start.
# tests/test_fingerprint.py checks each against datasketch's own draw.
_DRAWN: dict[tuple[int, int], tuple[str, str]] = {
    (64, 1): (
        (
            "4be883d5d7018ffe195fce70912878ddfffd0e00138799419755cb9a0b3d82ff9f96234b81a7e0782101472f03a10ccb"
            "997f5d5f8f3c9cc6db55edb0f9f3e8560d1b25cb33fafede65c9df1329aa4fb1fda9a0d6cb6265a02517d55ea993910c"
            "17f7ad68f9410ce3d59b98c139258b753bbf050e1db39e116584475789d4f2d3aff9a8d5afbf16ead3970c1ee38584dc"
            "efcbe047bd5bd5e0c18e6d65ad08898e1b31fb99d3af936e13fbbfef0f08039b7f2279a07b96832f2d1c7862734a4b09"
            "0314b6c001efe3ba79e209caa3f185a811ea8a2bb1c5c1a81bfdfe13e734cd8b5f03f456d51f551ef3e49bc191734f57"
            "3d845a328f48a62f076b9bd78d0be357"
        ),
        (
            "953f38f531ee6a6939857d8803b29232c4db1eb1182b254af1a1c5502bfc61244c86beaf1a4c87c83407aad550259c69"
            "6d8aae047373bf08297509c0d26dc09f0f0026fd406c1fa9c4c887bf19306a4c6f2dcb47e2de3572d7350eca8727dd38"
            "1a056d1a99fec7126826a9721604207809b799e8c3be9e18e74b2a4b7e4443e717a5ab497ded961e648d49219b405986"
            "a53bf50439516815532ac8ada66cb7ea88422d36202513e9a2ddfa430aaf864c17bdd77d8f869a95ef2aa90d579cdf90"
            "195ff992c70f2b9df30090255c85dff44abadc96be84cf422e5d23b3a0d3233bd896321a97149088b792ff6941252ff3"
            "7135c4b14d27397e03a7076a80cb648a"
        ),
    ),
    (2, 2): (
        "51b93adf1f14c35e",
        "ed19a306487679ee",
    ),
}


@lru_cache(maxsize=16)
def permutations(num_perm: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """The (a, b) parameters of datasketch 2.x's affine32 permutations, drawn the way datasketch draws them.

    Importing datasketch costs most of a second (it pulls in scipy), which a one-pair comparison should not pay;
    tests/test_fingerprint.py checks these equal `datasketch.MinHash(...).permutations`, so they cannot drift.
    """
    drawn = _DRAWN.get((num_perm, seed))
    if drawn is not None:
        a, b = (np.frombuffer(bytes.fromhex(h), dtype="<u4").astype(np.uint32) for h in drawn)
        return a, b
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
    # zip of n shifted views: the n-grams in order, joined and encoded in C loops
    return list(map(str.encode, map(" ".join, zip(*(norms[k:] for k in range(n))))))


def content_shingles(tokens: Sequence[Token]) -> list[bytes]:
    return [t.content.encode() for t in tokens if t.content]


def signatures(
    shingle_sets: Sequence[Sequence[bytes]], num_perm: int = 64, seed: int = 1, chunk_rows: int = 1 << 16
) -> np.ndarray:
    """MinHash signatures (uint32, one row per shingle set) for many sets at once.

    An empty set gets the all-max signature, as an untouched datasketch MinHash has.
    """
    hashes = np.fromiter(map(xxhash.xxh32_intdigest, chain.from_iterable(shingle_sets)), dtype=np.uint32)
    lengths = np.fromiter(map(len, shingle_sets), dtype=np.int64, count=len(shingle_sets))
    return _minhash(hashes, lengths, num_perm, seed, chunk_rows)


# A word's shingle hash, kept once worked out: a corpus repeats most of its vocabulary.
WORD_HASHES_KEPT = 500_000
_WORD_HASHES: dict[str, int] = {}


def word_hashes(words: Sequence[str]) -> np.ndarray:
    """The shingle hashes (`hash32` of the UTF-8 text) of words, as uint32."""
    try:
        return np.fromiter(map(_WORD_HASHES.__getitem__, words), dtype=np.uint32, count=len(words))
    except KeyError:
        pass
    for w in words:
        if w not in _WORD_HASHES and len(_WORD_HASHES) < WORD_HASHES_KEPT:
            _WORD_HASHES[w] = xxhash.xxh32_intdigest(w.encode())
    if len(_WORD_HASHES) < WORD_HASHES_KEPT:
        return np.fromiter(map(_WORD_HASHES.__getitem__, words), dtype=np.uint32, count=len(words))
    return np.fromiter(
        (_WORD_HASHES.get(w) or xxhash.xxh32_intdigest(w.encode()) for w in words),
        dtype=np.uint32,
        count=len(words),
    )


def word_signatures(word_sets: Sequence[Sequence[str]], num_perm: int = 64, seed: int = 1) -> np.ndarray:
    """`signatures` of sets of words (each word one shingle, as its UTF-8 bytes)."""
    flat = list(chain.from_iterable(word_sets))
    lengths = np.fromiter(map(len, word_sets), dtype=np.int64, count=len(word_sets))
    return _minhash(word_hashes(flat), lengths, num_perm, seed)


def _minhash(
    hashes: np.ndarray, lengths: np.ndarray, num_perm: int, seed: int, chunk_rows: int = 1 << 16
) -> np.ndarray:
    """Signatures of consecutive runs of shingle hashes (`lengths` of them each)."""
    a, b = permutations(num_perm, seed)
    out = np.full((len(lengths), num_perm), _MASK32, dtype=np.uint32)
    if not len(hashes):
        return out
    hv = _fmix32(hashes)
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
        # (permutations x shingles): each permutation's row is one long contiguous loop for numpy, where
        # (shingles x permutations) made it loop 64 at a time (about three times slower, same values).
        phv = np.multiply.outer(a, hv[lo:hi])
        phv += b[:, None]
        out[rows] = np.minimum.reduceat(phv, starts[rows] - lo, axis=1).T
        row = stop
    return out


def to_datasketch(signature: np.ndarray, seed: int = 1) -> MinHash:
    """A datasketch LeanMinHash view of a signature, for use with datasketch's LSH classes."""
    from datasketch import LeanMinHash, MinHash

    m = MinHash(
        num_perm=len(signature),
        seed=seed,
        scheme=SCHEME,
        hashfunc=hash32,
        hashvalues=signature.astype(np.uint32),
        permutations=permutations(len(signature), seed),
    )
    return LeanMinHash(m)


def jaccard(sig_a: np.ndarray, sig_b: np.ndarray) -> float:
    """Estimated Jaccard similarity of two signatures (share of equal slots); 0 for two empty sets."""
    if np.all(sig_a == _MASK32) or np.all(sig_b == _MASK32):
        return 0.0
    return float(np.count_nonzero(sig_a == sig_b)) / len(sig_a)


@dataclass(frozen=True, slots=True, eq=False)
class Fingerprints:
    """The MinHash signatures of a document's body paragraphs (boilerplate is never fingerprinted).

    `rows` are the paragraphs' indexes in the document; `content` the signatures of their content-word stems (what
    the index retrieves by: a paraphrase keeps content words, not word order); `sizes` their numbers of distinct
    content words (for containment); `wording` the signatures of word `wording_ngram`-grams, when asked for; and,
    when asked for, `sentence_signatures` with `sentence_rows` (the row each belongs to), one per sentence of at
    least SENTENCE_MIN_WORDS distinct content words.
    """

    params: FingerprintParams
    rows: np.ndarray
    content: np.ndarray
    sizes: np.ndarray
    wording: np.ndarray | None = None
    sentence_signatures: np.ndarray | None = None
    sentence_rows: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.rows)


def fingerprint_paragraphs(
    paragraphs: Sequence[Paragraph],
    params: FingerprintParams,
    *,
    wording: bool = True,
    sentences: bool = False,
) -> Fingerprints:
    """Signatures of the given paragraphs, from the tokens the segmenter gave them (never tokenised again)."""
    content_sets = [[t.content for t in p.tokens if t.content] for p in paragraphs]
    sentence_sets: list[list[str]] = []
    sentence_rows: list[int] = []
    if sentences:
        for row, p in enumerate(paragraphs):
            for sent in contents_by_sentence(p.tokens, p.sentences):
                if len(set(sent)) >= SENTENCE_MIN_WORDS:
                    sentence_sets.append(sent)
                    sentence_rows.append(row)
    content = word_signatures(content_sets, params.num_perm, params.seed)
    sizes = np.fromiter(
        (min(len(set(c)), 65535) for c in content_sets), dtype=np.uint16, count=len(content_sets)
    )
    wording_sigs = None
    if wording:
        wording_sigs = signatures(
            [wording_shingles(p.tokens, params.wording_ngram) for p in paragraphs],
            params.num_perm,
            params.seed,
        )
    return Fingerprints(
        params,
        np.array([p.index for p in paragraphs], dtype=np.int64),
        content,
        sizes,
        wording_sigs,
        word_signatures(sentence_sets, SENTENCE_PERM, params.seed + 1) if sentences else None,
        np.array(sentence_rows, dtype=np.int64) if sentences else None,
    )


class _IdHashes:
    """The shingle hash of each content word of provenance/text/chunks.py's vocabulary, by id, kept in step with it
    (worked out once per word; started afresh when the vocabulary is)."""

    def __init__(self) -> None:
        self.generation = -1
        self.table = np.zeros(0, np.uint32)

    def __call__(self, ids: np.ndarray) -> np.ndarray:
        generation, words = vocabulary()
        if generation != self.generation:
            self.generation, self.table = generation, np.zeros(0, np.uint32)
        if len(words) > len(self.table):
            new = np.fromiter(
                (xxhash.xxh32_intdigest(w.encode()) for w in words[len(self.table) :]), dtype=np.uint32
            )
            self.table = np.concatenate([self.table, new])
        return self.table[ids]


_ID_HASHES = _IdHashes()


def fingerprint_codes(
    rows: Sequence[int], codes: Sequence[str], params: FingerprintParams, *, sentences: bool = True
) -> Fingerprints:
    """Content and sentence signatures (no wording) of paragraphs given as codes of their sentences' content words
    (provenance/text/chunks.py `sentence_codes`), a whole batch in one vectorised pass: what
    `fingerprint_paragraphs(..., wording=False, sentences=sentences)` gives for the same paragraphs."""
    decoded = decode_batch(codes)
    hashes = _ID_HASHES(decoded.ids)
    content = _minhash(hashes, decoded.paragraph_lengths, params.num_perm, params.seed)
    sizes = np.minimum(decoded.paragraph_distinct, 65535).astype(np.uint16)
    if not sentences:
        return Fingerprints(params, np.asarray(rows, dtype=np.int64), content, sizes)
    # A paragraph's words are its sentences' in order, so each sentence's hashes are one run of the batch's.
    kept = decoded.sentence_distinct >= SENTENCE_MIN_WORDS
    sentence_sigs = _minhash(
        hashes[np.repeat(kept, decoded.sentence_lengths)],
        decoded.sentence_lengths[kept],
        SENTENCE_PERM,
        params.seed + 1,
    )
    return Fingerprints(
        params,
        np.asarray(rows, dtype=np.int64),
        content,
        sizes,
        None,
        sentence_sigs,
        decoded.sentence_paragraph[kept].astype(np.int64),
    )


# Documents whose fingerprints are kept: an audit compares one article with each of its top sources, and lineage
# compares every version with every other both ways, so the same Document is fingerprinted again and again.
DOCUMENTS_KEPT = 16
_kept: KeptByIdentity[Document, Fingerprints] = KeptByIdentity(DOCUMENTS_KEPT)


def fingerprint_document(
    doc: Document, params: FingerprintParams, *, wording: bool = True, sentences: bool = False
) -> Fingerprints:
    """Signatures of every non-boilerplate paragraph of a segmented Document (read-only arrays: the same ones are
    handed out again for the same Document, DOCUMENTS_KEPT at most)."""

    def make() -> Fingerprints:
        fp = fingerprint_paragraphs(
            [p for p in doc.paragraphs if not p.is_boilerplate], params, wording=wording, sentences=sentences
        )
        for array in (fp.rows, fp.content, fp.sizes, fp.wording, fp.sentence_signatures, fp.sentence_rows):
            if array is not None:
                array.flags.writeable = False
        return fp

    return _kept.get(doc, (params, wording, sentences), make)


MATCH_BLOCK = 1 << 24  # signature slots compared at once by best_matches (16 MB of booleans)


def similarities(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Estimated Jaccard similarity of every row of `a` with every row of `b` (share of equal slots); 0 where
    either set is empty."""
    if not len(a) or not len(b):
        return np.zeros((len(a), len(b)))
    equal = (a[:, None, :] == b[None, :, :]).sum(axis=2) / a.shape[1]
    empty_a = np.all(a == _MASK32, axis=1)
    empty_b = np.all(b == _MASK32, axis=1)
    equal[empty_a, :] = 0.0
    equal[:, empty_b] = 0.0
    return equal


def best_matches(source: Fingerprints, derived: Fingerprints) -> dict[int, Mapping[str, Any]]:
    """For each derived paragraph, the source paragraph whose content signature is closest (wording breaks ties;
    the first in the source on a full tie), with both estimated similarities: evidence a reader can check."""
    if source.params != derived.params:
        raise UsageError(
            f"MinHash signatures of different parameters cannot be compared ({source.params} vs "
            f"{derived.params})"
        )
    if source.wording is None or derived.wording is None:
        raise ValueError("best_matches needs wording signatures on both sides")
    if not len(source):
        return {}
    out: dict[int, Mapping[str, Any]] = {}
    rows = derived.rows.tolist()
    # In blocks of derived paragraphs: the comparison of every slot is (block x source x slots) booleans, which
    # for 200,000 short paragraphs against a news article at once would be gigabytes.
    step = max(1, MATCH_BLOCK // max(1, len(source) * derived.params.num_perm))
    for lo in range(0, len(rows), step):
        c = similarities(derived.content[lo : lo + step], source.content)
        w = similarities(derived.wording[lo : lo + step], source.wording)
        # Lexicographic (content, wording) maximum, the first one on ties: content ranks first, wording within it.
        best = np.argmax(c * (derived.params.num_perm + 1) + w, axis=1)
        for i, j in enumerate(best.tolist()):
            out[rows[lo + i]] = {
                "source_paragraph": int(source.rows[j]),
                "wording_jaccard": round(float(w[i, j]), 4),
                "content_jaccard": round(float(c[i, j]), 4),
            }
    return out
