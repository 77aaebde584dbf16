"""Speed, as ratios against baselines measured in the same run (the machines are shared and noisy).

    python bench/speed.py          (or python -m bench.speed)

1. Fingerprinting throughput (paragraphs/s): our batch path vs datasketch's per-token `MinHash.update` loop (the
   naive way, default sha1 hash and our xxh32) and datasketch's own `update_batch`.
2. `compare` on two ~1,000-word articles: in-process (after warm-up) vs the plain 5-gram baseline comparator, and
   end to end (`provenance compare ... --format json` as a new process) vs a bare `python -c pass`.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(
    0, str(ROOT)
)  # `python bench/speed.py` as well as `python -m bench.speed`: `bench` is importable
CLOUGH = ROOT.parent / "shared" / "benchmarks" / "clough-stevenson"


def median_time(fn, repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def corpus_paragraphs() -> list[str]:
    paras = []
    for f in sorted(CLOUGH.glob("*.txt")):
        from provenance.text.decode import decode

        text, _ = decode(f.read_bytes(), str(f))
        paras.extend(p.strip() for p in text.replace("\r\n", "\n").split("\n") if len(p.split()) >= 8)
    return paras


def bench_fingerprints() -> list[tuple[str, float, float]]:
    from datasketch import MinHash

    from provenance.fingerprint import FingerprintParams, hash32, signatures, wording_shingles
    from provenance.text.tokenize import tokenize

    params = FingerprintParams()
    paras = corpus_paragraphs()
    while len(paras) < 2000:
        paras = paras + paras
    paras = paras[:2000]
    shingles = [wording_shingles(tokenize(p), params.wording_ngram) for p in paras]

    def ours():
        signatures(shingles, params.num_perm, params.seed)

    def per_token(hashfunc=None):
        def run():
            for sh in shingles:
                m = MinHash(
                    num_perm=params.num_perm, seed=params.seed, **({"hashfunc": hashfunc} if hashfunc else {})
                )
                for s in sh:
                    m.update(s)

        return run

    def batch():
        for sh in shingles:
            m = MinHash(num_perm=params.num_perm, seed=params.seed, hashfunc=hash32)
            m.update_batch(sh)

    n = len(paras)
    base = median_time(per_token(), 3)
    rows = [("datasketch MinHash.update per token (sha1)", n / base, 1.0)]
    for label, fn in (
        ("datasketch MinHash.update per token (xxh32)", per_token(hash32)),
        ("datasketch MinHash.update_batch (xxh32)", batch),
        ("provenance batch signatures (xxh32)", ours),
    ):
        t = median_time(fn, 3)
        rows.append((label, n / t, base / t))
    return rows


def article_pair(words: int = 1000) -> tuple[str, str]:
    from provenance.text.decode import decode

    def read(name):
        return decode((CLOUGH / name).read_bytes(), name)[0]

    src = "\n\n".join(read(f"orig_task{t}.txt") for t in "abc")
    der = "\n\n".join(
        read(n)
        for n in (
            "g0pC_taska.txt",
            "g2pA_taskc.txt",
            "g0pE_taskb.txt",
            "g4pD_taska.txt",
            "g0pD_taskc.txt",
            "g1pB_taskc.txt",
            "g2pE_taskb.txt",
            "g3pA_taskb.txt",
        )
    )

    def cut(text):
        out, n = [], 0
        for para in text.split("\n\n"):
            out.append(para)
            n += len(para.split())
            if n >= words:
                break
        return "\n\n".join(out)

    return cut(src), cut(der)


def bench_compare() -> list[tuple[str, float, float]]:
    import provenance
    from bench.accuracy import baseline_compare

    src, der = article_pair()
    with tempfile.TemporaryDirectory() as tmp:
        a, b = Path(tmp) / "source.txt", Path(tmp) / "derived.txt"
        a.write_text(src, encoding="utf-8")
        b.write_text(der, encoding="utf-8")
        provenance.compare(a, b)  # warm-up: plugin host, wordfreq table, stemmer
        ours = median_time(lambda: provenance.compare(a, b), 9)
        base = median_time(lambda: baseline_compare(a, b), 9)
        cli = [sys.executable, "-m", "provenance", "compare", str(a), str(b), "--format", "json"]
        e2e = median_time(lambda: subprocess.run(cli, check=True, capture_output=True), 3)
        bare = median_time(lambda: subprocess.run([sys.executable, "-c", "pass"], check=True), 3)
        helptime = median_time(
            lambda: subprocess.run(
                [sys.executable, "-m", "provenance", "--help"], check=True, capture_output=True
            ),
            3,
        )
    print(f"articles: source {len(src.split())} words, derived {len(der.split())} words")
    return [
        ("compare in-process", ours * 1000, ours / base),
        ("  baseline 5-gram comparator in-process", base * 1000, 1.0),
        ("compare end to end (new process)", e2e * 1000, e2e / bare),
        ("provenance --help (new process)", helptime * 1000, helptime / bare),
        ("  python -c pass (new process)", bare * 1000, 1.0),
    ]


def main() -> int:
    if not CLOUGH.is_dir():
        print(f"{CLOUGH} not found", file=sys.stderr)
        return 3
    print("| fingerprinting (2,000 paragraphs, 64 permutations) | paragraphs/s | x per-token sha1 loop |")
    print("|---|---:|---:|")
    for label, rate, ratio in bench_fingerprints():
        print(f"| {label} | {rate:,.0f} | {ratio:.1f}x |")
    print()
    rows = bench_compare()
    print("| compare | ms (median) | ratio to its baseline |")
    print("|---|---:|---:|")
    for label, ms, ratio in rows:
        print(f"| {label} | {ms:,.1f} | {ratio:.2f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
