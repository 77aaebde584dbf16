"""Word frequencies on the Zipf scale (7 for "the", about 1 for rare names), from wordfreq's data, looked up without
loading the whole list.

wordfreq's English list holds 321,000 words; reading it (a gzipped msgpack file) into a dict takes about 0.15 s and
40 MB, a fifth of a cold `provenance compare` that looks up a thousand words. So the first process that needs it
writes the list once into an SQLite file in the user's cache folder (`$XDG_CACHE_HOME/text-provenance`, else
`~/.cache/text-provenance`; `PROVENANCE_CACHE_DIR` overrides it), named after the data file's size and
modification time, and later processes look words up in it (a few microseconds each, opened read-only). The file is
written under a temporary name and renamed, so a process killed halfway never leaves a partial one under the real
name; where no cache folder can be written, or the file cannot be read, the list is read into memory as before.
The values are exactly wordfreq's (`get_frequency_dict(lang, wordlist="best")`, tests/test_text_fast.py).
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Any, overload

FORMAT = 1  # of the cache file: a change of its layout changes its name, so old files are never read
CACHE_ENV = "PROVENANCE_CACHE_DIR"
# Lookups after which the whole list is read into memory: reading it costs about as much as 50,000 lookups (0.15 s
# against 3 us each), and a corpus being indexed keeps meeting new words.
IN_MEMORY_AFTER = 50_000


class Frequencies:
    """`get(word, default)` on wordfreq's list for one language: from the cache file when there is one, else from
    the list read into memory."""

    def __init__(self, lang: str) -> None:
        self.lang = lang
        self._table: dict[str, float] | None = None
        self._db: Any = None  # sqlite3.Connection, opened per process: a forked worker opens its own
        self._pid = -1
        self._lookups = 0
        self._lock = threading.Lock()

    @overload
    def get(self, word: str) -> float | None: ...
    @overload
    def get(self, word: str, default: float) -> float: ...
    def get(self, word: str, default: float | None = None) -> float | None:
        if self._table is None:
            import sqlite3  # (not at import: a comparison that never asks pays nothing for it)

            with self._lock:
                try:
                    if self._pid != os.getpid():
                        self._db, self._pid = _open(self.lang), os.getpid()
                    if self._db is not None and self._lookups < IN_MEMORY_AFTER:
                        self._lookups += 1
                        row = self._db.execute("SELECT z FROM zipf WHERE word = ?", (word,)).fetchone()
                        return default if row is None else float(row[0])
                except (
                    sqlite3.Error,
                    OSError,
                ):  # an unreadable cache file: the list in memory, and a new file
                    self._db = None  # written by the next process that needs one
                    _discard(self.lang)
                if self._table is None:
                    self._table = read_wordfreq(self.lang)
        return self._table.get(word, default)


def _data_file(lang: str) -> Path | None:
    """wordfreq's largest list for `lang`, found without importing wordfreq (its import loads langcodes' tables,
    about half a second)."""
    from importlib.util import find_spec

    spec = find_spec("wordfreq")
    roots = spec.submodule_search_locations if spec is not None else None
    if roots:
        for size in ("large", "small"):
            path = Path(next(iter(roots))) / "data" / f"{size}_{lang}.msgpack.gz"
            if path.is_file():
                return path
    return None


def cache_dir() -> Path:
    explicit = os.environ.get(CACHE_ENV)
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "text-provenance"


def cache_file(lang: str) -> Path | None:
    data = _data_file(lang)
    if data is None:
        return None
    st = data.stat()
    return cache_dir() / f"wordfreq-{lang}-{st.st_size}-{st.st_mtime_ns}-v{FORMAT}.sqlite"


def _open(lang: str) -> Any:
    """A read-only sqlite3 connection to the cache file, written first when missing; None when it cannot be."""
    import sqlite3

    path = cache_file(lang)
    if path is None:
        return None
    if not path.is_file() and not _write(path, read_wordfreq(lang)):
        return None
    return sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True, check_same_thread=False)


def _discard(lang: str) -> None:
    try:
        path = cache_file(lang)
        if path is not None:
            path.unlink(missing_ok=True)
    except OSError:
        pass


def _write(path: Path, table: dict[str, float]) -> bool:
    import sqlite3
    import tempfile

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=path.name + ".", suffix=".part", dir=path.parent)
        os.close(fd)
    except OSError:
        return False
    try:
        con = sqlite3.connect(tmp)
        try:
            con.execute("PRAGMA journal_mode = OFF")
            con.execute("CREATE TABLE zipf (word TEXT PRIMARY KEY, z REAL NOT NULL) WITHOUT ROWID")
            con.executemany("INSERT INTO zipf VALUES (?, ?)", sorted(table.items()))
            con.commit()
        finally:
            con.close()
        os.replace(tmp, path)  # whole, or not at all: another process may be reading the old name
        return True
    except (OSError, sqlite3.Error):
        return False
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def read_wordfreq(lang: str) -> dict[str, float]:
    """wordfreq's largest list for `lang` on the Zipf scale, read from the data file wordfreq ships (gzipped msgpack
    of frequency buckets, one per centibel) without importing wordfreq. The values are the ones
    `get_frequency_dict(lang, wordlist="best")` gives (tests/test_text_fast.py checks they are equal); should the
    file not be where wordfreq keeps it, wordfreq itself is asked."""
    import gzip
    import math
    from itertools import chain, repeat

    path = _data_file(lang)
    data: list[Any] = []
    if path is not None:
        import msgpack

        with gzip.open(path, "rb") as fh:
            data = msgpack.load(fh, raw=False)
    if not (
        data and isinstance(data[0], dict) and data[0].get("format") == "cB" and data[0].get("version") == 1
    ):
        from wordfreq import get_frequency_dict

        freqs = get_frequency_dict(lang, wordlist="best")
        return {w: math.log10(f) + 9.0 for w, f in freqs.items() if f > 0}
    buckets = data[1:]
    zipf = [math.log10(10 ** (-index / 100)) + 9.0 for index in range(len(buckets))]  # wordfreq's cB_to_freq
    # One dict built from two flat streams (a later bucket's value wins, as it did bucket by bucket).
    return dict(zip(chain.from_iterable(buckets), chain.from_iterable(map(repeat, zipf, map(len, buckets)))))
