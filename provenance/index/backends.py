"""Which backend serves an index location, and opening it there.

Backends are plugins (`register_index_backends`); the built-in ones are SQLite (embedded, no server) and Redis
(shared). A location is a plain path or `sqlite:///path/index.db`; other schemes go to the backend that claims them.
"""

from __future__ import annotations

from typing import Any

from provenance.errors import PluginError, UsageError
from provenance.fingerprint import FingerprintParams
from provenance.index.base import Index, IndexParams, missing_members


def scheme_of(location: str) -> str:
    return location.split("://", 1)[0] if "://" in location else "sqlite"


def open_index(
    location: str, *, create: bool = False, params: IndexParams | None = None, host: Any = None
) -> Index:
    """The index at `location`, opened by the backend of its scheme (`create`: make it when it does not exist)."""
    from provenance.plugins import get_host

    host = host or get_host()
    scheme = scheme_of(location)
    backends = host.components.get("index_backends", {})
    for name, backend in backends.items():
        if scheme in backend.schemes:  # the host checked at registration that every backend has them
            index = backend.open(location, create=create, params=params or IndexParams(FingerprintParams()))
            _check_complete(index, name, host)
            return index
    known = sorted(s for b in backends.values() for s in b.schemes)
    raise UsageError(f"{location}: no index backend for {scheme}:// (available: {', '.join(known)})")


def _check_complete(index: Any, backend: str, host: Any) -> None:
    """A backend's index must offer every method of the Index protocol, or be refused at once, by name."""
    missing = missing_members(index)
    if not missing:
        return
    close = getattr(index, "close", None)
    if callable(close):
        close()
    raise PluginError(
        f"index backend {backend!r} opened an index without {', '.join(missing)} (every Index "
        "method is required: docs/plugins/hooks.md)",
        plugin=host.plugin_of("index_backends", backend),
    )
