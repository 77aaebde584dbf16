"""The `provenance` command: the application (provenance/cli/app.py) with every command module registered on it.

Exit codes (docs/cli.md): 0 ok, 1 a --fail-on threshold was crossed or the policy failed (check), 2 usage error,
3 input error, 4 plugin error, 70 internal error (a bug: PROVENANCE_DEBUG=1 shows the traceback).
"""

from __future__ import annotations

import os

# With no plugin to load (PROVENANCE_LOAD_PLUGINS set empty, as CI steps run it), nothing a command runs uses BLAS:
# the core's numpy work is integer hashing and small vectors. OpenBLAS would still start a thread per core when numpy
# is imported, about 15 ms of a cold command (docs/performance.md), so it is told to use one, unless the user said
# otherwise. A scorer plugin (provenance-semantic) multiplies matrices and keeps the library's default.
if os.environ.get("PROVENANCE_LOAD_PLUGINS") == "":
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

from provenance.cli import audit as _audit_cmd  # noqa: F401
from provenance.cli import check as _check_cmd  # noqa: F401

# isort: off  (each module registers its commands on the app; `provenance --help` lists them in this order)
from provenance.cli import compare as _compare_cmd  # noqa: F401
from provenance.cli import index as _index_cmd  # noqa: F401
from provenance.cli import lineage as _lineage_cmd  # noqa: F401
from provenance.cli import plugins as _plugins_cmd  # noqa: F401
from provenance.cli import render as _render_cmd  # noqa: F401
from provenance.cli.app import EXIT_INTERNAL, Command, app, fail, guarded

# isort: on

for _typer in (app, *(group.typer_instance for group in app.registered_groups if group.typer_instance)):
    for _info in _typer.registered_commands:
        _info.cls = Command  # plain help for every command (provenance/cli/app.py)

__all__ = ["EXIT_INTERNAL", "app", "fail", "guarded", "main"]


# The garbage collector, for a command's process (a library call leaves it alone): an audit or a lineage compares
# many documents, each made of thousands of small objects (tokens, sentences, links) that reference counting frees,
# and the collector's young passes, every 700 allocations by default, walk them and find almost no cycles. Objects
# made by the imports are frozen (no collection walks them again; forked workers then share their pages), and the
# young generation is collected every GC_YOUNG allocations: an audit of 300 articles against 100,000 paragraphs
# 6.9-7.4 s against 8.6-10.3 s, the same output, peak memory within 25 MB (docs/performance.md).
GC_YOUNG = 50_000


def main() -> None:
    import gc

    gc.freeze()
    gc.set_threshold(GC_YOUNG, *gc.get_threshold()[1:])
    app()
