"""The engine knobs a policy sets: `paragraph.min_words` (short paragraphs are not counted) and `copy.quotes`
(whether verbatim quotations make a paragraph a copy). Both are real options of the assemble step and the copy
detector, so compare, audit and check all see the same effect."""

from __future__ import annotations

import pytest

import provenance
from provenance.errors import UsageError

SOURCE = """Council approves flood wall

The county council voted on Monday to build a new flood wall along the east bank of the river, after three floods in five years.

“We cannot keep asking families to bail out their kitchens every winter while we wait for another study to be finished,” said council leader Amira Okafor, who proposed the plan last spring.

The wall will cost twelve million pounds and take two years to build, the council said.
"""

# 1: a verbatim quotation inside reworded prose; 3: the quotation standing on its own ("she said" aside).
DERIVED = """Flood wall gets the go-ahead

Councillors backed a new barrier on the river's eastern side this week, following a run of floods that has worn residents down.

Okafor, who has led the council since 2019 and pushed the idea, was blunt: “We cannot keep asking families to bail out their kitchens every winter while we wait for another study to be finished.”

“We cannot keep asking families to bail out their kitchens every winter while we wait for another study to be finished,” she said.

The project is expected to take two years.
"""

# A copied headline and a copied short line, with long paragraphs of new material around them.
SHORT_COPIES = """Council approves flood wall

Residents of the east bank have argued for years about whether a wall would spoil the view of the river, and the argument is not over yet.

The wall will cost twelve million pounds.

Several shopkeepers on the high street said they would wait to see the plans before deciding whether to support the scheme.
"""


def _relations(report) -> dict[int, str]:
    return {p.index: p.relation for p in report.paragraphs}


def _quote_paragraphs(report) -> tuple[int, int]:
    """(embedded, standalone): the derived paragraphs holding the quotation, found from the evidence, not by index.
    The embedded one has more prose around the quotation."""
    quoted = [p for p in report.paragraphs if any(q["copied"] for q in p.evidence.get("quotes", []))]
    assert len(quoted) == 2, [p.index for p in quoted]
    by_prose = sorted(quoted, key=lambda p: len(p.text) - len(p.evidence["quotes"][0]["text"]))
    return by_prose[-1].index, by_prose[0].index


def test_quotes_auto_is_the_default_and_keeps_todays_rule():
    default = provenance.compare(SOURCE, DERIVED)
    auto = provenance.compare(SOURCE, DERIVED, options={"copy.quotes": "auto"})
    assert default.to_dict() == auto.to_dict()
    embedded, alone = _quote_paragraphs(default)
    rel = _relations(default)
    assert rel[embedded] == "rewrite"  # quoted speech inside reworded prose is not copied prose
    assert rel[alone] == "copy"  # a quotation standing alone is judged on its whole text


def test_quotes_count_makes_quoted_wording_copying():
    auto = provenance.compare(SOURCE, DERIVED)
    count = provenance.compare(SOURCE, DERIVED, options={"copy.quotes": "count"})
    embedded, alone = _quote_paragraphs(count)
    assert _relations(count)[embedded] == "copy"
    assert _relations(count)[alone] == "copy"
    assert count.shares["copy"] > auto.shares["copy"]


def test_quotes_ignore_never_calls_a_quotation_copying():
    auto = provenance.compare(SOURCE, DERIVED)
    ignore = provenance.compare(SOURCE, DERIVED, options={"copy.quotes": "ignore"})
    embedded, alone = _quote_paragraphs(ignore)
    rel = _relations(ignore)
    assert (
        rel[alone] == "rewrite" and rel[embedded] == "rewrite"
    )  # still derived: the content is the source's
    assert ignore.shares["copy"] < auto.shares["copy"]
    assert ignore.shares["copy"] + ignore.shares["rewrite"] == pytest.approx(
        auto.shares["copy"] + auto.shares["rewrite"]
    )


def test_quotes_ignore_still_finds_copied_prose(examples):
    """Prose without quotation marks is judged as before: the scraped copy stays a copy."""
    src, copy = examples / "wire-story.txt", examples / "scraped-copy.html"
    ignore = provenance.compare(src, copy, options={"copy.quotes": "ignore"})
    assert ignore.verdict == "copy"
    headline = next(p for p in ignore.paragraphs if p.relation != "boilerplate")
    assert headline.relation == "copy"  # short, no quotation marks: not "too little prose to judge"


def test_quotes_rejects_other_values():
    with pytest.raises(UsageError, match=r"copy\.quotes expects one of auto, count, ignore"):
        provenance.compare(SOURCE, DERIVED, options={"copy.quotes": "sometimes"})


@pytest.mark.parametrize("min_words", [0, 5, 9, 25, 1000])
def test_min_words_leaves_short_paragraphs_out_of_the_shares(min_words):
    report = provenance.compare(SOURCE, SHORT_COPIES, options={"paragraph.min_words": min_words})
    counted = [p for p in report.paragraphs if p.relation != "boilerplate" and p.words >= min_words]
    skipped = [p for p in report.paragraphs if p.relation != "boilerplate" and p.words < min_words]
    total = sum(p.words for p in counted)
    for rel in ("copy", "rewrite", "added"):
        expected = sum(p.words for p in counted if p.relation == rel) / total if total else 0.0
        assert report.shares[rel] == pytest.approx(expected)
    assert all(p.evidence.get("counted") is False for p in skipped)
    assert all("counted" not in p.evidence for p in counted)
    if min_words:
        assert report.metadata["uncounted"] == {
            "min_words": min_words,
            "paragraphs": [p.index for p in skipped],
        }
    else:
        assert "uncounted" not in report.metadata
    assert report.metadata["words"]["derived_body"] == total
    if not counted:
        assert report.verdict == "independent"


def test_min_words_changes_the_verdict_when_only_short_paragraphs_were_copied():
    plain = provenance.compare(SOURCE, SHORT_COPIES)
    copied = [p for p in plain.paragraphs if p.relation == "copy"]
    assert copied, "the example needs copied short paragraphs"
    longest_copy = max(p.words for p in copied)
    strict = provenance.compare(SOURCE, SHORT_COPIES, options={"paragraph.min_words": longest_copy + 1})
    assert plain.shares["copy"] > 0 and strict.shares["copy"] == 0
    assert _relations(strict) == _relations(plain)  # labels stay: the report still shows what was copied


def test_min_words_must_be_a_whole_number_at_least_zero():
    with pytest.raises(UsageError, match=r"paragraph\.min_words must be at least 0"):
        provenance.compare(SOURCE, DERIVED, options={"paragraph.min_words": -1})
    with pytest.raises(UsageError, match=r"paragraph\.min_words expects an integer"):
        provenance.compare(SOURCE, DERIVED, options={"paragraph.min_words": "many"})
