"""What every detector receives: the two documents, the alignment and the options, all read-only."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from provenance.detectors.decisions import Decision, decide
from provenance.model import Alignment, Derivation, Document, Paragraph, ParagraphAlignment
from provenance.rules import COPY_THRESHOLD, REWRITE_IN_DERIVED, REWRITE_THRESHOLD, REWRITE_TRACED


@dataclass(frozen=True, slots=True)
class DetectionContext:
    source: Document
    derived: Document
    alignment: Alignment
    options: Mapping[str, Any] = field(default_factory=dict)

    def option(self, name: str, default: Any = None) -> Any:
        """The value in effect for a declared option such as `copy.threshold` (already parsed and checked)."""
        if name in self.options:
            return self.options[name]
        if default is None:
            raise KeyError(f"option {name!r} is not declared by any enabled component")
        return default

    def reused(self, a: ParagraphAlignment) -> bool:
        """Whether the built-in rules would call this paragraph copied or rewritten, with the thresholds in effect:
        for plugins that annotate reused material without re-deriving the core's labels."""
        if a.wording >= float(self.option("copy.threshold", COPY_THRESHOLD)) and a.sources:
            return True
        return self.decision(a).rewrite

    def decision(self, a: ParagraphAlignment) -> Decision:
        """The built-in rewrite rule's call on a paragraph, in the light of the article as a whole."""
        return decide(
            a,
            float(self.option("rewrite.threshold", REWRITE_THRESHOLD)),
            float(self.option("rewrite.traced_threshold", REWRITE_TRACED)),
            self.derivation,
            float(self.option("rewrite.derived_threshold", REWRITE_IN_DERIVED)),
            heading=self.derived.paragraphs[a.index].role == "heading",
        )

    @property
    def derivation(self) -> Derivation | None:
        """Whether the derived article as a whole derives from the source (provenance/derivation.py)."""
        return self.alignment.derivation

    def source_paragraph(self, index: int) -> Paragraph:
        return self.source.paragraphs[index]

    def derived_paragraph(self, index: int) -> Paragraph:
        return self.derived.paragraphs[index]

    @property
    def aligned(self) -> tuple[ParagraphAlignment, ...]:
        return self.alignment.paragraphs
