"""Copy: the wording is kept. Most words sit inside long runs shared with the source; light edits break a run here
and there without bringing the share down much. Quoted speech alone does not make copied prose: the words outside
quotation marks must be copied too, unless there are too few of them to judge."""

from __future__ import annotations

from collections.abc import Iterator

from ..hookspecs import hookimpl
from ..model import Finding
from ..options import Option
from .context import DetectionContext
from .evidence import evidence_for


class CopyDetector:
    name = "copy"
    relation = "copy"
    description = "wording kept from the source (shared word runs), light edits allowed"
    options = {
        "threshold": Option(0.7, float, "share of words in shared 4+ word runs for a copy", 0.0, 1.0),
        "prose_threshold": Option(0.6, float, "the same share outside quotation marks", 0.0, 1.0),
        "passage_words": Option(20, int, "a verbatim passage this long makes a long paragraph a copy", 4),
    }

    def detect(self, ctx: DetectionContext) -> Iterator[Finding]:
        threshold = ctx.option("copy.threshold")
        prose_threshold = ctx.option("copy.prose_threshold")
        passage = ctx.option("copy.passage_words")
        for a in ctx.aligned:
            if not a.sources:
                continue
            # A long verbatim passage of prose (not a quotation) makes a long paragraph a copy even when the
            # rest of it is new: an editor has to see it.
            long_passage = (a.longest_run >= passage and a.wording_outside_quotes >= 0.25
                            and a.words_outside_quotes >= passage)
            if a.wording < threshold and not long_passage:
                continue
            if not long_passage and a.words_outside_quotes >= 8 and a.wording_outside_quotes < prose_threshold:
                continue  # verbatim quotes inside reworded prose: the rewrite detector reports those
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
