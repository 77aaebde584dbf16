"""Audit one derived article against a corpus index: retrieve candidate sources by paragraph signatures, compare
against the best of them, and attribute each paragraph to its own source (an article may be built from several)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

from provenance.assemble import PRECEDENCE, counted, decide_verdict, tally
from provenance.engine import compare_documents, known_options
from provenance.index import vectors as embeddings
from provenance.index.base import Prints, prints_of_document
from provenance.model import AuditParagraph, AuditResult, Document, Report
from provenance.components import resolve
from provenance.text.load import load_document

BATCH = 64  # articles whose index lookups go in one call: the per-call cost is paid once for all of them


def audit_document(index: Any, derived: Document, *, host: Any, top: int = 3, min_similarity: float = 0.2,
                   options: Mapping[str, Any] | None = None, skip_self: bool = False) -> AuditResult:
    return next(audit_documents(index, [derived], host=host, top=top, min_similarity=min_similarity,
                                options=options, skip_self=skip_self))


def audit_documents(index: Any, derived: Iterable[Document], *, host: Any, top: int = 3,
                    min_similarity: float = 0.2, options: Mapping[str, Any] | None = None,
                    batch: int = BATCH, skip_self: bool = False) -> Iterator[AuditResult]:
    """Audit many articles, looking their paragraphs up in the index in batches; results in input order.

    `skip_self`: an indexed document with the article's own name (id) is not a candidate source. A repository
    that indexes its own published articles checks each new version of one without finding it is its own copy.
    """
    options = resolve(known_options(host), dict(options or {}))  # checked once, even if nothing is compared
    stored = embeddings.active(index, host)  # scorers whose vectors of the corpus the index keeps
    pending: list[Document] = []
    for doc in derived:
        pending.append(doc)
        if len(pending) >= batch:
            yield from _audit_batch(index, pending, host, top, min_similarity, options, skip_self, stored)
            pending = []
    if pending:
        yield from _audit_batch(index, pending, host, top, min_similarity, options, skip_self, stored)


def _audit_batch(index: Any, docs: list[Document], host: Any, top: int, min_similarity: float,
                 options: Mapping[str, Any] | None, skip_self: bool = False,
                 stored: list[tuple[str, Any]] | None = None) -> Iterator[AuditResult]:
    prints = [prints_of_document(d, index.params) for d in docs]
    both = Prints.concat(prints, index.params.fingerprint.num_perm)
    found = index.candidates(both, min_similarity) if len(both) else []
    at = 0
    for doc, p in zip(docs, prints):
        yield _attribute(index, doc, found[at : at + len(p)], host, top, options, skip_self, stored or [])
        at += len(p)


def _attribute(index: Any, derived: Document, found: list[list[Any]], host: Any, top: int,
               options: Mapping[str, Any] | None, skip_self: bool = False,
               stored: Sequence[tuple[str, Any]] = ()) -> AuditResult:
    score: dict[str, float] = defaultdict(float)
    for cands in found:
        best: dict[str, float] = {}
        for c in cands:
            if skip_self and c.doc == derived.name:
                continue
            best[c.doc] = max(best.get(c.doc, 0.0), c.score)
        for doc, s in best.items():
            score[doc] += s
    ranked = sorted(score.items(), key=lambda kv: (-kv[1], kv[0]))[:top]

    reports: dict[str, Report] = {}
    for doc_id, _ in ranked:
        doc = index.document(doc_id)
        if doc is None:  # removed by a concurrent writer since the query
            continue
        src = load_document(doc.text, doc.id, fmt=doc.format, host=host)
        for name, scorer in stored:  # the source's sentence vectors, so the scorer encodes only the article
            blob = index.vectors(name, str(scorer.embedding_version), [doc_id]).get(doc_id)
            if blob is not None:
                embeddings.remember(scorer, blob, src)
        reports[doc_id] = compare_documents(src, derived, host=host, options=options)

    opts = options or {}
    paragraphs: list[AuditParagraph] = []
    for p in derived.paragraphs:
        best_doc, best_row = None, None
        for doc_id, rep in reports.items():
            row = rep.paragraphs[p.index]
            if best_row is None or (PRECEDENCE[row.relation], -row.score) < (PRECEDENCE[best_row.relation],
                                                                              -best_row.score):
                best_doc, best_row = doc_id, row
        if best_row is None:
            rel = "boilerplate" if p.is_boilerplate else "added"
            paragraphs.append(AuditParagraph(p.index, rel, None, (), 0.0, p.words, counted(rel, p.words, opts)))
            continue
        rel = best_row.relation
        attributed = best_doc if rel in ("copy", "rewrite") else None
        paragraphs.append(AuditParagraph(p.index, rel, attributed, best_row.sources if attributed else (),
                                         round(best_row.score, 4), best_row.words,
                                         counted(rel, best_row.words, opts)))
    shares, _ = tally(((q.relation, q.words) for q in paragraphs), opts)
    by_source: dict[str, int] = defaultdict(int)
    for q in paragraphs:
        if q.counted and q.source:
            by_source[q.source] += q.words
    traced = max((r.metadata.get("traced_sentences", 0.0) for r in reports.values()), default=0.0)
    verdict = decide_verdict(shares, {**opts}, traced)
    sources = tuple(d for d, _ in sorted(by_source.items(), key=lambda kv: (-kv[1], kv[0])))
    return AuditResult(derived.name, verdict, shares, sources, tuple(ranked), tuple(paragraphs), reports)
