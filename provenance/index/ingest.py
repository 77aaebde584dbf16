"""Inputs for an index: files, directories, globs and JSONL (one document per line), turned into stored documents
with their paragraph signatures. Fingerprinting can run in several processes; writing stays in one."""

from __future__ import annotations

import hashlib
import os
import zlib
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

from provenance.errors import ProvenanceError
from provenance.text.inputs import RawDocument
from provenance.index.base import TEXT_LEVEL, IndexParams, Prints, StoredDocument, prints_of_document

def digest(raw: RawDocument) -> str:
    h = hashlib.sha256()
    h.update(raw.format.encode())
    h.update(b"\0")
    h.update(raw.text.encode("utf-8"))
    return h.hexdigest()[:32]


@dataclass(frozen=True, slots=True)
class Prepared:
    doc: StoredDocument
    prints: Prints
    error: str | None = None
    sentences: tuple[str, ...] = ()  # what a scorer embeds (`index add --embed`), cut here, in the worker


def prepare(raw: RawDocument, params: IndexParams, sentences: bool = False) -> Prepared:
    """Extract, segment and fingerprint one document (runs in worker processes with --jobs); with `sentences`,
    also the sentence texts a scorer would embed, so the writer never segments the document again."""
    from provenance.text.load import load_document
    from provenance.plugins import get_host

    stored = StoredDocument(raw.id, digest(raw), raw.format, raw.text, raw.meta)
    try:
        doc = load_document(raw.text, raw.id, fmt=raw.format, host=get_host())
    except ProvenanceError as exc:
        return Prepared(stored, Prints.empty(params.fingerprint.num_perm), str(exc))
    meta = {**{k: v for k, v in doc.metadata.items() if k in ("title", "author", "sitename", "url", "date")},
            **raw.meta}
    packed = zlib.compress(raw.text.encode("utf-8"), TEXT_LEVEL)  # here, in the worker, not in the writer
    texts: tuple[str, ...] = ()
    if sentences:
        from provenance.index.vectors import sentence_texts

        texts = tuple(sentence_texts(doc))
    return Prepared(StoredDocument(raw.id, stored.digest, raw.format, raw.text, meta, packed),
                    prints_of_document(doc, params), sentences=texts)


def _prepare_star(args: tuple[RawDocument, IndexParams, bool]) -> Prepared:
    return prepare(*args)


def prepare_all(raws: Iterator[RawDocument], params: IndexParams, jobs: int, sentences: bool = False
                ) -> Iterator[Prepared]:
    if jobs <= 1:
        for raw in raws:
            yield prepare(raw, params, sentences)
        return
    jobs = min(jobs, os.cpu_count() or 1)
    window = jobs * 64  # bounded: the corpus is never all in memory at once
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        while True:
            batch = [(r, params, sentences) for _, r in zip(range(window), raws)]
            if not batch:
                return
            yield from pool.map(_prepare_star, batch, chunksize=16)
