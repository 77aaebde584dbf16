"""Dump the JSON report of every comparison in the examples, the seeds, Clough and the news set, one file per pair,
so that a speed change can be shown to leave every report byte-identical:

    python -m bench.report_dump OUT_DIR            # before the change (e.g. from a checkout of main)
    python -m bench.report_dump OUT_DIR2           # after
    diff -r OUT_DIR OUT_DIR2

Plugins load as the environment says (`PROVENANCE_LOAD_PLUGINS=` for none). The JSON report is deterministic (no
timestamps, floats rounded), so it is written as it is.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"


def pairs() -> Iterator[tuple[str, Any, Any, str | None]]:
    """(name, source, derived, format of both or None) for every labelled comparison."""
    ex = ROOT / "examples"
    for name in (
        "wire-story-cp1252.txt",
        "rewrite-with-commentary.md",
        "scraped-copy.html",
        "independent-report.txt",
    ):
        yield f"examples-{name}", ex / "wire-story.txt", ex / name, None
    seeds = SHARED / "seeds"
    labels = json.loads((seeds / "labels.json").read_text(encoding="utf-8"))
    yield "seeds", seeds / labels["source"], seeds / labels["derived"], None
    yield "seeds-reversed", seeds / labels["derived"], seeds / labels["source"], None
    clough = SHARED / "benchmarks" / "clough-stevenson"
    for f in sorted(clough.glob("g*_task*.txt")):
        task = f.stem.split("_")[1]
        yield f"clough-{f.stem}", clough / f"orig_{task}.txt", f, None
    for story in sorted((SHARED / "benchmarks" / "news").glob("*.json")):
        data = json.loads(story.read_text(encoding="utf-8"))
        for i, v in enumerate(data["versions"]):
            yield f"news-{story.stem}-{i}", data["original"]["text"], v["text"], None


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    import provenance

    out = Path(argv[0])
    out.mkdir(parents=True, exist_ok=True)
    for name, src, der, fmt in pairs():
        report = provenance.compare(src, der, source_format=fmt, derived_format=fmt)
        (out / f"{name}.json").write_text(report.to_json(indent=1), encoding="utf-8")
    print(f"wrote {len(list(out.glob('*.json')))} reports to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
