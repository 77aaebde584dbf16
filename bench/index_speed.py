"""Index benchmarks on a synthetic corpus, against datasketch's MinHashLSH in the same run.

    python bench/index_speed.py [--paragraphs 20000] [--probes 1500] [--redis redis://127.0.0.1:6379/0]

Measures insert and query rates with signatures given, storage per paragraph, and the retrieval recall and
precision of candidates for copy, light-edit and paraphrase probes whose true source is known. Without --redis a
private redis-server is started on a free port when one is installed.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.synthetic import corpus  # noqa: E402
from provenance.fingerprint import FingerprintParams, content_shingles, signatures  # noqa: E402
from provenance.index.base import IndexParams, StoredDocument  # noqa: E402
from provenance.text import tokenize  # noqa: E402

DOC_SIZE = 10  # paragraphs per stored document


def _sigs(texts: list[str], params: FingerprintParams) -> np.ndarray:
    return signatures([content_shingles(tokenize(t)) for t in texts], params.num_perm, params.seed)


def _fill(index, paragraphs: list[str], sigs: np.ndarray) -> float:
    t0 = time.perf_counter()
    for d in range(0, len(paragraphs), DOC_SIZE):
        idxs = list(range(d, min(d + DOC_SIZE, len(paragraphs))))
        doc = StoredDocument(f"doc-{d // DOC_SIZE}", str(d), "text", "\n\n".join(paragraphs[i] for i in idxs))
        index.put(doc, [i - d for i in idxs], sigs[idxs])
    return time.perf_counter() - t0


def _recall(found, probes) -> dict[str, tuple[float, float]]:
    out = {}
    for kind in ("copy", "light", "paraphrase"):
        hit = cands = total = 0
        for cs, p in zip(found, probes):
            if p.kind != kind:
                continue
            total += 1
            want = (f"doc-{p.source // DOC_SIZE}", p.source % DOC_SIZE)
            hit += any((c.doc, c.paragraph) == want for c in cs)
            cands += len(cs)
        out[kind] = (hit / total, hit / cands if cands else 0.0)
    return out


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--paragraphs", type=int, default=20000)
    ap.add_argument("--probes", type=int, default=1500)
    ap.add_argument("--redis", default=None)
    args = ap.parse_args()

    fp = FingerprintParams()
    params = IndexParams(fp)
    paragraphs, probes = corpus(args.paragraphs, args.probes)
    t0 = time.perf_counter()
    sigs = _sigs(paragraphs, fp)
    t_fp = time.perf_counter() - t0
    qsigs = _sigs([p.text for p in probes], fp)
    n, q = len(paragraphs), len(probes)
    print(f"synthetic corpus: {n:,} paragraphs, {q:,} probes; fingerprinting {n / t_fp:,.0f} paragraphs/s "
          f"(tokenising included)\n")
    rows = []

    # datasketch in-memory MinHashLSH (baseline), same signatures, threshold matching our banding.
    from datasketch import MinHashLSH

    from provenance.fingerprint import to_datasketch

    lean = [to_datasketch(s) for s in sigs]
    lsh = MinHashLSH(num_perm=fp.num_perm, params=(params.bands, params.rows))
    t0 = time.perf_counter()
    for i, m in enumerate(lean):
        lsh.insert(i, m)
    t_ins = time.perf_counter() - t0
    qlean = [to_datasketch(s) for s in qsigs]
    t0 = time.perf_counter()
    for m in qlean:
        lsh.query(m)
    t_q = time.perf_counter() - t0
    base_ins, base_q = n / t_ins, q / t_q
    rows.append(("datasketch MinHashLSH, in memory", base_ins, base_q, None, None))

    # Embedded SQLite index.
    from provenance.index.sqlite import SqliteIndex

    with tempfile.TemporaryDirectory() as tmp:
        idx = SqliteIndex(str(Path(tmp) / "bench.db"), create=True, params=params)
        t_ins = _fill(idx, paragraphs, sigs)
        t0 = time.perf_counter()
        found = idx.candidates(qsigs, 0.0)
        t_q = time.perf_counter() - t0
        idx.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        size = os.path.getsize(Path(tmp) / "bench.db")
        rows.append(("provenance SQLite index", n / t_ins, q / t_q, size / n, _recall(found, probes)))
        idx.close()

    # Redis: datasketch's Redis storage vs ours, on the same server.
    server = None
    url = args.redis
    if url is None and shutil.which("redis-server"):
        port = _free_port()
        server = subprocess.Popen(["redis-server", "--port", str(port), "--save", "", "--appendonly", "no"],
                                  stdout=subprocess.DEVNULL)
        url = f"redis://127.0.0.1:{port}/0"
        time.sleep(0.5)
    if url:
        import redis

        from provenance.index.redis_store import RedisIndex

        r = redis.Redis.from_url(url)
        r.flushdb()
        m = min(n, 5000)  # datasketch on Redis is slow: measure it on a slice
        before = r.info("memory")["used_memory"]
        host, port = r.connection_pool.connection_kwargs["host"], r.connection_pool.connection_kwargs["port"]
        dlsh = MinHashLSH(num_perm=fp.num_perm, params=(params.bands, params.rows),
                          storage_config={"type": "redis", "redis": {"host": host, "port": port}})
        t0 = time.perf_counter()
        with dlsh.insertion_session() as session:
            for i in range(m):
                session.insert(i, lean[i])
        t_ins = time.perf_counter() - t0
        t0 = time.perf_counter()
        for mq in qlean[:500]:
            dlsh.query(mq)
        t_q = time.perf_counter() - t0
        mem = (r.info("memory")["used_memory"] - before) / m
        rows.append((f"datasketch MinHashLSH on Redis ({m:,})", m / t_ins, 500 / t_q, mem, None))
        r.flushdb()
        before = r.info("memory")["used_memory"]
        idx = RedisIndex(url + "?prefix=bench", create=True, params=params)
        t_ins = _fill(idx, paragraphs, sigs)
        t0 = time.perf_counter()
        found = idx.candidates(qsigs, 0.0)
        t_q = time.perf_counter() - t0
        mem = (r.info("memory")["used_memory"] - before) / n
        rows.append(("provenance Redis index", n / t_ins, q / t_q, mem, _recall(found, probes)))
        r.flushdb()
        if server:
            server.terminate()

    print("| index | inserts/s | x in-memory LSH | queries/s | x in-memory LSH | bytes/paragraph |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, ins, qr, size, _ in rows:
        sz = f"{size:,.0f}" if size else "-"
        print(f"| {name} | {ins:,.0f} | {ins / base_ins:.2f} | {qr:,.0f} | {qr / base_q:.2f} | {sz} |")
    print("\n| index | recall copy | recall light | recall paraphrase | precision (true / candidates) |")
    print("|---|---:|---:|---:|---:|")
    for name, *_, rec in rows:
        if rec:
            prec = np.mean([v[1] for v in rec.values()])
            print(f"| {name} | {rec['copy'][0]:.3f} | {rec['light'][0]:.3f} | {rec['paraphrase'][0]:.3f} | {prec:.3f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
