"""Each document is tokenised once per command: every paragraph at segmentation (provenance/text/segment.py
`make_paragraph`), and never again (indexing, which reads paragraphs chunk by chunk, tokenises each text at most
once). Fingerprinting, alignment, scorer signals, the detectors and assembling
the report read the tokens from the model.

The tokeniser is replaced by a counting wrapper of the real one under every name a loaded module holds it by
(`provenance.text.segment.tokenize`, the name the segmenter calls, and `provenance.text.tokenize.tokenize`
among them), so a later step that tokenised again, under whatever import, would be counted. Installed
third-party plugins are switched off (PROVENANCE_LOAD_PLUGINS empty): the claim is about the core pipeline,
and plugins may tokenise texts of their own."""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path
from typing import ClassVar

import pytest

import provenance
import provenance.text.chunks
import provenance.text.segment
import provenance.text.tokenize
from provenance.components import Option
from provenance.hookspecs import hookimpl
from provenance.testing import make_host, run_cli
from provenance.text.load import load_document

REAL = provenance.text.tokenize.tokenize

SOURCE = """Home
News
Weather

Council approves the new ferry terminal

The harbour board approved a new ferry terminal for the island on Tuesday evening,
after a debate that lasted
more than four hours.

Construction crews will start dredging the northern channel in the autumn. The work
is expected to cost 12 million.

Local fishermen said the project would bring more visitors to their small village.

Share
"""

DERIVED = """# Island gets its ferry terminal

The harbour board approved a new ferry terminal for the island on Tuesday evening after a long debate.

Crews in work boats are due to deepen the waterway up north once the summer ends.

Local fishermen said the project would bring more visitors to their small village.

Our view: the money would have been better spent on the school.
"""


@pytest.fixture
def counted(monkeypatch):
    """Count tokeniser calls by the text tokenised; the real tokeniser does the work."""
    monkeypatch.setenv("PROVENANCE_LOAD_PLUGINS", "")
    calls: Counter[str] = Counter()

    def counting(text: str):
        calls[text] += 1
        return REAL(text)

    monkeypatch.setattr(provenance.text.segment, "tokenize", counting)
    monkeypatch.setattr(provenance.text.tokenize, "tokenize", counting)
    for name, module in list(sys.modules.items()):  # any other module that imported the function by name
        if (
            (name == "provenance" or name.startswith("provenance."))
            and module is not None
            and getattr(module, "tokenize", None) is REAL
        ):
            monkeypatch.setattr(module, "tokenize", counting)
    return calls


def write(tmp_path: Path) -> tuple[Path, Path]:
    src, der = tmp_path / "source.txt", tmp_path / "derived.md"
    src.write_text(SOURCE, encoding="utf-8")
    der.write_text(DERIVED, encoding="utf-8")
    return src, der


def paragraphs_of(*paths: Path) -> list[str]:
    host = make_host()
    return [p.text for path in paths for p in load_document(path, host=host).paragraphs]


def test_compare_tokenises_each_paragraph_once(tmp_path, counted):
    src, der = write(tmp_path)
    report = provenance.compare(src, der)
    texts = [p.text for p in report.source_paragraphs] + [p.text for p in report.paragraphs]
    assert len(texts) > 8  # menus, headlines, wrapped prose and furniture: more paragraphs than blocks
    assert sum(counted.values()) == len(texts)
    assert counted == Counter(texts)
    assert report.verdict in ("copy", "rewrite", "partial")  # the comparison did align and decide


class StubScorer:
    name = "stub"
    options: ClassVar[dict[str, Option]] = {"threshold": Option(0.5, float)}

    def score(self, pairs):
        return [1.0 if a == b else 0.2 for a, b in pairs]


class StubPlugin:
    __name__ = "stub-plugin"

    @hookimpl
    def register_scorers(self, register):
        register(StubScorer())


def test_scorer_signals_do_not_tokenise_again(tmp_path, counted):
    src, der = write(tmp_path)
    report = provenance.compare(src, der, host=make_host(StubPlugin()))
    assert report.errors == () and "stub-plugin:stub" in report.parameters["scorers"]
    assert sum(counted.values()) == len(report.source_paragraphs) + len(report.paragraphs)


def test_index_add_tokenises_each_text_at_most_once(tmp_path, counted):
    """Indexing reads paragraphs chunk by chunk (provenance/text/chunks.py `sentence_codes`): it tokenises each
    distinct whitespace-free chunk once, and a whole paragraph only when page-furniture detection asks for its
    tokens."""
    provenance.text.chunks.start_batch(afresh=True)
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text(SOURCE, encoding="utf-8")
    (corpus / "b.md").write_text(DERIVED, encoding="utf-8")
    note = "A short note on the weather.\n\nRain is expected all week along the coast, forecasters said.\n"
    (corpus / "c.txt").write_text(note, encoding="utf-8")
    paths = sorted(corpus.iterdir())
    expected = paragraphs_of(*paths)
    counted.clear()  # the reference segmentation above is not the command's
    db = str(tmp_path / "index.sqlite")
    result = run_cli(["index", "add", db, str(corpus), "--jobs", "1"])
    assert result.exit_code == 0, result.stderr
    assert "added 3" in result.stderr
    # Each distinct chunk once (new chunks are tokenised together), each paragraph at most once, nothing else.
    chunks = {c for p in expected for c in p.split()}
    assert {c for text in counted for c in text.split()} == chunks
    assert sum(len(text.split()) * n for text, n in counted.items()) <= len(chunks) + sum(
        len(p.split()) for p in expected
    )
    counted.clear()
    again = run_cli(["index", "add", db, str(corpus)])  # unchanged documents are skipped before segmenting
    assert again.exit_code == 0 and "unchanged 3" in again.stderr
    assert sum(counted.values()) == 0
