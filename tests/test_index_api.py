"""The index from Python (provenance.index.api): `add_documents` and `audit` without the command line, and the
Index protocol that every backend implements in full."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import ClassVar

import pytest

from provenance import hookimpl
from provenance.errors import PluginError, UsageError
from provenance.index import AddSummary, AuditRun, BatchCommitted, add_documents, audit, open_index
from provenance.index.base import missing_members
from provenance.testing import make_host, run_cli
from provenance.text.inputs import RawDocument

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"

TOPICS = ("harbour", "orchard", "railway", "library", "glacier")


def article(topic: str, n: int = 3) -> str:
    """A few paragraphs of their own about one topic: documents that share no paragraph."""
    return "\n\n".join(
        f"The {topic} committee met on day {i} to discuss the {topic} budget, the {topic} staff and "
        f"the {topic} visitors who arrived in the {i}th week of the season."
        for i in range(1, n + 1)
    )


@pytest.fixture()
def corpus(tmp_path: Path) -> Path:
    d = tmp_path / "corpus"
    d.mkdir()
    for topic in TOPICS:
        (d / f"{topic}.txt").write_text(article(topic), encoding="utf-8")
    return d


def ids_in(location: str) -> list[str]:
    idx = open_index(location)
    try:
        return idx.ids()
    finally:
        idx.close()


def test_add_counts_each_document_once_and_is_idempotent(index_location, corpus):
    first = add_documents(index_location, [corpus])
    assert first == AddSummary(added=5, replaced=0, unchanged=0, embedded=0, errors=(), scorers=())
    assert ids_in(index_location) == sorted(str(p) for p in corpus.iterdir())
    again = add_documents(index_location, [corpus])
    assert (again.added, again.replaced, again.unchanged, again.failed) == (0, 0, 5, 0)
    changed = corpus / "orchard.txt"
    changed.write_text(article("orchard", 4), encoding="utf-8")
    third = add_documents(index_location, [str(corpus)])
    assert (third.added, third.replaced, third.unchanged) == (0, 1, 4)
    idx = open_index(index_location)
    try:
        stored = idx.document(str(changed))
        assert stored is not None and "4th week" in stored.text
        assert idx.info()["documents"] == 5
    finally:
        idx.close()


def test_unreadable_inputs_are_listed_not_raised(tmp_path, corpus):
    location = str(tmp_path / "index.db")
    (corpus / "picture.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    summary = add_documents(location, [corpus, tmp_path / "missing.txt", str(tmp_path / "none-*.md")])
    assert summary.added == 5
    assert summary.failed == 3 == len(summary.errors)
    assert any("picture.txt" in e for e in summary.errors)
    assert any("missing.txt: no such file" in e for e in summary.errors)
    assert any("none-*.md: no file matches" in e for e in summary.errors)
    assert all("\n" not in e for e in summary.errors)
    assert str(corpus / "picture.txt") not in ids_in(location)


def test_progress_is_reported_per_committed_batch(tmp_path, corpus):
    events: list[BatchCommitted] = []
    summary = add_documents(str(tmp_path / "index.db"), corpus, batch_size=2, progress=events.append)
    names = sorted(str(p) for p in corpus.iterdir())
    assert [(e.documents, e.total, e.last) for e in events] == [
        (2, 2, names[1]),
        (2, 4, names[3]),
        (1, 5, names[4]),
    ]
    assert summary.added == 5
    events.clear()
    add_documents(str(tmp_path / "index.db"), corpus, batch_size=2, progress=events.append)
    assert events == [], "nothing committed when nothing changed"


def test_documents_in_memory_and_an_open_index(tmp_path):
    location = str(tmp_path / "index.db")
    idx = open_index(location, create=True)
    try:
        docs = [
            RawDocument("mem/harbour", article("harbour"), "text"),
            RawDocument(
                "mem/glacier", "# Glacier\n\n" + article("glacier"), "markdown", {"outlet": "Ice Daily"}
            ),
        ]
        summary = add_documents(idx, docs)
        assert summary.added == 2
        assert idx.ids() == ["mem/glacier", "mem/harbour"], "the index given stays open for the caller"
        stored = idx.document("mem/glacier")
        assert stored is not None and stored.format == "markdown" and stored.meta["outlet"] == "Ice Daily"
        assert add_documents(idx, docs[0]).unchanged == 1  # one document alone, not iterated as characters
    finally:
        idx.close()


def test_wrong_options_raise_before_anything_is_created(tmp_path, corpus):
    location = tmp_path / "index.db"
    with pytest.raises(UsageError, match="exclude each other"):
        add_documents(location, [corpus], embed=["bag"], no_embed=True)
    with pytest.raises(UsageError, match="--embed nothing"):
        add_documents(location, [corpus], embed="nothing")
    assert not location.exists()
    assert add_documents(location, [corpus]).added == 5  # a pathlib.Path is a location too


def test_summary_is_frozen_and_matches_the_cli_line(tmp_path, corpus):
    summary = add_documents(str(tmp_path / "a.db"), [corpus, tmp_path / "missing.txt"])
    with pytest.raises(dataclasses.FrozenInstanceError):
        summary.added = 0  # type: ignore[misc]
    r = run_cli(["index", "add", str(tmp_path / "b.db"), str(corpus), str(tmp_path / "missing.txt")])
    assert r.exit_code == 3
    lines = r.stderr.splitlines()
    assert lines[0] == (
        f"added {summary.added}, replaced {summary.replaced}, unchanged {summary.unchanged}, "
        f"failed {summary.failed}"
    )
    assert lines[1:] == [f"provenance: error: {e}" for e in summary.errors]


def test_cli_default_batch_is_the_api_default():
    from provenance.cli.index import BATCH_DOCUMENTS as CLI_BATCH
    from provenance.index.api import BATCH_DOCUMENTS

    assert CLI_BATCH == BATCH_DOCUMENTS


def test_audit_from_python(tmp_path):
    location = str(tmp_path / "index.db")
    wire = EXAMPLES / "wire-story.txt"
    assert add_documents(location, [wire]).added == 1
    derived = [
        EXAMPLES / "scraped-copy.html",
        RawDocument("mine.txt", article("library"), "text"),
        tmp_path / "missing.txt",
    ]
    run = audit(location, derived)
    assert isinstance(run, AuditRun)
    assert [r.derived for r in run.results] == [str(EXAMPLES / "scraped-copy.html"), "mine.txt"]
    copy, mine = run.results
    assert copy.verdict == "copy" and copy.sources == (str(wire),)
    assert mine.verdict == "independent" and mine.sources == ()
    assert len(run.errors) == 1 and "missing.txt: no such file" in run.errors[0]


def test_audit_skip_self_and_documents(tmp_path):
    from provenance.plugins import get_host
    from provenance.text.load import load_document

    location = str(tmp_path / "index.db")
    text = (EXAMPLES / "wire-story.txt").read_text(encoding="utf-8")
    add_documents(location, [RawDocument("wire", text, "text")])
    doc = load_document(text, "wire", host=get_host())
    assert audit(location, doc).results[0].sources == ("wire",)
    assert audit(location, doc, skip_self=True).results[0].sources == ()


# The Index protocol --------------------------------------------------------------------------------------------


def test_built_in_backends_implement_the_whole_protocol(index_location):
    idx = open_index(index_location, create=True)
    try:
        assert missing_members(idx) == []
        assert idx.embeddings() == {} and idx.vector_counts() == {}
        assert idx.have_vectors("bag", "1", ["x"]) == set() and idx.vectors("bag", "1", ["x"]) == {}
        assert idx.ids() == [] and idx.verify() == []
    finally:
        idx.close()


class HalfIndex:
    """A backend written to the old contract: no ids, verify or vectors."""

    def __init__(self, location, params):
        self.location, self.params, self.closed = location, params, False

    def digest_of(self, doc_id):
        return None

    def put_many(self, items):
        pass

    def remove(self, ids):
        return 0

    def candidates(self, prints, min_similarity=0.2):
        return [[] for _ in range(len(prints))]

    def document(self, doc_id):
        return None

    def info(self):
        return {}

    def close(self):
        self.closed = True


class HalfBackend:
    name = "half"
    schemes = ("half",)
    opened: ClassVar[list[HalfIndex]] = []

    def open(self, location, *, create, params):
        self.opened.append(HalfIndex(location, params))
        return self.opened[-1]


class HalfPlugin:
    __name__ = "half-plugin"

    @hookimpl
    def register_index_backends(self, register):
        register(HalfBackend())


def test_an_incomplete_backend_is_refused_by_name():
    plugin = HalfPlugin()
    host = make_host(plugin)
    with pytest.raises(PluginError) as err:
        open_index("half://demo", host=host)
    assert "'half'" in str(err.value) and "ids" in str(err.value) and "verify" in str(err.value)
    assert "set_embeddings" in str(err.value)
    assert err.value.plugin == "half-plugin"
    assert HalfBackend.opened[-1].closed, "the refused index is closed"
    r = run_cli(["index", "list", "half://demo"], plugins=[plugin])
    assert r.exit_code == 4 and "without embeddings" in r.stderr and "Traceback" not in r.stderr
