"""Corpus fingerprint indexes: where paragraph signatures of many source articles live, to find candidate sources.

Backends are plugins (`register_index_backends`); the built-in one is SQLite, embedded, no server. A location is a
plain path or `sqlite:///path/index.db`; other schemes go to the backend that claims them.
"""

from __future__ import annotations

from typing import Any

from provenance.errors import UsageError
from provenance.fingerprint import FingerprintParams
from provenance.index.base import FORMAT_VERSION, Index, IndexParams, StoredDocument

__all__ = ["FORMAT_VERSION", "Index", "IndexParams", "StoredDocument", "open_index"]


def open_index(location: str, *, create: bool = False, params: IndexParams | None = None,
               host: Any = None) -> Index:
    from provenance.plugins import get_host

    host = host or get_host()
    scheme = location.split("://", 1)[0] if "://" in location else "sqlite"
    for backend in host.components.get("index_backends", {}).values():
        if scheme in getattr(backend, "schemes", ()):
            return backend.open(location, create=create, params=params or IndexParams(FingerprintParams()))
    known = sorted(s for b in host.components.get("index_backends", {}).values() for s in b.schemes)
    raise UsageError(f"{location}: no index backend for {scheme}:// (available: {', '.join(known)})")
