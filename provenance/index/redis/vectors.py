"""Stored sentence vectors on Redis (provenance/index/vectors.py says what they are).

Fields of the document's own hash (`vec:<name>`, `vecv:<name>`, `vecd:<name>`): replacing or removing the document
deletes the hash, so a vector never outlives its text, with no extra bookkeeping in the batch script. A vector is
handed out only while `vecd:<name>` is the document's current digest.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from provenance.index.base import embed_meta
from provenance.index.redis.connection import Connection

CHUNK = 500  # documents per pipeline


def kinds(conn: Connection) -> dict[str, str]:
    """Scorer name -> embedding version, for every `--embed` recorded in the index."""
    value = conn.call(lambda: conn.r.hget(f"{conn.prefix}:meta", "embed"))
    return embed_meta(value.decode(errors="replace") if value else None, conn.location)


def set_kinds(conn: Connection, kinds: Mapping[str, str]) -> None:
    value = json.dumps(dict(kinds), sort_keys=True)
    conn.call(lambda: conn.r.hset(f"{conn.prefix}:meta", "embed", value))


def fields(conn: Connection, ids: Sequence[str], *names: str) -> Iterator[tuple[str, list[Any]]]:
    """(id, [values of these fields of its hash]) for every id, CHUNK documents per round trip."""
    for lo in range(0, len(ids), CHUNK):
        chunk = list(ids[lo : lo + CHUNK])

        def fetch(chunk: list[str] = chunk) -> list[Any]:
            pipe = conn.r.pipeline(transaction=False)
            for doc_id in chunk:
                pipe.hmget(f"{conn.prefix}:doc:{doc_id}", *names)
            return pipe.execute()

        yield from zip(chunk, conn.call(fetch))


def having(conn: Connection, name: str, version: str, ids: Sequence[str]) -> set[str]:
    """Which of `ids` have vectors of this scorer and version for their current text."""
    wanted = version.encode()
    return {
        doc_id
        for doc_id, (dig, vdig, ver) in fields(conn, ids, "digest", f"vecd:{name}", f"vecv:{name}")
        if dig is not None and dig == vdig and ver == wanted
    }


def put(
    conn: Connection, script: Any, name: str, version: str, items: Sequence[tuple[str, str, bytes]]
) -> None:
    """Store (doc id, digest, blob) in one script call (scripts.PUT_VECTORS): a document changed since its digest
    was read keeps none (its next `index add` embeds the new text)."""
    if not items:
        return
    args: list[Any] = [conn.prefix, name, version]
    for doc_id, dig, blob in items:
        args += [doc_id, dig, blob]
    conn.call(lambda: script(args=args))


def get(conn: Connection, name: str, version: str, ids: Sequence[str]) -> dict[str, bytes]:
    def fetch() -> list[Any]:
        pipe = conn.r.pipeline(transaction=False)
        for doc_id in ids:
            pipe.hmget(f"{conn.prefix}:doc:{doc_id}", "digest", f"vecd:{name}", f"vecv:{name}", f"vec:{name}")
        return pipe.execute()

    wanted = version.encode()
    return {
        doc_id: bytes(blob)
        for doc_id, (dig, vdig, ver, blob) in zip(ids, conn.call(fetch))
        if dig is not None and dig == vdig and ver == wanted and blob is not None
    }


def counts(conn: Connection, names: Sequence[str], ids: Sequence[str]) -> dict[str, int]:
    """Scorer name -> documents (of `ids`) that hold vectors of it."""
    out: dict[str, int] = {}
    for name in names:
        out[name] = sum(vdig is not None for _, (vdig,) in fields(conn, ids, f"vecd:{name}"))
    return out
