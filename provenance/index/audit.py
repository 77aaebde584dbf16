"""Audit one derived article against a corpus index: retrieve candidate sources by paragraph signatures, compare
against the best of them, and attribute each paragraph to its own source (an article may be built from several)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from provenance.index import vectors as embeddings
from provenance.assemble import MIN_WORDS, decide_verdict
from provenance.assemble import words as count_words
from provenance.text.load import load_document
from provenance.engine import compare_documents, known_options
from provenance.index.base import Prints, prints_of_document
from provenance.model import Document, Report
from provenance.policy.options import resolve

RANK = {"copy": 0, "rewrite": 1, "added": 2, "boilerplate": 3}


@dataclass(frozen=True, slots=True)
class AuditResult:
    derived: str
    verdict: str
    shares: dict[str, float]
    sources: tuple[str, ...]  # documents that at least one paragraph is attributed to, by words attributed
    candidates: tuple[tuple[str, float], ...]  # retrieved documents and their retrieval scores
    paragraphs: tuple[dict[str, Any], ...]
    reports: dict[str, Report] = field(default_factory=dict)

    def to_dict(self, *, full: bool = True) -> dict[str, Any]:
        d: dict[str, Any] = {
            "schema": "text-provenance/audit/1",
            "derived": self.derived,
            "verdict": self.verdict,
            "shares": {k: round(v, 4) for k, v in self.shares.items()},
            "sources": list(self.sources),
            "candidates": [{"id": doc, "score": round(s, 4)} for doc, s in self.candidates],
            "paragraphs": list(self.paragraphs),
        }
        if full:
            d["reports"] = {doc: r.to_dict() for doc, r in self.reports.items()}
        return d


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

    min_words = int((options or {}).get(MIN_WORDS, 0))  # options arrive resolved (audit_documents)
    paragraphs: list[dict[str, Any]] = []
    words: dict[str, int] = defaultdict(int)
    by_source: dict[str, int] = defaultdict(int)
    traced = 0.0
    for p in derived.paragraphs:
        best_doc, best_row = None, None
        for doc_id, rep in reports.items():
            row = rep.paragraphs[p.index]
            if best_row is None or (RANK[row.relation], -row.score) < (RANK[best_row.relation], -best_row.score):
                best_doc, best_row = doc_id, row
        if best_row is None:
            rel, n = ("boilerplate" if p.is_boilerplate else "added"), count_words(p.text)
            entry: dict[str, Any] = {"index": p.index, "relation": rel, "source": None, "sources": [], "score": 0.0}
        else:
            rel, n = best_row.relation, best_row.words
            attributed = best_doc if rel in ("copy", "rewrite") else None
            entry = {"index": p.index, "relation": rel, "source": attributed,
                     "sources": list(best_row.sources) if attributed else [], "score": round(best_row.score, 4)}
        counted = rel != "boilerplate" and n >= min_words  # as assemble counts: short paragraphs are not
        paragraphs.append({**entry, "words": n, **({} if counted or rel == "boilerplate" else {"counted": False})})
        if counted:
            words[rel] += n
            if entry["source"]:
                by_source[entry["source"]] += n
    total = sum(words.values())
    shares = {k: (words[k] / total if total else 0.0) for k in ("copy", "rewrite", "added")}
    if reports:
        traced = max(r.metadata.get("traced_sentences", 0.0) for r in reports.values())
    verdict = decide_verdict(shares, {**(options or {})}, traced)
    sources = tuple(d for d, _ in sorted(by_source.items(), key=lambda kv: (-kv[1], kv[0])))
    return AuditResult(derived.name, verdict, shares, sources, tuple(ranked), tuple(paragraphs), reports)
