"""Corpus audit at scale, end to end through the CLI: `provenance index add` a synthetic corpus, then
`provenance audit` many derived articles against it. Prints a table of times, rates, peak memory and accuracy.

    python bench/audit_speed.py [--paragraphs 1000000] [--articles 1000] [--jobs 2] [--workdir DIR]
                                [--index redis://127.0.0.1:6379/0?prefix=audit]

The index is an SQLite file in the work directory unless --index names another location (a Redis URL: the
prefix should be a new one; its size is then the server's used memory after the add, minus before).

The corpus (bench/synthetic.py) is written as JSONL, 10 paragraphs a document. The derived articles are of four
kinds, a quarter each, and each knows its true source document:

- copy: a corpus document with two of its paragraphs dropped;
- light: every paragraph with about 15% of its words dropped or swapped, plus one paragraph of new text;
- paraphrase: a document whose sentences are replaced by their MRPC paraphrases;
- independent: new text in the corpus's vocabulary, from no document (the audit must not invent a source).

Both commands run as child processes, so their peak RSS is measured on their own (getrusage of the children).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.child import run_child  # noqa: E402
from bench.synthetic import MRPC, BigramChain, _pairs, corpus_with_paraphrases, light_edit  # noqa: E402

DOC_SIZE = 10


def build(
    workdir: Path, n: int, articles: int, seed: int = 11, write: bool = True
) -> tuple[Path, Path, dict[str, tuple[str, str]]]:
    paragraphs, _, paraphrased = corpus_with_paraphrases(n, max(2000, articles * 4))
    corpus_file = workdir / "corpus.jsonl"
    if write:
        with corpus_file.open("w", encoding="utf-8") as fh:
            for d in range(0, len(paragraphs), DOC_SIZE):
                fh.write(
                    json.dumps(
                        {"id": f"doc-{d // DOC_SIZE}", "text": "\n\n".join(paragraphs[d : d + DOC_SIZE])}
                    )
                    + "\n"
                )
    rng = random.Random(seed)
    real_docs = list(range(len(paraphrased) // DOC_SIZE))
    _, sentences = _pairs()
    chain = BigramChain(sentences)
    fresh = chain.sentences(articles * 24, np.random.default_rng(seed + 1))
    n_docs = (len(paragraphs) + DOC_SIZE - 1) // DOC_SIZE
    derived_dir = workdir / "derived"
    derived_dir.mkdir(exist_ok=True)
    truth: dict[str, tuple[str, str]] = {}
    for a in range(articles):
        kind = ("copy", "light", "paraphrase", "independent")[a % 4]
        if kind == "paraphrase":
            doc = real_docs[rng.randrange(len(real_docs))]
            paras = paraphrased[doc * DOC_SIZE : (doc + 1) * DOC_SIZE]
        elif kind == "independent":
            doc = -1
            paras = [" ".join(fresh[(a * 8 + k) * 3 : (a * 8 + k) * 3 + 3]) for k in range(8)]
        else:
            doc = rng.randrange(n_docs)
            paras = paragraphs[doc * DOC_SIZE : (doc + 1) * DOC_SIZE]
            if kind == "copy":
                drop = set(rng.sample(range(len(paras)), 2))
                paras = [p for i, p in enumerate(paras) if i not in drop]
            else:
                paras = [light_edit(p, rng) for p in paras] + [" ".join(fresh[a * 24 : a * 24 + 3])]
        name = f"article-{a:05d}.txt"
        (derived_dir / name).write_text("\n\n".join(paras) + "\n", encoding="utf-8")
        truth[str(derived_dir / name)] = (kind, f"doc-{doc}" if doc >= 0 else "")
    return corpus_file, derived_dir, truth


def _run(cmd: list[str], plugins: bool = False) -> tuple[float, float]:
    """Elapsed time and peak RSS (MB) of one command, its own (wait4), not the largest of all children so far."""
    env = dict(os.environ)
    if not plugins:
        env["PROVENANCE_LOAD_PLUGINS"] = ""
    done = run_child(cmd, env)
    if done.code not in (0, 1):
        sys.exit(f"{' '.join(cmd[:4])}...: exit {done.code}: {done.stderr.strip()[-500:]}")
    return done.wall, done.peak_mb


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--paragraphs", type=int, default=1_000_000)
    ap.add_argument("--articles", type=int, default=1000)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--workdir", type=Path, default=None)
    ap.add_argument("--reuse", action="store_true", help="keep the corpus and index already in --workdir")
    ap.add_argument("--index", default=None, help="index location (default: corpus.db in the work directory)")
    ap.add_argument(
        "--plugins",
        action="store_true",
        help="let the commands load every installed plugin (default: the built-in components only, "
        "so an installed semantic plugin does not turn this into a model benchmark)",
    )
    ap.add_argument("--build-only", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.build_only:
        _, _, truth = build(args.workdir, args.paragraphs, args.articles, write=not args.reuse)
        (args.workdir / "truth.json").write_text(json.dumps(truth))
        return 0
    if not MRPC.exists():
        sys.exit(f"{MRPC}: MRPC is needed (../shared/benchmarks)")
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="provenance-audit-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    on_file = args.index is None or "://" not in args.index or args.index.startswith("sqlite://")
    index = Path(args.index or workdir / "corpus.db")
    location = args.index or str(index)
    reuse = args.reuse and (index.exists() if on_file else True)
    # Inputs are generated in a child process: a forked child's peak RSS counts its parent's pages at fork time, so
    # the parent must stay small for the two commands' figures to be their own.
    t0 = time.perf_counter()
    subprocess.run(
        [
            sys.executable,
            __file__,
            "--build-only",
            "--workdir",
            str(workdir),
            "--paragraphs",
            str(args.paragraphs),
            "--articles",
            str(args.articles),
        ]
        + (["--reuse"] if reuse else []),
        check=True,
    )
    t_build = time.perf_counter() - t0
    corpus_file, derived_dir = workdir / "corpus.jsonl", workdir / "derived"
    truth = {k: tuple(v) for k, v in json.loads((workdir / "truth.json").read_text()).items()}
    exe = [sys.executable, "-m", "provenance"]
    t_add = rss_add = float("nan")
    used_before = 0 if on_file else _redis_memory(location)
    if not reuse:
        if on_file:
            index.unlink(missing_ok=True)
        t_add, rss_add = _run(
            [*exe, "index", "add", location, str(corpus_file), "--jobs", str(args.jobs)], args.plugins
        )
    out = workdir / "audit.jsonl"
    t_audit, rss_audit = _run(
        [*exe, "audit", location, str(derived_dir), "--format", "jsonl", "-o", str(out)], args.plugins
    )
    results = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    found: dict[str, list[int]] = {}
    verdicts: dict[str, dict[str, int]] = {}
    for r in results:
        kind, source = truth[r["derived"]]
        best = r["sources"][0] if r["sources"] else ""
        found.setdefault(kind, []).append(int(best == source))
        verdicts.setdefault(kind, {}).setdefault(r["verdict"], 0)
        verdicts[kind][r["verdict"]] += 1
    size = index.stat().st_size if on_file else _redis_memory(location) - used_before
    print(
        f"corpus: {args.paragraphs:,} paragraphs in {args.paragraphs // DOC_SIZE:,} documents; "
        f"{len(results):,} articles audited (inputs generated in {t_build:.0f} s, in {workdir})\n"
    )
    print("| step | time | rate | peak RSS |")
    print("|---|---:|---:|---:|")
    print(
        f"| index add (--jobs {args.jobs}, extraction + fingerprinting + writing) | {t_add:,.0f} s | "
        f"{args.paragraphs / t_add:,.0f} paragraphs/s | {rss_add:,.0f} MB |"
    )
    print(
        f"| audit (retrieval + full comparison against the top 3 candidates) | {t_audit:,.0f} s | "
        f"{len(results) / t_audit:,.1f} articles/s | {rss_audit:,.0f} MB |"
    )
    what = "index file" if on_file else "Redis memory of the index"
    print(f"\n{what}: {size / 1e6:,.0f} MB ({size / args.paragraphs:,.0f} bytes/paragraph)\n")
    print("| kind | articles | true source ranked first | verdicts |")
    print("|---|---:|---:|---|")
    for kind in ("copy", "light", "paraphrase", "independent"):
        hits = found.get(kind, [])
        share = "-" if kind == "independent" else f"{np.mean(hits):.3f}" if hits else "-"
        v = ", ".join(f"{k} {c}" for k, c in sorted(verdicts.get(kind, {}).items()))
        print(f"| {kind} | {len(hits)} | {share} | {v} |")
    return 0


def _redis_memory(location: str) -> int:
    import redis

    return int(redis.Redis.from_url(location.split("?")[0]).info("memory")["used_memory"])


if __name__ == "__main__":
    sys.exit(main())
