"""Plain text: blocks separated by blank lines, with their line numbers."""

from __future__ import annotations

from provenance.hookspecs import hookimpl
from provenance.model import Extracted
from provenance.text.segment import blocks_from_plain_text


class TextExtractor:
    name = "text"
    suffixes = (".txt", ".text", "")
    description = "plain text; paragraphs are separated by blank lines"

    def sniff(self, text: str) -> float:
        return 0.1

    def extract(self, text: str, name: str) -> Extracted:
        return Extracted(blocks_from_plain_text(text), "text")


@hookimpl
def register_extractors(register) -> None:
    register(TextExtractor())
