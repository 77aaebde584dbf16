"""Audit derived articles against a corpus index: retrieve candidate sources by paragraph signatures, compare
against the best of them, and attribute each paragraph to its own source (an article may be built from several).

The public entry is `provenance.index.api.audit`; `audit_documents` is its streaming form (results one by one).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from provenance.assemble import PRECEDENCE, counted, decide_verdict, is_own_reporting, own_share, tally
from provenance.components import resolve
from provenance.engine import compare_documents, known_options
from provenance.index.base import Candidate, Index, Prints, StoredDocument, prints_of_document
from provenance.index.retrieve import WEAK_EVIDENCE, audit_evidence
from provenance.index.vectors import active, remember
from provenance.model import AuditParagraph, AuditResult, Document, Paragraph, ParagraphResult, Report
from provenance.text.load import load_document

BATCH = 64  # articles whose index lookups go in one call: the per-call cost is paid once for all of them
# Candidate sources kept read (segmented, tokenised) between articles: a feed of partners' copies of one wire story
# names the same sources again and again, and reading one is a fifth of comparing with it. A news article read is
# about 100-200 KB in memory, so the most recently used 128 hold some 25 MB at most.
SOURCES_KEPT = 128


@dataclass(frozen=True, slots=True)
class _Audit:
    """What every article of one run is audited with."""

    index: Index
    host: Any
    top: int
    options: Mapping[str, Any]
    skip_self: bool
    stored: Sequence[tuple[str, Any]]  # (name, scorer) whose vectors of the corpus the index keeps
    digests: Mapping[str, str]  # article name -> digest of its text: a stored document with it is the article
    # (id, digest) -> the document read, the most recently used last
    sources: dict[tuple[str, str], Document] = field(default_factory=dict)

    def source(self, stored: StoredDocument) -> Document:
        """A stored document read as a source, from the SOURCES_KEPT most recently used when it is there (keyed
        by its digest too: a document replaced in the index since is read again)."""
        key = (stored.id, stored.digest)
        doc = self.sources.pop(key, None)
        if doc is None:
            doc = load_document(stored.text, stored.id, fmt=stored.format, host=self.host)
            while self.sources and len(self.sources) >= SOURCES_KEPT:
                del self.sources[next(iter(self.sources))]
        self.sources[key] = doc
        return doc

    def is_self(self, derived: Document, doc_id: str) -> bool:
        """Whether a stored document is the article itself: its id (skip_self), or its very text (digests)."""
        if self.skip_self and doc_id == derived.name:
            return True
        mine = self.digests.get(derived.name)
        return mine is not None and self.index.digest_of(doc_id) == mine


def audit_documents(
    index: Index,
    derived: Iterable[Document],
    *,
    host: Any,
    top: int = 3,
    min_similarity: float = 0.2,
    options: Mapping[str, Any] | None = None,
    batch: int = BATCH,
    skip_self: bool = False,
    digests: Mapping[str, str] | None = None,
) -> Iterator[AuditResult]:
    """Audit many articles, looking their paragraphs up in the index in batches; results in input order.

    `skip_self`: an indexed document with the article's own name (id) is not a candidate source. A repository
    that indexes its own published articles checks each new version of one without finding it is its own copy.
    `digests` (article name -> the digest `index add` gives its text, provenance.index.ingest.digest): a stored
    document with the article's digest is the article itself, not a candidate (`audit --exclude-self`).
    """
    resolved = resolve(known_options(host), dict(options or {}))  # checked once, even if nothing is compared
    run = _Audit(
        index, host, top, resolved, skip_self, active(index, host), digests if digests is not None else {}
    )
    pending: list[Document] = []
    for doc in derived:
        pending.append(doc)
        if len(pending) >= batch:
            yield from _audit_batch(run, pending, min_similarity)
            pending = []
    if pending:
        yield from _audit_batch(run, pending, min_similarity)


def _audit_batch(run: _Audit, docs: list[Document], min_similarity: float) -> Iterator[AuditResult]:
    """One index lookup for the paragraphs of all these articles, then each article attributed."""
    params = run.index.params
    prints = [prints_of_document(d, params) for d in docs]
    both = Prints.concat(prints, params.fingerprint.num_perm)
    found = evidence(run.index, both, min_similarity) if len(both) else []
    at = 0
    for doc, p in zip(docs, prints):
        yield _attribute(run, doc, found[at : at + len(p)])
        at += len(p)


def evidence(index: Index, prints: Prints, min_similarity: float) -> list[list[Candidate]]:
    """Per query paragraph, the candidates an audit ranks: those verified with no threshold that `audit_evidence`
    keeps. A backend whose `candidates` takes a score floor (`takes_floor`: both built-in ones) drops the others
    before it makes them, the same ones: an audit query's raw candidates are mostly far below it (at 100,000
    paragraphs, 442,000 candidates for 300 articles, of which 168,000 reach the floor)."""
    if getattr(index, "takes_floor", False):
        return index.candidates(prints, 0.0, floor=min(min_similarity, WEAK_EVIDENCE))  # type: ignore[call-arg]
    return [audit_evidence(cands, min_similarity) for cands in index.candidates(prints, 0.0)]


def _attribute(run: _Audit, derived: Document, found: list[list[Candidate]]) -> AuditResult:
    ranked = rank(derived.name, found, run.top, run.skip_self, lambda doc_id: run.is_self(derived, doc_id))
    reports = _compare(run, derived, [doc_id for doc_id, _ in ranked])
    return attribute(derived, ranked, reports, run.options)


def attribute(
    derived: Document,
    ranked: Sequence[tuple[str, float]],
    reports: Mapping[str, Report],
    options: Mapping[str, Any],
) -> AuditResult:
    """The article's result over all its compared sources: each paragraph credited to the source that explains it
    best, the shares and the verdict over the whole article (also run on Spark executors: provenance/spark)."""
    paragraphs = [_credit(p, reports, options) for p in derived.paragraphs]
    shares, _ = tally((q.relation, q.words, q.counted and q.relation != "boilerplate") for q in paragraphs)
    by_source: dict[str, int] = defaultdict(int)
    for q in paragraphs:
        if q.counted and q.source:
            by_source[q.source] += q.words
    traced = max((r.metadata.get("traced_sentences", 0.0) for r in reports.values()), default=0.0)
    own = own_share((q.relation, q.words, q.counted, q.own) for q in paragraphs)
    verdict = decide_verdict(shares, {**options}, traced, own=own)
    sources = tuple(d for d, _ in sorted(by_source.items(), key=lambda kv: (-kv[1], kv[0])))
    return AuditResult(derived.name, verdict, shares, sources, tuple(ranked), tuple(paragraphs), reports)


def rank(
    derived: str,
    found: Sequence[Sequence[Candidate]],
    top: int,
    skip_self: bool = False,
    is_self: Callable[[str], bool] | None = None,
) -> list[tuple[str, float]]:
    """The `top` candidate documents: each scores the sum over the article's paragraphs (in order) of its best
    paragraph's. `skip_self`: the document named like the article is no candidate; `is_self(doc_id)`: any other
    test that a stored document is the article itself (its digest), asked of the best few only."""
    score: dict[str, float] = defaultdict(float)
    for cands in found:
        best: dict[str, float] = {}
        for c in cands:
            if skip_self and c.doc == derived:
                continue
            best[c.doc] = max(best.get(c.doc, 0.0), c.score)
        for doc_id, s in best.items():
            score[doc_id] += s
    ranked: list[tuple[str, float]] = []
    for doc_id, s in sorted(score.items(), key=lambda kv: (-kv[1], kv[0])):
        if len(ranked) == top:
            break
        if is_self is None or not is_self(doc_id):
            ranked.append((doc_id, s))
    return ranked


def _compare(run: _Audit, derived: Document, doc_ids: list[str]) -> dict[str, Report]:
    """The full comparison of the article with each of these stored documents."""
    reports: dict[str, Report] = {}
    for doc_id in doc_ids:
        stored = run.index.document(doc_id)
        if stored is None:  # removed by a concurrent writer since the query
            continue
        src = run.source(stored)
        for (
            name,
            scorer,
        ) in run.stored:  # the source's sentence vectors, so the scorer encodes only the article
            blob = run.index.vectors(name, str(scorer.embedding_version), [doc_id]).get(doc_id)
            if blob is not None:
                remember(scorer, blob, src)
        reports[doc_id] = compare_documents(src, derived, host=run.host, options=run.options)
    return reports


def _credit(p: Paragraph, reports: Mapping[str, Report], options: Mapping[str, Any]) -> AuditParagraph:
    """A paragraph credited to the source that explains it best (by relation precedence, then score)."""
    best_doc: str | None = None
    best_row: ParagraphResult | None = None
    for doc_id, rep in reports.items():
        row = rep.paragraphs[p.index]
        if best_row is None or (PRECEDENCE[row.relation], -row.score) < (
            PRECEDENCE[best_row.relation],
            -best_row.score,
        ):
            best_doc, best_row = doc_id, row
    if best_row is None:
        rel = "boilerplate" if p.is_boilerplate else "added"
        return AuditParagraph(p.index, rel, None, (), 0.0, p.words, counted(rel, p.words, options))
    rel = best_row.relation
    attributed = best_doc if rel in ("copy", "rewrite") else None
    own = rel == "added" and all(is_own_reporting(r.paragraphs[p.index].evidence) for r in reports.values())
    return AuditParagraph(
        p.index,
        rel,
        attributed,
        best_row.sources if attributed else (),
        round(best_row.score, 4),
        best_row.words,
        counted(rel, best_row.words, options) and best_row.evidence.get("counted") is not False,
        own,
    )
