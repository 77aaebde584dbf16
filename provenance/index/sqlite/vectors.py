"""Stored sentence vectors in the SQLite file (provenance/index/vectors.py says what they are).

In a table of their own, created on the first `index add --embed`: an index without it reads as before. A row holds
its document's digest and is deleted with the document, so a vector never outlives its text; a row whose digest is
not its document's current one is never handed out.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping, Sequence

from provenance.index.base import embed_meta
from provenance.index.sqlite.schema import VECTORS, has_vectors

CHUNK = 500  # ids per IN (...) query

_CURRENT = (
    "FROM vectors v JOIN documents d ON d.id = v.doc AND d.digest = v.digest"  # vectors of current texts
)


def drop(db: sqlite3.Connection, ids: Sequence[str]) -> None:
    """Delete the vectors of documents being removed or replaced (inside the caller's transaction)."""
    if has_vectors(db):
        db.executemany("DELETE FROM vectors WHERE doc=?", [(i,) for i in ids])


def kinds(db: sqlite3.Connection, location: str) -> dict[str, str]:
    """Scorer name -> embedding version, for every `--embed` recorded in the index."""
    row = db.execute("SELECT value FROM meta WHERE key='embed'").fetchone()
    return embed_meta(row[0] if row else None, location)


def set_kinds(db: sqlite3.Connection, kinds: Mapping[str, str]) -> None:
    db.execute(VECTORS)
    db.execute("INSERT OR REPLACE INTO meta VALUES('embed', ?)", (json.dumps(dict(kinds), sort_keys=True),))


def having(db: sqlite3.Connection, name: str, version: str, ids: Sequence[str]) -> set[str]:
    """Which of `ids` have vectors of this scorer and version for their current text."""
    found: set[str] = set()
    if not has_vectors(db):
        return found
    for lo in range(0, len(ids), CHUNK):
        chunk = list(ids[lo : lo + CHUNK])
        marks = ",".join("?" * len(chunk))
        found.update(
            r[0]
            for r in db.execute(
                f"SELECT v.doc {_CURRENT} WHERE v.name=? AND v.version=? AND v.doc IN ({marks})",
                (name, version, *chunk),
            )
        )
    return found


def put(db: sqlite3.Connection, name: str, version: str, items: Sequence[tuple[str, str, bytes]]) -> None:
    """Store (doc id, digest, blob) (inside the caller's transaction); a document changed since its digest was read
    keeps none (its next `index add` embeds the new text)."""
    db.execute(VECTORS)
    db.executemany(
        "INSERT OR REPLACE INTO vectors(doc, name, version, digest, data) "
        "SELECT ?, ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM documents WHERE id=? AND digest=?)",
        [(doc, name, version, dig, blob, doc, dig) for doc, dig, blob in items],
    )


def get(db: sqlite3.Connection, name: str, version: str, ids: Sequence[str]) -> dict[str, bytes]:
    if not ids or not has_vectors(db):
        return {}
    marks = ",".join("?" * len(ids))
    return {
        r[0]: bytes(r[1])
        for r in db.execute(
            f"SELECT v.doc, v.data {_CURRENT} WHERE v.name=? AND v.version=? AND v.doc IN ({marks})",
            (name, version, *ids),
        )
    }


def counts(db: sqlite3.Connection) -> dict[str, int]:
    if not has_vectors(db):
        return {}
    return dict(db.execute(f"SELECT v.name, COUNT(*) {_CURRENT} GROUP BY v.name"))
