"""provenance-attribution: a text-provenance plugin that checks whether a derived article credits its source.

Installed, it is found through the `provenance` entry-point group; it registers one detector, `attribution`,
whose findings are annotations (they never change a paragraph's label). Built only on the public `provenance`
API.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from provenance import hookimpl

from .detector import AttributionDetector

__version__ = "0.1.0"

# The plugin API this was written for; the host refuses the plugin if its major version differs.
PROVENANCE_PLUGIN_API = "1.0"


@hookimpl
def register_detectors(register: Callable[[Any], None]) -> None:
    """Give the host the attribution detector."""
    register(AttributionDetector())


__all__ = ["PROVENANCE_PLUGIN_API", "AttributionDetector", "__version__", "register_detectors"]
