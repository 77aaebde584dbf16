"""The real-news set (../shared/benchmarks/news): 12 stories, each an original and 7-8 versions found on the web,
with a verdict per version and a label per paragraph (copy / rewrite / added / boilerplate).

Every version is compared with its story's original as a user would run `provenance compare`: the two texts as
they are stored, segmented by the tool. The set's labels are on its own paragraphs (the text split on blank lines,
or on single newlines when a page has none); the tool's paragraphs are mapped onto them by the lines they cover,
and a labelled paragraph takes the relation of the tool's paragraphs over most of its words. Paragraphs flagged
`shared_quote` or `source_beyond_excerpt` are left out of the headline figures, as the set's README asks.

    python -m bench.news                 # figures, lexical and with the plugins, beside the 5-gram baseline
    python -m bench.news --cv            # and the leave-one-story-out cross-validation of the thresholds
"""

from __future__ import annotations

import json
import re
import sys
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
NEWS = ROOT.parent / "shared" / "benchmarks" / "news"

LABELS = ("copy", "rewrite", "added", "boilerplate")
VERDICTS = ("copy", "rewrite", "partial", "independent")
EXCLUDED_FLAGS = ("shared_quote", "source_beyond_excerpt")


def split_paragraphs(text: str) -> list[str]:
    """The set's own paragraph rule (its README)."""
    parts = re.split(r"\n[ \t]*\n", text) if re.search(r"\n[ \t]*\n", text) else text.split("\n")
    return [p.strip() for p in parts if p.strip()]


@dataclass(frozen=True)
class Version:
    story: str  # file stem, e.g. "03_bitcoin-tops-100000"
    number: int  # position in the story's versions
    url: str
    verdict: str
    note: str
    text: str
    labels: tuple[str, ...]  # per labelled paragraph, lower case
    scored: tuple[bool, ...]  # per labelled paragraph: counted in headline figures
    language: str = "en"

    @property
    def name(self) -> str:
        return f"{self.story}#{self.number}"


@dataclass(frozen=True)
class Story:
    name: str
    original: str
    versions: tuple[Version, ...]


def load(path: Path = NEWS) -> list[Story]:
    stories = []
    for f in sorted(path.glob("*.json")):
        d = json.loads(f.read_text(encoding="utf-8"))
        versions = []
        for i, v in enumerate(d["versions"]):
            paras = v["paragraphs"]
            versions.append(Version(
                story=f.stem, number=i, url=v["url"], verdict=v["verdict"], note=v.get("note", ""), text=v["text"],
                labels=tuple(p["label"].lower() for p in paras),
                scored=tuple(not any(p.get(k) for k in EXCLUDED_FLAGS) for p in paras),
            ))
        stories.append(Story(f.stem, d["original"]["text"], tuple(versions)))
    return stories


def _line_spans(text: str, paragraphs: Sequence[str]) -> list[tuple[int, int]]:
    """1-based (first, last) line of each labelled paragraph inside `text`."""
    spans = []
    cursor = 0
    for p in paragraphs:
        at = text.find(p, cursor)
        if at < 0:  # whitespace differences: fall back to the first line's text
            at = text.find(p.split("\n")[0], cursor)
        at = max(at, cursor)
        first = text.count("\n", 0, at) + 1
        last = first + p.count("\n")
        spans.append((first, last))
        cursor = at + len(p)
    return spans


def map_labels(text: str, report_paragraphs: Sequence[Any]) -> list[str]:
    """For each of the set's paragraphs, the relation the tool gave most of its words (by the lines they share)."""
    labelled = split_paragraphs(text)
    spans = _line_spans(text, labelled)
    out = []
    for first, last in spans:
        votes: Counter[str] = Counter()
        for p in report_paragraphs:
            lo, hi = getattr(p, "start_line", None), getattr(p, "end_line", None)
            if lo is None or hi is None:
                continue
            if lo <= last and hi >= first:
                votes[p.relation] += max(1, getattr(p, "words", 1))
        out.append(votes.most_common(1)[0][0] if votes else "added")
    return out


@dataclass
class VersionResult:
    version: Version
    verdict: str
    labels: list[str]
    report: Any = None


@dataclass
class NewsResult:
    rows: list[VersionResult] = field(default_factory=list)

    def pairs(self, *, headline: bool = True) -> list[tuple[str, str]]:
        out = []
        for r in self.rows:
            for exp, got, scored in zip(r.version.labels, r.labels, r.version.scored):
                if scored or not headline:
                    out.append((exp, got))
        return out

    def confusion(self) -> dict[str, Counter[str]]:
        table: dict[str, Counter[str]] = {k: Counter() for k in LABELS}
        for exp, got in self.pairs():
            table[exp][got] += 1
        return table

    def f1(self) -> dict[str, float]:
        pairs = self.pairs()
        out = {}
        for k in LABELS:
            tp = sum(1 for e, g in pairs if e == k and g == k)
            fp = sum(1 for e, g in pairs if e != k and g == k)
            fn = sum(1 for e, g in pairs if e == k and g != k)
            out[k] = 2 * tp / max(1, 2 * tp + fp + fn)
        return out

    @property
    def macro_f1(self) -> float:
        f = self.f1()
        return sum(f.values()) / len(f)

    @property
    def accuracy(self) -> float:
        pairs = self.pairs()
        return sum(e == g for e, g in pairs) / max(1, len(pairs))

    @property
    def verdict_accuracy(self) -> float:
        return sum(r.verdict == r.version.verdict for r in self.rows) / max(1, len(self.rows))

    def verdict_confusion(self) -> dict[str, Counter[str]]:
        table: dict[str, Counter[str]] = {k: Counter() for k in VERDICTS}
        for r in self.rows:
            table[r.version.verdict][r.verdict] += 1
        return table

    def independent_called_derived(self) -> list[VersionResult]:
        return [r for r in self.rows if r.version.verdict == "independent" and r.verdict in ("copy", "rewrite")]

    def rewrites_called_independent(self) -> list[VersionResult]:
        return [r for r in self.rows if r.version.verdict == "rewrite" and r.verdict == "independent"]

    def summary(self) -> dict[str, Any]:
        return {
            "paragraphs": len(self.pairs()),
            "accuracy": round(self.accuracy, 3),
            "macro_f1": round(self.macro_f1, 3),
            "f1": {k: round(v, 3) for k, v in self.f1().items()},
            "verdict_accuracy": round(self.verdict_accuracy, 3),
            "independent_called_derived": len(self.independent_called_derived()),
            "rewrites_called_independent": len(self.rewrites_called_independent()),
        }


def evaluate(compare: Callable[[str, str], Any], stories: Sequence[Story] | None = None,
             keep_reports: bool = False) -> NewsResult:
    """Compare every version with its original (texts as stored) and score verdicts and paragraph labels."""
    stories = load() if stories is None else stories
    result = NewsResult()
    for story in stories:
        for v in story.versions:
            report = compare(story.original, v.text)
            labels = map_labels(v.text, report.paragraphs)
            result.rows.append(VersionResult(v, report.verdict, labels, report if keep_reports else None))
    return result


# The plain baseline: best source paragraph by word 5-gram containment, else content containment -----------------

_WORD = re.compile(r"\w+")


@dataclass
class _BaselineParagraph:
    relation: str
    start_line: int
    end_line: int
    words: int


@dataclass
class _BaselineReport:
    verdict: str
    paragraphs: list[_BaselineParagraph]


def baseline_compare(source: str, derived: str) -> _BaselineReport:
    """What a user writes in 40 lines: the set's paragraphs, 5-gram containment against the best source paragraph
    (copy at 0.5), else word containment (rewrite at 0.5), short lines boilerplate, and a verdict from the shares."""
    def grams(words: list[str], n: int = 5) -> set[tuple[str, ...]]:
        return {tuple(words[i : i + n]) for i in range(len(words) - n + 1)}

    src = [[w.lower() for w in _WORD.findall(p)] for p in split_paragraphs(source)]
    src_grams = [grams(w) for w in src]
    src_words = [set(w) for w in src]
    paragraphs = []
    totals: Counter[str] = Counter()
    spans = _line_spans(derived, split_paragraphs(derived))
    for p, (first, last) in zip(split_paragraphs(derived), spans):
        words = [w.lower() for w in _WORD.findall(p)]
        if len(words) <= 6:
            paragraphs.append(_BaselineParagraph("boilerplate", first, last, len(words)))
            continue
        g, ws = grams(words), set(words)
        best_g = max((len(g & s) / len(g) for s in src_grams), default=0.0) if g else 0.0
        best_w = max((len(ws & s) / len(ws) for s in src_words), default=0.0) if ws else 0.0
        rel = "copy" if best_g >= 0.5 else "rewrite" if best_w >= 0.5 else "added"
        paragraphs.append(_BaselineParagraph(rel, first, last, len(words)))
        totals[rel] += len(words)
    body = sum(totals.values()) or 1
    derived_share = (totals["copy"] + totals["rewrite"]) / body
    verdict = ("independent" if derived_share < 0.2 else "partial" if totals["added"] / body >= 0.35
               else "copy" if totals["copy"] / body >= 0.5 else "rewrite")
    return _BaselineReport(verdict, paragraphs)


# Printing --------------------------------------------------------------------------------------------------------

def print_result(name: str, r: NewsResult, *, details: bool = True) -> None:
    s = r.summary()
    print(f"\n## {name}\n")
    print(f"paragraphs {s['paragraphs']}: accuracy {s['accuracy']:.3f}, macro-F1 {s['macro_f1']:.3f} ("
          + ", ".join(f"{k} {v:.2f}" for k, v in s["f1"].items()) + ")")
    print(f"verdicts {len(r.rows)}: accuracy {s['verdict_accuracy']:.3f}; independent called copy/rewrite "
          f"{s['independent_called_derived']}; rewrites called independent {s['rewrites_called_independent']}")
    print(f"  {'label':12}" + "".join(f"{k:>12}" for k in LABELS))
    for k, row in r.confusion().items():
        print(f"  {k:12}" + "".join(f"{row[g]:>12}" for g in LABELS))
    print(f"  {'verdict':12}" + "".join(f"{k:>12}" for k in VERDICTS))
    for k, row in r.verdict_confusion().items():
        print(f"  {k:12}" + "".join(f"{row[g]:>12}" for g in VERDICTS))
    if details:
        for row in r.rows:
            if row.verdict != row.version.verdict:
                print(f"  {row.version.name}: expected {row.version.verdict}, got {row.verdict} "
                      f"({row.version.note[:70]})")


def main(argv: list[str] | None = None) -> int:
    from bench import accuracy

    args = sys.argv[1:] if argv is None else argv
    if not NEWS.is_dir():
        print(f"the news set is not beside the project ({NEWS})", file=sys.stderr)
        return 3
    stories = load()
    print_result("lexical (built-in plugins only)", evaluate(accuracy.compare_with(accuracy.lexical_host()), stories))
    if "--lexical" not in args:
        full = accuracy.plugins_host()
        if full is not None:
            print_result("with the plugins", evaluate(accuracy.compare_with(full), stories))
    print_result("baseline (5-gram containment, else word containment)", evaluate(baseline_compare, stories),
                 details=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
