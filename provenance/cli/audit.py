"""`provenance audit INDEX DERIVED...`: which sources does each article derive from, and how."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from provenance.errors import EXIT_INPUT, EXIT_THRESHOLD, UsageError
from provenance.cli import app, guarded
from provenance.cli.io import write_output

FORMATS = ("table", "json", "jsonl", "html")


@app.command()
@guarded
def audit(
    index: Annotated[str, typer.Argument(help="Index location (path, sqlite:///path, or a backend URL).")],
    derived: Annotated[list[str], typer.Argument(help="Articles to audit (files, directories or globs).")],
    format: Annotated[str, typer.Option("--format", "-f", help="table, json, jsonl, html (a folder: needs --output DIR), markdown, sarif or github.")] = "table",
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write to this file.")] = None,
    top: Annotated[int, typer.Option(min=1, max=50, help="Compare against this many best candidates.")] = 3,
    fail_on: Annotated[list[str] | None, typer.Option("--fail-on", help="As for compare; any article crossing it exits 1.")] = None,
    option: Annotated[list[str] | None, typer.Option("--option", help="NAME=VALUE, as for compare.")] = None,
    config: Annotated[Path | None, typer.Option(
        "--config", help="Policy file whose options apply, as for compare.")] = None,
) -> None:
    """Find each article's sources in the index and compare it against them."""
    from provenance.index.audit import audit_documents
    from provenance.policy.config import resolve_config
    from provenance.engine import known_options
    from provenance.index import open_index
    from provenance.text.load import iter_documents
    from provenance.plugins import get_host
    from provenance.policy.evaluate import Policy, evaluate
    from provenance.cli.compare import parse_options
    from provenance.policy.failon import parse, require_plugins

    host = get_host()
    formats = FORMATS + tuple(sorted(n for n, r in host.renderers().items()
                                     if hasattr(r, "render_audit") and n not in FORMATS))
    if format not in formats:
        raise UsageError(f"--format {format!r}: expected {', '.join(formats)}")
    if format == "html" and (output is None or str(output) == "-"):
        raise UsageError("--format html writes a folder of pages (index.html and one report per article and "
                         "source): give it with --output DIR")
    thresholds = [parse(expr) for expr in (fail_on or [])]
    cfg = resolve_config(config)
    opts = {**cfg.engine_options(), **parse_options(option or [])}
    cfg.check_options(known_options(host))
    require_plugins(thresholds, host)
    idx = open_index(index, create=False, host=host)
    errors: list[str] = []
    results = []
    try:
        results.extend(audit_documents(idx, iter_documents(derived, errors, host), host=host, top=top, options=opts))
    finally:
        idx.close()
    if format == "html":
        from provenance.renderers.html_audit import write_site

        assert output is not None
        pages = write_site(results, output)
        typer.echo(f"provenance: wrote {output}/index.html and {pages} report page(s)", err=True)
        text = None
    elif format not in FORMATS:  # a renderer's own audit format: markdown, sarif, github, or a plugin's
        text = str(host.renderers()[format].render_audit(results))
    elif format == "json":
        text = json.dumps([r.to_dict() for r in results], ensure_ascii=False, indent=2) + "\n"
    elif format == "jsonl":
        text = "".join(json.dumps(r.to_dict(), ensure_ascii=False) + "\n" for r in results)
    else:
        lines = [f"{'article':<40} {'verdict':<12} {'copy':>5} {'rewr':>5} {'added':>5}  sources"]
        for r in results:
            s = r.shares
            lines.append(f"{r.derived[-40:]:<40} {r.verdict:<12} {s['copy']:>5.0%} {s['rewrite']:>5.0%} "
                         f"{s['added']:>5.0%}  {', '.join(r.sources) or '-'}")
        text = "\n".join(lines) + "\n"
    if text is not None:
        write_output(text, output)
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
