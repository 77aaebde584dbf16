"""text-provenance: tell how one article derives from another.

    >>> import provenance
    >>> report = provenance.compare_files("source.txt", "derived.md")
    >>> report.verdict, report.shares
    >>> provenance.compare_texts(source_text, derived_text)

`compare(Path(...), Path(...))` reads files too; `compare` refuses a one-line `str` that names a file (or reads
like a file name) rather than comparing the two names as text.

Heavy modules (datasketch, numpy, trafilatura) load on first use, so `provenance --help` stays fast.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from provenance._version import __version__
from provenance.errors import InputError, PluginError, ProvenanceError, UsageError

if TYPE_CHECKING:
    from provenance.detectors.context import DetectionContext
    from provenance.hookspecs import PLUGIN_API_VERSION, hookimpl
    from provenance.model import Block, Document, Extracted, Finding, Paragraph, Report


_FILE_NAME = re.compile(r"\S+\.(?:txt|text|md|markdown|html?|xhtml|jsonl?)", re.IGNORECASE)


def _not_a_file_name(side: str, value: Any) -> None:
    """A one-line str that names a file, or reads like a file name, is almost surely a path passed as text."""
    if not isinstance(value, str) or "\n" in value.strip() or not value.strip():
        return
    name = value.strip()
    looks = _FILE_NAME.fullmatch(name) is not None
    try:
        exists = len(name) < 4096 and Path(name).expanduser().is_file()
    except (OSError, ValueError):
        exists = False
    if looks or exists:
        raise UsageError(
            f"compare(): {side} {name!r} is a str, which compare reads as the article's text, but it "
            f"{'names a file' if exists else 'reads like a file name'}; pass Path({name!r}), or use "
            "provenance.compare_files() for files and provenance.compare_texts() for texts"
        )


def compare(source: Any, derived: Any, **options: Any) -> Report:
    """Compare `derived` with `source` (each a pathlib.Path, a str holding the text, or bytes).

    A one-line str that names an existing file, or reads like a file name (`derived.md`), is refused with a
    UsageError: pass a Path, or use `compare_files` / `compare_texts`, which say which one they mean.

    Keyword arguments: `options` (a mapping such as {"copy.threshold": 0.8}), `disable` (names of detectors or
    plugins to switch off), `source_format` / `derived_format` (text, markdown, html), `source_name` /
    `derived_name` (labels for the report).
    """
    from provenance.engine import compare as _compare

    _not_a_file_name("source", source)
    _not_a_file_name("derived", derived)
    return _compare(source, derived, **options)


def compare_files(source: str | os.PathLike[str], derived: str | os.PathLike[str], **options: Any) -> Report:
    """Compare two files, named by str or Path (a missing file is an InputError); keywords as for `compare`."""
    from provenance.engine import compare as _compare

    for side, value in (("source", source), ("derived", derived)):
        if not isinstance(value, (str, os.PathLike)):
            raise UsageError(
                f"compare_files(): {side} must be a file name or a Path, not {type(value).__name__}"
            )
    options.setdefault("source_name", os.fspath(source))
    options.setdefault("derived_name", os.fspath(derived))
    return _compare(Path(source), Path(derived), **options)


def compare_texts(source: str, derived: str, **options: Any) -> Report:
    """Compare two articles given as text (any str, even one that looks like a file name); keywords as for
    `compare`."""
    from provenance.engine import compare as _compare

    for side, value in (("source", source), ("derived", derived)):
        if not isinstance(value, str):
            raise UsageError(
                f"compare_texts(): {side} must be a str holding the text, not {type(value).__name__}"
            )
    return _compare(source, derived, **options)


# Loaded on first use, so that `provenance --help` and a failing command pay for neither the data model (two dozen
# dataclasses, about 25 ms to create) nor pluggy.
_LAZY = {
    "PLUGIN_API_VERSION": ("provenance.hookspecs", "PLUGIN_API_VERSION"),
    "hookimpl": ("provenance.hookspecs", "hookimpl"),
    "Block": ("provenance.model", "Block"),
    "Document": ("provenance.model", "Document"),
    "Extracted": ("provenance.model", "Extracted"),
    "Finding": ("provenance.model", "Finding"),
    "Paragraph": ("provenance.model", "Paragraph"),
    "Report": ("provenance.model", "Report"),
    "DetectionContext": ("provenance.detectors.context", "DetectionContext"),
    "Option": ("provenance.components", "Option"),
    "ParagraphAlignment": ("provenance.model", "ParagraphAlignment"),
    "SentenceLink": ("provenance.model", "SentenceLink"),
    "Quote": ("provenance.model", "Quote"),
    "Phrase": ("provenance.model", "Phrase"),
    "Signal": ("provenance.model", "Signal"),
    "Token": ("provenance.model", "Token"),
    "AuditResult": ("provenance.model", "AuditResult"),
    "tokenize": ("provenance.text.tokenize", "tokenize"),
    "split_sentences": ("provenance.text.tokenize", "split_sentences"),
    "quote_spans": ("provenance.text.tokenize", "quote_spans"),
    "fold": ("provenance.text.tokenize", "fold"),
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        module, attr = _LAZY[name]
        return getattr(importlib.import_module(module), attr)
    raise AttributeError(f"module 'provenance' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *_LAZY])


__all__ = [
    "PLUGIN_API_VERSION",
    "Block",
    "DetectionContext",
    "Document",
    "Extracted",
    "Finding",
    "InputError",
    "Option",
    "Paragraph",
    "ParagraphAlignment",
    "Phrase",
    "PluginError",
    "ProvenanceError",
    "Quote",
    "Report",
    "SentenceLink",
    "UsageError",
    "__version__",
    "compare",
    "compare_files",
    "compare_texts",
    "fold",
    "hookimpl",
    "quote_spans",
    "split_sentences",
    "tokenize",
]
