"""Copy: the wording is kept. Most words sit inside long runs shared with the source; light edits break a run here
and there without bringing the share down much.

Quotations (`copy.quotes`, the policy's `quotations-as-copying`): by default (`auto`) quoted speech alone does not
make copied prose: the words outside quotation marks must be copied too, unless there are too few of them to judge
(a quotation standing as its own paragraph is then a copy). `count` treats quoted words like any others; `ignore`
judges a paragraph on its words outside quotation marks only, so a verbatim quotation is never copying (its
paragraph is left to the rewrite detector: its content does come from the source)."""

from __future__ import annotations

from collections.abc import Iterator

from provenance.align.core import ParagraphAlignment
from provenance.hookspecs import hookimpl
from provenance.model import Finding
from provenance.policy.options import Option
from provenance.detectors.context import DetectionContext
from provenance.detectors.evidence import evidence_for

QUOTE_MODES = ("auto", "count", "ignore")
ENOUGH_PROSE = 8  # words outside quotation marks needed to judge a paragraph's prose apart from its quotes


def is_copy(a: ParagraphAlignment, threshold: float, prose_threshold: float, passage: int, quotes: str) -> bool:
    """Whether the wording is the source's, with quotations treated as `quotes` says (see the module docstring)."""
    if not a.sources:
        return False
    if quotes == "count":
        long_passage = a.longest_run >= passage and a.wording >= 0.25 and a.words >= passage
        return a.wording >= threshold or long_passage
    # A long verbatim passage of prose (not a quotation) makes a long paragraph a copy even when the rest of it
    # is new: an editor has to see it.
    long_passage = (a.longest_run >= passage and a.wording_outside_quotes >= 0.25
                    and a.words_outside_quotes >= passage)
    if quotes == "ignore":
        quoted = a.words_outside_quotes < a.words
        enough = a.words_outside_quotes >= (ENOUGH_PROSE if quoted else 1)
        return enough and (a.wording_outside_quotes >= threshold or long_passage)
    if a.wording < threshold and not long_passage:
        return False
    if not long_passage and a.words_outside_quotes >= ENOUGH_PROSE and a.wording_outside_quotes < prose_threshold:
        return False  # verbatim quotes inside reworded prose: the rewrite detector reports those
    return True


class CopyDetector:
    name = "copy"
    relation = "copy"
    description = "wording kept from the source (shared word runs), light edits allowed"
    options = {
        "threshold": Option(0.7, float, "share of words in shared 4+ word runs for a copy", 0.0, 1.0),
        "prose_threshold": Option(0.6, float, "the same share outside quotation marks", 0.0, 1.0),
        "passage_words": Option(20, int, "a verbatim passage this long makes a long paragraph a copy", 4),
        "quotes": Option("auto", str, "whether quoted words count as copied: auto, count or ignore",
                         choices=QUOTE_MODES),
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
