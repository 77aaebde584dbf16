"""Opening the SQLite file (creating it when asked), its failures as one-line errors, and transactions.

The file is in WAL mode, so readers can audit while a writer adds; a writer's transaction starts with BEGIN IMMEDIATE
(it holds the write lock from the start, and waits up to a minute for another writer's).
"""

from __future__ import annotations

import sqlite3
import zlib
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from provenance.errors import InputError, UsageError
from provenance.index.base import FORMAT_VERSION, IndexParams
from provenance.index.sqlite.schema import READS_FORMATS, create_tables


def path_of(location: str) -> Path:
    if location.startswith("sqlite:///"):
        return Path(location[len("sqlite:///") :])
    if location.startswith("sqlite://"):
        raise UsageError(f"{location}: write sqlite:///relative/path or sqlite:////absolute/path")
    return Path(location)


def connect(location: str, *, create: bool, params: IndexParams) -> sqlite3.Connection:
    """The index file at `location`, checked to hold an index of these parameters (created, with `create`, when
    there is none)."""
    path = path_of(location)
    empty = _check_path(location, path, create)
    db, stored = _open(location, path, empty, tolerate_missing=create)
    try:
        if stored is None and create and not empty and _has_tables(location, db, path):
            # Another writer may have created the index since we looked (several `index add` started at once).
            stored = _stored(db)
        if stored is None:
            if not create:
                raise InputError(f"{location}: not a text-provenance index (no parameters stored)")
            if not empty and _has_tables(location, db, path):  # another application's: never adopt it
                raise InputError(
                    f"{location}: not a text-provenance index (a SQLite database with other tables); "
                    "give a new file for the index"
                )
            _wal(location, db, path)
            stored = _create(location, db, params)
        params.check(stored, location, also=READS_FORMATS)
        _wal(location, db, path)  # only once the file is known to be ours: the pragma rewrites its header
    except BaseException:
        db.close()
        raise
    return db


def _check_path(location: str, path: Path, create: bool) -> bool:
    """Refuse what cannot be an index before SQLite touches it; True when there is no file yet, or an empty one."""
    exists = path.exists()
    empty = not exists or (path.is_file() and path.stat().st_size == 0)
    if not exists and not create:
        raise InputError(f"{location}: no such index (create one with `provenance index add`)")
    if empty and not create:  # connecting would turn the empty file into a database: leave it alone
        raise InputError(f"{location}: not a text-provenance index (an empty file)")
    if exists and path.is_dir():
        raise InputError(f"{location}: is a directory, not an index file")
    if not exists and not path.parent.is_dir():
        raise UsageError(f"{location}: directory {path.parent} does not exist")
    return empty


def _stored(db: sqlite3.Connection) -> str | None:
    try:
        row = db.execute("SELECT value FROM meta WHERE key='params'").fetchone()
    except sqlite3.OperationalError:
        return None
    return row[0] if row else None


def _open(
    location: str, path: Path, empty: bool, *, tolerate_missing: bool = False
) -> tuple[sqlite3.Connection, str | None]:
    """The connection and the stored parameters (None: none stored yet; with `tolerate_missing`, also for a file
    without tables, such as one another writer is creating)."""
    try:
        db = sqlite3.connect(path, timeout=60, isolation_level=None)
        row = None if empty else db.execute("SELECT value FROM meta WHERE key='params'").fetchone()
    except sqlite3.OperationalError as exc:
        if "no such table" not in str(exc) or not (empty or tolerate_missing):
            raise open_error(location, path, exc) from None
        row = None
    except sqlite3.DatabaseError as exc:
        raise open_error(location, path, exc) from None
    return db, (row[0] if row else None)


def _has_tables(location: str, db: sqlite3.Connection, path: Path) -> bool:
    """Whether a database holds any table: a file of ours without parameters holds none (creating an index is one
    transaction, which a kill before its commit leaves with none)."""
    try:
        return db.execute("SELECT 1 FROM sqlite_master LIMIT 1").fetchone() is not None
    except sqlite3.DatabaseError as exc:
        raise open_error(location, path, exc) from None


def _wal(location: str, db: sqlite3.Connection, path: Path) -> None:
    try:
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
    except sqlite3.DatabaseError as exc:
        raise open_error(location, path, exc) from None


def _create(location: str, db: sqlite3.Connection, params: IndexParams) -> str:
    """Create the tables and the meta rows (another process creating the same file at once is harmless)."""
    with guard(location), transaction(db):
        create_tables(db)
        db.execute("INSERT OR IGNORE INTO meta VALUES('params', ?)", (params.to_json(),))
        db.execute("INSERT OR IGNORE INTO meta VALUES('format', ?)", (str(FORMAT_VERSION),))
        db.execute("INSERT OR IGNORE INTO meta VALUES('next_pid', '0')")
    return str(db.execute("SELECT value FROM meta WHERE key='params'").fetchone()[0])


def open_error(location: str, path: Path, exc: sqlite3.Error) -> InputError:
    """Why a file did not open: a full disk, a damaged SQLite file (its header is SQLite's), or another file."""
    name = getattr(exc, "sqlite_errorname", "")
    if name == "SQLITE_FULL":
        return InputError(f"{location}: the disk is full ({exc})")
    try:
        with path.open("rb") as fh:
            ours = fh.read(16) == b"SQLite format 3\0"
    except OSError:
        ours = False
    if ours and name.startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB", "SQLITE_IOERR")):
        return InputError(f"{location}: the index file is damaged ({exc})")
    return InputError(f"{location}: not a text-provenance index ({exc})")


@contextmanager
def guard(location: str) -> Iterator[None]:
    """A damaged file is an input error (one line, exit 3), not a traceback."""
    try:
        yield
    except sqlite3.OperationalError as exc:
        if getattr(exc, "sqlite_errorname", "") == "SQLITE_FULL" or "disk is full" in str(exc):
            raise InputError(
                f"{location}: the disk is full ({exc}); every batch committed before is "
                "kept: free some space and run the command again"
            ) from None
        if "locked" in str(exc) or "busy" in str(exc):
            raise InputError(f"{location}: the index is locked by another writer ({exc})") from None
        raise InputError(f"{location}: cannot use the index ({exc})") from None
    except sqlite3.DatabaseError as exc:
        raise InputError(f"{location}: the index file is damaged ({exc})") from None
    except (ValueError, zlib.error) as exc:  # a blob of the wrong size: truncated or tampered with
        raise InputError(f"{location}: the index file is damaged ({exc})") from None


@contextmanager
def transaction(db: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """One write transaction: committed whole, or rolled back whole."""
    db.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        # SQLite may already have rolled back (a full disk does): then the first error is the one to tell.
        if db.in_transaction:
            with suppress(sqlite3.Error):
                db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")
