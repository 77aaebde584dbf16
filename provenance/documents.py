"""Inputs to Documents: read (path, stdin, text or bytes), decode, pick an extractor, segment, mark boilerplate."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from .boilerplate import classify
from .decode import decode
from .errors import InputError, PluginError, ProvenanceError
from .limits import check_size as _check_size
from .model import Document, Extracted
from .segment import paragraphs_from_blocks
from .text import clean


Input = Path | str | bytes


def read_bytes(path: Path) -> bytes:
    """Read a file, turning every OS-level failure into a one-line InputError."""
    try:
        if path.is_dir():
            raise InputError(f"{path}: is a directory, not an article")
        _check_size(path.stat().st_size, str(path))
        return path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except PermissionError:
        raise InputError(f"{path}: permission denied") from None
    except IsADirectoryError:
        raise InputError(f"{path}: is a directory, not an article") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot be read ({exc.strerror or exc})") from None


def _choose_extractor(text: str, name: str, fmt: str | None, host: Any) -> Any:
    if fmt:
        return host.extractor(fmt)
    extractors = host.extractors()
    suffix = os.path.splitext(name)[1].lower()
    if suffix:
        for ex in extractors.values():
            if suffix in getattr(ex, "suffixes", ()):
                return ex
    best, best_score = None, -1.0
    for ex in extractors.values():
        try:
            score = float(ex.sniff(text)) if hasattr(ex, "sniff") else 0.0
        except Exception as exc:
            raise PluginError(f"extractor {ex.name!r} failed to sniff {name}: {type(exc).__name__}: {exc}",
                              plugin=host.plugin_of("extractors", ex.name)) from exc
        if score > best_score:
            best, best_score = ex, score
    if best is None:
        raise InputError(f"{name}: no input extractor is available")
    return best


def load_document(data: Input, name: str | None = None, *, fmt: str | None = None, host: Any) -> Document:
    """Turn a path, a text or raw bytes into a segmented Document with page furniture marked."""
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
        text, encoding = data, "str"
    else:
        raise InputError(f"{name or '<input>'}: expected a pathlib.Path, str or bytes, got {type(data).__name__}")
    text = clean(text)
    extractor = _choose_extractor(text, name, fmt, host)
    try:
        extracted = extractor.extract(text, name)
    except ProvenanceError:
        raise
    except Exception as exc:
        raise PluginError(f"extractor {extractor.name!r} failed on {name}: {type(exc).__name__}: {exc}",
                          plugin=host.plugin_of("extractors", extractor.name)) from exc
    if not isinstance(extracted, Extracted):
        raise PluginError(f"extractor {extractor.name!r} returned {type(extracted).__name__}, not Extracted",
                          plugin=host.plugin_of("extractors", extractor.name))
    paragraphs = classify(paragraphs_from_blocks(extracted.blocks))
    if not paragraphs:
        raise InputError(f"{name}: no text found ({extractor.name} extractor)")
    meta = dict(extracted.metadata)
    meta["encoding"] = encoding
    return Document(name=name, format=extracted.format, paragraphs=paragraphs, metadata=meta)
