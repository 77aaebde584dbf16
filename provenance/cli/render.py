"""`provenance render STORED...`: stored results (a report, an audit, a Spark run's output) rendered again."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from provenance.cli.app import app, guarded
from provenance.cli.io import Color, ShowBoilerplate, use_color, write_output
from provenance.errors import EXIT_INPUT, InputError, UsageError


@app.command()
@guarded
def render(
    stored: Annotated[
        list[str],
        typer.Argument(
            help="What compare or audit wrote as JSON (or JSON lines), or the Spark path as Parquet or JSON "
            "lines: files, - for stdin, or a folder of part files.",
            metavar="STORED",
        ),
    ],
    format: Annotated[
        str | None,
        typer.Option(
            "--format",
            "-f",
            help="A report: text (default), json, html, markdown, sarif, github. An audit: table (default), "
            "json, jsonl, html (a folder: needs --output DIR), markdown, sarif, github.",
            metavar="FORMAT",
        ),
    ] = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write to this file.", metavar="PATH")
    ] = None,
    color: Color = "auto",
    show_boilerplate: ShowBoilerplate = False,
) -> None:
    """Render stored reports or audit results with any report format, without comparing again."""
    from provenance.plugins import get_host
    from provenance.renderers.dispatch import AUDIT, REPORT, pick
    from provenance.renderers.dispatch import render as render_result
    from provenance.renderers.stored import read_stored

    if color not in ("auto", "always", "never"):
        raise UsageError(f"--color {color!r}: expected auto, always or never")
    host = get_host()
    found = read_stored(stored)
    if found.reports and found.results:
        raise InputError(
            "the inputs hold both single reports and audit results: render them apart "
            f"({len(found.reports)} reports, {len(found.results)} audit results)"
        )
    if found.reports:
        if len(found.reports) > 1:
            raise InputError(
                f"the inputs hold {len(found.reports)} single reports: render one at a time "
                "(an audit result, such as a Spark run's articles, holds all of an article's reports)"
            )
        renderer = pick(host, REPORT, format or "text")
        (report,) = found.reports
        rendered = render_result(
            renderer, report, color=use_color(color, output), show_boilerplate=show_boilerplate
        )
        write_output(rendered, output)
    elif found.results or not found.errors:
        renderer = pick(host, AUDIT, format or "table", output)
        write_output(render_result(renderer, found.results), output)
    for e in found.errors:
        typer.echo(f"provenance: error: {e}", err=True)
    if found.errors:
        raise typer.Exit(EXIT_INPUT)
