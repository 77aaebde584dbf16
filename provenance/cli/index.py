"""`provenance index add|info|list|remove|check`: build, maintain and verify a corpus fingerprint index."""

from __future__ import annotations

import json
import sys
from typing import Annotated

import typer

from provenance.errors import EXIT_INPUT, ProvenanceError, UsageError
from provenance.cli import app, guarded

BATCH_DOCUMENTS = 256  # documents per transaction: big enough to amortise a commit, small enough to lose little
BATCH_PARAGRAPHS = 20000

index_app = typer.Typer(help="Build and maintain a corpus fingerprint index (sqlite path or URL).",
                        no_args_is_help=True)
app.add_typer(index_app, name="index")


def _progress(total_hint: str):
    """A rich progress display on a terminal; nothing in CI logs."""
    if not sys.stderr.isatty():
        return None
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        SpinnerColumn,
        TextColumn,
        TimeElapsedColumn,
    )

    return Progress(SpinnerColumn(), TextColumn(total_hint), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                    console=Console(stderr=True), transient=True)


@index_app.command("add")
@guarded
def add(
    index: Annotated[str, typer.Argument(help="Index location: a path, sqlite:///path or a backend URL.")],
    paths: Annotated[list[str], typer.Argument(help="Files, directories, globs or JSONL files (id, text|html, ...).")],
    jobs: Annotated[int, typer.Option("--jobs", "-j", min=1, help="Fingerprint in N processes.")] = 1,
    batch_size: Annotated[int, typer.Option(
        "--batch-size", min=1, help="Documents per transaction (fewer: less to redo after an interruption).")
    ] = BATCH_DOCUMENTS,
    verbose: Annotated[bool, typer.Option(
        "--verbose", "-v", help="Print a line on standard error as each batch is committed.")] = False,
    embed: Annotated[list[str] | None, typer.Option(
        "--embed", metavar="SCORER",
        help="Also store this scorer's sentence vectors (e.g. semantic), now and in every later add, so audits "
             "never recompute them. Unchanged documents get theirs once.")] = None,
    no_embed: Annotated[bool, typer.Option(
        "--no-embed", help="Store no vectors in this run, even if the index keeps them (add them later).")] = False,
) -> None:
    """Add (or update) documents; unchanged documents are skipped, changed ones replaced."""
    from provenance.index import vectors as embeddings
    from provenance.index import open_index
    from provenance.text.inputs import iter_inputs
    from provenance.index.ingest import prepare_all
    from provenance.plugins import get_host

    host = get_host()
    if embed and no_embed:
        raise UsageError("--embed and --no-embed exclude each other")
    for name in embed or ():
        embeddings.embedder(host, name)  # a scorer that is missing or cannot embed: refused before any work
    idx = open_index(index, create=True, host=host)
    kinds = {} if no_embed else embeddings.requested(idx)
    if embed and not all(hasattr(idx, m) for m in ("set_embeddings", "put_vectors", "have_vectors", "vectors")):
        idx.close()
        raise UsageError(f"--embed: the index backend of {index} cannot store vectors")
    if embed:
        kinds.update({name: str(embeddings.embedder(host, name).embedding_version) for name in embed})
        idx.set_embeddings(kinds)
    for name in kinds:
        try:
            embeddings.embedder(host, name)
        except UsageError:
            idx.close()
            raise UsageError(f"{index}: the index keeps vectors of scorer {name!r}, which is not installed or "
                             "not enabled; install its plugin, or add with --no-embed") from None
    errors: list[str] = []
    added = skipped = replaced = embedded = 0
    unchanged: list = []

    def embed_unchanged() -> None:
        """Documents already indexed that lack vectors (the index was built before --embed): embedded once."""
        nonlocal embedded
        from provenance.text.load import load_document

        ids = [raw.id for raw, _ in unchanged]
        lacking: set[str] = set()
        for name in kinds:  # the cheap question first: most unchanged documents have their vectors already
            version = str(embeddings.embedder(host, name).embedding_version)
            lacking |= set(ids) - idx.have_vectors(name, version, ids)
        docs = []
        for raw, dig in unchanged:
            if raw.id not in lacking:
                continue
            try:
                doc = load_document(raw.text, raw.id, fmt=raw.format, host=host)
                docs.append((raw.id, dig, embeddings.sentence_texts(doc)))
            except ProvenanceError as exc:
                errors.append(str(exc))
        embedded += embeddings.fill(idx, host, kinds, docs)
        unchanged.clear()

    def fresh():
        nonlocal skipped
        for raw in iter_inputs(paths, errors):
            from provenance.index.ingest import digest

            dig = digest(raw)
            if idx.digest_of(raw.id) == dig:
                skipped += 1
                if kinds:
                    unchanged.append((raw, dig))
                    if len(unchanged) >= batch_size:
                        embed_unchanged()
                continue
            yield raw

    progress = _progress("fingerprinting")
    task = progress.add_task("add", total=None) if progress else None
    batch: list = []
    batch_sentences: list[tuple[str, ...]] = []
    batch_paragraphs = 0

    def flush() -> None:
        nonlocal added, replaced, batch_paragraphs, embedded
        if not batch:
            return
        existed = sum(idx.digest_of(doc.id) is not None for doc, _ in batch)
        idx.put_many(batch)  # one transaction: an interruption keeps every earlier batch whole
        replaced += existed
        added += len(batch) - existed
        if kinds:  # after the documents' own commit: interrupted here, the next add embeds what is missing
            embedded += embeddings.fill(idx, host, kinds, [(doc.id, doc.digest, texts)
                                                           for (doc, _), texts in zip(batch, batch_sentences)])
        if verbose:  # flushed at once: what a killed run reports committed, is
            typer.echo(f"provenance: committed {len(batch)} documents ({added + replaced} in all, "
                       f"last {batch[-1][0].id})", err=True)
            sys.stderr.flush()
        if progress:
            progress.advance(task, len(batch))
        batch.clear()
        batch_sentences.clear()
        batch_paragraphs = 0

    try:
        if progress:
            progress.start()
        for prepared in prepare_all(fresh(), idx.params, jobs, sentences=bool(kinds)):
            if prepared.error:
                errors.append(prepared.error)
                continue
            batch.append((prepared.doc, prepared.prints))
            batch_sentences.append(prepared.sentences)
            batch_paragraphs += len(prepared.prints)
            if len(batch) >= batch_size or batch_paragraphs >= BATCH_PARAGRAPHS:
                flush()
        flush()
        if unchanged:
            embed_unchanged()
    finally:
        if progress:
            progress.stop()
        idx.close()
    vectors = f", embedded {embedded} ({', '.join(sorted(kinds))})" if kinds else ""
    typer.echo(f"added {added}, replaced {replaced}, unchanged {skipped}, failed {len(errors)}{vectors}", err=True)
    for e in errors:
        typer.echo(f"provenance: error: {e}", err=True)
    if errors:
        raise typer.Exit(EXIT_INPUT)


@index_app.command("info")
@guarded
def info(
    index: Annotated[str, typer.Argument(help="Index location.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Documents, paragraphs, parameters and size of an index."""
    from provenance.index import open_index

    idx = open_index(index, create=False)
    try:
        data = idx.info()
        kinds = idx.embeddings() if hasattr(idx, "embeddings") else {}
        if kinds:
            counts = idx.vector_counts()
            data["embeddings"] = {name: {"version": version, "documents": counts.get(name, 0)}
                                  for name, version in kinds.items()}
    finally:
        idx.close()
    if as_json:
        typer.echo(json.dumps(data, indent=2, sort_keys=True))
        return
    for key in ("location", "backend", "prefix", "documents", "paragraphs", "segments", "postings", "bytes",
                "bytes_per_paragraph", "server_used_memory"):
        if key in data:
            typer.echo(f"{key:<20} {data[key]}")
    p = data["parameters"]
    typer.echo(f"{'parameters':<20} num_perm {p['fingerprint']['num_perm']}, seed {p['fingerprint']['seed']}, "
               f"{p['bands']}x{p['rows']} bands{' + sentence keys' if p.get('sentence_keys') else ''}, "
               f"format {p['format']}")
    for name, e in data.get("embeddings", {}).items():
        typer.echo(f"{'vectors':<20} {name} ({e['version']}): {e['documents']} of {data['documents']} documents")


@index_app.command("remove")
@guarded
def remove(
    index: Annotated[str, typer.Argument(help="Index location.")],
    ids: Annotated[list[str], typer.Argument(help="Document ids to remove.")],
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
    index: Annotated[str, typer.Argument(help="Index location.")],
) -> None:
    """Print the id of every stored document, one a line, sorted."""
    from provenance.index import open_index

    idx = open_index(index, create=False)
    try:
        if not hasattr(idx, "ids"):
            raise UsageError(f"{index}: this index backend cannot list its documents")
        ids = idx.ids()
    finally:
        idx.close()
    for doc_id in ids:
        typer.echo(doc_id)


MAX_PROBLEMS = 50  # lines shown: a badly damaged index would otherwise print one per record


@index_app.command("check")
@guarded
def check(
    index: Annotated[str, typer.Argument(help="Index location.")],
    format: Annotated[str, typer.Option("--format", "-f", help="text or json.")] = "text",
) -> None:
    """Verify an index: exit 0 and one summary line when it is sound, exit 3 and one line per problem when not."""
    from provenance.errors import ProvenanceError
    from provenance.index import open_index

    if format not in ("text", "json"):
        raise UsageError(f"--format {format!r}: expected text or json")
    problems: list[str] = []
    summary: dict = {}
    try:
        idx = open_index(index, create=False)
    except ProvenanceError as exc:
        if exc.exit_code != EXIT_INPUT:
            raise
        problems.append(str(exc))  # unreadable, damaged, another format: that is the check's answer
    else:
        try:
            if not hasattr(idx, "verify"):
                raise UsageError(f"{index}: this index backend cannot check itself")
            try:
                problems.extend(f"{index}: {p}" for p in idx.verify())
                if not problems:
                    summary = idx.info()
            except ProvenanceError as exc:
                if exc.exit_code != EXIT_INPUT:
                    raise
                problems.append(str(exc))
        finally:
            idx.close()
    if format == "json":
        data = {"schema": "text-provenance/index-check/1", "location": index, "ok": not problems,
                "problems": problems[:MAX_PROBLEMS], "more_problems": max(0, len(problems) - MAX_PROBLEMS),
                "documents": summary.get("documents"), "paragraphs": summary.get("paragraphs")}
        typer.echo(json.dumps(data, indent=2, sort_keys=True))
    elif problems:
        for line in problems[:MAX_PROBLEMS]:
            typer.echo(line)
        if len(problems) > MAX_PROBLEMS:
            typer.echo(f"{index}: ... and {len(problems) - MAX_PROBLEMS} more problems")
    else:
        extra = f", {summary['segments']} segment(s)" if "segments" in summary else ""
        typer.echo(f"{index}: ok ({summary.get('documents')} documents, {summary.get('paragraphs')} "
                   f"paragraphs{extra})")
    if problems:
        raise typer.Exit(EXIT_INPUT)
