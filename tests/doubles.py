"""Test doubles shared by several test modules."""

from __future__ import annotations

from provenance import hookimpl


class Boom:
    """A detector that always fails: what a broken third-party plugin looks like to the engine."""

    name = "boom"

    def detect(self, ctx):
        raise RuntimeError("boom on purpose")


class BoomPlugin:
    @hookimpl
    def register_detectors(self, register):
        register(Boom())
