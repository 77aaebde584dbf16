"""Copy: the wording is kept. Most words sit inside long runs shared with the source; light edits break a run here
and there without bringing the share down much.

Quotations (`copy.quotes`, the policy's `quotations-as-copying`): by default (`auto`) quoted speech alone does not
make copied prose: the words outside quotation marks must be copied too, unless there are too few of them to judge
(a quotation standing as its own paragraph is then a copy). `count` treats quoted words like any others; `ignore`
judges a paragraph on its words outside quotation marks only, so a verbatim quotation is never copying (its
paragraph is left to the rewrite detector: its content does come from the source)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import ClassVar

from provenance.components import Option
from provenance.detectors.context import DetectionContext
from provenance.detectors.decisions import QUOTE_MODES, is_copy
from provenance.detectors.evidence import evidence_for
from provenance.hookspecs import hookimpl
from provenance.model import Finding
from provenance.rules import COPY_PASSAGE_WORDS, COPY_PROSE_THRESHOLD, COPY_THRESHOLD


class CopyDetector:
    name = "copy"
    relation = "copy"
    description = "wording kept from the source (shared word runs), light edits allowed"
    options: ClassVar[dict[str, Option]] = {
        "threshold": Option(
            COPY_THRESHOLD, float, "share of words in shared 4+ word runs for a copy", 0.0, 1.0
        ),
        "prose_threshold": Option(
            COPY_PROSE_THRESHOLD, float, "the same share outside quotation marks", 0.0, 1.0
        ),
        "passage_words": Option(
            COPY_PASSAGE_WORDS, int, "a verbatim passage this long makes a long paragraph a copy", 4
        ),
        "quotes": Option(
            "auto", str, "whether quoted words count as copied: auto, count or ignore", choices=QUOTE_MODES
        ),
    }

    def detect(self, ctx: DetectionContext) -> Iterator[Finding]:
        threshold = ctx.option("copy.threshold")
        prose_threshold = ctx.option("copy.prose_threshold")
        passage = ctx.option("copy.passage_words")
        quotes = ctx.option("copy.quotes")
        for a in ctx.aligned:
            if not is_copy(a, threshold, prose_threshold, passage, quotes):
                continue
            yield Finding(
                detector=self.name,
                paragraph=a.index,
                relation="copy",
                score=a.wording,
                sources=a.sources,
                evidence=evidence_for(a),
                message=f"{a.wording:.0%} of the words are in runs shared with the source (longest {a.longest_run})",
            )


@hookimpl
def register_detectors(register) -> None:
    register(CopyDetector())
