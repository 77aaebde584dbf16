"""The Python API cannot silently compare file names as text (issue 20, item 6)."""

from __future__ import annotations

import pytest

import provenance
from provenance import UsageError


@pytest.fixture
def in_examples(examples, monkeypatch):
    monkeypatch.chdir(examples)
    return examples


@pytest.mark.parametrize(
    ("source", "derived"),
    [
        ("wire-story.txt", "rewrite-with-commentary.md"),  # files that exist here
        ("source.txt", "derived.md"),  # names of files that do not: still not article text
        ("wire-story.txt", "Some article text that is clearly text, not a name."),
    ],
)
def test_compare_refuses_a_file_name_given_as_text(in_examples, source, derived):
    with pytest.raises(UsageError, match=r"compare_files\(\).*compare_texts\(\)"):
        provenance.compare(source, derived)


def test_compare_files_reads_the_files(in_examples):
    report = provenance.compare_files("wire-story.txt", "rewrite-with-commentary.md")
    assert report.verdict == "rewrite" and report.source == "wire-story.txt"


def test_compare_files_names_a_missing_file(in_examples):
    with pytest.raises(provenance.InputError, match=r"nowhere\.txt"):
        provenance.compare_files("wire-story.txt", "nowhere.txt")


def test_compare_texts_takes_any_text(in_examples):
    story = (in_examples / "wire-story.txt").read_text(encoding="utf-8")
    assert provenance.compare_texts(story, story).verdict == "copy"
    # a text that happens to read like a file name is still a text when the caller says so
    assert provenance.compare_texts("notes.txt", "notes.txt").source == "<text>"
    with pytest.raises(UsageError, match="must be a str"):
        provenance.compare_texts(in_examples / "wire-story.txt", story)  # type: ignore[arg-type]


def test_compare_still_reads_paths_and_multi_line_text(in_examples):
    story = (in_examples / "wire-story.txt").read_text(encoding="utf-8")
    assert provenance.compare(in_examples / "wire-story.txt", story).verdict == "copy"
