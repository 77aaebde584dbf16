"""The plugin hooks. Each hook hands the plugin a `register` callback; the host owns it, so it knows which plugin
provided which component and can refuse a duplicate name by naming both plugins.

Built-in detectors, extractors and renderers are registered through these same hooks.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pluggy

PROJECT = "provenance"

# The plugin API's version. A plugin may declare the version it was built for as a module attribute
# `PROVENANCE_PLUGIN_API = "1.0"`; the host refuses one whose major version differs.
PLUGIN_API_VERSION = "1.0"
hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


@hookspec
def register_detectors(register: Callable[[Any], None]) -> None:
    """Register detector components: objects with `name` and `detect(context) -> Iterable[Finding]`."""


@hookspec
def register_extractors(register: Callable[[Any], None]) -> None:
    """Register input extractors: objects with `name`, `suffixes`, `sniff(text) -> float` and
    `extract(text, name) -> Extracted`."""


@hookspec
def register_renderers(register: Callable[[Any], None]) -> None:
    """Register report renderers: objects with `name`, `media_type`, `suffix` and `render(report, color) -> str`."""


@hookspec
def register_index_backends(register: Callable[[Any], None]) -> None:
    """Register corpus index backends: objects with `name`, `schemes` (such as `("redis",)`) and
    `open(location, *, create, params) -> Index` (see provenance/index/base.py for the Index protocol)."""


@hookspec
def register_scorers(register: Callable[[Any], None]) -> None:
    """Register similarity scorers: objects with `name`, `options` (at least `threshold`) and
    `score(pairs: Sequence[tuple[str, str]]) -> Sequence[float]`, called once per comparison with every
    (derived sentence, source sentence) pair the engine wants judged (see provenance/signals.py)."""
