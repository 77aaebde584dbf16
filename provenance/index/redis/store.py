"""The `redis` backend as a plugin (`RedisBackend`). The index itself, `RedisIndex` (index.py), loads when a
location is opened: a run that opens no index, such as `compare`, does not pay for it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from provenance.hookspecs import hookimpl

if TYPE_CHECKING:
    from provenance.index.base import IndexParams
    from provenance.index.redis.index import RedisIndex


class RedisBackend:
    name = "redis"
    schemes = ("redis", "rediss", "unix")
    description = "shared index on a Redis server (redis://host:port/db?prefix=name)"

    def open(self, location: str, *, create: bool, params: IndexParams) -> RedisIndex:
        from provenance.index.redis.index import RedisIndex

        return RedisIndex(location, create=create, params=params)


@hookimpl
def register_index_backends(register: Callable[[Any], None]) -> None:
    register(RedisBackend())
