"""Stored sentence vectors: a scorer's representation of every indexed sentence, kept in the index on request, so
that an audit against a large corpus encodes only the articles it audits, never the sources again.

A scorer (provenance/signals.py) judges (derived sentence, source sentence) pairs. A model-based one spends nearly
all its time encoding sentences, and in an audit the source side is the same corpus run after run. A scorer that
also offers

    embedding_version: str                                    # what its vectors mean: model, precision, layout
    embed(texts: Sequence[str]) -> Sequence[bytes | None]     # one storable vector per text (None: nothing to keep)
    remember(items: Sequence[tuple[str, bytes]]) -> None      # vectors it produced earlier, for texts to come

can have them stored: `provenance index add --embed NAME` computes them in batches as documents are added, the index
records the request and keeps embedding what is added later, and `audit` hands the stored vectors of each candidate
source to the scorer before comparing. A vector is stored with the digest of its document's text: a changed document
gets new ones, an unchanged one is never embedded twice, and vectors of another `embedding_version` are ignored.

The core never looks inside a vector: the bytes are the scorer's own. What it stores per document is one blob, a
header line and then, per sentence, a 16-byte digest of the sentence text, the vector's length and the vector, so
that a vector reaches the scorer only for exactly the text it was computed from.
"""

from __future__ import annotations

import hashlib
import json
import struct
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from provenance.components import EmbeddingScorer
from provenance.errors import InputError, PluginError, UsageError
from provenance.index.base import Index

MAGIC = b"provenance-vectors/1\n"
_ENTRY = struct.Struct("<16sI")


def digest(text: str) -> bytes:
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).digest()


def can_embed(scorer: Any) -> bool:
    return isinstance(scorer, EmbeddingScorer)


def embedder(host: Any, name: str) -> Any:
    """The enabled scorer called `name`, which must be able to embed; a clear error otherwise."""
    scorers = {str(s.name): s for _, s in host.scorers()}
    if name not in scorers:
        known = ", ".join(sorted(n for n, s in scorers.items() if can_embed(s))) or "none installed"
        raise UsageError(
            f"--embed {name}: no enabled scorer of that name can store vectors (available: {known})"
        )
    scorer = scorers[name]
    if not can_embed(scorer):
        raise UsageError(
            f"--embed {name}: the scorer cannot store vectors (it has no embed/remember/embedding_version)"
        )
    return scorer


def sentence_texts(doc: Any) -> list[str]:
    """The source sentences a comparison will ask a scorer about: those of every non-boilerplate paragraph, exactly
    as provenance/signals.py cuts them."""
    from provenance.signals import _sentences

    return list(
        dict.fromkeys(s.text for s in _sentences([p for p in doc.paragraphs if not p.is_boilerplate]))
    )


def pack(version: str, texts: Sequence[str], vectors: Sequence[bytes | None]) -> bytes:
    kept = [(t, v) for t, v in zip(texts, vectors, strict=True) if v is not None]
    head = json.dumps({"version": version, "count": len(kept)}, sort_keys=True).encode()
    parts = [MAGIC, head, b"\n"]
    for text, vec in kept:
        parts.append(_ENTRY.pack(digest(text), len(vec)))
        parts.append(bytes(vec))
    return b"".join(parts)


def unpack(blob: bytes) -> tuple[str, dict[bytes, bytes]]:
    """The version and the vectors by sentence digest; InputError when the blob is not one `pack` wrote."""
    if not blob.startswith(MAGIC):
        raise InputError("stored vectors are damaged (no header)")
    end = blob.find(b"\n", len(MAGIC))
    try:
        head = json.loads(blob[len(MAGIC) : end])
        version, count = str(head["version"]), int(head["count"])
    except (ValueError, KeyError, TypeError):
        raise InputError("stored vectors are damaged (unreadable header)") from None
    out: dict[bytes, bytes] = {}
    pos = end + 1
    for _ in range(count):
        if pos + _ENTRY.size > len(blob):
            raise InputError("stored vectors are damaged (truncated)")
        key, size = _ENTRY.unpack_from(blob, pos)
        pos += _ENTRY.size
        if pos + size > len(blob):
            raise InputError("stored vectors are damaged (truncated)")
        out[key] = blob[pos : pos + size]
        pos += size
    if pos != len(blob):
        raise InputError("stored vectors are damaged (trailing bytes)")
    return version, out


def embed_texts(scorer: Any, plugin: str, texts: Sequence[str]) -> list[bytes | None]:
    """The scorer's vectors, checked: one per text, bytes or None."""
    try:
        got = list(scorer.embed(list(texts)))
    except Exception as exc:
        raise PluginError(
            f"scorer {scorer.name!r} failed to embed: {type(exc).__name__}: {exc}", plugin=plugin
        ) from exc
    if len(got) != len(texts) or any(v is not None and not isinstance(v, bytes | bytearray) for v in got):
        raise PluginError(
            f"scorer {scorer.name!r}: embed() must return one bytes (or None) per text", plugin=plugin
        )
    return got


def embed_documents(
    scorer: Any, plugin: str, docs: Sequence[tuple[str, str, Sequence[str]]]
) -> list[tuple[str, str, bytes]]:
    """(id, digest, blob) for (id, digest, sentence texts) triples, every distinct sentence encoded once, in one
    call for the whole batch."""
    unique = list(dict.fromkeys(t for _, _, texts in docs for t in texts))
    vectors = dict(zip(unique, embed_texts(scorer, plugin, unique))) if unique else {}
    version = str(scorer.embedding_version)
    return [(doc_id, dig, pack(version, texts, [vectors[t] for t in texts])) for doc_id, dig, texts in docs]


def remember(scorer: Any, blob: bytes, doc: Any) -> int:
    """Hand a source document's stored vectors to the scorer, for the sentences that still read the same. Returns
    how many it got; vectors of another version, or damaged ones, are left out (the scorer computes instead)."""
    try:
        version, vectors = unpack(blob)
    except InputError:
        return 0
    if version != str(scorer.embedding_version):
        return 0
    items = [(t, vectors[k]) for t in sentence_texts(doc) if (k := digest(t)) in vectors]
    if not items:
        return 0
    try:
        scorer.remember(items)
    except Exception:
        return 0
    return len(items)


def requested(index: Index) -> dict[str, str]:
    """The scorers whose vectors the index keeps (name: embedding version), as `index add --embed` recorded."""
    return dict(index.embeddings())


def active(index: Index, host: Any) -> list[tuple[str, Any]]:
    """(name, scorer) for the stored kinds whose scorer is enabled in this run and can read them."""
    kinds = requested(index)
    return [(str(s.name), s) for _, s in host.scorers() if str(s.name) in kinds and can_embed(s)]


def fill(
    index: Index, host: Any, kinds: Mapping[str, str], docs: Iterable[tuple[str, str, Sequence[str]]]
) -> int:
    """Store the vectors missing for `docs` (id, digest, `sentence_texts` of the document) of every kind; returns
    documents embedded. Documents that already have vectors of this version are skipped: nothing is computed
    twice."""
    docs = list(docs)
    done = 0
    for name in kinds:
        scorer = embedder(host, name)
        plugin = host.plugin_of("scorers", name)
        version = str(scorer.embedding_version)
        have = index.have_vectors(name, version, [d for d, _, _ in docs])
        todo = [d for d in docs if d[0] not in have]
        if todo:
            index.put_vectors(name, version, embed_documents(scorer, plugin, todo))
            done = max(done, len(todo))
    return done
