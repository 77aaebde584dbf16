"""Accuracy over whole labelled sets: the seed pair (paragraph labels) and Clough & Stevenson (document grades).

    python bench/accuracy.py            # tables for text-provenance and the plain baseline

The same functions feed tests/test_accuracy.py, which asserts floors on these metrics.
"""

from __future__ import annotations

import csv
import json
import re
import sys
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
SEEDS = SHARED / "seeds"
CLOUGH = SHARED / "benchmarks" / "clough-stevenson"

GRADE_OK = {
    "cut": {"copy"},
    "light": {"copy", "rewrite"},
    "heavy": {"rewrite", "partial"},
    "non": {"independent"},
}


def _norm(s: str) -> str:
    return re.sub(r"\s+", " ", s.replace("\u2019", "'").replace("\u201c", '"').replace("\u201d", '"')).strip()


@dataclass
class SeedResult:
    correct: int
    total: int
    verdict: str
    expected_verdict: str
    rows: list[tuple[str, str, str]]  # (starts, expected, got)


def seed_labels(compare: Callable) -> SeedResult:
    """Compare the seed pair and score every labelled derived paragraph (boilerplate included)."""
    labels = json.loads((SEEDS / "labels.json").read_text(encoding="utf-8"))
    report = compare(SEEDS / labels["source"], SEEDS / labels["derived"])
    rows = []
    for item in labels["derived_paragraphs"]:
        start = _norm(item["starts"])
        match = [p for p in report.paragraphs if _norm(p.text).startswith(start)]
        got = match[0].relation if match else "(missing)"
        rows.append((item["starts"], item["label"], got))
    correct = sum(1 for _, e, g in rows if e == g)
    return SeedResult(correct, len(rows), report.verdict, labels["verdict"], rows)


@dataclass
class CloughResult:
    items: list[tuple[str, str, str]]  # (file, category, verdict)

    @property
    def binary_accuracy(self) -> float:
        ok = sum(1 for _, cat, v in self.items if (cat != "non") == (v != "independent"))
        return ok / len(self.items)

    @property
    def grade_accuracy(self) -> float:
        ok = sum(1 for _, cat, v in self.items if v in GRADE_OK[cat])
        return ok / len(self.items)

    def confusion(self) -> dict[str, Counter]:
        table: dict[str, Counter] = {c: Counter() for c in ("cut", "light", "heavy", "non")}
        for _, cat, v in self.items:
            table[cat][v] += 1
        return table


def clough(compare: Callable) -> CloughResult:
    rows = list(csv.DictReader((CLOUGH / "labels.csv").open(encoding="utf-8")))
    items = []
    for row in rows:
        if row["Category"] == "orig":
            continue
        report = compare(CLOUGH / f"orig_task{row['Task']}.txt", CLOUGH / row["File"])
        items.append((row["File"], row["Category"], report.verdict))
    return CloughResult(items)


# The plain baseline the issue names: best source paragraph by word 5-gram containment, else content containment.

@dataclass
class _BaselineParagraph:
    text: str
    relation: str


@dataclass
class _BaselineReport:
    verdict: str
    paragraphs: list[_BaselineParagraph]


def baseline_compare(source: Path, derived: Path) -> _BaselineReport:
    from provenance.boilerplate import classify
    from provenance.decode import decode
    from provenance.segment import blocks_from_plain_text, paragraphs_from_blocks
    from provenance.text import tokenize

    def paras(path: Path):
        text, _ = decode(path.read_bytes(), str(path))
        return classify(paragraphs_from_blocks(blocks_from_plain_text(text.replace("\r\n", "\n"))))

    def grams(tokens, n=5):
        words = [t.norm for t in tokens]
        return {tuple(words[i : i + n]) for i in range(len(words) - n + 1)}

    src = [p for p in paras(source) if not p.is_boilerplate]
    src_grams = [grams(tokenize(p.text)) for p in src]
    src_content = [{t.content for t in tokenize(p.text) if t.content} for p in src]
    out = []
    totals = Counter()
    for p in paras(derived):
        if p.is_boilerplate:
            out.append(_BaselineParagraph(p.text, "boilerplate"))
            continue
        toks = tokenize(p.text)
        g = grams(toks)
        c = {t.content for t in toks if t.content}
        best_g = max((len(g & s) / len(g) for s in src_grams), default=0.0) if g else 0.0
        best_c = max((len(c & s) / len(c) for s in src_content), default=0.0) if c else 0.0
        rel = "copy" if best_g >= 0.5 else "rewrite" if best_c >= 0.5 else "added"
        out.append(_BaselineParagraph(p.text, rel))
        totals[rel] += len(toks)
    body = sum(totals.values()) or 1
    derived_share = (totals["copy"] + totals["rewrite"]) / body
    verdict = ("independent" if derived_share < 0.2 else "partial" if totals["added"] / body >= 0.35
               else "copy" if totals["copy"] / body >= 0.5 else "rewrite")
    return _BaselineReport(verdict, out)


def _print_tables(name: str, compare: Callable) -> None:
    seeds = seed_labels(compare)
    cl = clough(compare)
    print(f"\n## {name}\n")
    print(f"seeds: {seeds.correct}/{seeds.total} paragraph labels, verdict {seeds.verdict} "
          f"(expected {seeds.expected_verdict})")
    for starts, exp, got in seeds.rows:
        if exp != got:
            print(f"  miss: {starts[:50]!r}: expected {exp}, got {got}")
    print(f"clough: derived-vs-non accuracy {cl.binary_accuracy:.3f}, grade accuracy {cl.grade_accuracy:.3f} "
          f"(n={len(cl.items)})")
    verdicts = ("copy", "rewrite", "partial", "independent")
    print(f"  {'':8}" + "".join(f"{v:>12}" for v in verdicts))
    for cat, counts in cl.confusion().items():
        print(f"  {cat:8}" + "".join(f"{counts[v]:>12}" for v in verdicts))


def main() -> int:
    if not CLOUGH.is_dir() or not SEEDS.is_dir():
        print(f"labelled sets not found beside the project ({SHARED})", file=sys.stderr)
        return 3
    import provenance

    _print_tables("text-provenance", provenance.compare)
    _print_tables("baseline (5-gram containment, else content containment)", baseline_compare)
    return 0


if __name__ == "__main__":
    sys.exit(main())
