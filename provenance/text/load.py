"""Inputs to Documents: read (path, stdin, text or bytes), decode, pick an extractor, segment, mark boilerplate."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from provenance.errors import EXIT_INPUT, InputError, PluginError, ProvenanceError
from provenance.limits import check_size as _check_size
from provenance.model import Document, Extracted
from provenance.text.boilerplate import classify, roles
from provenance.text.chunks import sentence_count
from provenance.text.decode import decode
from provenance.text.inputs import check_text, iter_inputs, read_bytes
from provenance.text.segment import Outline, paragraphs_from_blocks, pieces_from_blocks
from provenance.text.tokenize import clean

Input = Path | str | bytes


def _choose_extractor(text: str, name: str, fmt: str | None, host: Any) -> Any:
    if fmt:
        return host.extractor(fmt)
    extractors = host.extractors()
    suffix = os.path.splitext(name)[1].lower()
    if suffix:
        for ex in extractors.values():
            if suffix in ex.suffixes:
                return ex
    best, best_score = None, -1.0
    for ex in extractors.values():
        try:
            score = float(ex.sniff(text))
        except Exception as exc:
            raise PluginError(
                f"extractor {ex.name!r} failed to sniff {name}: {type(exc).__name__}: {exc}",
                plugin=host.plugin_of("extractors", ex.name),
            ) from exc
        if score > best_score:
            best, best_score = ex, score
    if best is None:
        raise InputError(f"{name}: no input extractor is available")
    return best


def _extract(data: Input, name: str | None, fmt: str | None, host: Any) -> tuple[str, Extracted, str]:
    """Read, decode, clean and extract: (name, what the extractor found, encoding)."""
    if isinstance(data, Path):
        name = name or str(data)
        raw = read_bytes(data)
        text, encoding = decode(raw, name)
    elif isinstance(data, bytes):
        name = name or "<bytes>"
        _check_size(len(data), name)
        text, encoding = decode(data, name)
    elif isinstance(data, str):
        name = name or "<text>"
        _check_size(len(data), name)  # characters: at most the UTF-8 size, so never stricter than for a file
        if not data.strip():
            raise InputError(f"{name}: the input is empty")
        text, encoding = check_text(data, name), "str"
    else:
        raise InputError(
            f"{name or '<input>'}: expected a pathlib.Path, str or bytes, got {type(data).__name__}"
        )
    text = clean(text)
    extractor = _choose_extractor(text, name, fmt, host)
    try:
        extracted = extractor.extract(text, name)
    except ProvenanceError:
        raise
    except Exception as exc:
        raise PluginError(
            f"extractor {extractor.name!r} failed on {name}: {type(exc).__name__}: {exc}",
            plugin=host.plugin_of("extractors", extractor.name),
        ) from exc
    if not isinstance(extracted, Extracted):
        raise PluginError(
            f"extractor {extractor.name!r} returned {type(extracted).__name__}, not Extracted",
            plugin=host.plugin_of("extractors", extractor.name),
        )
    if not extracted.blocks or not any(b.text.strip() for b in extracted.blocks):
        raise InputError(f"{name}: no text found ({extractor.name} extractor)")
    return name, extracted, encoding


def load_document(data: Input, name: str | None = None, *, fmt: str | None = None, host: Any) -> Document:
    """Turn a path, a text or raw bytes into a segmented Document with page furniture marked."""
    name, extracted, encoding = _extract(data, name, fmt, host)
    paragraphs = classify(paragraphs_from_blocks(extracted.blocks))
    meta = dict(extracted.metadata)
    meta["encoding"] = encoding
    return Document(name=name, format=extracted.format, paragraphs=paragraphs, metadata=meta)


@dataclass(frozen=True, slots=True)
class Outlined:
    """What indexing reads of a document: its metadata, and its paragraphs other than page furniture (the same ones
    `load_document` marks body or heading), each as its index and the code of its sentences' content words
    (provenance/text/chunks.py)."""

    metadata: dict[str, str]
    body: list[tuple[int, str]]


def outline_document(text: str, name: str, *, fmt: str | None = None, host: Any) -> Outlined:
    """`load_document` for indexing: the same extraction, segmentation and page-furniture decisions, without a
    Token per word (provenance/text/segment.py `Outline`)."""
    name, extracted, encoding = _extract(text, name, fmt, host)
    outlines = [Outline(i, piece) for i, piece in enumerate(pieces_from_blocks(extracted.blocks))]
    meta = dict(extracted.metadata)
    meta["encoding"] = encoding
    return Outlined(
        meta,
        [
            (o.index, o.code)
            for o, (role, _) in zip(outlines, roles(outlines, [sentence_count(o.code) for o in outlines]))
            if role != "boilerplate"
        ],
    )


def iter_documents(paths: list[str], errors: list[str], host) -> Iterator:
    """Segmented documents for audits and checks; one that cannot be read or extracted goes to `errors`."""
    for raw in iter_inputs(paths, errors):
        try:
            yield load_document(raw.text, raw.id, fmt=raw.format, host=host)
        except ProvenanceError as exc:
            if exc.exit_code != EXIT_INPUT:
                raise
            errors.append(str(exc))
