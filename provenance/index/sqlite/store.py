"""The `sqlite` backend as a plugin (`SqliteBackend`). The index itself, `SqliteIndex` (index.py), loads when a
location is opened: a run that opens no index, such as `compare`, does not pay for it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from provenance.hookspecs import hookimpl

if TYPE_CHECKING:
    from provenance.index.base import IndexParams
    from provenance.index.sqlite.index import SqliteIndex


class SqliteBackend:
    name = "sqlite"
    schemes = ("sqlite",)
    description = "embedded index in one SQLite file (the default; no server)"

    def open(self, location: str, *, create: bool, params: IndexParams) -> SqliteIndex:
        from provenance.index.sqlite.index import SqliteIndex

        return SqliteIndex(location, create=create, params=params)


@hookimpl
def register_index_backends(register: Callable[[Any], None]) -> None:
    register(SqliteBackend())
