"""The shipped examples against their ground truth by construction (examples/expected.json)."""

from __future__ import annotations

import json

import pytest

import provenance


def _pairs(examples):
    spec = json.loads((examples / "expected.json").read_text(encoding="utf-8"))
    return spec["source"], spec["pairs"]


def test_every_pair_gets_its_verdict(examples):
    source, pairs = _pairs(examples)
    got = {
        p["derived"]: provenance.compare(examples / source, examples / p["derived"]).verdict for p in pairs
    }
    assert got == {p["derived"]: p["verdict"] for p in pairs}


def test_rewrite_paragraph_labels_and_omissions(examples):
    source, pairs = _pairs(examples)
    for pair in (p for p in pairs if "paragraphs" in p):
        report = provenance.compare(examples / source, examples / pair["derived"])
        assert len(report.paragraphs) == len(pair["paragraphs"])
        right = 0
        for para, want in zip(report.paragraphs, pair["paragraphs"]):
            assert para.text.startswith(want["starts"])
            right += para.relation == want["label"]
        assert right >= len(pair["paragraphs"]) - 1
        assert sorted(p.index for p in report.omitted) == pair["omitted"]
        quoted = [
            p
            for p in report.paragraphs
            if p.relation == "rewrite" and any(q["copied"] for q in p.evidence.get("quotes", []))
        ]
        assert quoted, "a quote kept inside reworded prose is reported as a copied quote"


@pytest.mark.parametrize("name", ["scraped-copy.html", "wire-story-cp1252.txt"])
def test_copies_cover_the_whole_source(examples, name):
    report = provenance.compare(examples / "wire-story.txt", examples / name)
    assert report.source_coverage >= 0.95
    assert not report.omitted
