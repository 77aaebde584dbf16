"""How figures and dates are read from text: the values two sentences are compared by."""

from __future__ import annotations

import pytest

from provenance_facts.figures import hard_facts, spelled_keys


@pytest.mark.parametrize(
    "text,kind,keys,display",
    [
        ("flooded 140 homes", "number", {"140"}, "140 homes"),
        ("rose 2.4 metres", "number", {"2.4"}, "2.4 metres"),
        ("a 91-year-old man", "number", {"91"}, "91-year-old"),
        ("1,800 properties", "number", {"1800"}, "1,800 properties"),
        ("the £6.2 million scheme", "money", {"6200000"}, "£6.2 million"),
        ("a £6.2m scheme", "money", {"6200000"}, "£6.2m"),
        ("paid a $10-million fine", "money", {"10000000"}, "$10-million"),
        ("US$5bn", "money", {"5000000000"}, "US$5bn"),
        ("up 30 per cent", "percent", {"30"}, "30 per cent"),
        ("up 3.5%", "percent", {"3.5"}, "3.5%"),
        ("in 2009, the wall", "year", {"2009"}, "2009"),
        ("the 2009 flood", "year", {"2009"}, "2009"),
        ("in the 1990s", "decade", {"1990s"}, "1990s"),
        ("on 14 March", "date", {"03-14"}, "14 March"),
        ("on March 14th", "date", {"03-14"}, "March 14th"),
        ("closed at 5.30am", "time", {"5:30"}, "5.30am"),
        ("by 9am", "time", {"9:00", "9"}, "9am"),
        ("at 14:30", "time", {"14:30"}, "14:30"),
        ("on Tuesday night", "weekday", {"tuesday"}, "Tuesday"),
        ("the 22nd floor", "ordinal", {"22"}, "22nd"),
        ("eighteen months", "number", {"18"}, "eighteen months"),
    ],
)
def test_reads_one_fact(text, kind, keys, display):
    [fact] = hard_facts(text)
    assert (fact.kind, set(fact.keys), fact.display) == (kind, keys, display)


@pytest.mark.parametrize("text", ["COVID-19 cases", "the M25 motorway", "no figures here"])
def test_codes_are_not_figures(text):
    assert hard_facts(text) == ()


def test_spelled_numbers_are_values():
    assert spelled_keys("thirty-seven people, a hundred boats and two million pounds") >= {"37", "100", "2000000"}


def test_hedges_are_noted():
    [fact] = hard_facts("about 1,800 homes")
    assert fact.hedged
