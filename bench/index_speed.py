"""Index benchmark: our SQLite and Redis indexes against datasketch's MinHashLSH, on the same signatures, in one run.

    python bench/index_speed.py [--paragraphs 100000] [--probes 2000] [--redis redis://127.0.0.1:6379/0]
                                [--datasketch-max 100000] [--skip-redis]

Measures insert and query rates with signatures given, storage per paragraph, and the retrieval recall and
precision of candidates for copy, light-edit, paraphrase and excerpt probes whose true source is known
(bench/synthetic.py). Without --redis a private redis-server is started on a free port when one is installed.
Queries are asked the way an audit asks them: the paragraphs of one article (10) per call.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.synthetic import KINDS, corpus
from provenance.fingerprint import FingerprintParams
from provenance.index.base import IndexParams, Prints, StoredDocument, prints_of_texts

DOC_SIZE = 10  # paragraphs per stored document
BATCH_DOCS = 256  # documents per put_many (what `provenance index add` writes per transaction)
QUERY_SIZE = 10  # paragraphs per candidates() call


def _slice(p: Prints, lo: int, hi: int) -> Prints:
    a, b = np.searchsorted(
        p.sentence_rows, [lo, hi]
    )  # sentence rows ascend: no pass over all of them per slice
    return Prints(
        p.rows[lo:hi] - lo,
        p.signatures[lo:hi],
        p.sizes[lo:hi],
        p.sentence_keys[a:b],
        p.sentence_rows[a:b] - lo,
    )


def _documents(paragraphs: list[str], prints: Prints) -> list[tuple[StoredDocument, Prints]]:
    out = []
    for d in range(0, len(paragraphs), DOC_SIZE):
        hi = min(d + DOC_SIZE, len(paragraphs))
        text = "\n\n".join(paragraphs[d:hi])
        # Texts arrive compressed, as the fingerprinting workers of `provenance index add` hand them over.
        doc = StoredDocument(f"doc-{d // DOC_SIZE}", str(d), "text", text)
        doc = StoredDocument(doc.id, doc.digest, doc.format, text, {}, doc.compressed())
        out.append((doc, _slice(prints, d, hi)))
    return out


def _fill(index, docs) -> float:
    t0 = time.perf_counter()
    for i in range(0, len(docs), BATCH_DOCS):
        index.put_many(docs[i : i + BATCH_DOCS])
    return time.perf_counter() - t0


def _query(index, qprints: Prints) -> tuple[float, list]:
    found: list = []
    t0 = time.perf_counter()
    for i in range(0, len(qprints), QUERY_SIZE):
        found += index.candidates(_slice(qprints, i, min(i + QUERY_SIZE, len(qprints))))
    return time.perf_counter() - t0, found


def _recall(found, probes) -> dict[str, tuple[float, float]]:
    """Per kind: share of probes whose true source is among the candidates, and candidates per probe."""
    out = {}
    for kind in KINDS:
        hit = cands = total = 0
        for cs, p in zip(found, probes):
            if p.kind != kind:
                continue
            total += 1
            want = (f"doc-{p.source // DOC_SIZE}", p.source % DOC_SIZE)
            hit += any((c.doc, c.paragraph) == want for c in cs)
            cands += len(cs)
        out[kind] = (hit / total if total else 0.0, cands / total if total else 0.0)
    return out


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--paragraphs", type=int, default=100000)
    ap.add_argument("--probes", type=int, default=2000)
    ap.add_argument("--redis", default=None)
    ap.add_argument("--skip-redis", action="store_true")
    ap.add_argument(
        "--datasketch-max",
        type=int,
        default=100000,
        help="datasketch's in-memory LSH takes ~9 KB a paragraph: measure it on at most this many",
    )
    args = ap.parse_args()

    params = IndexParams(FingerprintParams())
    t0 = time.perf_counter()
    paragraphs, probes = corpus(args.paragraphs, args.probes)
    t_gen = time.perf_counter() - t0
    t0 = time.perf_counter()
    prints = prints_of_texts(paragraphs, params)
    t_fp = time.perf_counter() - t0
    qprints = prints_of_texts([p.text for p in probes], params)
    n, q = len(paragraphs), len(probes)
    docs = _documents(paragraphs, prints)
    print(
        f"synthetic corpus: {n:,} paragraphs in {len(docs):,} documents (generated in {t_gen:.1f} s), {q:,} "
        f"probes; prints (tokenising, sentence split, MinHash, sentence keys) {n / t_fp:,.0f} paragraphs/s; "
        f"banding {params.bands}x{params.rows} + sentence keys\n",
        flush=True,
    )
    rows = []

    # datasketch in-memory MinHashLSH (the baseline), same signatures and banding.
    from datasketch import MinHashLSH

    from provenance.fingerprint import to_datasketch

    m = min(n, args.datasketch_max)
    lean = [to_datasketch(s) for s in prints.signatures[:m]]
    lsh = MinHashLSH(num_perm=params.fingerprint.num_perm, params=(params.bands, params.rows))
    t0 = time.perf_counter()
    for i, mh in enumerate(lean):
        lsh.insert(i, mh)
    t_ins = time.perf_counter() - t0
    qlean = [to_datasketch(s) for s in qprints.signatures]
    t0 = time.perf_counter()
    for mh in qlean:
        lsh.query(mh)
    t_q = time.perf_counter() - t0
    base_ins, base_q = m / t_ins, q / t_q
    rows.append((f"datasketch MinHashLSH, in memory ({m:,})", base_ins, base_q, None, None, None))
    del lsh, lean
    print(f"datasketch in memory: {base_ins:,.0f} inserts/s, {base_q:,.0f} queries/s", flush=True)

    # Embedded SQLite index.
    from provenance.index.sqlite.index import SqliteIndex

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.db"
        idx = SqliteIndex(str(path), create=True, params=params)
        t_ins = _fill(idx, docs)
        idx.close()
        idx = SqliteIndex(str(path), create=False, params=params)
        t0 = time.perf_counter()
        idx._snapshot()
        t_load = time.perf_counter() - t0
        t_q, found = _query(idx, qprints)
        text_bytes = idx.db.execute("SELECT SUM(LENGTH(text)) FROM documents").fetchone()[0]
        idx.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        size = os.path.getsize(path)
        info = idx.info()
        rows.append(
            (
                "provenance SQLite index",
                n / t_ins,
                q / t_q,
                size / n,
                (size - text_bytes) / n,
                _recall(found, probes),
            )
        )
        print(
            f"SQLite: {n / t_ins:,.0f} inserts/s, {q / t_q:,.0f} queries/s (+{t_load:.2f} s to load "
            f"{info['segments']} segments once), {size / n:,.0f} B/paragraph ({(size - text_bytes) / n:,.0f} "
            f"without texts); RSS so far {_rss_mb():,.0f} MB",
            flush=True,
        )
        idx.close()

    if not args.skip_redis:
        _redis(args, params, prints, qprints, docs, probes, rows)

    print(
        "\n| index | inserts/s | x datasketch in memory | queries/s | x datasketch in memory | bytes/paragraph "
        "| without texts |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|")
    for name, ins, qr, size, bare, _ in rows:
        sz = f"{size:,.0f}" if size else "-"
        br = f"{bare:,.0f}" if bare else "-"
        print(f"| {name} | {ins:,.0f} | {ins / base_ins:.2f} | {qr:,.0f} | {qr / base_q:.2f} | {sz} | {br} |")
    print(
        "\n| index | "
        + " | ".join(f"recall {k}" for k in KINDS)
        + " | recall copy+rewrite | candidates/probe | precision |"
    )
    print("|---|" + "---:|" * (len(KINDS) + 3))
    for name, *_, rec in rows:
        if rec:
            allrec = np.mean([rec[k][0] for k in KINDS])
            cands = np.mean([rec[k][1] for k in KINDS])
            print(
                f"| {name} | "
                + " | ".join(f"{rec[k][0]:.3f}" for k in KINDS)
                + f" | {allrec:.3f} | {cands:.1f} | {allrec / cands if cands else 0:.3f} |"
            )
    print(f"\npeak RSS of this benchmark process: {_rss_mb():,.0f} MB")
    return 0


def _redis(args, params, prints, qprints, docs, probes, rows) -> None:
    server = None
    url = args.redis
    if url is None and shutil.which("redis-server"):
        port = _free_port()
        server = subprocess.Popen(
            ["redis-server", "--port", str(port), "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
        )
        url = f"redis://127.0.0.1:{port}/0"
        time.sleep(0.5)
    if not url:
        print("no redis-server: Redis rows skipped")
        return
    import redis
    from datasketch import MinHashLSH

    from provenance.fingerprint import to_datasketch
    from provenance.index.redis.index import RedisIndex

    n, q = len(prints), len(qprints)
    r = redis.Redis.from_url(url)
    r.flushdb()
    m = min(n, 5000)  # datasketch on Redis is slow: measure it on a slice
    qm = min(q, 500)
    before = r.info("memory")["used_memory"]
    kw = r.connection_pool.connection_kwargs
    dlsh = MinHashLSH(
        num_perm=params.fingerprint.num_perm,
        params=(params.bands, params.rows),
        storage_config={"type": "redis", "redis": {"host": kw["host"], "port": kw["port"]}},
    )
    lean = [to_datasketch(s) for s in prints.signatures[:m]]
    t0 = time.perf_counter()
    with dlsh.insertion_session() as session:
        for i in range(m):
            session.insert(i, lean[i])
    t_ins = time.perf_counter() - t0
    qlean = [to_datasketch(s) for s in qprints.signatures[:qm]]
    t0 = time.perf_counter()
    for mq in qlean:
        dlsh.query(mq)
    t_q = time.perf_counter() - t0
    mem = (r.info("memory")["used_memory"] - before) / m
    d_ins, d_q, d_mem = m / t_ins, qm / t_q, mem
    rows.append((f"datasketch MinHashLSH on Redis ({m:,})", d_ins, d_q, mem, None, None))
    r.flushdb()
    before = r.info("memory")["used_memory"]
    location = url + "?prefix=bench"
    idx = RedisIndex(location, create=True, params=params)
    t_ins = _fill(idx, docs)
    idx.close()  # the writer's connection buffers (a merge's blob passes through them) are not the index
    time.sleep(0.5)
    mem = (r.info("memory")["used_memory"] - before) / n
    # A new client, as an audit on another machine: its first query loads the segments (timed apart, as SQLite's).
    idx = RedisIndex(location, create=False, params=params)
    t0 = time.perf_counter()
    idx._refresh()
    t_load = time.perf_counter() - t0
    t_q, found = _query(idx, qprints)
    text_bytes = sum(r.hstrlen(f"bench:doc:{d.id}", "text") for d, _ in docs)
    rows.append(
        ("provenance Redis index", n / t_ins, q / t_q, mem, mem - text_bytes / n, _recall(found, probes))
    )
    print(
        f"Redis: ours {n / t_ins:,.0f} inserts/s ({n / t_ins / d_ins:.1f}x datasketch on Redis), "
        f"{q / t_q:,.0f} queries/s ({q / t_q / d_q:.1f}x; +{t_load:.2f} s to load the segments once), "
        f"{mem:,.0f} B/paragraph ({d_mem / mem:.1f}x less); "
        f"datasketch {d_ins:,.0f} inserts/s, {d_q:,.0f} queries/s, {d_mem:,.0f} B/paragraph",
        flush=True,
    )
    idx.close()
    r.flushdb()
    if server:
        server.terminate()


if __name__ == "__main__":
    sys.exit(main())
