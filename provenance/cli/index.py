"""`provenance index add|info|list|remove|check`: build, maintain and verify a corpus fingerprint index."""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING, Annotated, Any

import typer

from provenance.cli.app import Group, app, guarded
from provenance.cli.io import progress_bar
from provenance.errors import EXIT_INPUT, UsageError

if TYPE_CHECKING:
    from rich.progress import Progress, TaskID

    from provenance.index.api import BatchCommitted

BATCH_DOCUMENTS = 256  # provenance.index.api.BATCH_DOCUMENTS, repeated so that `--help` loads no index code

index_app = typer.Typer(
    help="Build and maintain a corpus fingerprint index (sqlite path or URL).",
    no_args_is_help=True,
    cls=Group,
)
app.add_typer(index_app, name="index")


@index_app.command("add")
@guarded
def add(
    index: Annotated[
        str, typer.Argument(help="Index location: a path, sqlite:///path or a backend URL.", metavar="INDEX")
    ],
    paths: Annotated[
        list[str],
        typer.Argument(help="Files, directories, globs or JSONL files (id, text|html, ...).", metavar="PATH"),
    ],
    jobs: Annotated[
        int, typer.Option("--jobs", "-j", min=1, help="Fingerprint in N processes.", metavar="N")
    ] = 1,
    batch_size: Annotated[
        int,
        typer.Option(
            "--batch-size",
            min=1,
            help="Documents per transaction (fewer: less to redo after an interruption).",
            metavar="N",
        ),
    ] = BATCH_DOCUMENTS,
    verbose: Annotated[
        bool,
        typer.Option("--verbose", "-v", help="Print a line on standard error as each batch is committed."),
    ] = False,
    embed: Annotated[
        list[str] | None,
        typer.Option(
            "--embed",
            metavar="SCORER",
            help="Also store this scorer's sentence vectors (e.g. semantic), now and in every later add, so audits "
            "never recompute them. Unchanged documents get theirs once.",
        ),
    ] = None,
    no_embed: Annotated[
        bool,
        typer.Option(
            "--no-embed", help="Store no vectors in this run, even if the index keeps them (add them later)."
        ),
    ] = False,
) -> None:
    """Add (or update) documents; unchanged documents are skipped, changed ones replaced."""
    from provenance.index.api import add_documents

    bar = progress_bar("fingerprinting")
    report = _Report(bar, verbose)
    try:
        if bar:
            bar.start()
        summary = add_documents(
            index,
            paths,
            jobs=jobs,
            batch_size=batch_size,
            embed=embed or (),
            no_embed=no_embed,
            progress=report,
        )
    finally:
        if bar:
            bar.stop()
    vectors = f", embedded {summary.embedded} ({', '.join(summary.scorers)})" if summary.scorers else ""
    typer.echo(
        f"added {summary.added}, replaced {summary.replaced}, unchanged {summary.unchanged}, "
        f"failed {summary.failed}{vectors}",
        err=True,
    )
    for e in summary.errors:
        typer.echo(f"provenance: error: {e}", err=True)
    if summary.errors:
        raise typer.Exit(EXIT_INPUT)


class _Report:
    """What `index add` shows as each batch is committed: a line with -v, the progress bar's count."""

    def __init__(self, bar: Progress | None, verbose: bool) -> None:
        self.bar, self.verbose = bar, verbose
        self.task: TaskID | None = bar.add_task("add", total=None) if bar else None

    def __call__(self, batch: BatchCommitted) -> None:
        if self.verbose:  # flushed at once: what a killed run reports committed, is
            typer.echo(
                f"provenance: committed {batch.documents} documents ({batch.total} in all, "
                f"last {batch.last})",
                err=True,
            )
            sys.stderr.flush()
        if self.bar is not None and self.task is not None:
            self.bar.advance(self.task, batch.documents)


@index_app.command("info")
@guarded
def info(
    index: Annotated[str, typer.Argument(help="Index location.", metavar="INDEX")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Documents, paragraphs, parameters and size of an index."""
    from provenance.index import open_index

    idx = open_index(index, create=False)
    try:
        data = idx.info()
        kinds = idx.embeddings()
        if kinds:
            counts = idx.vector_counts()
            data["embeddings"] = {
                name: {"version": version, "documents": counts.get(name, 0)}
                for name, version in kinds.items()
            }
    finally:
        idx.close()
    if as_json:
        typer.echo(json.dumps(data, indent=2, sort_keys=True))
        return
    for key in (
        "location",
        "backend",
        "prefix",
        "documents",
        "paragraphs",
        "segments",
        "postings",
        "bytes",
        "bytes_per_paragraph",
        "server_used_memory",
    ):
        if key in data:
            typer.echo(f"{key:<20} {data[key]}")
    p = data["parameters"]
    typer.echo(
        f"{'parameters':<20} num_perm {p['fingerprint']['num_perm']}, seed {p['fingerprint']['seed']}, "
        f"{p['bands']}x{p['rows']} bands{' + sentence keys' if p.get('sentence_keys') else ''}, "
        f"format {p['format']}"
    )
    for name, e in data.get("embeddings", {}).items():
        typer.echo(
            f"{'vectors':<20} {name} ({e['version']}): {e['documents']} of {data['documents']} documents"
        )


@index_app.command("remove")
@guarded
def remove(
    index: Annotated[str, typer.Argument(help="Index location.", metavar="INDEX")],
    ids: Annotated[list[str], typer.Argument(help="Document ids to remove.", metavar="ID")],
) -> None:
    """Remove documents by id."""
    from provenance.index import open_index

    idx = open_index(index, create=False)
    try:
        n = idx.remove(ids)
    finally:
        idx.close()
    typer.echo(f"removed {n} of {len(ids)}", err=True)


@index_app.command("list")
@guarded
def list_documents(
    index: Annotated[str, typer.Argument(help="Index location.", metavar="INDEX")],
) -> None:
    """Print the id of every stored document, one a line, sorted (a newline or other control character in an id
    escaped, as \\n, so that each id stays one line)."""
    from provenance.index import open_index
    from provenance.text.inputs import shown_name

    idx = open_index(index, create=False)
    try:
        ids = idx.ids()
    finally:
        idx.close()
    for doc_id in ids:
        typer.echo(shown_name(doc_id))


MAX_PROBLEMS = 50  # lines shown: a badly damaged index would otherwise print one per record


@index_app.command("check")
@guarded
def check(
    index: Annotated[str, typer.Argument(help="Index location.", metavar="INDEX")],
    format: Annotated[str, typer.Option("--format", "-f", help="text or json.", metavar="FORMAT")] = "text",
) -> None:
    """Verify an index: exit 0 and one summary line when it is sound, exit 3 and one line per problem when not."""
    if format not in ("text", "json"):
        raise UsageError(f"--format {format!r}: expected text or json")
    problems, summary = _problems(index)
    if format == "json":
        data = {
            "schema": "text-provenance/index-check/1",
            "location": index,
            "ok": not problems,
            "problems": problems[:MAX_PROBLEMS],
            "more_problems": max(0, len(problems) - MAX_PROBLEMS),
            "documents": summary.get("documents"),
            "paragraphs": summary.get("paragraphs"),
        }
        typer.echo(json.dumps(data, indent=2, sort_keys=True))
    elif problems:
        for line in problems[:MAX_PROBLEMS]:
            typer.echo(line)
        if len(problems) > MAX_PROBLEMS:
            typer.echo(f"{index}: ... and {len(problems) - MAX_PROBLEMS} more problems")
    else:
        extra = f", {summary['segments']} segment(s)" if "segments" in summary else ""
        typer.echo(
            f"{index}: ok ({summary.get('documents')} documents, {summary.get('paragraphs')} "
            f"paragraphs{extra})"
        )
    if problems:
        raise typer.Exit(EXIT_INPUT)


def _problems(index: str) -> tuple[list[str], dict[str, Any]]:
    """Every problem of the index at this location, one line each, and its `info()` when there is none. An index
    that does not open (unreadable, damaged, another format) is one problem: that is the check's answer."""
    from provenance.errors import ProvenanceError
    from provenance.index import open_index

    try:
        idx = open_index(index, create=False)
    except ProvenanceError as exc:
        if exc.exit_code != EXIT_INPUT:
            raise
        return [str(exc)], {}
    try:
        problems = [f"{index}: {p}" for p in idx.verify()]
        return problems, {} if problems else idx.info()
    except ProvenanceError as exc:
        if exc.exit_code != EXIT_INPUT:
            raise
        return [str(exc)], {}
    finally:
        idx.close()
