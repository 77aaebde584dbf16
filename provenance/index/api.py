"""Using an index from Python: what `provenance index add` and `provenance audit` do, without the command line.

    from provenance.index import add_documents, audit, open_index

    summary = add_documents("corpus.db", ["wire/", "archive.jsonl"], jobs=2)   # a location is opened and closed
    summary.added, summary.replaced, summary.unchanged, summary.errors
    run = audit("corpus.db", ["site/"])
    for result in run.results:
        result.derived, result.verdict, result.sources

Either function takes an index location or an index opened with `open_index` (left open). Inputs are paths (files,
directories, globs, JSONL files, as on the command line) or `RawDocument`s held in memory; `audit` also takes
segmented `Document`s. An input that cannot be read is listed in the result's `errors`, never raised: the others are
still added or audited. Wrong options (UsageError) and an index that fails (InputError) raise.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from provenance.errors import EXIT_INPUT, ProvenanceError, UsageError
from provenance.index.backends import open_index
from provenance.index.base import Index, Prints, StoredDocument, Written
from provenance.index.ingest import Input, Prepared, digest, prepare_all, raw_documents, sources
from provenance.index.vectors import embedder, fill, requested, sentence_texts
from provenance.model import AuditResult, Document
from provenance.text.inputs import RawDocument

BATCH_DOCUMENTS = (
    256  # documents per transaction: big enough to amortise a commit, small enough to lose little
)
BATCH_PARAGRAPHS = 20000  # and at most this many paragraphs, whatever the documents' length


@dataclass(frozen=True, slots=True)
class AddSummary:
    """What one `add_documents` did. `added`, `replaced`, `unchanged`: documents, each counted once, as the index
    decided inside its writes (several runs adding the same documents at once count each one added once);
    `embedded`: documents whose sentence vectors were stored; `scorers`: the scorers whose vectors the index keeps
    (empty: none, or `no_embed`)."""

    added: int = 0
    replaced: int = 0
    unchanged: int = 0
    embedded: int = 0
    errors: tuple[str, ...] = ()  # one line per input that could not be read or extracted
    scorers: tuple[str, ...] = ()

    @property
    def failed(self) -> int:
        return len(self.errors)


@dataclass(frozen=True, slots=True)
class BatchCommitted:
    """Progress: a batch was committed (and its vectors stored). What a killed run reports committed, is."""

    documents: int  # in this batch
    total: int  # documents added or replaced so far in this run
    last: str  # id of the batch's last document


Progress = Callable[[BatchCommitted], None]
Location = str | os.PathLike[str]  # a path, sqlite:///path or a backend's URL


def add_documents(
    index: Index | Location,
    inputs: Input | Iterable[Input],
    *,
    jobs: int = 1,
    batch_size: int = BATCH_DOCUMENTS,
    embed: str | Iterable[str] = (),
    no_embed: bool = False,
    host: Any = None,
    progress: Progress | None = None,
) -> AddSummary:
    """Add (or update) documents: unchanged ones are skipped, changed ones replaced, each batch of `batch_size`
    documents written atomically. `jobs`: fingerprint in that many processes. `embed`: also store these scorers'
    sentence vectors, now and in every later add (`no_embed`: store none in this run). `progress` is called after
    every committed batch. `host`: the plugins (default: those installed; worker processes of `jobs` > 1 extract
    with those). A location is created when it does not exist."""
    from provenance.plugins import get_host

    host = host or get_host()
    embed = (embed,) if isinstance(embed, str) else tuple(embed)
    _check_embed(host, embed, no_embed)  # before any work, and before a new location is created
    with _opened(index, create=True, host=host) as opened:
        kinds = _vector_kinds(opened, host, embed, no_embed)
        return _Adding(opened, host, kinds, batch_size, progress).run(inputs, jobs)


@contextmanager
def _opened(index: Index | Location, *, create: bool, host: Any) -> Iterator[Index]:
    """The index itself, or the one at a location, opened for the call and closed after it."""
    if not isinstance(index, str | os.PathLike):
        yield index
        return
    opened = open_index(os.fspath(index), create=create, host=host)
    try:
        yield opened
    finally:
        opened.close()


def _check_embed(host: Any, embed: tuple[str, ...], no_embed: bool) -> None:
    if embed and no_embed:
        raise UsageError("--embed and --no-embed exclude each other")
    for name in embed:
        embedder(host, name)  # a scorer that is missing or cannot embed: refused


def _vector_kinds(index: Index, host: Any, embed: tuple[str, ...], no_embed: bool) -> dict[str, str]:
    """The scorers whose vectors this run stores (name: embedding version): those the index keeps, and `embed`
    (recorded in the index from now on)."""
    kinds = {} if no_embed else requested(index)
    if embed:
        kinds.update({name: str(embedder(host, name).embedding_version) for name in embed})
        index.set_embeddings(kinds)
    for name in kinds:
        try:
            embedder(host, name)
        except UsageError:
            raise UsageError(
                f"{index.location}: the index keeps vectors of scorer {name!r}, which is not "
                "installed or not enabled; install its plugin, or add with --no-embed"
            ) from None
    return kinds


class _Adding:
    """One run of `add_documents`: the batch being filled, the unchanged documents whose vectors are still to be
    checked, and the counts so far."""

    def __init__(
        self, index: Index, host: Any, kinds: dict[str, str], batch_size: int, progress: Progress | None
    ) -> None:
        self.index, self.host, self.kinds = index, host, kinds
        self.batch_size, self.progress = batch_size, progress
        self.errors: list[str] = []
        self.added = self.replaced = self.unchanged = self.embedded = 0
        self.counts_outside: bool | None = None  # whether put_many returns None (older contract)
        self.batch: list[tuple[StoredDocument, Prints]] = []
        self.sentences: list[tuple[str, ...]] = []  # per document of the batch, what the scorers embed
        self.paragraphs = 0  # in the batch
        self.ids: set[str] = set()  # in the batch
        self.kept: list[
            tuple[RawDocument, str]
        ] = []  # unchanged documents (and digests) whose vectors to check

    def run(self, inputs: Input | Iterable[Input], jobs: int) -> AddSummary:
        pending = ((source, self.index.digest_of(source.id)) for source in sources(inputs, self.errors))
        for prepared in prepare_all(
            pending, self.index.params, jobs, sentences=bool(self.kinds), host=self.host
        ):
            if prepared.unchanged:
                self._kept(prepared.doc)
            else:
                self._take(prepared)
        self._commit()
        self._embed_kept()
        return AddSummary(
            self.added,
            self.replaced,
            self.unchanged,
            self.embedded,
            tuple(self.errors),
            tuple(sorted(self.kinds)),
        )

    def _kept(self, doc: StoredDocument) -> None:
        """A document stored already with the same digest: counted (and kept for its vectors, when the index keeps
        some)."""
        self.unchanged += 1
        if self.kinds:
            self.kept.append((RawDocument(doc.id, doc.text, doc.format, doc.meta), doc.digest))
            if len(self.kept) >= self.batch_size:
                self._embed_kept()

    def _take(self, prepared: Prepared) -> None:
        if prepared.error:
            self.errors.append(prepared.error)
            return
        if prepared.doc.id in self.ids:  # an id twice in the inputs: the later version replaces the earlier
            self._commit()
        self.ids.add(prepared.doc.id)
        self.batch.append((prepared.doc, prepared.prints))
        self.sentences.append(prepared.sentences)
        self.paragraphs += len(prepared.prints)
        if len(self.batch) >= self.batch_size or self.paragraphs >= BATCH_PARAGRAPHS:
            self._commit()

    def _commit(self) -> None:
        """Write the batch in one transaction (an interruption keeps every earlier batch whole), then its vectors:
        interrupted in between, the next add embeds what is missing."""
        if not self.batch:
            return
        written = self._put()
        self.added += written.added
        self.replaced += written.replaced
        self.unchanged += written.unchanged
        if self.kinds:
            docs = [(doc.id, doc.digest, texts) for (doc, _), texts in zip(self.batch, self.sentences)]
            self.embedded += fill(self.index, self.host, self.kinds, docs)
        if self.progress:
            self.progress(BatchCommitted(len(self.batch), self.added + self.replaced, self.batch[-1][0].id))
        self.batch, self.sentences, self.paragraphs, self.ids = [], [], 0, set()

    def _put(self) -> Written:
        """The batch written, with its counts as the index decided them inside the write. A backend written to the
        older contract returns None: until a backend has shown it counts, the batch is counted before the write
        too (exact for a single writer only)."""
        existed = None
        if self.counts_outside is not False:
            existed = sum(self.index.digest_of(doc.id) is not None for doc, _ in self.batch)
        written = self.index.put_many(self.batch)
        self.counts_outside = not isinstance(written, Written)
        if isinstance(written, Written):
            return written
        assert existed is not None
        return Written(len(self.batch) - existed, existed, 0)

    def _embed_kept(self) -> None:
        """Unchanged documents that lack vectors (the index was built before `embed`) are embedded once."""
        from provenance.text.load import load_document

        if not self.kept:
            return
        ids = [raw.id for raw, _ in self.kept]
        lacking: set[str] = set()
        for (
            name
        ) in self.kinds:  # the cheap question first: most unchanged documents have their vectors already
            version = str(embedder(self.host, name).embedding_version)
            lacking |= set(ids) - self.index.have_vectors(name, version, ids)
        docs = []
        for raw, dig in self.kept:
            if raw.id not in lacking:
                continue
            try:
                doc = load_document(raw.text, raw.id, fmt=raw.format, host=self.host)
                docs.append((raw.id, dig, sentence_texts(doc)))
            except ProvenanceError as exc:
                self.errors.append(str(exc))
        self.embedded += fill(self.index, self.host, self.kinds, docs)
        self.kept = []


@dataclass(frozen=True, slots=True)
class AuditRun:
    """What one `audit` found: a result per article that could be read, in input order, and a line per one that
    could not."""

    results: tuple[AuditResult, ...] = ()
    errors: tuple[str, ...] = ()


def audit(
    index: Index | Location,
    articles: Input | Document | Iterable[Input | Document],
    *,
    top: int = 3,
    min_similarity: float = 0.2,
    options: Mapping[str, Any] | None = None,
    skip_self: bool = False,
    host: Any = None,
) -> AuditRun:
    """Find each article's sources in the index and compare it against the `top` best candidates, as
    `provenance audit` does. `options`: engine options ({"copy.threshold": 0.8}); `skip_self`: a stored document
    with the article's own id is not a candidate (an index of one's own published articles)."""
    from provenance.index.auditing import audit_documents  # the comparison engine: loaded only when auditing
    from provenance.plugins import get_host

    host = host or get_host()
    errors: list[str] = []
    with _opened(index, create=False, host=host) as opened:
        results = tuple(
            audit_documents(
                opened,
                _documents(articles, errors, host),
                host=host,
                top=top,
                min_similarity=min_similarity,
                options=options,
                skip_self=skip_self,
            )
        )
    return AuditRun(results, tuple(errors))


def documents_with_digests(
    paths: list[str], errors: list[str], host: Any, digests: dict[str, str]
) -> Iterator[Document]:
    """The articles to audit, segmented; each one's digest (as `index add` computes it) goes into `digests`, so
    the audit knows a stored copy of the article itself. One that cannot be read or extracted goes to `errors`."""

    def tapped() -> Iterator[RawDocument]:
        for raw in raw_documents(paths, errors):
            digests[raw.id] = digest(raw)
            yield raw

    yield from _documents(tapped(), errors, host)


def _documents(
    articles: Input | Document | Iterable[Input | Document], errors: list[str], host: Any
) -> Iterator[Document]:
    """Segmented documents of the articles; one that cannot be read or extracted goes to `errors`."""
    from provenance.text.load import load_document

    items = [articles] if isinstance(articles, str | os.PathLike | RawDocument | Document) else articles
    for item in items:
        if isinstance(item, Document):
            yield item
            continue
        for raw in raw_documents(item, errors):
            try:
                yield load_document(raw.text, raw.id, fmt=raw.format, host=host)
            except ProvenanceError as exc:
                if exc.exit_code != EXIT_INPUT:
                    raise
                errors.append(str(exc))
