"""The word-frequency table looked up in its cache file (provenance/text/frequency.py): the same values as wordfreq's
list read whole, written once and whole, and never in the way: a damaged file, a cache folder that cannot be
written, a long run, all fall back to the list in memory with the same values."""

from __future__ import annotations

import pytest

from provenance.text import frequency
from provenance.text.frequency import Frequencies, read_wordfreq

WORDS = [
    "the",
    "flood",
    "reservoir",
    "evacuated",
    "kellanova",
    "full-scale",
    "qzxv-not-a-word",
    "naïve",
    "don't",
]


@pytest.fixture(scope="module")
def table() -> dict[str, float]:
    return read_wordfreq("en")


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv(frequency.CACHE_ENV, str(tmp_path / "cache"))
    return tmp_path / "cache"


def _sample(table: dict[str, float]) -> list[str]:
    return WORDS + list(table)[::997]


def test_lookups_equal_the_list_and_the_file_is_written_once_and_whole(table, cache, monkeypatch):
    words = _sample(table)
    first = Frequencies("en")
    assert [first.get(w) for w in words] == [table.get(w) for w in words]
    assert first.get("qzxv-not-a-word", 1.0) == 1.0
    files = sorted(p.name for p in cache.iterdir())
    assert len(files) == 1 and files[0].endswith(".sqlite"), files  # no temporary file left beside it

    def never(lang: str) -> dict[str, float]:
        raise AssertionError("the list was read again")

    monkeypatch.setattr(frequency, "read_wordfreq", never)
    second = Frequencies("en")  # a later process: reads the file only
    assert [second.get(w) for w in words] == [table.get(w) for w in words]


def test_a_damaged_file_is_set_aside_and_the_values_stay_right(table, cache):
    path = frequency.cache_file("en")
    assert path is not None
    cache.mkdir(parents=True)
    path.write_bytes(b"not a database" * 100)
    words = _sample(table)
    damaged = Frequencies("en")
    assert [damaged.get(w) for w in words] == [table.get(w) for w in words]
    assert not path.exists()  # removed: the next process writes a good one
    later = Frequencies("en")
    assert [later.get(w) for w in words] == [table.get(w) for w in words] and path.exists()
    assert later._table is None  # ... and reads it


def test_a_cache_folder_that_cannot_be_written_costs_nothing_but_time(table, tmp_path, monkeypatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    monkeypatch.setenv(frequency.CACHE_ENV, str(blocker / "cache"))  # under a file: mkdir fails
    words = _sample(table)
    freq = Frequencies("en")
    assert [freq.get(w) for w in words] == [table.get(w) for w in words]
    assert freq._table is not None  # the list in memory


def test_a_long_run_reads_the_list_into_memory(table, cache, monkeypatch):
    monkeypatch.setattr(frequency, "IN_MEMORY_AFTER", 3)
    freq = Frequencies("en")
    words = _sample(table)
    assert [freq.get(w) for w in words] == [table.get(w) for w in words]
    assert freq._table is not None
