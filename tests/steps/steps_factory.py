"""Small factories for the step tests: alignment values built with `dataclasses.replace`, and documents made
the way the loader makes them (make_paragraph, then classify)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from provenance.model import Document, ParagraphAlignment, SentenceLink, Signal
from provenance.text.boilerplate import classify
from provenance.text.segment import make_paragraph

# Invented words for texts of a given length: VOCAB and OTHER share none.
VOCAB = """amber basil cobalt drift ember fennel glade hollow inlet juniper kestrel lantern meadow nettle
    orchard pebble quarry rowan sorrel thistle umber valley willow yarrow acorn bramble cinder dune falcon
    granite heron ivy jasper kelp lichen marsh nutmeg otter pumice reed saffron
    tundra""".split()  # noqa: SIM905
OTHER = """zinc yew wren vole tern swan rook quail plover owl newt moth lark kite jay ibis hare gnat finch
    egret dove crow bat ant""".split()  # noqa: SIM905

# An unaligned paragraph of twenty words in one sentence: every field at its "nothing found" value.
NOTHING = ParagraphAlignment(
    index=0,
    words=20,
    content=0.0,
    sentences=1,
    traced=0.0,
    wording=0.0,
    wording_outside_quotes=0.0,
    words_outside_quotes=20,
    longest_run=0,
    sources=(),
    source_weights=(),
    links=(),
    phrases=(),
    quotes=(),
    shared_numbers=(),
    shared_names=(),
)

QUIET = Signal(
    scorer="stub", score=0.0, threshold=0.7, context_threshold=0.5, sources=(), links=(), in_order=False
)


def aligned(**changes: Any) -> ParagraphAlignment:
    """A ParagraphAlignment: NOTHING with `changes`."""
    return replace(NOTHING, **changes)


def signal(**changes: Any) -> Signal:
    return replace(QUIET, **changes)


def link(sentence: int, source_paragraph: int, source_sentence: int, gain: float) -> SentenceLink:
    return SentenceLink(sentence, source_paragraph, source_sentence, gain)


def document(*texts: str, name: str = "doc", classified: bool = True) -> Document:
    paragraphs = tuple(make_paragraph(i, t) for i, t in enumerate(texts))
    return Document(name, "text", classify(paragraphs) if classified else paragraphs)
