"""Results kept for the objects they were worked out from, by identity.

An audit compares one article with each of its top sources, and lineage compares every version with every other
both ways, so the same Document or Paragraph goes through the same pure step again and again. These objects never
change once made, so a result can be handed out again for the same object. Keyed by `id()`, with the object itself
kept beside its result, so that its id cannot be reused by another object while the entry lives; the oldest entries
go first once `size` are kept. Safe to share between threads.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

O = TypeVar("O")  # noqa: E741 (the object a result is kept for)
R = TypeVar("R")


class KeptByIdentity(Generic[O, R]):
    """At most `size` results of `make(obj, *extra)`, for the last objects (and extra arguments) asked for."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._kept: dict[tuple[int, Hashable], tuple[O, R]] = {}
        self._lock = threading.Lock()

    def get(self, obj: O, extra: Hashable, make: Callable[[], R]) -> R:
        """The result kept for `obj` and `extra`, else `make()`'s, kept."""
        key = (id(obj), extra)
        with self._lock:
            hit = self._kept.get(key)
        if hit is not None:  # (its object is kept with it: no other object can have its id meanwhile)
            return hit[1]
        result = make()
        with self._lock:
            self._kept.pop(key, None)
            self._kept[key] = (obj, result)
            while len(self._kept) > self.size:
                del self._kept[next(iter(self._kept))]
        return result
