"""Inputs for an index: files, directories, globs and JSONL (one document per line), turned into stored documents
with their paragraph signatures. Fingerprinting can run in several processes; writing stays in one."""

from __future__ import annotations

import hashlib
import os
import zlib
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from itertools import islice
from typing import Any

from provenance.errors import InputError, ProvenanceError
from provenance.index.base import TEXT_LEVEL, IndexParams, Prints, StoredDocument, prints_of_document
from provenance.text.inputs import RawDocument, check_raw, iter_inputs

Input = str | os.PathLike[str] | RawDocument  # a path (file, directory, glob, JSONL) or a document in memory


def raw_documents(inputs: Input | Iterable[Input], errors: list[str]) -> Iterator[RawDocument]:
    """Every document the inputs name, in order; one that cannot be read goes to `errors` (as `index add` does)."""
    for item in [inputs] if isinstance(inputs, str | os.PathLike | RawDocument) else inputs:
        if isinstance(item, RawDocument):
            try:
                check_raw(item)
            except InputError as exc:
                errors.append(str(exc))
                continue
            yield item
        else:
            yield from iter_inputs([os.fspath(item)], errors)


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


def prepare(raw: RawDocument, params: IndexParams, sentences: bool = False, host: Any = None) -> Prepared:
    """Extract, segment and fingerprint one document (runs in worker processes with --jobs, with the plugins
    installed there); with `sentences`, also the sentence texts a scorer would embed, so the writer never segments
    the document again."""
    from provenance.plugins import get_host
    from provenance.text.load import load_document

    stored = StoredDocument(raw.id, digest(raw), raw.format, raw.text, raw.meta)
    try:
        doc = load_document(raw.text, raw.id, fmt=raw.format, host=host or get_host())
    except ProvenanceError as exc:
        return Prepared(stored, Prints.empty(params.fingerprint.num_perm), str(exc))
    meta = {
        **{k: v for k, v in doc.metadata.items() if k in ("title", "author", "sitename", "url", "date")},
        **raw.meta,
    }
    packed = zlib.compress(raw.text.encode("utf-8"), TEXT_LEVEL)  # here, in the worker, not in the writer
    texts: tuple[str, ...] = ()
    if sentences:
        from provenance.index.vectors import sentence_texts

        texts = tuple(sentence_texts(doc))
    return Prepared(
        StoredDocument(raw.id, stored.digest, raw.format, raw.text, meta, packed),
        prints_of_document(doc, params),
        sentences=texts,
    )


def _prepare_batch(args: tuple[list[RawDocument], IndexParams, bool]) -> list[Prepared]:
    """A batch of documents prepared in a worker process. Their texts, which the writer holds already, are not
    sent back: only the compressed text, the metadata and the signature arrays travel."""
    raws, params, sentences = args
    out = []
    for raw in raws:
        prepared = prepare(raw, params, sentences)
        out.append(replace(prepared, doc=replace(prepared.doc, text="")))
    return out


TASK_DOCUMENTS = 32  # documents a worker prepares per task: fewer round trips, little waiting at the end
TASKS_AHEAD = 3  # tasks queued per worker


def prepare_all(
    raws: Iterator[RawDocument], params: IndexParams, jobs: int, sentences: bool = False, host: Any = None
) -> Iterator[Prepared]:
    """Every document prepared, in input order; with `jobs` > 1 in that many worker processes, each given a batch
    of documents at a time."""
    if jobs <= 1:
        for raw in raws:
            yield prepare(raw, params, sentences, host)
        return
    from concurrent.futures import Future, ProcessPoolExecutor  # loaded only when it is used

    jobs = min(jobs, os.cpu_count() or 1)
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        pending: deque[tuple[list[RawDocument], Future[list[Prepared]]]] = deque()

        def submit() -> None:
            chunk = list(islice(raws, TASK_DOCUMENTS))
            if chunk:
                pending.append((chunk, pool.submit(_prepare_batch, (chunk, params, sentences))))

        for _ in range(jobs * TASKS_AHEAD):  # bounded: the corpus is never all in memory at once
            submit()
        while pending:
            chunk, done = pending.popleft()
            submit()  # the workers stay busy while the writer takes this batch
            for raw, prepared in zip(chunk, done.result()):
                yield replace(prepared, doc=replace(prepared.doc, text=raw.text))
