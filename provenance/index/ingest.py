"""Inputs for an index: files, directories, globs and JSONL (one document per line), turned into stored documents
with their paragraph signatures. Fingerprinting can run in several processes; writing stays in one."""

from __future__ import annotations

import hashlib
import os
import zlib
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from itertools import islice
from typing import Any

from provenance.errors import InputError, ProvenanceError
from provenance.fingerprint import fingerprint_codes
from provenance.index.base import (
    TEXT_LEVEL,
    IndexParams,
    Prints,
    StoredDocument,
    prints_of,
    prints_of_document,
)
from provenance.text.chunks import VocabularyFull, start_batch
from provenance.text.inputs import RawDocument, Source, check_raw, iter_sources, read_input

Input = str | os.PathLike[str] | RawDocument  # a path (file, directory, glob, JSONL) or a document in memory
# A document to add, and the digest the index holds for its id (None: none).
Pending = tuple[Source, str | None]


def sources(inputs: Input | Iterable[Input], errors: list[str]) -> Iterator[Source]:
    """Every document the inputs name, in order, files not read yet; a bad input goes to `errors`."""
    for item in [inputs] if isinstance(inputs, str | os.PathLike | RawDocument) else inputs:
        if isinstance(item, RawDocument):
            try:
                check_raw(item)
            except InputError as exc:
                errors.append(str(exc))
                continue
            yield item
        else:
            yield from iter_sources([os.fspath(item)], errors)


def raw_documents(inputs: Input | Iterable[Input], errors: list[str]) -> Iterator[RawDocument]:
    """Every document the inputs name, read, in order; one that cannot be read goes to `errors`."""
    for source in sources(inputs, errors):
        try:
            yield read_input(source)
        except ProvenanceError as exc:
            errors.append(str(exc))


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
    unchanged: bool = False  # stored already with this digest: nothing prepared (`doc` holds the text read)


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
    meta = {**{k: v for k, v in doc.metadata.items() if k in _KEPT_META}, **raw.meta}
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


@dataclass(frozen=True, slots=True)
class Batch:
    """Documents prepared together, each without its prints, and the prints of all of them (`counts[i]` rows
    each, in order): what a worker process sends back, five arrays a batch rather than five a document."""

    prepared: list[Prepared]
    prints: Prints
    counts: list[int]

    def documents(self) -> list[Prepared]:
        return [replace(p, prints=pr) for p, pr in zip(self.prepared, self.prints.split(self.counts))]


def _batch_of(prepared: list[Prepared], params: IndexParams) -> Batch:
    return Batch(
        prepared,
        Prints.concat([p.prints for p in prepared], params.fingerprint.num_perm),
        [len(p.prints) for p in prepared],
    )


def prepare_many(
    raws: Sequence[RawDocument], params: IndexParams, sentences: bool = False, host: Any = None
) -> list[Prepared]:
    """`prepare` of several documents, fingerprinted together (`prepare_batch`)."""
    if sentences:
        return [prepare(raw, params, sentences, host) for raw in raws]
    return prepare_batch(raws, params, host).documents()


def _read(item: Pending, keep_text: bool, num_perm: int) -> RawDocument | Prepared:
    """A pending document read, or what becomes of it without preparing: an error, or unchanged (its text kept only
    when `keep_text`: the unchanged documents' vectors are then checked)."""
    source, stored = item
    try:
        raw = read_input(source)
    except ProvenanceError as exc:
        return Prepared(StoredDocument(source.id, "", source.format, ""), Prints.empty(num_perm), str(exc))
    if stored is not None and digest(raw) == stored:
        text = raw.text if keep_text else ""
        doc = StoredDocument(raw.id, stored, raw.format, text, raw.meta)
        return Prepared(doc, Prints.empty(num_perm), unchanged=True)
    return raw


def prepare_pending(
    items: Sequence[Pending], params: IndexParams, sentences: bool = False, host: Any = None
) -> list[Prepared]:
    """Pending documents read (here: in the worker process when there are several), and those not stored already
    with the same digest prepared together (`prepare_many`)."""
    read = [_read(item, sentences, params.fingerprint.num_perm) for item in items]
    done = iter(prepare_many([r for r in read if isinstance(r, RawDocument)], params, sentences, host))
    return [next(done) if isinstance(r, RawDocument) else r for r in read]


def prepare_batch(raws: Sequence[RawDocument], params: IndexParams, host: Any = None) -> Batch:
    """Several documents prepared as `prepare` does, without the scorers' sentence texts: each document is outlined
    (provenance/text/load.py `outline_document`: no Token per word), and the paragraphs of all of them are hashed
    and signed in one vectorised pass."""
    from provenance.plugins import get_host

    host = host or get_host()
    start_batch()
    try:
        return _outlined_batch(raws, params, host)
    except VocabularyFull:  # a batch of more new words than ids: prepared the word-by-word way
        start_batch(afresh=True)
        return _batch_of([prepare(raw, params, False, host) for raw in raws], params)


def _outlined_batch(raws: Sequence[RawDocument], params: IndexParams, host: Any) -> Batch:
    from provenance.text.load import outline_document

    none = Prints.empty(0)  # until `Batch.documents`
    out: list[Prepared] = []
    rows: list[int] = []
    codes: list[str] = []
    counts: list[int] = []
    for raw in raws:
        stored = StoredDocument(raw.id, digest(raw), raw.format, raw.text, raw.meta)
        try:
            outlined = outline_document(raw.text, raw.id, fmt=raw.format, host=host)
        except ProvenanceError as exc:
            out.append(Prepared(stored, none, str(exc)))
            counts.append(0)
            continue
        meta = {**{k: v for k, v in outlined.metadata.items() if k in _KEPT_META}, **raw.meta}
        packed = zlib.compress(raw.text.encode("utf-8"), TEXT_LEVEL)  # here, in the worker, not in the writer
        out.append(Prepared(replace(stored, meta=meta, packed=packed), none))
        for index, code in outlined.body:
            rows.append(index)
            codes.append(code)
        counts.append(len(outlined.body))
    fp = fingerprint_codes(rows, codes, params.fingerprint, sentences=params.sentence_keys)
    return Batch(out, prints_of(fp), counts)


_KEPT_META = (
    "title",
    "author",
    "sitename",
    "url",
    "date",
)  # of what an extractor finds, what the index keeps


def _prepare_in_worker(args: tuple[list[Pending], IndexParams, bool]) -> Batch:
    """A task of pending documents read and prepared in a worker process. What travels back: the compressed texts,
    the metadata and the task's signature arrays, and the texts only of unchanged documents whose vectors are to
    be checked."""
    items, params, sentences = args
    done = prepare_pending(items, params, sentences)
    return _batch_of([p if p.unchanged else replace(p, doc=replace(p.doc, text="")) for p in done], params)


TASK_DOCUMENTS = 32  # documents a worker prepares per task: fewer round trips, little waiting at the end
TASKS_AHEAD = 3  # tasks queued per worker


def prepare_all(
    items: Iterator[Pending], params: IndexParams, jobs: int, sentences: bool = False, host: Any = None
) -> Iterator[Prepared]:
    """Every pending document read and prepared, in input order; with `jobs` > 1 in that many worker processes,
    each given a task of documents (files not read yet) at a time."""
    if jobs <= 1:
        while chunk := list(islice(items, TASK_DOCUMENTS)):
            yield from prepare_pending(chunk, params, sentences, host)
        return
    from concurrent.futures import Future, ProcessPoolExecutor  # loaded only when it is used

    import provenance.text.load  # noqa: F401 (imported once here, not in each worker: forked workers inherit it)

    jobs = min(jobs, os.cpu_count() or 1)
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        pending: deque[Future[Batch]] = deque()

        def submit() -> None:
            chunk = list(islice(items, TASK_DOCUMENTS))
            if chunk:
                pending.append(pool.submit(_prepare_in_worker, (chunk, params, sentences)))

        for _ in range(jobs * TASKS_AHEAD):  # bounded: the corpus is never all in memory at once
            submit()
        while pending:
            done = pending.popleft()
            submit()  # the workers stay busy while the writer takes this batch
            yield from done.result().documents()
