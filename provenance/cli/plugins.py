"""`provenance plugins`: what is installed, which plugin provides which component, as a table or JSON."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from provenance.cli.app import app, guarded


@app.command("plugins")
@guarded
def plugins_cmd(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
    all_: Annotated[bool, typer.Option("--all", help="Include the built-in plugins.")] = False,
) -> None:
    """List installed plugins and the detectors, extractors and renderers they provide."""
    from provenance.plugins import get_host

    host = get_host()
    infos = [i.to_dict() for i in host.info.values() if all_ or not i.builtin]
    if as_json:
        typer.echo(json.dumps(infos, indent=2))
        return
    if not infos:
        typer.echo("no third-party plugins installed (use --all to list the built-in ones)")
        return
    for info in infos:
        comps = "; ".join(f"{k}: {', '.join(v)}" for k, v in info["components"].items())
        origin = "built-in" if info["builtin"] else f"{info['distribution']} {info['version'] or ''}".strip()
        typer.echo(f"{info['name']:<16} {origin:<28} {comps}")
