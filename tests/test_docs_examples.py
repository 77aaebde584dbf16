"""The example reports in docs/examples/ are generated from examples/ by scripts/gen_docs_examples.py; this test
regenerates them and fails when the committed pages differ, so they cannot drift from what the CLI prints."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
COMMITTED = ROOT / "docs" / "examples"


def test_generated_examples_are_up_to_date(tmp_path):
    fresh = tmp_path / "examples"
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "gen_docs_examples.py"), "--out", str(fresh)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    want = {p.name: p.read_text(encoding="utf-8") for p in fresh.iterdir()}
    have = {p.name: p.read_text(encoding="utf-8") for p in COMMITTED.iterdir()} if COMMITTED.is_dir() else {}
    stale = sorted(n for n in want if have.get(n) != want[n])
    extra = sorted(set(have) - set(want))
    assert not stale and not extra, (
        f"docs/examples is out of date (differs: {stale}, not generated: {extra}); "
        "run: python scripts/gen_docs_examples.py"
    )
    assert {"index.md", "check.md"} <= set(want)
