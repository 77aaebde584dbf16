"""Corpus fingerprint indexes: where paragraph signatures of many source articles live, to find candidate sources.

The package, in the order a newcomer may read it:

- `api`: `add_documents` and `audit`, what `provenance index add` and `provenance audit` do, callable from Python;
- `base`: the data (IndexParams, Prints, StoredDocument, Candidate) and the `Index` protocol every backend implements;
- `backends`: `open_index`, which picks the backend serving a location (a path, `sqlite:///path`, `redis://...`);
- `ingest`: inputs read, extracted and fingerprinted (in worker processes with `jobs`); `auditing`: an article's
  candidate sources retrieved, compared and credited paragraph by paragraph; `vectors`: scorers' stored vectors;
- `segments` and `retrieve`: the postings and records both built-in backends store, and the search over them;
- `sqlite/` and `redis/`: the two built-in backends, each registered as a plugin (`register_index_backends`).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from provenance.index.api import AddSummary, AuditRun, BatchCommitted, add_documents, audit
    from provenance.index.backends import open_index
    from provenance.index.base import FORMAT_VERSION, Index, IndexParams, StoredDocument

_LAZY = {
    **dict.fromkeys(("AddSummary", "AuditRun", "BatchCommitted", "add_documents", "audit"), "api"),
    "open_index": "backends",
    **dict.fromkeys(("FORMAT_VERSION", "Index", "IndexParams", "StoredDocument"), "base"),
}

__all__ = [
    "FORMAT_VERSION",
    "AddSummary",
    "AuditRun",
    "BatchCommitted",
    "Index",
    "IndexParams",
    "StoredDocument",
    "add_documents",
    "audit",
    "open_index",
]


def __getattr__(name: str) -> Any:
    """Each loads on first use: every command registers the backends (they are plugins, `sqlite/store.py`), and
    only those that open an index need the rest (a cold `compare` spares about 10 ms, docs/performance.md)."""
    if name in _LAZY:
        return getattr(importlib.import_module(f"provenance.index.{_LAZY[name]}"), name)
    raise AttributeError(f"module 'provenance.index' has no attribute {name!r}")
