"""Spark against the single machine, on the same data in the same run: `index add` + `audit` (SQLite) beside
`provenance.spark` fingerprinting and `find_sources` on a local SparkSession.

    python bench/spark_speed.py [--paragraphs 1000000] [--articles 1000] [--master local[2]] [--workdir DIR]

The corpus and the derived articles are bench/audit_speed.py's (a JSONL corpus of 10-paragraph documents; copies,
light edits, paraphrases and independent articles). The single-machine commands run as child processes with the
built-in components only; the Spark executors load the same (PROVENANCE_LOAD_PLUGINS=). Shuffle bytes are the
sum of the completed stages' shuffle writes, read from Spark's own REST API (every stage is kept in
WORKDIR/stages.json). The two audits are compared: the (article, source, verdict) sets must be the same. The
Spark output is then rendered by `provenance render` as JSON lines and compared with `audit --format jsonl`'s.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.audit_speed import _run  # noqa: E402


def stages(spark) -> list[dict]:
    """Every completed stage so far, with its metrics (Spark's REST API, /api/v1)."""
    sc = spark.sparkContext
    url = f"{sc.uiWebUrl}/api/v1/applications/{sc.applicationId}/stages?status=complete"
    with urllib.request.urlopen(url, timeout=30) as resp:
        return list(json.load(resp))


def shuffle_bytes(spark) -> int:
    """Shuffle bytes written by every completed stage so far."""
    return sum(int(s.get("shuffleWriteBytes", 0)) for s in stages(spark))


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--paragraphs", type=int, default=1_000_000)
    ap.add_argument("--articles", type=int, default=1000)
    ap.add_argument("--master", default="local[2]")
    ap.add_argument("--workdir", type=Path, default=None)
    args = ap.parse_args()
    workdir = (args.workdir or Path(tempfile.mkdtemp(prefix="provenance-spark-bench-"))).resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [sys.executable, str(ROOT / "bench" / "audit_speed.py"), "--build-only", "--workdir", str(workdir),
         "--paragraphs", str(args.paragraphs), "--articles", str(args.articles)],
        check=True,
    )  # fmt: skip
    corpus, derived = workdir / "corpus.jsonl", workdir / "derived"
    exe = [sys.executable, "-m", "provenance"]
    db = workdir / "corpus.db"
    db.unlink(missing_ok=True)
    t_add, _ = _run([*exe, "index", "add", str(db), str(corpus), "--jobs", "2"])
    out = workdir / "local.jsonl"
    t_audit, _ = _run([*exe, "audit", str(db), str(derived), "--format", "jsonl", "-o", str(out)])
    local = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]

    os.environ["PYSPARK_PYTHON"] = sys.executable
    from pyspark import StorageLevel
    from pyspark.sql import SparkSession

    from provenance.spark import find_sources, fingerprint, read_documents, write_results

    spark = (
        SparkSession.builder.master(args.master)
        .appName("provenance spark bench")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", "8")
        .config("spark.driver.memory", "2g")
        .config("spark.executorEnv.PROVENANCE_LOAD_PLUGINS", "")
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    t0 = time.perf_counter()
    records = fingerprint(read_documents(spark, str(corpus)), format_col="format").persist(
        StorageLevel.MEMORY_AND_DISK
    )
    paragraphs = records.count()
    t_fp = time.perf_counter() - t0
    records.unpersist()
    s0 = shuffle_bytes(spark)
    t0 = time.perf_counter()
    run = find_sources(str(derived), str(corpus), spark=spark)
    write_results(run.articles, str(workdir / "spark-out"), mode="overwrite")
    pairs = {(p.article_id, p.source_id, p.verdict) for p in run.pairs.collect()}
    failed = [r.error for r in run.articles.where("error is not null").select("error").collect()]
    t_spark = time.perf_counter() - t0
    shuffled = shuffle_bytes(spark) - s0
    (workdir / "stages.json").write_text(json.dumps(stages(spark), indent=1), encoding="utf-8")
    spark.stop()
    t0 = time.perf_counter()
    rendered = subprocess.run(
        [*exe, "render", str(workdir / "spark-out"), "--format", "jsonl"], capture_output=True, text=True
    )
    t_render = time.perf_counter() - t0

    expected = {(r["derived"], doc, rep["verdict"]) for r in local for doc, rep in r["reports"].items()}
    n = args.paragraphs
    print(
        f"corpus: {paragraphs:,} paragraphs ({n:,} generated); {len(local):,} articles; master {args.master}\n"
    )
    print("| step | time | per paragraph | shuffle bytes per paragraph |")
    print("|---|---:|---:|---:|")
    print(f"| single machine: index add --jobs 2 | {t_add:,.1f} s | {t_add / n * 1e6:,.0f} µs | - |")
    print(f"| single machine: audit | {t_audit:,.1f} s | {t_audit / n * 1e6:,.0f} µs | - |")
    print(f"| Spark: fingerprint (records counted) | {t_fp:,.1f} s | {t_fp / n * 1e6:,.0f} µs | - |")
    print(
        f"| Spark: find_sources + write (fingerprints both sides again) | {t_spark:,.1f} s | "
        f"{t_spark / n * 1e6:,.0f} µs | {shuffled / n:,.0f} |"
    )
    print(
        f"\nSpark fingerprint / index add: {t_fp / t_add:.2f}x; find_sources + write / (index add + audit): "
        f"{t_spark / (t_add + t_audit):.2f}x; shuffle in all: {shuffled / 1e6:,.0f} MB"
    )
    audit_lines = out.read_text(encoding="utf-8").splitlines()
    same_lines = sorted(rendered.stdout.splitlines()) == sorted(audit_lines)
    print(
        f"provenance render of the Spark output ({t_render:.1f} s, exit {rendered.returncode}): "
        f"{'the same JSON lines as audit' if same_lines else 'JSON lines differ from audit'}"
    )
    if failed:
        print(f"\n{len(failed)} articles failed on Spark, the first: {failed[0]}")
    same = pairs == expected
    print(
        f"\n(article, source, verdict): Spark {len(pairs):,}, single machine {len(expected):,}, "
        f"{'the same' if same else f'{len(pairs ^ expected)} differ'}"
    )
    return 0 if same else 1


if __name__ == "__main__":
    raise SystemExit(main())
