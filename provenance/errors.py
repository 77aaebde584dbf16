"""Errors the CLI maps to documented exit codes.

Every failure a user can cause (a bad path, an undecodable file, a broken plugin) is raised as one of these, so the
CLI can print one line and exit with the right code instead of a traceback.
"""

from __future__ import annotations


class ProvenanceError(Exception):
    """Base class: carries the exit code the CLI uses for it."""

    exit_code = 1


class UsageError(ProvenanceError):
    """The command line or the configuration asks for something impossible (exit 2)."""

    exit_code = 2


class InputError(ProvenanceError):
    """An input article is missing, unreadable, empty, binary or undecodable (exit 3)."""

    exit_code = 3


class PluginError(ProvenanceError):
    """A plugin failed to load or raised while running (exit 4)."""

    exit_code = 4

    def __init__(self, message: str, plugin: str | None = None) -> None:
        super().__init__(message)
        self.plugin = plugin


EXIT_OK = 0
EXIT_THRESHOLD = 1
EXIT_USAGE = 2
EXIT_INPUT = 3
EXIT_PLUGIN = 4
