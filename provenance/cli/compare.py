"""`provenance compare SOURCE DERIVED`: one pair, rendered, with CI thresholds."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from provenance.cli.app import app, guarded
from provenance.cli.io import (
    Color,
    Disable,
    ShowBoilerplate,
    Stages,
    parse_options,
    read_input,
    use_color,
    write_output,
)
from provenance.errors import EXIT_PLUGIN, EXIT_THRESHOLD, UsageError


@app.command()
@guarded
def compare(
    source: Annotated[
        str,
        typer.Argument(
            help="The source article (text, Markdown or HTML file; - for stdin).", metavar="SOURCE"
        ),
    ],
    derived: Annotated[
        str, typer.Argument(help="The derived article to examine (file, or - for stdin).", metavar="DERIVED")
    ],
    format: Annotated[
        str,
        typer.Option(
            "--format",
            "-f",
            help="Report format: text, json, html, markdown, sarif, github, or a plugin's "
            "(provenance plugins lists them).",
            metavar="FORMAT",
        ),
    ] = "text",
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write the report to this file.", metavar="PATH")
    ] = None,
    fail_on: Annotated[
        list[str] | None,
        typer.Option(
            "--fail-on",
            help="Exit 1 when crossed, e.g. copy>0.5, added<0.1, coverage>=0.8, verdict=copy. Repeatable.",
            metavar="EXPR",
        ),
    ] = None,
    disable: Disable = None,
    option: Annotated[
        list[str] | None,
        typer.Option(
            "--option",
            help="Set a detector or verdict option, e.g. copy.threshold=0.8. Repeatable.",
            metavar="NAME=VALUE",
        ),
    ] = None,
    source_format: Annotated[
        str | None,
        typer.Option(help="Force the source's input format (text, markdown, html).", metavar="FORMAT"),
    ] = None,
    derived_format: Annotated[
        str | None, typer.Option(help="Force the derived article's input format.", metavar="FORMAT")
    ] = None,
    color: Color = "auto",
    show_boilerplate: ShowBoilerplate = False,
    config: Annotated[
        Path | None,
        typer.Option(
            "--config",
            help="Policy file whose options apply (default: provenance.toml or pyproject.toml "
            "[tool.provenance], found upwards); --option wins.",
            metavar="FILE",
        ),
    ] = None,
) -> None:
    """Compare DERIVED with SOURCE and report copied, rewritten, added and boilerplate paragraphs."""
    from provenance.engine import STAGES, known_options
    from provenance.engine import compare as run_compare
    from provenance.plugins import get_host
    from provenance.policy.config import resolve_config
    from provenance.policy.failon import parse, require_plugins
    from provenance.renderers.dispatch import REPORT, pick, render

    if source == "-" and derived == "-":
        raise UsageError("only one of SOURCE and DERIVED can be - (standard input)")
    if color not in ("auto", "always", "never"):
        raise UsageError(f"--color {color!r}: expected auto, always or never")
    thresholds = [parse(expr) for expr in (fail_on or [])]
    cfg = resolve_config(config)
    opts = {**cfg.engine_options(), **parse_options(option or [])}
    host = get_host(tuple(disable or ()))
    cfg.check_options(known_options(host))
    require_plugins(thresholds, host)
    renderer = pick(host, REPORT, format)
    src, src_name = read_input(source)
    der, der_name = read_input(derived)
    stages = Stages([*STAGES, "rendering"])  # a bar on a terminal only (stderr), cleared when done
    try:
        report = run_compare(
            src,
            der,
            options=opts,
            host=host,
            source_format=source_format,
            derived_format=derived_format,
            source_name=src_name,
            derived_name=der_name,
            stage=stages,
        )
        stages("rendering")
        rendered = render(renderer, report, color=use_color(color, output), show_boilerplate=show_boilerplate)
    finally:
        stages.done()
    write_output(rendered, output)
    if report.errors:
        for err in report.errors:
            typer.echo(
                f"provenance: error: {err.get('component', 'detector')} {err['detector']!r} from plugin {err['plugin']!r} failed: "
                f"{err['error']}",
                err=True,
            )
        raise typer.Exit(EXIT_PLUGIN)
    crossed = []
    for t in thresholds:
        hit, observed = t.check(report)
        if hit:
            crossed.append(f"{t.text} (observed {observed})")
    if crossed:
        typer.echo(f"provenance: threshold crossed: {'; '.join(crossed)}", err=True)
        raise typer.Exit(EXIT_THRESHOLD)
