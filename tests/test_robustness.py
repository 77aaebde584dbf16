"""Arbitrary input never crashes the engine: it gives a report or a clear InputError."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import provenance
from provenance.errors import InputError

words = st.sampled_from(
    [
        "river",
        "Flood",
        "the",
        "343",
        "said",
        "“quote”",
        "U.S.",
        "—",
        "水",
        "Ünïcode",
        "\n\n",
        "\n",
        ".",
        "!",
        "Mr.",
        "#",
        "- ",
        "<p>",
        "</p>",
        "\u200b",
        "\t",
        "2,400",
        "e-mail",
    ]
)
texts = st.lists(words, min_size=0, max_size=80).map(" ".join)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(texts, texts)
def test_any_text_pair(a, b):
    try:
        report = provenance.compare(a, b)
    except InputError as exc:
        assert str(exc) and "\n" not in str(exc)  # a one-line message for the CLI
        return
    shares = report.shares
    assert abs(sum(shares.values()) - 1.0) < 1e-6 or sum(shares.values()) == 0.0
    assert report.verdict in ("copy", "rewrite", "partial", "independent")
    assert 0.0 <= report.source_coverage <= 1.0


@settings(max_examples=60, deadline=None)
@given(st.binary(min_size=0, max_size=400), st.binary(min_size=0, max_size=400))
def test_any_bytes_pair(a, b):
    try:
        provenance.compare(a, b)
    except InputError as exc:
        assert str(exc) and "\n" not in str(exc)
