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


def main() -> None:
    app()
