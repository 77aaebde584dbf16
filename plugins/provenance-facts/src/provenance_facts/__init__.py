"""provenance-facts: a text-provenance plugin that flags facts a rewrite changed.

In paragraphs the core aligned to the source (copied or rewritten), it reports numbers, dates, names and quotations
that differ from the aligned source sentence: "330 missiles" that became "300 missiles", "Dana Price" who became
"Dana Pryce", a quotation with a word swapped. Editors need these at once; an omission or new material is not a
change and is not reported.

The plugin uses only the public API of `provenance`, which is the point of it: a third party can build a detector.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from provenance import hookimpl

from .detector import FactsDetector

__version__ = "0.1.0"

# The plugin API this plugin was built for; the host refuses the plugin if its major version differs.
PROVENANCE_PLUGIN_API = "1.0"


@hookimpl
def register_detectors(register: Callable[[Any], None]) -> None:
    register(FactsDetector())


__all__ = ["PROVENANCE_PLUGIN_API", "FactsDetector", "__version__", "register_detectors"]
