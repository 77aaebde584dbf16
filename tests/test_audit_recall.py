"""`audit` finds what `compare` finds (issue 20, item 4): over every Clough & Stevenson answer, an answer that
`compare` judges derived from its task's source has that source among its audit's candidates, heavy paraphrases
included (Clough's g4pE_taska, which compare calls partial against orig_taska, had no candidate at all). The
corpus holds the set's three sources."""

from __future__ import annotations

import csv

import pytest

import provenance
from provenance.index.api import add_documents, audit
from provenance.testing import make_host


@pytest.fixture(scope="module")
def clough(shared):
    folder = shared / "benchmarks" / "clough-stevenson"
    with open(folder / "labels.csv", encoding="utf-8") as fh:
        rows = [r for r in csv.DictReader(fh) if r["Category"] != "orig"]
    return folder, rows


def test_every_answer_compare_finds_derived_is_found_by_audit(clough, tmp_path):
    folder, rows = clough
    host = make_host()
    sources = {t: folder / f"orig_task{t}.txt" for t in sorted({r["Task"] for r in rows})}
    index = tmp_path / "corpus.db"
    add_documents(str(index), [str(p) for p in sources.values()], host=host)
    answers = rows  # the independent answers too: one compare finds derived must be found
    run = audit(str(index), [str(folder / r["File"]) for r in answers], top=3, host=host)
    assert not run.errors and len(run.results) == len(answers)
    missed, caveat = [], []
    for r, result in zip(answers, run.results):
        source = str(sources[r["Task"]])
        if source in [doc for doc, _ in result.candidates]:
            continue
        verdict = provenance.compare(sources[r["Task"]], folder / r["File"], host=host).verdict
        (caveat if verdict == "independent" else missed).append((r["File"], r["Category"], verdict))
    assert not missed, f"audit misses sources that compare finds: {missed}"
    # The set's known caveat: a few answers copied parts of the Wikipedia page that are not in the excerpt kept
    # as the source; compare rightly finds nothing in common, and neither can retrieval. Each must be one.
    assert len([c for c in caveat if c[1] != "non"]) < len(answers) / 20, caveat
