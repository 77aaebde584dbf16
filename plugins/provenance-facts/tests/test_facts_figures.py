"""Changed numbers and dates, and the many ways a figure can be kept that must not be reported."""

from __future__ import annotations

import pytest
from facts_articles import DERIVED, SOURCE, swap


def test_changed_number_has_both_values(facts):
    [f] = facts(SOURCE, swap(DERIVED, "330 metres", "300 metres"))
    assert f.kind == "changed-number" and f.relation is None and f.detector == "facts"
    assert f.paragraph == 1 and f.sources == (1,)  # paragraph 0 is the headline
    assert f.evidence["kind"] == "number"
    assert (f.evidence["source"], f.evidence["derived"]) == ("330 metres", "300 metres")
    assert "330 metres long" in f.evidence["source_sentence"]
    assert "300 metres along the quay" in f.evidence["derived_sentence"]
    assert f.message == "number changed: 330 metres -> 300 metres"
    assert 0 < f.score <= 1


def test_unchanged_figures_give_no_finding(facts):
    # DERIVED keeps every fact, in other words: "37" for "Thirty-seven", "18 months" for "eighteen months",
    # "after 2019 storms" for "storms in 2019".
    assert facts(SOURCE, DERIVED) == []


@pytest.mark.parametrize(
    "old,new,kind,label",
    [
        ("2.4 metres tall", "2.6 metres tall", "number", "number changed: 2.4 metres -> 2.6 metres"),
        ("£4.8 million project", "£6.2 million project", "money", "amount changed: £4.8 million -> £6.2 million"),
        ("40% funded", "45% funded", "percent", "percentage changed: 40% -> 45%"),
        ("lasting 18 months", "lasting 20 months", "number", "number changed: eighteen months -> 20 months"),
    ],
)
def test_changed_decimals_money_percentages(facts, old, new, kind, label):
    [f] = facts(SOURCE, swap(DERIVED, old, new))
    assert (f.kind, f.evidence["kind"], f.message) == ("changed-number", kind, label)


@pytest.mark.parametrize(
    "old,new",
    [
        ("37 residents", "Thirty-seven residents"),
        ("lasting 18 months", "lasting eighteen months"),
        ("£4.8 million project", "£4,800,000 project"),
        ("40% funded", "40 per cent funded"),
        ("on 14 March", "on March 14"),
        ("2.4 metres tall", "2.4m tall"),
    ],
)
def test_same_value_written_differently_is_not_a_change(facts, old, new):
    assert facts(SOURCE, swap(DERIVED, old, new)) == []


def test_omitted_number_is_not_a_change(facts):
    derived = swap(DERIVED, "stand 2.4 metres tall and run for 330 metres along the quay", "stand 2.4 metres tall")
    assert facts(SOURCE, derived) == []


def test_new_number_without_counterpart_is_not_a_change(facts):
    derived = swap(DERIVED, "from Chapel Row.", "from Chapel Row, a street of 48 cottages.")
    assert facts(SOURCE, derived) == []


def test_added_paragraph_is_not_compared(facts):
    comment = (
        "\nThe harbour has flooded before: in 1953 a storm surge reached 3.1 metres and "
        "destroyed 120 boats, and the town museum still keeps photographs of it.\n"
    )
    assert facts(SOURCE, DERIVED + comment) == []


def test_hedged_rounding_is_not_a_change(facts):
    assert facts(SOURCE, swap(DERIVED, "run for 330 metres", "run for about 320 metres")) == []


def test_rounding_option(facts):
    derived = swap(DERIVED, "run for 330 metres", "run for about 320 metres")
    [f] = facts(SOURCE, derived, **{"facts.rounding_tolerance": 0.0})
    assert f.evidence["derived"] == "320 metres"


def test_changed_year(facts):
    [f] = facts(SOURCE, swap(DERIVED, "after 2019 storms", "after 2018 storms"))
    assert f.kind == "changed-date" and f.evidence["kind"] == "year"
    assert (f.evidence["source"], f.evidence["derived"]) == ("2019", "2018")
    assert f.message == "year changed: 2019 -> 2018"


@pytest.mark.parametrize(
    "old,new,kind,source,derived",
    [
        ("on 14 March", "on 24 March", "date", "14 March", "24 March"),
        ("agreed on Wednesday", "agreed on Thursday", "weekday", "Wednesday", "Thursday"),
    ],
)
def test_changed_date_and_day(facts, old, new, kind, source, derived):
    [f] = facts(SOURCE, swap(DERIVED, old, new))
    assert f.kind == "changed-date" and f.evidence["kind"] == kind
    assert (f.evidence["source"], f.evidence["derived"]) == (source, derived)


@pytest.mark.parametrize(
    "old,new",
    [
        ("stand 2.4 metres tall", "stand 240 centimetres tall"),  # a conversion: the units differ
        ("stand 2.4 metres tall", "stand 2 metres tall"),  # rounded to fewer digits
        ("40% funded", "more than 39% funded"),  # hedged, within the rounding tolerance
    ],
)
def test_conversions_and_rounding_are_not_changes(facts, old, new):
    assert facts(SOURCE, swap(DERIVED, old, new)) == []
