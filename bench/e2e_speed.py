"""End to end speed, each pipeline a new process, in one run (the machines are shared and noisy: compare ratios):

    python -m bench.e2e_speed [--files 3000] [--audit-paragraphs 1000000] [--audit-articles 1000]

1. Indexing files: `provenance index add` (one job and `--jobs 2`) against ten-line scripts a user could write
   instead, on the same files: datasketch (str.split, word 5-gram shingles, `update_batch`, `MinHashLSH.insert`)
   and rensa (`RMinHash`, `RMinHashLSH`; rensa is a bench-only dependency). The corpus is FILES files of 8
   news-like paragraphs built from MRPC sentences (bench/synthetic.py). The scripts do no decoding, boilerplate,
   stemming or storage; `index add` does all of these.
2. Cold `provenance compare` of the seeds without plugins (`PROVENANCE_LOAD_PLUGINS=`) against a bare
   `python -c pass`.
3. Audit throughput and peak memory against an index of AUDIT_PARAGRAPHS paragraphs: bench/audit_speed.py, run
   from here (0 skips it; a million paragraphs takes a long while to build).

Times are wall clock (median of --repeat runs) and CPU time (user + system of the child, which a loaded machine
inflates less).
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SEEDS = ROOT.parent / "shared" / "seeds"
PARAGRAPHS_PER_FILE = 8

_DATASKETCH = """
import sys
from pathlib import Path
from datasketch import MinHash, MinHashLSH
lsh = MinHashLSH(threshold=0.5, num_perm=64)
for f in sorted(Path(sys.argv[1]).glob("*.txt")):
    for i, para in enumerate(f.read_text(encoding="utf-8").split("\\n\\n")):
        words = para.split()
        m = MinHash(num_perm=64)
        m.update_batch([" ".join(words[k : k + 5]).encode() for k in range(max(1, len(words) - 4))])
        lsh.insert(f"{f.name}:{i}", m)
"""

_RENSA = """
import sys
from pathlib import Path
from rensa import RMinHash, RMinHashLSH
lsh = RMinHashLSH(threshold=0.5, num_perm=64, num_bands=16)
key = 0
for f in sorted(Path(sys.argv[1]).glob("*.txt")):
    for para in f.read_text(encoding="utf-8").split("\\n\\n"):
        words = para.split()
        m = RMinHash(num_perm=64, seed=1)
        m.update([" ".join(words[k : k + 5]) for k in range(max(1, len(words) - 4))])
        lsh.insert(key, m)
        key += 1
"""


def write_corpus(folder: Path, files: int) -> int:
    from bench.synthetic import corpus

    paragraphs, _ = corpus(files * PARAGRAPHS_PER_FILE, 0)
    for f in range(files):
        part = paragraphs[f * PARAGRAPHS_PER_FILE : (f + 1) * PARAGRAPHS_PER_FILE]
        (folder / f"a{f:05d}.txt").write_text("\n\n".join(part) + "\n", encoding="utf-8")
    return len(paragraphs)


def run(cmd: list[str], env: dict[str, str] | None = None, before=None) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of one child process."""
    if before:
        before()
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True, capture_output=True, env=env)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - used.ru_utime) + (after.ru_stime - used.ru_stime)


def median_run(
    cmd: list[str], repeat: int, env: dict[str, str] | None = None, before=None
) -> tuple[float, float]:
    runs = [run(cmd, env, before) for _ in range(repeat)]
    return statistics.median(r[0] for r in runs), statistics.median(r[1] for r in runs)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--files", type=int, default=3000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--audit-paragraphs", type=int, default=1_000_000)
    ap.add_argument("--audit-articles", type=int, default=1000)
    args = ap.parse_args()
    py = sys.executable
    with tempfile.TemporaryDirectory(prefix="provenance-e2e-") as tmp:
        folder = Path(tmp) / "corpus"
        folder.mkdir()
        n = write_corpus(folder, args.files)
        db = Path(tmp) / "index.db"

        def fresh() -> None:
            db.unlink(missing_ok=True)

        rows = []
        for label, cmd in (
            ("datasketch script", [py, "-c", _DATASKETCH, str(folder)]),
            ("rensa script", [py, "-c", _RENSA, str(folder)]),
            (
                "`provenance index add`, one job",
                [py, "-m", "provenance", "index", "add", str(db), str(folder)],
            ),
            (
                "`provenance index add --jobs 2`",
                [py, "-m", "provenance", "index", "add", str(db), str(folder), "--jobs", "2"],
            ),
        ):
            wall, cpu = median_run(cmd, args.repeat, before=fresh)
            rows.append((label, wall, cpu))
        rensa_wall = rows[1][1]
        one_job_wall = rows[2][1]
        print(f"corpus: {args.files:,} files, {n:,} paragraphs\n")
        print("| pipeline | paragraphs/s (wall) | x rensa | x one job | CPU s |")
        print("|---|---:|---:|---:|---:|")
        for label, wall, cpu in rows:
            print(
                f"| {label} | {n / wall:,.0f} | {rensa_wall / wall:.2f} | {one_job_wall / wall:.2f} | {cpu:.2f} |"
            )

        src, der = SEEDS / "000_e993ff611d2643c6.txt", SEEDS / "002_9559ece6654a172b.txt"
        # As an installed package starts: with its bytecode cached (one untimed run writes it, should the
        # environment say not to).
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        env["PROVENANCE_LOAD_PLUGINS"] = ""
        run([py, "-m", "provenance", "compare", str(src), str(der), "--format", "json"], env)
        cold = median_run(
            [py, "-m", "provenance", "compare", str(src), str(der), "--format", "json"],
            max(5, args.repeat),
            env,
        )
        bare = median_run([py, "-c", "pass"], max(5, args.repeat), env)
        print("\n| cold start | wall ms | CPU ms | x bare python (wall) |")
        print("|---|---:|---:|---:|")
        print(
            f"| `provenance compare` of the seeds, no plugins | {cold[0] * 1000:,.0f} | {cold[1] * 1000:,.0f} | "
            f"{cold[0] / bare[0]:.1f} |"
        )
        print(f"| `python -c pass` | {bare[0] * 1000:,.0f} | {bare[1] * 1000:,.0f} | 1.0 |")
    if args.audit_paragraphs:
        print(f"\naudit against {args.audit_paragraphs:,} paragraphs (bench/audit_speed.py):\n", flush=True)
        subprocess.run(
            [
                py,
                str(ROOT / "bench" / "audit_speed.py"),
                "--paragraphs",
                str(args.audit_paragraphs),
                "--articles",
                str(args.audit_articles),
            ],
            check=True,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
