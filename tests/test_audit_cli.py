"""`provenance audit` on real batches (issue 20, item 4): rows streamed as articles finish, quiet in logs and a
progress bar on a terminal, `--disable`, an article already in the index not reported as its own copy, and long
paths cut with an ellipsis."""

from __future__ import annotations

import importlib
import io
import json
import shutil
import sys

import pytest

from provenance.cli import io as cli_io
from provenance.model import AuditResult
from provenance.renderers.text import TableRenderer
from provenance.testing import run_cli


@pytest.fixture
def indexed(tmp_path, examples):
    """An index holding the wire story, and a batch of articles to audit."""
    index = tmp_path / "corpus.db"
    r = run_cli(["index", "add", str(index), str(examples / "wire-story.txt")])
    assert r.exit_code == 0, r.stderr
    batch = tmp_path / "batch"
    batch.mkdir()
    for name in ("scraped-copy.html", "rewrite-with-commentary.md", "independent-report.txt"):
        shutil.copy(examples / name, batch / name)
    return index, batch


def test_rows_are_written_as_each_article_finishes(indexed, monkeypatch):
    index, batch = indexed
    audit_module = importlib.import_module("provenance.index.auditing")
    seen: list[str] = []
    compare = audit_module.compare_documents

    def watching(src, derived, **kw):
        sys.stdout.flush()
        seen.append(sys.stdout.buffer.getvalue().decode("utf-8"))  # what was written before this comparison
        return compare(src, derived, **kw)

    monkeypatch.setattr(audit_module, "compare_documents", watching)
    r = run_cli(["audit", str(index), str(batch / "*")])
    assert r.exit_code == 0, r.stderr
    rows = r.stdout.splitlines()[1:]
    assert len(rows) == 3 and len(seen) >= 2
    assert seen[0].splitlines()[1:] == []  # the header only, before the first comparison
    assert (
        seen[-1].splitlines()[1:] == rows[: len(seen[-1].splitlines()) - 1] and len(seen[-1].splitlines()) > 1
    )


def test_jsonl_streams_too_and_files_are_written_whole(indexed, tmp_path):
    index, batch = indexed
    r = run_cli(["audit", str(index), str(batch / "*"), "-f", "jsonl"])
    assert r.exit_code == 0 and len(r.stdout.splitlines()) == 3
    out = tmp_path / "a.jsonl"
    r2 = run_cli(["audit", str(index), str(batch / "*"), "-f", "jsonl", "-o", str(out)])
    assert r2.exit_code == 0 and out.read_text(encoding="utf-8") == r.stdout


def test_quiet_in_logs_with_a_bar_on_a_terminal(indexed, monkeypatch):
    index, batch = indexed
    r = run_cli(["audit", str(index), str(batch / "*")])
    assert r.exit_code == 0 and r.stderr == ""  # not a terminal: nothing on stderr

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.setattr(sys, "stderr", Terminal())
    assert cli_io.progress_bar("auditing") is not None
    monkeypatch.setattr(sys, "stderr", io.StringIO())
    assert cli_io.progress_bar("auditing") is None


def test_disable_switches_a_detector_off(indexed):
    index, batch = indexed
    r = run_cli(["audit", str(index), str(batch / "scraped-copy.html"), "-f", "json", "--disable", "copy"])
    assert r.exit_code == 0, r.stderr
    [result] = json.loads(r.stdout)
    detectors = [d for rep in result["reports"].values() for d in rep["parameters"]["detectors"]]
    assert detectors and not any(d.endswith(":copy") for d in detectors)
    assert result["verdict"] != "copy"
    bad = run_cli(["audit", str(index), str(batch / "scraped-copy.html"), "--disable", "nosuch"])
    assert bad.exit_code == 2


def test_an_article_already_in_the_index_is_not_its_own_copy(indexed, tmp_path, examples):
    index, _ = indexed
    again = tmp_path / "elsewhere"
    again.mkdir()
    shutil.copy(examples / "wire-story.txt", again / "wire-story.txt")  # another id, the same text
    for article in (examples / "wire-story.txt", again / "wire-story.txt"):
        r = run_cli(["audit", str(index), str(article), "-f", "json"])
        assert r.exit_code == 0, r.stderr
        [result] = json.loads(r.stdout)
        assert result["verdict"] == "independent" and result["sources"] == [], article
    r = run_cli(["audit", str(index), str(again / "wire-story.txt"), "-f", "json", "--include-self"])
    [result] = json.loads(r.stdout)
    assert result["verdict"] == "copy" and result["sources"] == [str(examples / "wire-story.txt")]


def test_long_paths_keep_their_end_after_an_ellipsis():
    name = "/srv/newsroom/partner-feeds/2026/10/14/a-rather-long-article-name.html"
    result = AuditResult(name, "copy", {"copy": 1.0, "rewrite": 0.0, "added": 0.0}, ("wire",), (), ())
    row = TableRenderer().render_audit([result]).splitlines()[1]
    assert row.startswith("\u2026") and row.split()[0].endswith("a-rather-long-article-name.html")
    assert len(row.split()[0]) == 40
