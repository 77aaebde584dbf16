"""One way from `--format NAME` to output, for every command: `pick` a renderer before any work is done (an
unknown format, or one that cannot render the command's result, is a one-line usage error listing those that
can), then `render` the result with it.

A renderer tells what it renders by the contracts it fulfils (provenance/components.py): a Report (`compare`),
an audit run (`audit`: one text, or a folder of files) or a check run (`check`). Every registered renderer that
renders a command's result is one of that command's formats, built-in or from a plugin; a renderer of Reports only
is a `compare` format and nothing else."""

from __future__ import annotations

import inspect
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, TypeAlias

from provenance.components import (
    AuditFolderRenderer,
    AuditRenderer,
    CheckRenderer,
    Rendered,
    Renderer,
    ReportRenderer,
)
from provenance.errors import UsageError
from provenance.model import AuditResult, Report
from provenance.plugins import PluginHost

if TYPE_CHECKING:  # (loaded by `render` for a check run only: about 4 ms of every other cold start)
    from provenance.policy.evaluate import CheckRun


@dataclass(frozen=True, slots=True)
class Kind:
    """A kind of result, the renderers that can write it, and how its command refuses a format."""

    contracts: tuple[type, ...]  # a renderer fulfilling any of these renders this kind
    first: tuple[str, ...]  # built-in formats listed first, as the command documents them; the rest sorted
    refusal: str  # the usage error, with {fmt} and {formats}


REPORT = Kind((ReportRenderer,), (), "unknown report format {fmt!r}; available: {formats}")
AUDIT = Kind(
    (AuditFolderRenderer, AuditRenderer),
    ("table", "json", "jsonl", "html"),
    "--format {fmt!r}: expected {formats}",
)
CHECK = Kind(
    (CheckRenderer,),
    ("text", "json", "sarif", "github"),
    "--format {fmt!r}: provenance check writes {formats}",
)

Result: TypeAlias = "Report | Sequence[AuditResult] | CheckRun"


def renders(renderer: Renderer, kind: Kind) -> bool:
    return any(isinstance(renderer, contract) for contract in kind.contracts)


def formats(host: PluginHost, kind: Kind) -> tuple[str, ...]:
    """The formats of the registered renderers that render this kind, in the order usage errors list them."""
    names = {name for name, renderer in host.renderers().items() if renders(renderer, kind)}
    first = tuple(name for name in kind.first if name in names)
    return first + tuple(sorted(names - set(first)))


def pick(host: PluginHost, kind: Kind, fmt: str, output: Path | None = None) -> Renderer:
    """The renderer for `--format fmt`, refused unless it renders this kind (and, for a folder, has a place)."""
    renderer = host.renderers().get(fmt)
    if renderer is None or not renders(renderer, kind):
        raise UsageError(kind.refusal.format(fmt=fmt, formats=", ".join(formats(host, kind))))
    if isinstance(renderer, AuditFolderRenderer) and kind is AUDIT and (output is None or str(output) == "-"):
        raise UsageError(f"--format {fmt} writes {renderer.folder}: give it with --output DIR")
    return renderer


def folds_boilerplate(renderer: Renderer) -> bool:
    """Whether the renderer folds boilerplate unless asked to list it: its `render` takes `show_boilerplate`
    (the built-in text, Markdown and HTML renderers; a plugin's renderer may too, and is not asked otherwise)."""
    try:
        return "show_boilerplate" in inspect.signature(renderer.render).parameters  # type: ignore[attr-defined]
    except (AttributeError, TypeError, ValueError):
        return False


def render(
    renderer: Renderer, result: Result, *, color: bool = False, show_boilerplate: bool = False
) -> Rendered:
    """What the renderer makes of the result: a Report, a check run, or an audit run (a sequence of results)."""
    if isinstance(result, Report) and isinstance(renderer, ReportRenderer):
        if show_boilerplate and folds_boilerplate(renderer):
            return renderer.render(result, color=color, show_boilerplate=True)  # type: ignore[call-arg]
        return renderer.render(result, color=color)
    from provenance.policy.evaluate import CheckRun

    if isinstance(result, CheckRun) and isinstance(renderer, CheckRenderer):
        return renderer.render_check(result)
    if isinstance(result, Sequence) and isinstance(renderer, AuditFolderRenderer):
        return renderer.render_audit_folder(result)
    if isinstance(result, Sequence) and isinstance(renderer, AuditRenderer):
        return renderer.render_audit(result)
    raise TypeError(
        f"renderer {renderer.name!r} cannot render a {type(result).__name__} (pick refuses it first)"
    )
