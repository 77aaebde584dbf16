"""The evidence block shared by the built-in detectors' findings (documented in docs/report-schema.md)."""

from __future__ import annotations

from typing import Any

from ..align import ParagraphAlignment


def evidence_for(a: ParagraphAlignment) -> dict[str, Any]:
    ev: dict[str, Any] = {
        "content_coverage": a.content,
        "traced_sentences": a.traced,
        "wording_coverage": a.wording,
        "wording_outside_quotes": a.wording_outside_quotes,
        "longest_shared_run": a.longest_run,
        "source_weights": dict(zip((str(s) for s in a.sources), a.source_weights)),
        "sentences": [
            {"sentence": link.sentence, "source_paragraph": link.source_paragraph,
             "source_sentence": link.source_sentence, "gain": link.gain}
            for link in a.links
        ],
        "shared_phrases": [{"text": p.text, "words": p.words, "source_paragraph": p.source_paragraph}
                           for p in a.phrases],
        "quotes": [{"text": q.text, "words": q.words, "copied": q.copied, "source_paragraph": q.source_paragraph}
                   for q in a.quotes],
        "shared_numbers": list(a.shared_numbers),
        "shared_names": list(a.shared_names),
        "minhash": a.minhash,
    }
    if a.order_inferred:
        ev["order"] = {"inferred": True, "unused_source_gap": list(a.order_gap)}
    return ev
