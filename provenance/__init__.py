"""text-provenance: tell how one article derives from another.

    >>> import provenance
    >>> report = provenance.compare(Path("source.txt"), Path("derived.md"))
    >>> report.verdict, report.shares

Heavy modules (datasketch, numpy, trafilatura) load on first use, so `provenance --help` stays fast.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from provenance._version import __version__
from provenance.errors import InputError, PluginError, ProvenanceError, UsageError
from provenance.hookspecs import PLUGIN_API_VERSION, hookimpl
from provenance.model import Block, Document, Extracted, Finding, Paragraph, Report

if TYPE_CHECKING:
    from provenance.detectors.context import DetectionContext


def compare(source: Any, derived: Any, **options: Any) -> Report:
    """Compare `derived` with `source` (each a pathlib.Path, a str holding the text, or bytes).

    Keyword arguments: `options` (a mapping such as {"copy.threshold": 0.8}), `disable` (names of detectors or
    plugins to switch off), `source_format` / `derived_format` (text, markdown, html), `source_name` /
    `derived_name` (labels for the report).
    """
    from provenance.engine import compare as _compare

    return _compare(source, derived, **options)


_LAZY = {
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
    "fold",
    "hookimpl",
    "quote_spans",
    "split_sentences",
    "tokenize",
]
