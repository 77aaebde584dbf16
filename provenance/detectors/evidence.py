"""The evidence block shared by the built-in detectors' findings (documented in docs/report-schema.md)."""

from __future__ import annotations

from typing import Any

from provenance.model import FrozenDict, FrozenList, ParagraphAlignment, freeze


def evidence_for(a: ParagraphAlignment, decision: Any = None) -> dict[str, Any]:
    """The paragraph's evidence; with scorer plugins, also their signals and `scorer`, the one that decided
    (`lexical` when the built-in word evidence did). Without scorers the block is exactly as it always was.

    Built read-only (`FrozenDict`, `FrozenList`) all the way down, as a Finding keeps its evidence: the Finding
    then takes it as it is, where it would copy every mapping and list of a plain one."""
    ev = {
        "content_coverage": a.content,
        "traced_sentences": a.traced,
        "wording_coverage": a.wording,
        "wording_outside_quotes": a.wording_outside_quotes,
        "longest_shared_run": a.longest_run,
        "source_weights": FrozenDict(zip((str(s) for s in a.sources), a.source_weights)),
        "sentences": FrozenList(
            [
                FrozenDict(
                    {
                        "sentence": link.sentence,
                        "source_paragraph": link.source_paragraph,
                        "source_sentence": link.source_sentence,
                        "gain": link.gain,
                    }
                )
                for link in a.links
            ]
        ),
        "shared_phrases": FrozenList(
            [
                FrozenDict({"text": p.text, "words": p.words, "source_paragraph": p.source_paragraph})
                for p in a.phrases
            ]
        ),
        "quotes": FrozenList(
            [
                FrozenDict(
                    {
                        "text": q.text,
                        "words": q.words,
                        "copied": q.copied,
                        "source_paragraph": q.source_paragraph,
                    }
                )
                for q in a.quotes
            ]
        ),
        "shared_numbers": FrozenList(a.shared_numbers),
        "shared_names": FrozenList(a.shared_names),
        "minhash": freeze(a.minhash),
    }
    if a.translated is not None:
        ev["translation"] = freeze({"shared_specifics": list(a.translated)})
    if a.order_inferred:
        ev["order"] = freeze({"inferred": True, "unused_source_gap": list(a.order_gap)})
    if a.signals:
        ev["signals"] = freeze(
            {
                s.scorer: {
                    "score": s.score,
                    "threshold": s.threshold,
                    "context_threshold": s.context_threshold,
                    "chain": s.chain,
                    "in_order": s.in_order,
                    "sources": list(s.sources),
                    "new_numbers": list(s.new_numbers),
                    "sentences": [
                        {
                            "sentence": link.sentence,
                            "source_paragraph": link.source_paragraph,
                            "source_sentence": link.source_sentence,
                            "similarity": link.gain,
                        }
                        for link in s.links
                    ],
                }
                for s in a.signals
            }
        )
        ev["scorer"] = getattr(decision, "scorer", "lexical")
        if getattr(decision, "reason", ""):
            ev["decided"] = decision.reason
    return FrozenDict(ev)
