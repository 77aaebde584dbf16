"""An audit reads each candidate source once while it stays among the most recently used (SOURCES_KEPT), and the
results are the same whether a source was read again or kept."""

from __future__ import annotations

import pytest

import provenance.index.auditing as audit_module
from provenance.index import add_documents, audit
from provenance.text.inputs import RawDocument
from tests.test_index_api import TOPICS, article


def copies() -> list[RawDocument]:
    """Three partners' copies of each story, interleaved as a feed delivers them."""
    out = []
    for k in range(3):
        for topic in TOPICS:
            out.append(
                RawDocument(f"partner{k}/{topic}", article(topic) + f"\n\nPartner {k} adds a line.", "text")
            )
    return out


@pytest.fixture()
def index(tmp_path):
    location = str(tmp_path / "corpus.db")
    add_documents(location, [RawDocument(f"wire/{t}", article(t), "text") for t in TOPICS])
    return location


def _reads(monkeypatch) -> list[str]:
    seen: list[str] = []
    real = audit_module.load_document

    def counting(text, name, *args, **kwargs):
        seen.append(name)
        return real(text, name, *args, **kwargs)

    monkeypatch.setattr(audit_module, "load_document", counting)
    return seen


def _outcome(run):
    return [(r.derived, r.verdict, r.sources, dict(r.shares)) for r in run.results]


def test_each_source_is_read_once_across_the_feed(index, monkeypatch):
    reads = _reads(monkeypatch)
    run = audit(index, copies(), top=3)
    assert {r.verdict for r in run.results} == {"copy"}
    assert all(r.sources == (f"wire/{r.derived.split('/')[1]}",) for r in run.results)
    assert sorted(reads) == sorted(set(reads))  # no source read twice
    assert {f"wire/{t}" for t in TOPICS} <= set(reads)


def test_results_do_not_depend_on_what_was_kept(index, monkeypatch):
    kept = _outcome(audit(index, copies(), top=3))
    monkeypatch.setattr(audit_module, "SOURCES_KEPT", 1)  # every other source read again
    reads = _reads(monkeypatch)
    again = _outcome(audit(index, copies(), top=3))
    assert again == kept
    assert len(reads) > len(set(reads))  # the eviction path ran


def test_a_replaced_source_is_read_again(index):
    from provenance.index import open_index
    from provenance.plugins import get_host

    idx = open_index(index)
    try:
        run = audit_module._Audit(idx, get_host(), 3, {}, False, (), {})
        first = idx.document("wire/harbour")
        assert first is not None
        a = run.source(first)
        assert run.source(first) is a
        changed = type(first)(first.id, "0" * len(first.digest), first.format, article("orchard"), first.meta)
        b = run.source(changed)
        assert b is not a and "orchard" in b.paragraphs[0].text
    finally:
        idx.close()


def test_the_audit_function_stays_callable_after_an_audit(index):
    # The module that does the work once shared the function's name, and importing it (on the first audit) rebound
    # `provenance.index.audit` to the module: a second call raised "'module' object is not callable".
    import provenance.index as api

    first = api.audit(index, [RawDocument("partner/harbour", article("harbour"), "text")])
    assert callable(api.audit)
    second = api.audit(index, [RawDocument("partner/harbour", article("harbour"), "text")])
    assert _outcome(first) == _outcome(second)
