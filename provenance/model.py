"""The data that travels down the pipeline: plain, immutable, JSON-friendly.

Every stage takes these and returns new ones, so a detector or renderer can never change what another one sees,
and a report can be rebuilt from its JSON alone.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Literal

Relation = Literal["copy", "rewrite", "added", "boilerplate"]
Verdict = Literal["copy", "rewrite", "partial", "independent"]
SourceRelation = Literal["copied", "rewritten", "omitted", "boilerplate"]
Role = Literal["body", "heading", "boilerplate"]

RELATIONS: tuple[str, ...] = ("copy", "rewrite", "added", "boilerplate")
REPORT_SCHEMA = "text-provenance/report/1"


@dataclass(frozen=True, slots=True)
class Block:
    """A block of text as an extractor found it: a blank-line block, an HTML block element, a list item."""

    text: str
    start_line: int | None = None
    end_line: int | None = None
    tag: str = "p"


@dataclass(frozen=True, slots=True)
class Extracted:
    """What an extractor returns: ordered blocks plus whatever metadata the format carries (title, url, outlet)."""

    blocks: tuple[Block, ...]
    format: str
    metadata: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Sentence:
    """A sentence as character offsets into its paragraph's text."""

    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Paragraph:
    """One paragraph of an article with its sentences and its role on the page."""

    index: int
    text: str
    sentences: tuple[Sentence, ...]
    start_line: int | None = None
    end_line: int | None = None
    tag: str = "p"
    from_line_block: bool = False
    role: Role = "body"
    role_reason: str = ""

    @property
    def is_boilerplate(self) -> bool:
        return self.role == "boilerplate"

    def sentence_text(self, i: int) -> str:
        s = self.sentences[i]
        return self.text[s.start : s.end]


@dataclass(frozen=True, slots=True)
class Document:
    """A segmented article: its paragraphs (boilerplate included, marked by role) and metadata."""

    name: str
    format: str
    paragraphs: tuple[Paragraph, ...]
    metadata: dict[str, str] = field(default_factory=dict)

    @property
    def body(self) -> tuple[Paragraph, ...]:
        return tuple(p for p in self.paragraphs if not p.is_boilerplate)


@dataclass(frozen=True, slots=True)
class Finding:
    """One detector's claim about one derived paragraph.

    A finding with a `relation` competes for the paragraph's label; one without (relation None) is an annotation,
    such as a changed figure or a missing credit, shown alongside the label.
    """

    detector: str
    paragraph: int
    relation: str | None
    score: float
    sources: tuple[int, ...] = ()
    evidence: dict[str, Any] = field(default_factory=dict)
    message: str = ""
    kind: str = ""

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "detector": self.detector,
            "kind": self.kind or (self.relation or "note"),
            "paragraph": self.paragraph,
            "score": round(self.score, 4),
            "sources": list(self.sources),
            "message": self.message,
            "evidence": self.evidence,
        }
        if self.relation is not None:
            d["relation"] = self.relation
        return d


@dataclass(frozen=True, slots=True)
class ParagraphResult:
    index: int
    text: str
    relation: str
    sources: tuple[int, ...]
    score: float
    evidence: dict[str, Any]
    start_line: int | None = None
    end_line: int | None = None
    words: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "text": self.text,
            "relation": self.relation,
            "sources": list(self.sources),
            "score": round(self.score, 4),
            "words": self.words,
            "lines": [self.start_line, self.end_line] if self.start_line is not None else None,
            "evidence": self.evidence,
        }


@dataclass(frozen=True, slots=True)
class SourceParagraphResult:
    index: int
    text: str
    relation: str
    reused: bool
    reused_by: tuple[int, ...] = ()
    words: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "text": self.text,
            "relation": self.relation,
            "reused": self.reused,
            "reused_by": list(self.reused_by),
            "words": self.words,
        }


@dataclass(frozen=True, slots=True)
class Report:
    """The single source of truth every renderer reads; `to_dict()` is the documented JSON schema."""

    source: str
    derived: str
    verdict: str
    shares: dict[str, float]
    source_coverage: float
    paragraphs: tuple[ParagraphResult, ...]
    source_paragraphs: tuple[SourceParagraphResult, ...]
    parameters: dict[str, Any]
    findings: tuple[Finding, ...] = ()
    errors: tuple[dict[str, str], ...] = ()
    metadata: dict[str, Any] = field(default_factory=dict)

    @property
    def omitted(self) -> tuple[SourceParagraphResult, ...]:
        return tuple(p for p in self.source_paragraphs if p.relation == "omitted")

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema": REPORT_SCHEMA,
            "source": self.source,
            "derived": self.derived,
            "verdict": self.verdict,
            "shares": {k: round(v, 4) for k, v in self.shares.items()},
            "source_coverage": round(self.source_coverage, 4),
            "paragraphs": [p.to_dict() for p in self.paragraphs],
            "source_paragraphs": [p.to_dict() for p in self.source_paragraphs],
            "omitted": [p.index for p in self.omitted],
            "findings": [f.to_dict() for f in self.findings],
            "errors": list(self.errors),
            "metadata": self.metadata,
            "parameters": self.parameters,
        }

    def to_json(self, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=indent, sort_keys=False)
