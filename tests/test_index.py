"""The embedded corpus index and `provenance audit`: incremental adds, parameters, multi-source articles,
interruption, concurrent reading and writing."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from provenance.errors import InputError, UsageError
from provenance.fingerprint import FingerprintParams
from provenance.index import IndexParams, open_index
from provenance.testing import run_cli

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"

MARKET = """Market hall to close for repairs

The Victorian market hall in Easterby will close for eight months from March while its iron roof is repaired, the borough council said on Thursday.

Traders will move to a temporary marquee on the cattle-market car park, where 46 stalls have been promised electricity and running water.

The repairs are expected to cost £3.1 million, of which a heritage fund will pay just over half.
"""

SCHOOL = """New school opens its doors

Carrow Farm primary school opened on Monday with 180 pupils, two years after the first plans were shown to parents in the village hall.

The building is heated by ground-source pumps and has a rooftop garden that the head teacher hopes will supply the kitchen with herbs.

Parents had campaigned for a safer crossing on the main road, and the county has agreed to add one before the summer term.
"""


@pytest.fixture()
def corpus(tmp_path: Path) -> Path:
    d = tmp_path / "corpus"
    d.mkdir()
    (d / "market.txt").write_text(MARKET, encoding="utf-8")
    (d / "school.txt").write_text(SCHOOL, encoding="utf-8")
    return d


def add(index: Path | str, *paths: str | Path, jobs: int = 1):
    return run_cli(["index", "add", str(index), *map(str, paths), "--jobs", str(jobs)])


def test_add_is_incremental_and_replaces_changed(index_location, corpus):
    idx = index_location
    r = add(idx, corpus)
    assert r.exit_code == 0 and "added 2" in r.stderr
    r = add(idx, corpus)
    assert "added 0, replaced 0, unchanged 2" in r.stderr
    (corpus / "market.txt").write_text(MARKET.replace("eight months", "ten months"), encoding="utf-8")
    r = add(idx, corpus)
    assert "added 0, replaced 1, unchanged 1" in r.stderr
    info = json.loads(run_cli(["index", "info", str(idx), "--json"]).stdout)
    assert info["documents"] == 2 and info["paragraphs"] == 8
    assert run_cli(["index", "remove", str(idx), str(corpus / "school.txt")]).exit_code == 0
    assert json.loads(run_cli(["index", "info", str(idx), "--json"]).stdout)["documents"] == 1


def test_parallel_fingerprinting_gives_the_same_index(tmp_path, corpus):
    a, b = tmp_path / "a.db", tmp_path / "b.db"
    add(a, corpus, jobs=1)
    add(b, corpus, jobs=2)
    ia, ib = open_index(str(a)), open_index(str(b))
    try:
        for doc_id in (str(corpus / "market.txt"), str(corpus / "school.txt")):
            assert ia.document(doc_id) == ib.document(doc_id)
        assert ia.info()["paragraphs"] == ib.info()["paragraphs"]
    finally:
        ia.close()
        ib.close()


def test_parallel_fingerprinting_in_batches_keeps_every_document_and_error_in_order(tmp_path):
    """More documents than one worker task holds, a broken file among them: the writer gets every document (with
    its text, which the workers do not send back) in input order, and the error, as with one job."""
    from provenance.index import add_documents
    from provenance.index.ingest import TASK_DOCUMENTS

    folder = tmp_path / "many"
    folder.mkdir()
    towns = ["Harrow", "Leeds", "Otley", "Wells", "Bury", "Selby", "Ripon"]
    for i in range(3 * TASK_DOCUMENTS + 5):
        town = towns[i % len(towns)]
        (folder / f"d{i:03d}.txt").write_text(
            f"The council of {town} voted {i} to {i + 3} on the new bus depot plan.\n\n"
            f"Residents of {town} had asked for {i + 7} more evening services since the spring.\n",
            encoding="utf-8",
        )
    (folder / "d050.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(64))  # not text: an error, not a stop
    runs = {}
    for jobs in (1, 2):
        idx = tmp_path / f"j{jobs}.db"
        summary = add_documents(idx, folder, jobs=jobs)
        index = open_index(str(idx))
        try:
            docs = [index.document(str(f)) for f in sorted(folder.glob("*.txt"))]
        finally:
            index.close()
        runs[jobs] = (summary.added, summary.errors, docs)
    assert runs[1][0] == 3 * TASK_DOCUMENTS + 4
    assert len(runs[1][1]) == 1 and "PNG" in runs[1][1][0]
    assert runs[2] == runs[1]
    assert all(d is None or d.text.startswith("The council of") for d in runs[2][2])


def test_workers_tell_unchanged_and_changed_documents_as_one_job_does(tmp_path):
    """With several jobs the workers read the files and compare their digests with the stored ones: a second add
    counts what is unchanged, replaces what changed, adds what is new, and reports an unreadable file."""
    from provenance.index import add_documents
    from provenance.index.ingest import TASK_DOCUMENTS

    folder = tmp_path / "desk"
    folder.mkdir()
    n = TASK_DOCUMENTS + 3
    for i in range(n):
        (folder / f"n{i:03d}.txt").write_text(
            f"The harbour board met {i} times this year to discuss the ferry timetable.\n\n"
            f"Fishermen at pier {i + 2} asked for longer mooring hours in winter.\n",
            encoding="utf-8",
        )
    for jobs in (1, 2):
        idx = tmp_path / f"again{jobs}.db"
        first = add_documents(idx, folder, jobs=jobs)
        assert (first.added, first.replaced, first.unchanged, first.errors) == (n, 0, 0, ())
        (folder / "n001.txt").write_text("The ferry timetable changed again on Monday.\n", encoding="utf-8")
        (folder / "zz_new.txt").write_text("A new slipway opens at the north pier.\n", encoding="utf-8")
        (folder / "zz_bad.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(64))
        second = add_documents(idx, folder, jobs=jobs)
        assert (second.added, second.replaced, second.unchanged) == (1, 1, n - 1)
        assert len(second.errors) == 1 and "zz_bad.txt" in second.errors[0]
        for f in ("n001.txt", "zz_new.txt", "zz_bad.txt"):
            (folder / f).unlink()
        (folder / "n001.txt").write_text(
            "The harbour board met 1 times this year to discuss the ferry timetable.\n\n"
            "Fishermen at pier 3 asked for longer mooring hours in winter.\n",
            encoding="utf-8",
        )
        index = open_index(str(idx))
        try:
            assert index.document(str(folder / "n001.txt")).text.startswith("The ferry timetable changed")
        finally:
            index.close()


def test_parameter_mismatch_is_refused(index_location, corpus):
    idx = index_location
    add(idx, corpus)
    with pytest.raises(UsageError, match="other parameters"):
        open_index(str(idx), params=IndexParams(FingerprintParams(num_perm=128), bands=64, rows=2))


def test_bad_locations_and_inputs(tmp_path, corpus):
    with pytest.raises(InputError, match="no such index"):
        open_index(str(tmp_path / "missing.db"))
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(InputError, match="not a text-provenance index"):
        open_index(str(junk))
    r = run_cli(["audit", str(tmp_path / "missing.db"), str(corpus / "market.txt")])
    assert r.exit_code == 3 and len(r.stderr.strip().splitlines()) == 1
    lines = tmp_path / "docs.jsonl"
    lines.write_text(
        json.dumps({"id": "m", "text": MARKET, "outlet": "Courier"})
        + "\n{broken\n"
        + json.dumps({"id": "x"})
        + "\n",
        encoding="utf-8",
    )
    r = add(tmp_path / "j.db", lines)
    assert r.exit_code == 3
    assert "added 1" in r.stderr and "docs.jsonl:2: not valid JSON" in r.stderr and "docs.jsonl:3" in r.stderr
    idx = open_index(str(tmp_path / "j.db"))
    try:
        assert idx.document("m").meta["outlet"] == "Courier"
    finally:
        idx.close()


def test_audit_attributes_each_paragraph_to_its_source(index_location, tmp_path, corpus):
    idx = index_location
    add(idx, corpus, EXAMPLES / "wire-story.txt")
    m, s = MARKET.split("\n\n"), SCHOOL.split("\n\n")
    mixed = tmp_path / "roundup.txt"
    mixed.write_text("\n\n".join(["Around the district this week", m[1], m[2], s[1], s[3]]), encoding="utf-8")
    r = run_cli(["audit", str(idx), str(mixed), str(EXAMPLES / "independent-report.txt"), "--format", "json"])
    assert r.exit_code == 0, r.stderr
    roundup, independent = json.loads(r.stdout)
    assert set(roundup["sources"]) == {str(corpus / "market.txt"), str(corpus / "school.txt")}
    by_index = {p["index"]: p["source"] for p in roundup["paragraphs"]}
    assert by_index[1] == by_index[2] == str(corpus / "market.txt")
    assert by_index[3] == by_index[4] == str(corpus / "school.txt")
    assert roundup["verdict"] == "copy"
    assert independent["verdict"] == "independent"
    table = run_cli(["audit", str(idx), str(EXAMPLES / "rewrite-with-commentary.md")])
    assert "rewrite" in table.stdout and "wire-story.txt" in table.stdout
    gate = run_cli(["audit", str(idx), str(mixed), "--fail-on", "verdict=copy"])
    assert gate.exit_code == 1


WRITER = """
import sys
from pathlib import Path
from provenance.index import open_index
from provenance.index.ingest import RawDocument, prepare
idx = open_index(sys.argv[1], create=True)
text = Path(sys.argv[2]).read_text(encoding="utf-8")
for i in range(100000):
    raw = RawDocument(f"doc-{i}", text.replace("140 homes", f"{i} homes"), "text")
    p = prepare(raw, idx.params)
    idx.put_many([(p.doc, p.prints)])
    print(i, flush=True)
"""


def _writer(tmp_path: Path, idx: Path | str) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(
        [sys.executable, "-c", WRITER, str(idx), str(EXAMPLES / "wire-story.txt")],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )


def test_kill_during_add_leaves_a_usable_index(index_location, tmp_path):
    idx = index_location
    proc = _writer(tmp_path, idx)
    for _ in range(15):
        proc.stdout.readline()
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    index = open_index(str(idx))
    try:
        n = index.info()["documents"]
        assert n >= 15
        assert all(index.document(f"doc-{i}") is not None for i in range(15))
    finally:
        index.close()
    r = run_cli(["audit", str(idx), str(EXAMPLES / "scraped-copy.html"), "--format", "json"])
    assert r.exit_code == 0 and json.loads(r.stdout)[0]["verdict"] == "copy"


def test_readers_audit_while_a_writer_adds(index_location, tmp_path):
    idx = index_location
    proc = _writer(tmp_path, idx)
    try:
        proc.stdout.readline()
        verdicts = []
        deadline = time.monotonic() + 20
        while len(verdicts) < 5 and time.monotonic() < deadline:
            r = run_cli(["audit", str(idx), str(EXAMPLES / "rewrite-with-commentary.md"), "--format", "json"])
            assert r.exit_code == 0, r.stderr
            verdicts.append(json.loads(r.stdout)[0]["verdict"])
        assert proc.poll() is None, "the writer kept writing while readers audited"
        assert verdicts and set(verdicts) <= {"rewrite", "partial"}
    finally:
        proc.kill()
        proc.wait()


def test_unreachable_redis_is_an_input_error(tmp_path):
    from provenance.testing import run_cli

    r = run_cli(["audit", "redis://127.0.0.1:1/0", str(EXAMPLES / "wire-story.txt")])
    assert r.exit_code == 3 and "cannot reach the Redis server" in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1
