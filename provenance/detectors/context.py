"""What every detector receives: the two documents, the alignment and the options, all read-only."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..align import Alignment, ParagraphAlignment
from ..model import Document


@dataclass(frozen=True, slots=True)
class DetectionContext:
    source: Document
    derived: Document
    alignment: Alignment
    options: Mapping[str, Any] = field(default_factory=dict)

    def option(self, name: str, default: float) -> float:
        """A numeric option such as `copy.threshold`, as set with `--option` or `compare(..., options=...)`."""
        value = self.options.get(name, default)
        return float(value)

    @property
    def aligned(self) -> tuple[ParagraphAlignment, ...]:
        return self.alignment.paragraphs
