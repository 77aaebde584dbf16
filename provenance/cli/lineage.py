"""`provenance lineage FILES...` or `provenance lineage --index INDEX --story ID`: the derivation graph of one story's
versions (provenance/lineage.py), as text, JSON, Mermaid, DOT or an HTML folder."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from provenance.cli.app import app, guarded
from provenance.cli.io import parse_options, write_output
from provenance.errors import EXIT_INPUT, EXIT_PLUGIN, InputError, UsageError


@app.command()
@guarded
def lineage(
    files: Annotated[
        list[str] | None,
        typer.Argument(help="The versions of one story (files, directories, globs or JSONL files)."),
    ] = None,
    index: Annotated[
        str | None,
        typer.Option("--index", help="Take the versions from this index: the story and what it retrieves."),
    ] = None,
    story: Annotated[
        str | None, typer.Option("--story", help="With --index: the stored id of a version.")
    ] = None,
    format: Annotated[
        str,
        typer.Option(
            "--format", "-f", help="text, json, mermaid, dot, or html (a folder: needs --output DIR)."
        ),
    ] = "text",
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write to this file or folder.")
    ] = None,
    disable: Annotated[
        list[str] | None,
        typer.Option("--disable", help="Switch off a detector or plugin by name. Repeatable."),
    ] = None,
    option: Annotated[
        list[str] | None,
        typer.Option(
            "--option", help="NAME=VALUE: a pair-engine option, or lineage.link, lineage.wording_weight, ..."
        ),
    ] = None,
    scorers: Annotated[
        bool,
        typer.Option(
            "--scorers",
            help="Compare the pairs with installed scorer plugins too (provenance-semantic): much slower, and "
            "on real news the graph is not better with them (docs/lineage.md).",
        ),
    ] = False,
) -> None:
    """Infer who copied whom among versions of one story: a graph of "derives from" edges with evidence."""
    from provenance.lineage import LINEAGE_OPTIONS, from_index
    from provenance.lineage import lineage as infer_lineage
    from provenance.plugins import get_host
    from provenance.renderers.lineage import LINEAGE_FORMATS, RENDERERS
    from provenance.text.load import iter_documents

    if format not in LINEAGE_FORMATS:
        raise UsageError(f"--format {format!r}: expected one of {', '.join(LINEAGE_FORMATS)}")
    if format == "html" and (output is None or str(output) == "-"):
        raise UsageError("--format html writes a folder: give it with --output DIR")
    if bool(index) != bool(story):
        raise UsageError("--index and --story go together")
    if index and files:
        raise UsageError("give either FILES or --index with --story, not both")
    if not index and not files:
        raise UsageError("give the versions of a story (FILES), or --index INDEX --story ID")
    opts = parse_options(option or [])
    from provenance.components import resolve

    resolve(LINEAGE_OPTIONS, {k: v for k, v in opts.items() if k.startswith("lineage.")})
    host = get_host(tuple(disable or ()))
    if not scorers and host.scorers():
        # The graph's options were chosen on the lexical pair engine (docs/lineage.md): scorers off unless asked.
        host = get_host((*(disable or ()), *(str(c.name) for _, c in host.scorers())))
    errors: list[str] = []
    if index and story:
        from provenance.index import open_index

        idx = open_index(index, create=False, host=host)
        try:
            graph = from_index(idx, story, host=host, options=opts)
        finally:
            idx.close()
    else:
        docs = list(iter_documents(files or [], errors, host))
        if len(docs) < 2:
            for err in errors:
                typer.echo(f"provenance: error: {err}", err=True)
            if errors:
                raise InputError(f"lineage needs at least two readable versions, got {len(docs)}")
            raise UsageError(f"lineage needs at least two versions, got {len(docs)}")
        graph = infer_lineage(docs, host=host, options=opts, errors=errors)
    write_output(RENDERERS[format](graph), output)
    failed = [problem for r in graph.reports.values() for problem in r.errors]
    for problem in failed:
        typer.echo(
            f"provenance: error: {problem.get('detector')!r} from plugin {problem.get('plugin')!r} "
            f"failed: {problem.get('error')}",
            err=True,
        )
    for err in errors:
        typer.echo(f"provenance: error: {err}", err=True)
    if failed:
        raise typer.Exit(EXIT_PLUGIN)
    if errors:
        raise typer.Exit(EXIT_INPUT)
