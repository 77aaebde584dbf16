"""The attribution detector: does the derived article credit its source?

It emits annotations only (relation None), so it never changes a paragraph's label or the verdict:

- `credited`: one per comparison, on the first non-boilerplate derived paragraph; `evidence.credited` says yes
  or no, with the credit lines found. (The kind is `credited` either way, so the JSON report always says what was
  checked; its message, and so a note in the other reports, is there only when a credit was found: an
  independent article gets no note.)
- `uncredited-reuse`: the article materially reuses the source (see `reuse.py`) and credits neither the source
  nor, when the source's name is unknown, any outlet; the note says what was looked for.
- `credits-other-outlet`: a credit line names an outlet that is not the known source (informational).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from provenance import Finding, Option

from .credits import Credit, find_credits, self_credits
from .names import SourceIdentity, build_identity, normalize
from .reuse import Reuse, measure

if TYPE_CHECKING:
    from provenance import DetectionContext, Document

NAME = "attribution"
# A credit line quoted in a note is cut to keep the note short; the evidence keeps every credit line whole.
MESSAGE_WIDTH = 96


@dataclass(frozen=True, slots=True)
class Assessment:
    """What the detector concluded about one comparison, before it is phrased as findings."""

    identity: SourceIdentity
    anchor: int  # the derived paragraph a document-level note is attached to
    to_source: tuple[Credit, ...]  # credit lines that name the source
    to_others: tuple[Credit, ...]  # credit lines that name another outlet
    carried: tuple[Credit, ...]  # outlets the source itself cites, repeated by the derived article
    reuse: Reuse
    material: bool  # whether the reuse is enough to need a credit

    @property
    def assumed(self) -> bool:
        """Without a known name an outlet credit may well be the source's; it is assumed so, and said so."""
        return not self.identity.known and not self.to_source and bool(self.to_others)

    @property
    def credited(self) -> bool:
        return bool(self.to_source) or self.assumed


def _anchor(derived: Document) -> int:
    """The first non-boilerplate paragraph: where a document-level note goes (0 if all is furniture)."""
    for p in derived.paragraphs:
        if p.role != "boilerplate":
            return p.index
    return derived.paragraphs[0].index if derived.paragraphs else 0


def _with_quote(lead: str, c: Credit) -> str:
    """`lead` followed by the credit line, cut to keep the note short (the evidence keeps it whole)."""
    room = max(24, MESSAGE_WIDTH - len(lead) - 2)
    text = c.text if len(c.text) <= room else c.text[: room - 1] + "\u2026"
    return f"{lead}\u201c{text}\u201d"


def assess(ctx: DetectionContext) -> Assessment:
    """Gather the source's names, find credit lines, sort them by whom they name, and measure the reuse."""
    source_body = [p.text for p in ctx.source.paragraphs if p.role != "boilerplate"]
    identity = build_identity(
        str(ctx.option(f"{NAME}.source_name", "") or ""),
        dict(ctx.source.metadata),
        source_body,
        self_credits(ctx.source.paragraphs),
    )
    anchor = _anchor(ctx.derived)
    credits = find_credits(ctx.derived.paragraphs, identity, dict(ctx.derived.metadata), anchor)
    # An outlet the source itself names ("told the BBC") is a citation carried over, not a credit line.
    source_text = " " + " ".join(normalize(t) for t in source_body) + " "
    others = [c for c in credits if c.target == "other"]
    carried = tuple(c for c in others if f" {normalize(c.matched)} " in source_text)
    reuse = measure(ctx.aligned, ctx.reused)
    body = {p.index for p in ctx.derived.paragraphs if p.role == "body"}
    return Assessment(
        identity=identity,
        anchor=anchor,
        to_source=tuple(c for c in credits if c.target == "source"),
        to_others=tuple(c for c in others if c not in carried),
        carried=carried,
        reuse=reuse,
        material=reuse.material(float(ctx.option("verdict.independent_below", 0.2)), body),
    )


class AttributionDetector:
    """Finds credit lines for the source and flags reuse without one."""

    name = NAME
    description = "does the derived article credit its source? credit lines, uncredited reuse, other outlets"
    options: ClassVar[dict[str, Option]] = {
        "source_name": Option("", str, "the source outlet's name; | separates aliases"),
    }

    def detect(self, ctx: DetectionContext) -> Iterator[Finding]:
        a = assess(ctx)
        yield self._credited(a)
        if a.identity.known:
            yield from self._other_outlets(a)
        if a.material and not a.credited:
            yield self._uncredited(a)

    def _credited(self, a: Assessment) -> Finding:
        shown = a.to_source or (a.to_others if a.assumed else ())
        if a.to_source:
            more = f" (+{len(shown) - 1} more)" if len(shown) > 1 else ""
            message = _with_quote(f"credited in paragraph {shown[0].paragraph}{more}: ", shown[0])
        elif a.assumed:
            first = shown[0]
            message = _with_quote(
                f"credits {first.matched} (assumed to be the source) in paragraph {first.paragraph}: ", first
            )
        else:
            message = (
                ""  # nothing found: said by `uncredited-reuse` when the reuse needs a credit, else nothing
            )
        return Finding(
            detector=NAME,
            paragraph=a.anchor,
            relation=None,
            score=1.0 if a.credited else 0.0,
            sources=(),
            evidence={
                "credited": a.credited,
                "assumed": a.assumed,
                "credits": [c.to_dict() for c in shown],
                "carried_over": [c.to_dict() for c in a.carried],
                "source_names": a.identity.labels,
                "source_metadata": a.identity.metadata_used,
                "material_reuse": a.material,
                "reuse": a.reuse.to_dict(),
            },
            message=message,
            kind="credited",
        )

    def _other_outlets(self, a: Assessment) -> Iterator[Finding]:
        seen: set[tuple[int, str]] = set()
        for c in a.to_others:
            key = (c.paragraph, c.matched.casefold())
            if key in seen:
                continue
            seen.add(key)
            yield Finding(
                detector=NAME,
                paragraph=c.paragraph,
                relation=None,
                score=1.0,
                sources=(),
                evidence={"credit": c.to_dict(), "source_names": a.identity.labels},
                message=_with_quote(f"credits another outlet, {c.matched}, not {a.identity.display()}: ", c),
                kind="credits-other-outlet",
            )

    def _uncredited(self, a: Assessment) -> Finding:
        r = a.reuse
        who = a.identity.display() if a.identity.known else "the source"
        looked = (
            f"no credit line names it (looked for {', '.join(a.identity.labels[:3])})"
            if a.identity.known
            else f"no credit line found; set --option {NAME}.source_name=NAME to look for the source by name"
        )
        return Finding(
            detector=NAME,
            paragraph=r.paragraphs[0],
            relation=None,
            score=r.share,
            sources=(),
            evidence={**r.to_dict(), "source_names": a.identity.labels},
            message=(
                f"uncredited reuse of {who}: {r.reused_words} of {r.body_words} words ({r.share:.0%}) "
                f"in {len(r.paragraphs)} paragraph(s); {looked}"
            ),
            kind="uncredited-reuse",
        )
