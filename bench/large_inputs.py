"""Large inputs, end to end (issue 20, item 9): time and peak memory of `provenance compare` on generated articles
far past news length, with every installed plugin and without any (`PROVENANCE_LOAD_PLUGINS=`):

    python -m bench.large_inputs [--sizes 1,4] [--shapes line,paragraphs,html,feature] [--plugins with,without]

The shapes, each SIZE MB (the HTML page half of it, as the issue asks):

- `line`: one line, one paragraph of sentences (a text without a single line break);
- `paragraphs`: short paragraphs of three or four words, 50,000 per MB (200,000 at 4 MB);
- `html`: a page of small elements (links, spans, list items and short paragraphs in nested divs);
- `feature`: a 10,000-word feature (any SIZE), the longest article the scorers' cap must leave alone.

Every text is generated here (a seeded syllable vocabulary and English function words, so that sentences have
stopwords and content words); one sentence in ten of each derived article is taken from the source, so the
alignment and the scorers have real matches to follow. The source is a generated 1,500-word article. Each run is
one `provenance compare` child process writing the default text report to a file: wall time, CPU time and peak
resident memory from the child's own rusage (`os.wait4`), so no other process counts (the machines are shared:
CPU time is the steadier figure). The report's `limit:` lines say what was capped.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SYLLABLES = [
    "ka",
    "lo",
    "mi",
    "ne",
    "ru",
    "sa",
    "to",
    "vi",
    "de",
    "po",
    "la",
    "re",
    "an",
    "tel",
    "mor",
    "vak",
    "sen",
    "dur",
    "ip",
    "bo",
    "gri",
    "fen",
]
FUNCTION = [
    "the",
    "of",
    "and",
    "to",
    "in",
    "a",
    "is",
    "that",
    "for",
    "on",
    "was",
    "with",
    "as",
    "by",
    "at",
    "from",
    "it",
    "said",
]
GOAL_SECONDS = 60
GOAL_MB = 1024


def _words(rng: random.Random, n: int) -> list[str]:
    vocab = ["".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))) for _ in range(3000)]
    return [rng.choice(FUNCTION) if rng.random() < 0.35 else rng.choice(vocab) for _ in range(n)]


def _sentence(rng: random.Random, words: list[str]) -> str:
    n = rng.randint(8, 22)
    start = rng.randrange(0, len(words) - n)
    return " ".join(words[start : start + n]).capitalize() + "."


def source_text(seed: int = 1) -> tuple[str, list[str]]:
    """A 1,500-word generated news article in paragraphs of three sentences, and its sentences."""
    rng = random.Random(seed)
    words = _words(rng, 20000)
    sentences = [_sentence(rng, words) for _ in range(100)]
    paragraphs = [" ".join(sentences[i : i + 3]) for i in range(0, len(sentences), 3)]
    return "\n\n".join(paragraphs) + "\n", sentences


def _derived_sentences(rng: random.Random, borrowed: list[str]):
    words = _words(rng, 50000)
    while True:
        yield rng.choice(borrowed) if rng.random() < 0.1 else _sentence(rng, words)


def derived_text(shape: str, size_mb: float, borrowed: list[str], seed: int = 2) -> str:
    rng = random.Random(seed)
    target = int(size_mb * 1_000_000)
    out: list[str] = []
    used = 0
    if shape == "feature":
        sentences = _derived_sentences(rng, borrowed)
        count = 0
        while count < 10_000:
            paragraph = " ".join(next(sentences) for _ in range(3))
            out.append(paragraph)
            count += len(paragraph.split())
        return "\n\n".join(out) + "\n"
    if shape == "line":
        for s in _derived_sentences(rng, borrowed):
            if used >= target:
                break
            out.append(s)
            used += len(s) + 1
        return " ".join(out) + "\n"
    if shape == "paragraphs":
        words = _words(rng, 50000)
        while used < target:
            n = rng.randint(3, 4)
            start = rng.randrange(0, len(words) - n)
            p = " ".join(words[start : start + n]).capitalize() + "."
            out.append(p)
            used += len(p) + 2
        return "\n\n".join(out) + "\n"
    if shape == "html":
        target //= 2
        sentences = _derived_sentences(rng, borrowed)
        words = _words(rng, 20000)
        out.append("<!doctype html><html><head><title>A long page</title></head><body><main><article>")
        while used < target:
            w = rng.sample(words, 3)
            piece = rng.choice(
                [
                    f'<div class="c"><a href="/{w[0]}">{w[1]}</a></div>',
                    f"<span>{w[0]} {w[1]}</span>",
                    f"<ul><li>{w[0]}</li><li>{w[1]} {w[2]}</li></ul>",
                    f"<p>{next(sentences)}</p>",
                    f"<div><div><em>{w[2]}</em></div></div>",
                ]
            )
            out.append(piece)
            used += len(piece)
        out.append("</article></main></body></html>")
        return "\n".join(out) + "\n"
    raise ValueError(f"unknown shape {shape!r}")


def measure(source: Path, derived: Path, plugins: bool) -> dict[str, object]:
    """One `provenance compare` child (the default text report, to a file): wall seconds, CPU seconds, peak RSS
    (MB, the child's own) and the report's `limit:` notes (what was capped)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    if not plugins:
        env["PROVENANCE_LOAD_PLUGINS"] = ""
    else:
        env.pop("PROVENANCE_LOAD_PLUGINS", None)
    out = derived.with_suffix(".report.txt")
    cmd = [sys.executable, "-m", "provenance", "compare", str(source), str(derived), "-o", str(out)]
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
    code = os.waitstatus_to_exitcode(status)
    limits: list[str] = []
    if code == 0:
        text = " ".join(out.read_text(encoding="utf-8").split())  # notes are wrapped to the width
        for kept, side, total in re.findall(
            r"first ([\d,]+) of the (\w+) article's ([\d,]+) sentences", text
        ):
            limits.append(f"scorers read {kept} of {total} {side} sentences")
        if "ordered retelling was not computed" in text:
            limits.append("no retelling")
    return {
        "seconds": wall,
        "cpu": usage.ru_utime + usage.ru_stime,
        "peak_mb": usage.ru_maxrss / 1024,
        "exit": code,
        "error": err.strip().splitlines()[-1] if code else "",
        "limits": limits,
    }


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="1,4", help="derived article sizes in MB (comma-separated)")
    ap.add_argument("--shapes", default="line,paragraphs,html", help="line, paragraphs, html, feature")
    ap.add_argument("--plugins", default="with,without", help="with, without, or both (comma-separated)")
    args = ap.parse_args(argv)
    sizes = [float(s) for s in args.sizes.split(",")]
    shapes = args.shapes.split(",")
    modes = args.plugins.split(",")
    with tempfile.TemporaryDirectory(prefix="large-inputs-") as tmp:
        folder = Path(tmp)
        text, sentences = source_text()
        source = folder / "source.txt"
        source.write_text(text, encoding="utf-8")
        print(f"{'shape':<11}{'size':>9}{'plugins':>9}{'seconds':>9}{'CPU s':>8}{'peak MB':>9}  goal  limits")
        for shape in shapes:
            for size in sizes if shape != "feature" else [0.0]:
                body = derived_text(shape, size, sentences)
                derived = folder / f"{shape}-{size}.{'html' if shape == 'html' else 'txt'}"
                derived.write_text(body, encoding="utf-8")
                mb = len(body.encode("utf-8")) / 1_000_000
                for mode in modes:
                    got = measure(source, derived, mode == "with")
                    ok = got["exit"] == 0 and got["seconds"] <= GOAL_SECONDS and got["peak_mb"] <= GOAL_MB
                    status = "ok" if ok else ("FAIL" if got["exit"] == 0 else f"exit {got['exit']}")
                    print(
                        f"{shape:<11}{mb:>7.2f}MB{mode:>9}{got['seconds']:>9.1f}{got['cpu']:>8.1f}"
                        f"{got['peak_mb']:>9.0f}  "
                        f"{status:<5} {'; '.join(got['limits']) or got['error'] or '-'}",
                        flush=True,
                    )


if __name__ == "__main__":
    main()
