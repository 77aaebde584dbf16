"""provenance-semantic: a text-provenance plugin that judges alignments by meaning.

Word overlap finds copies and light rewrites; it misses heavy paraphrase ("the balance of aid has changed
significantly since Trump returned to power" / "the scale and nature of U.S. assistance have shifted notably since
Trump's return to office"), and it takes two independent reports of one event, which share names, figures and
quotes, for a rewrite. This plugin registers a similarity scorer (`register_scorers`): the core sends it
(derived sentence, source sentence) pairs and folds its signal into the rewrite decision, and the report's
evidence names the scorer whenever it decided a label.

Importing this module is cheap: the model (all-MiniLM-L6-v2, its weights packaged with the plugin at build time, run in
numpy: bert.py) loads on the first comparison that needs it, never at import, and never from the network.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from provenance import hookimpl

from .scorer import SemanticScorer

__version__ = "0.1.0"

# The plugin API this plugin was built for; the host refuses the plugin if its major version differs.
PROVENANCE_PLUGIN_API = "1.0"


@hookimpl
def register_scorers(register: Callable[[Any], None]) -> None:
    register(SemanticScorer())


__all__ = ["PROVENANCE_PLUGIN_API", "SemanticScorer", "__version__", "register_scorers"]
