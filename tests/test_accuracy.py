"""Accuracy floors over whole labelled sets (issue 2). The sets live in ../shared; the metrics in bench/accuracy.py."""

from __future__ import annotations

import pytest

import provenance
from bench import accuracy


@pytest.mark.slow
def test_seed_pair_labels_and_verdict(shared):
    result = accuracy.seed_labels(provenance.compare)
    assert result.verdict == result.expected_verdict
    assert result.total == 20
    assert result.correct >= 18, result.rows


@pytest.mark.slow
def test_clough_stevenson_floors(shared):
    result = accuracy.clough(provenance.compare)
    assert len(result.items) == 57
    assert result.binary_accuracy >= 0.95, result.confusion()
    assert result.grade_accuracy >= 0.80, result.confusion()


@pytest.mark.slow
def test_beats_the_plain_baseline(shared):
    ours = accuracy.clough(provenance.compare)
    base = accuracy.clough(accuracy.baseline_compare)
    assert ours.binary_accuracy > base.binary_accuracy
    assert ours.grade_accuracy > base.grade_accuracy
    assert accuracy.seed_labels(provenance.compare).correct > accuracy.seed_labels(accuracy.baseline_compare).correct
