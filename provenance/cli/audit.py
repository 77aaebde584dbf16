"""`provenance audit INDEX DERIVED...`: which sources does each article derive from, and how."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from provenance.cli.app import app, guarded
from provenance.cli.io import Disable, progress_bar, write_output, write_text
from provenance.errors import EXIT_INPUT, EXIT_THRESHOLD, UsageError

if TYPE_CHECKING:
    from provenance.model import AuditResult


@app.command()
@guarded
def audit(
    index: Annotated[
        str,
        typer.Argument(
            help="Index location (path, sqlite:///path, or a backend URL); with --engine spark, the corpus "
            "(files, a directory, a glob, JSONL or Parquet).",
            metavar="INDEX",
        ),
    ],
    derived: Annotated[
        list[str], typer.Argument(help="Articles to audit (files, directories or globs).", metavar="DERIVED")
    ],
    format: Annotated[
        str,
        typer.Option(
            "--format",
            "-f",
            help="table, json, jsonl, html (a folder: needs --output DIR), markdown, sarif or github.",
            metavar="FORMAT",
        ),
    ] = "table",
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write to this file.", metavar="PATH")
    ] = None,
    top: Annotated[
        int, typer.Option(min=1, max=50, help="Compare against this many best candidates.", metavar="N")
    ] = 3,
    fail_on: Annotated[
        list[str] | None,
        typer.Option("--fail-on", help="As for compare; any article crossing it exits 1.", metavar="EXPR"),
    ] = None,
    option: Annotated[
        list[str] | None, typer.Option("--option", help="NAME=VALUE, as for compare.", metavar="NAME=VALUE")
    ] = None,
    disable: Disable = None,
    exclude_self: Annotated[
        bool,
        typer.Option(
            "--exclude-self/--include-self",
            help="Leave out an indexed document that is the article itself (the same id, or the same text: "
            "the digest index add stores), which would otherwise be its own 100% copy.",
        ),
    ] = True,
    config: Annotated[
        Path | None,
        typer.Option("--config", help="Policy file whose options apply, as for compare.", metavar="FILE"),
    ] = None,
    engine: Annotated[
        str,
        typer.Option(
            "--engine",
            help="local (an index) or spark (a corpus, on Apache Spark: docs/spark.md).",
            metavar="ENGINE",
        ),
    ] = "local",
    master: Annotated[
        str | None,
        typer.Option(
            "--master", help="With --engine spark: the Spark master (local[2], yarn, ...).", metavar="URL"
        ),
    ] = None,
) -> None:
    """Find each article's sources in the index and compare it against them."""
    from provenance.cli.io import parse_options
    from provenance.components import AuditStreamRenderer
    from provenance.engine import known_options
    from provenance.index import open_index
    from provenance.index.api import documents_with_digests
    from provenance.index.auditing import audit_documents
    from provenance.plugins import get_host
    from provenance.policy.config import resolve_config
    from provenance.policy.evaluate import Policy, evaluate
    from provenance.policy.failon import parse, require_plugins
    from provenance.renderers.dispatch import AUDIT, pick, render

    host = get_host(tuple(disable or ()))
    renderer = pick(host, AUDIT, format, output)
    thresholds = [parse(expr) for expr in (fail_on or [])]
    cfg = resolve_config(config)
    opts = {**cfg.engine_options(), **parse_options(option or [])}
    cfg.check_options(known_options(host))
    require_plugins(thresholds, host)
    errors: list[str] = []
    results: list[AuditResult] = []
    if engine not in ("local", "spark") or (master and engine != "spark"):
        raise UsageError(f"--engine is local or spark (and --master needs --engine spark), not {engine!r}")
    if engine == "spark":
        from provenance.spark.run import audit_paths  # pyspark: loaded only for --engine spark

        results.extend(
            audit_paths(
                index, derived, master=master, top=top, options=opts, errors=errors, disabled=disable or ()
            )
        )
        write_output(render(renderer, results), output)
    else:
        idx = open_index(index, create=False, host=host)
        digests: dict[str, str] = {}
        # Rows go out as each article finishes when the format allows it and the report goes to standard output;
        # a file is written whole at the end, atomically. A progress bar shows on a terminal only.
        to_stdout = output is None or str(output) == "-"
        stream = renderer if isinstance(renderer, AuditStreamRenderer) and to_stdout else None
        bar = progress_bar("auditing")
        try:
            with bar or contextlib.nullcontext():
                task = bar.add_task("audit", total=None) if bar else None
                if stream is not None:
                    write_text(stream.audit_head(), None)
                for result in audit_documents(
                    idx,
                    documents_with_digests(derived, errors, host, digests),
                    host=host,
                    top=top,
                    options=opts,
                    skip_self=exclude_self,
                    digests=digests if exclude_self else None,
                ):
                    results.append(result)
                    if stream is not None:
                        write_text(stream.audit_row(result), None)
                    if bar is not None and task is not None:
                        bar.advance(task)
        finally:
            idx.close()
        if stream is None:
            write_output(render(renderer, results), output)
    for e in errors:
        typer.echo(f"provenance: error: {e}", err=True)
    if errors:
        raise typer.Exit(EXIT_INPUT)
    crossed = []
    policy = Policy(tuple(thresholds))
    for r in results:  # measured as check measures them, with nothing licensed
        measures = evaluate(policy, r, lambda _: {}, opts).measures
        for t in thresholds:
            hit, observed = t.check_measures(measures)
            if hit:
                crossed.append(f"{r.derived}: {t.text} (observed {observed})")
    if crossed:
        typer.echo("provenance: threshold crossed: " + "; ".join(crossed), err=True)
        raise typer.Exit(EXIT_THRESHOLD)
