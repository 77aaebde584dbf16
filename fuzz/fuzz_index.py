"""Fuzz the index readers: mutate one stored field at a time, on both backends, and read the index every way a
command does (open, info, list, a query's candidates, a stored document, `index check`).

    python fuzz/fuzz_index.py --cases 10000 [--seed 1] [--redis redis://127.0.0.1:6379/0]

Every field either backend stores is a target: SQLite's meta values, every column of `documents` and `segments`;
Redis's meta hash, counters, document hashes, the document and segment listings, segment strings and the applied
batches. A mutation is random bytes, a flipped bit, a truncation, an extension, or an extreme number (negative,
2^31 - 1, 2^32, 2^63 - 1, "nan", a huge decimal). The promise checked (docs/reliability.md): any damage is a
ProvenanceError, which the CLI prints as one line with its exit code, never another exception (exit 70, a
traceback), and no read allocates much more than a clean one: the process's peak RSS stays within 2x a clean
run's. Without --redis, a redis-server is started on a free port for the run (it must be installed).

tests/test_fuzz_index.py runs the same cases with a small budget in CI.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from provenance.errors import ProvenanceError

EXTREMES: tuple[Any, ...] = (
    -1,
    0,
    2**31 - 1,
    2**32 - 1,
    2**32,
    2**63 - 1,
    -(2**63),
    "nan",
    "1e999",
    "9" * 40,
    "",
    " 7",
)


def _bomb(size: int) -> bytes:
    """A deflate stream of `size` zero bytes, made a megabyte at a time (the fuzzer's own memory stays flat)."""
    z = zlib.compressobj(9)
    chunk = bytes(1 << 20)
    return b"".join([*(z.compress(chunk) for _ in range(size >> 20)), z.flush()])


BOMBS = (_bomb(1 << 20), _bomb(64 << 20))
QUERY = (
    "The council met on Tuesday and agreed the budget for the coming year after a long debate about the libraries. "
    "A second sentence explains that the swimming pool will close for repairs in March."
)


@dataclass
class Outcome:
    """What a run found: cases run, how many were refused as damage (fine), the findings (not fine)."""

    backend: str
    cases: int = 0
    refused: int = 0
    findings: list[str] = field(default_factory=list)
    clean_rss_kb: int = 0
    peak_rss_kb: int = 0
    seconds: float = 0.0


def corpus(n: int = 12, seed: int = 7) -> list[Any]:
    """A few documents of distinct word-salad paragraphs, and one document that shares QUERY's text."""
    from provenance.text.inputs import RawDocument

    rng = random.Random(seed)
    words = [
        "council",
        "budget",
        "river",
        "bridge",
        "school",
        "hospital",
        "storm",
        "court",
        "strike",
        "election",
        "harbour",
        "railway",
        "museum",
        "library",
        "festival",
        "farmers",
        "market",
        "mayor",
        "police",
        "fire",
        "station",
        "water",
        "energy",
        "housing",
        "transport",
    ]
    docs = [RawDocument("query-source", QUERY + "\n\n" + QUERY.replace("March", "April"), "text")]
    for i in range(n):
        paras = [
            " ".join(rng.choice(words) for _ in range(rng.randint(12, 25))).capitalize() + "."
            for _ in range(3)
        ]
        docs.append(RawDocument(f"doc-{i:03d}", "\n\n".join(paras), "text", {"outlet": "Wire"}))
    return docs


def mutate(value: Any, rng: random.Random) -> Any:
    """One hostile version of a stored value."""
    raw = value if isinstance(value, bytes) else str(value).encode() if value is not None else b""
    kind = rng.randrange(7)
    if kind == 0:
        return rng.choice(EXTREMES)
    if kind == 1:
        return bytes(rng.randrange(256) for _ in range(rng.randrange(0, 64)))
    if kind == 2 and raw:
        b = bytearray(raw)
        i = rng.randrange(len(b))
        b[i] ^= 1 << rng.randrange(8)
        return bytes(b) if isinstance(value, bytes) else b.decode("utf-8", "replace")
    if kind == 3 and raw:
        cut = raw[: rng.randrange(len(raw))]
        return cut if isinstance(value, bytes) else cut.decode("utf-8", "replace")
    if kind == 4:
        more = raw + bytes(rng.randrange(256) for _ in range(rng.randrange(1, 32)))
        return more if isinstance(value, bytes) else more.decode("utf-8", "replace")
    if kind == 5:  # a deflate stream that inflates to far more than it holds
        return rng.choice(BOMBS)
    return (
        rng.choice(EXTREMES)
        if not raw
        else (str(rng.randrange(-(2**40), 2**40)) if rng.random() < 0.5 else raw[::-1])
    )


def read_everything(location: str) -> None:
    """What commands read: open, info, list, a document, a query's candidates, and `index check`."""
    from provenance.index import open_index
    from provenance.index.base import prints_of_texts

    idx = open_index(location)
    try:
        idx.info()
        ids = idx.ids()
        if ids:
            idx.document(ids[0])
            idx.digest_of(ids[-1])
        idx.candidates(prints_of_texts([QUERY, "farmers market mayor police fire station"], idx.params))
        idx.embeddings()
        idx.verify()
    finally:
        idx.close()


def _one_case(outcome: Outcome, what: str, location: str) -> None:
    outcome.cases += 1
    try:
        read_everything(location)
    except ProvenanceError:
        outcome.refused += 1
    except Exception as exc:  # a finding: the CLI would exit 70
        outcome.findings.append(f"{what}: {type(exc).__name__}: {str(exc)[:160]}")


def _rss_kb() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


# SQLite ------------------------------------------------------------------------------------------------------------


def sqlite_targets(db: sqlite3.Connection) -> list[tuple[str, str, str, Any]]:
    """(table, column, rowid or key, value) of every stored field."""
    out: list[tuple[str, str, str, Any]] = []
    for key, value in db.execute("SELECT key, value FROM meta"):
        out.append(("meta", "value", key, value))
    for table, cols in (
        ("documents", ("num", "id", "digest", "paragraphs", "format", "meta", "text")),
        ("segments", ("seg", "entries", "paragraphs", "keys", "kpids", "pids", "records")),
    ):
        for row in db.execute(f"SELECT rowid, {', '.join(cols)} FROM {table}"):
            out += [(table, col, str(row[0]), v) for col, v in zip(cols, row[1:])]
    return out


def fuzz_sqlite(cases: int, seed: int, work: Path) -> Outcome:
    from provenance.index import add_documents

    outcome = Outcome("sqlite")
    pristine = work / "pristine.db"
    add_documents(str(pristine), corpus(), batch_size=3)
    with sqlite3.connect(pristine) as db:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        targets = sqlite_targets(db)
    db.close()
    clean = pristine.read_bytes()
    target_db = work / "case.db"
    target_db.write_bytes(clean)
    read_everything(str(target_db))
    outcome.clean_rss_kb = _rss_kb()
    rng = random.Random(seed)
    started = time.monotonic()
    for _ in range(cases):
        for extra in (work / "case.db-wal", work / "case.db-shm"):
            extra.unlink(missing_ok=True)
        target_db.write_bytes(clean)
        table, col, row, value = rng.choice(targets)
        new = mutate(value, rng)
        where = "key=?" if table == "meta" else "rowid=?"
        db = sqlite3.connect(target_db)
        try:
            with db:
                db.execute(f"UPDATE {table} SET {col}=? WHERE {where}", (new, row))
        except sqlite3.Error:  # a constraint (NOT NULL, UNIQUE, the primary key): not a state a file can hold
            outcome.cases += 1
            outcome.refused += 1
            continue
        finally:
            db.close()
        _one_case(outcome, f"sqlite {table}.{col}[{row}] = {new!r:.60}", str(target_db))
    outcome.seconds = time.monotonic() - started
    outcome.peak_rss_kb = _rss_kb()
    return outcome


# Redis -------------------------------------------------------------------------------------------------------------


def redis_targets(r: Any, prefix: str) -> list[tuple[str, str | None]]:
    """(key, hash field or None for a plain value, or "" for a set member) of every stored field."""
    out: list[tuple[str, str | None]] = []
    for raw in r.scan_iter(match=f"{prefix}:*"):
        key = raw.decode()
        kind = r.type(key).decode()
        if kind == "hash":
            out += [(key, f.decode()) for f in r.hkeys(key)]
        elif kind == "set":
            out.append((key, ""))
        else:
            out.append((key, None))
    return sorted(out)


def fuzz_redis(cases: int, seed: int, url: str) -> Outcome:
    import redis

    from provenance.index import add_documents

    outcome = Outcome("redis")
    prefix = f"fuzz{os.getpid()}"
    location = f"{url}?prefix={prefix}"
    r = redis.Redis.from_url(url)
    for k in r.scan_iter(match=f"{prefix}:*"):
        r.delete(k)
    add_documents(location, corpus(), batch_size=3)
    targets = redis_targets(r, prefix)
    dumps = {k: r.dump(k) for k in {k for k, _ in targets}}
    read_everything(location)
    outcome.clean_rss_kb = _rss_kb()
    rng = random.Random(seed)
    started = time.monotonic()
    for _ in range(cases):
        key, fld = rng.choice(targets)
        if fld is None:
            new = mutate(r.get(key), rng)
            r.set(key, new if not isinstance(new, int) else str(new))
        elif fld == "":
            members = sorted(r.smembers(key))
            new = mutate(rng.choice(members) if members else b"", rng)
            r.sadd(key, new if not isinstance(new, int) else str(new))
        else:
            new = mutate(r.hget(key, fld), rng)
            r.hset(key, fld, new if not isinstance(new, int) else str(new))
        _one_case(outcome, f"redis {key}[{fld}] = {new!r:.60}", location)
        r.restore(key, 0, dumps[key], replace=True)
    outcome.seconds = time.monotonic() - started
    outcome.peak_rss_kb = _rss_kb()
    for k in r.scan_iter(match=f"{prefix}:*"):
        r.delete(k)
    return outcome


def run(backend: str, cases: int, seed: int, redis_url: str | None = None) -> Outcome:
    if backend == "sqlite":
        with tempfile.TemporaryDirectory(prefix="fuzz-index-") as tmp:
            return fuzz_sqlite(cases, seed, Path(tmp))
    if not redis_url:
        raise SystemExit("the Redis backend needs a server: --redis redis://127.0.0.1:PORT/0 (a scratch one)")
    return fuzz_redis(cases, seed, redis_url)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=10_000, help="cases per backend")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--redis", help="a scratch Redis server, redis://host:port/db (needed for the Redis backend)"
    )
    parser.add_argument("--backend", choices=("sqlite", "redis", "both"), default="both")
    args = parser.parse_args(argv)
    os.environ.setdefault("PROVENANCE_LOAD_PLUGINS", "")
    if args.backend == "both":  # each in a process of its own, so that each peak RSS is its own
        codes = [
            subprocess.run([sys.executable, __file__, *(argv or sys.argv[1:]), "--backend", b]).returncode
            for b in ("sqlite", "redis")
        ]
        return max(codes)
    failed = False
    for backend in (args.backend,):
        out = run(backend, args.cases, args.seed, args.redis)
        ratio = out.peak_rss_kb / max(out.clean_rss_kb, 1)
        print(
            json.dumps(
                {
                    "backend": backend,
                    "cases": out.cases,
                    "refused_as_damage": out.refused,
                    "read_fine": out.cases - out.refused - len(out.findings),
                    "findings": len(out.findings),
                    "clean_rss_mb": round(out.clean_rss_kb / 1024, 1),
                    "peak_rss_mb": round(out.peak_rss_kb / 1024, 1),
                    "peak_over_clean": round(ratio, 2),
                    "seconds": round(out.seconds, 1),
                }
            )
        )
        for finding in out.findings[:20]:
            print("  " + finding)
        failed |= bool(out.findings) or ratio > 2
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
