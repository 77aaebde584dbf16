"""Inputs for an index: files, directories, globs and JSONL (one document per line), turned into stored documents
with their paragraph signatures. Fingerprinting can run in several processes; writing stays in one."""

from __future__ import annotations

import glob
import hashlib
import json
import os
import zlib
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from ..decode import decode
from ..documents import read_bytes
from ..errors import InputError, ProvenanceError
from .base import TEXT_LEVEL, IndexParams, Prints, StoredDocument, prints_of_document

ARTICLE_SUFFIXES = (".txt", ".text", ".md", ".markdown", ".html", ".htm", ".xhtml")
_FORMAT_OF = {".md": "markdown", ".markdown": "markdown", ".html": "html", ".htm": "html", ".xhtml": "html"}
JSONL_META = ("title", "url", "published", "outlet")


@dataclass(frozen=True, slots=True)
class RawDocument:
    id: str
    text: str
    format: str
    meta: dict[str, str] = field(default_factory=dict)


def iter_inputs(paths: list[str], errors: list[str]) -> Iterator[RawDocument]:
    """Every document named by the arguments; a bad one is recorded in `errors` and skipped, not fatal."""
    for arg in paths:
        if any(ch in arg for ch in "*?["):
            matches = sorted(glob.glob(arg, recursive=True))
            if not matches:
                errors.append(f"{arg}: no file matches")
            files = [Path(m) for m in matches if Path(m).is_file()]
        elif Path(arg).is_dir():
            files = sorted(p for p in Path(arg).rglob("*") if p.is_file()
                           and p.suffix.lower() in ARTICLE_SUFFIXES + (".jsonl",))
        else:
            files = [Path(arg)]
        for f in files:
            try:
                if f.suffix.lower() == ".jsonl":
                    yield from _jsonl(f, errors)
                    continue
                text, _ = decode(read_bytes(f), str(f))
                yield RawDocument(str(f), text, _FORMAT_OF.get(f.suffix.lower(), "text"))
            except ProvenanceError as exc:
                errors.append(str(exc))


def iter_documents(paths: list[str], errors: list[str], host) -> Iterator:
    """Segmented documents for audits and checks; one that cannot be read or extracted goes to `errors`."""
    from ..documents import load_document
    from ..errors import EXIT_INPUT

    for raw in iter_inputs(paths, errors):
        try:
            yield load_document(raw.text, raw.id, fmt=raw.format, host=host)
        except ProvenanceError as exc:
            if exc.exit_code != EXIT_INPUT:
                raise
            errors.append(str(exc))


def _jsonl(path: Path, errors: list[str]) -> Iterator[RawDocument]:
    try:
        fh = path.open(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    with fh:
        for n, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            where = f"{path}:{n}"
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                errors.append(f"{where}: not valid JSON ({exc.msg})")
                continue
            if not isinstance(obj, dict) or not isinstance(obj.get("id"), str | int):
                errors.append(f"{where}: each line needs an \"id\" (string) and \"text\" or \"html\"")
                continue
            body, fmt = (obj.get("html"), "html") if obj.get("html") else (obj.get("text"), "text")
            if not isinstance(body, str) or not body.strip():
                errors.append(f"{where}: document {obj['id']!r} has no \"text\" or \"html\"")
                continue
            meta = {k: str(obj[k]) for k in JSONL_META if obj.get(k) is not None}
            yield RawDocument(str(obj["id"]), body, fmt, meta)


def digest(raw: RawDocument) -> str:
    h = hashlib.sha256()
    h.update(raw.format.encode())
    h.update(b"\0")
    h.update(raw.text.encode("utf-8"))
    return h.hexdigest()[:32]


@dataclass(frozen=True, slots=True)
class Prepared:
    doc: StoredDocument
    prints: Prints
    error: str | None = None
    sentences: tuple[str, ...] = ()  # what a scorer embeds (`index add --embed`), cut here, in the worker


def prepare(raw: RawDocument, params: IndexParams, sentences: bool = False) -> Prepared:
    """Extract, segment and fingerprint one document (runs in worker processes with --jobs); with `sentences`,
    also the sentence texts a scorer would embed, so the writer never segments the document again."""
    from ..documents import load_document
    from ..plugins import get_host

    stored = StoredDocument(raw.id, digest(raw), raw.format, raw.text, raw.meta)
    try:
        doc = load_document(raw.text, raw.id, fmt=raw.format, host=get_host())
    except ProvenanceError as exc:
        return Prepared(stored, Prints.empty(params.fingerprint.num_perm), str(exc))
    meta = {**{k: v for k, v in doc.metadata.items() if k in ("title", "author", "sitename", "url", "date")},
            **raw.meta}
    packed = zlib.compress(raw.text.encode("utf-8"), TEXT_LEVEL)  # here, in the worker, not in the writer
    texts: tuple[str, ...] = ()
    if sentences:
        from ..embeddings import sentence_texts

        texts = tuple(sentence_texts(doc))
    return Prepared(StoredDocument(raw.id, stored.digest, raw.format, raw.text, meta, packed),
                    prints_of_document(doc, params), sentences=texts)


def _prepare_star(args: tuple[RawDocument, IndexParams, bool]) -> Prepared:
    return prepare(*args)


def prepare_all(raws: Iterator[RawDocument], params: IndexParams, jobs: int, sentences: bool = False
                ) -> Iterator[Prepared]:
    if jobs <= 1:
        for raw in raws:
            yield prepare(raw, params, sentences)
        return
    jobs = min(jobs, os.cpu_count() or 1)
    window = jobs * 64  # bounded: the corpus is never all in memory at once
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        while True:
            batch = [(r, params, sentences) for _, r in zip(range(window), raws)]
            if not batch:
                return
            yield from pool.map(_prepare_star, batch, chunksize=16)
