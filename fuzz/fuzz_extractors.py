"""Coverage-guided fuzzing of the input side (decoding and the three extractors) with atheris.

    pip install atheris            # not part of the test extra: it needs a clang-built CPython on some systems
    python fuzz/fuzz_extractors.py -max_total_time=600 [corpus_dir]

Any exception other than the documented InputError is a finding: atheris stops and writes the crashing input
to a `crash-*` file, which `python fuzz/fuzz_extractors.py crash-<hash>` replays.
"""

from __future__ import annotations

import contextlib
import sys

import atheris

with atheris.instrument_imports():
    from provenance.errors import InputError
    from provenance.text.decode import decode
    from provenance.text.extractors.html import HtmlExtractor
    from provenance.text.extractors.markdown import MarkdownExtractor
    from provenance.text.extractors.plaintext import TextExtractor
    from provenance.text.tokenize import clean

EXTRACTORS = (TextExtractor(), MarkdownExtractor(), HtmlExtractor())


def test_one_input(data: bytes) -> None:
    try:
        text, _ = decode(data, "fuzz")
    except InputError:
        return
    text = clean(text)
    for extractor in EXTRACTORS:
        with contextlib.suppress(InputError):
            extractor.extract(text, "fuzz")


def main() -> None:
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
