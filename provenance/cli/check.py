"""`provenance check PATH... --index INDEX`: the pipeline gate. Audit articles against a corpus index and apply the
repository's policy (provenance/config.py, provenance/policy.py): exit 1, with one line per offending article,
when any fails it."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from provenance.cli.app import app, guarded
from provenance.cli.io import write_output
from provenance.errors import EXIT_INPUT, EXIT_PLUGIN, EXIT_THRESHOLD, UsageError


@app.command()
@guarded
def check(
    paths: Annotated[
        list[str] | None,
        typer.Argument(
            help="Articles: files, directories or globs. With --changed-since, only changed articles among these.",
            metavar="PATH",
            show_default=False,
        ),
    ] = None,
    index: Annotated[
        str | None,
        typer.Option(
            "--index",
            metavar="INDEX",
            help="Index location (path, sqlite:///path or a backend URL); default: the policy's index.",
        ),
    ] = None,
    changed_since: Annotated[
        str | None,
        typer.Option(
            "--changed-since", metavar="REV", help="Check the articles changed since this git revision."
        ),
    ] = None,
    fail_on: Annotated[
        list[str] | None,
        typer.Option(
            "--fail-on",
            metavar="EXPR",
            help="Policy threshold, e.g. copy>0.3 or uncredited>0; replaces the policy file's. Repeatable.",
        ),
    ] = None,
    allow: Annotated[
        list[str] | None,
        typer.Option(
            "--allow",
            metavar="KIND:GLOB",
            help="Licensed source: id:GLOB, outlet:GLOB or url:GLOB; replaces the policy file's. Repeatable.",
        ),
    ] = None,
    min_paragraph_words: Annotated[
        int | None,
        typer.Option(
            "--min-paragraph-words",
            metavar="N",
            min=0,
            help="Do not count paragraphs shorter than this many words.",
        ),
    ] = None,
    quotations_as_copying: Annotated[
        bool | None,
        typer.Option(
            "--quotations-as-copying/--no-quotations-as-copying",
            help="Whether verbatim quotations make a paragraph a copy (default: only a quotation standing alone).",
            show_default=False,
        ),
    ] = None,
    option: Annotated[
        list[str] | None, typer.Option("--option", help="NAME=VALUE, as for compare.", metavar="NAME=VALUE")
    ] = None,
    config: Annotated[
        Path | None,
        typer.Option(
            "--config",
            help="Policy file (default: provenance.toml or pyproject.toml [tool.provenance], found upwards).",
            metavar="FILE",
        ),
    ] = None,
    disable: Annotated[
        list[str] | None, typer.Option("--disable", help="Switch off a detector or plugin.", metavar="NAME")
    ] = None,
    top: Annotated[
        int, typer.Option(min=1, max=50, help="Compare against this many best candidates.", metavar="N")
    ] = 3,
    format: Annotated[
        str,
        typer.Option("--format", "-f", help="text, json, or a renderer's (sarif, github).", metavar="FORMAT"),
    ] = "text",
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write to this file.", metavar="PATH")
    ] = None,
) -> None:
    """Check articles against an index and the policy; exit 1 when any fails it."""
    from provenance.cli.changed import changed_articles
    from provenance.cli.io import parse_options
    from provenance.components import resolve
    from provenance.engine import known_options
    from provenance.index import open_index
    from provenance.index.auditing import audit_documents
    from provenance.plugins import get_host
    from provenance.policy.allowlist import Allowlist, parse_rule
    from provenance.policy.config import MIN_WORDS_OPTION, QUOTES_OPTION, resolve_config
    from provenance.policy.evaluate import CheckRun, Policy, evaluate
    from provenance.policy.failon import parse, require_plugins
    from provenance.renderers.dispatch import CHECK, pick, render
    from provenance.text.load import iter_documents

    cfg = resolve_config(config)
    thresholds = tuple(parse(e) for e in fail_on) if fail_on else (cfg.fail_on or ())
    if not thresholds:
        raise UsageError(
            "no policy: give --fail-on EXPR, or set fail-on in [tool.provenance] of pyproject.toml "
            "or in provenance.toml"
        )
    allowlist = cfg.allow
    if allow:
        rules: dict[str, list[str]] = {"ids": [], "outlets": [], "urls": []}
        for rule in allow:
            parsed = parse_rule(rule)
            if parsed is None:
                raise UsageError(f"--allow {rule!r}: expected id:GLOB, outlet:GLOB or url:GLOB")
            rules[parsed[0]].append(parsed[1])
        allowlist = Allowlist(**{k: tuple(v) for k, v in rules.items()})
    location = index or cfg.index
    if not location:
        raise UsageError("no index: give --index INDEX, or set index in the policy file")
    if not paths and not changed_since:
        raise UsageError("nothing to check: give articles (PATH...) or --changed-since REV")

    host = get_host(tuple(disable or ()))
    renderer = pick(host, CHECK, format)
    require_plugins(thresholds, host)
    known = known_options(host)
    cfg.check_options(known)
    given = {**cfg.engine_options(), **parse_options(option or [])}
    if min_paragraph_words is not None:
        given[MIN_WORDS_OPTION] = min_paragraph_words
    if quotations_as_copying is not None:
        given[QUOTES_OPTION] = "count" if quotations_as_copying else "ignore"
    options = resolve(known, given)
    policy = Policy(thresholds, allowlist)

    targets = changed_articles(changed_since, paths or ()) if changed_since else list(paths or ())
    if changed_since and not targets:
        typer.echo(f"provenance: no articles changed since {changed_since}", err=True)

    errors: list[str] = []
    outcomes = []
    idx = open_index(location, create=False, host=host)
    meta_cache: dict[str, dict[str, str]] = {}

    def metadata(doc_id: str) -> dict[str, str]:
        if doc_id not in meta_cache:
            stored = idx.document(doc_id)
            meta_cache[doc_id] = dict(stored.meta) if stored is not None else {}
        return meta_cache[doc_id]

    try:
        if targets:
            for result in audit_documents(
                idx,
                iter_documents(targets, errors, host),
                host=host,
                top=top,
                options=options,
                skip_self=True,
            ):
                outcomes.append(evaluate(policy, result, metadata, options))
    finally:
        idx.close()

    settings = {
        "config": cfg.where if cfg.path else None,
        "top": top,
        "min_paragraph_words": options.get(MIN_WORDS_OPTION, 0),
        "quotations": options.get(QUOTES_OPTION),
    }
    run = CheckRun(location, policy, settings, tuple(outcomes), tuple(errors))
    write_output(render(renderer, run), output)

    failed = run.failed
    if format != "text" or (output is not None and str(output) != "-"):
        for o in failed:  # the report went elsewhere: the log still says why the check failed
            typer.echo(o.line(), err=True)
    for message in errors:
        typer.echo(f"provenance: error: {message}", err=True)
    broken = [(o.path, e) for o in outcomes for e in o.errors]
    for path, failure in broken:
        typer.echo(
            f"provenance: error: {path}: {failure.get('component', 'detector')} {failure['detector']!r} from plugin "
            f"{failure['plugin']!r} failed (against {failure['source']}): {failure['error']}",
            err=True,
        )
    n = len(outcomes)
    verdict = (
        f"{len(failed)} of {n} article(s) fail the policy" if failed else f"{n} article(s) pass the policy"
    )
    typer.echo(f"provenance: checked against {location}: {verdict}", err=True)
    if broken:
        raise typer.Exit(EXIT_PLUGIN)
    if errors:
        raise typer.Exit(EXIT_INPUT)
    if failed:
        raise typer.Exit(EXIT_THRESHOLD)
