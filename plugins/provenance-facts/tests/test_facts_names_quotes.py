"""Changed names and misquotes."""

from __future__ import annotations

from facts_articles import DERIVED, SOURCE, swap


def test_changed_name(facts):
    [f] = facts(SOURCE, swap(DERIVED, "said Marta Kowalczyk", "said Marta Kowalczik"))
    assert f.kind == "changed-name" and f.relation is None and f.paragraph == 3 and f.sources == (3,)
    assert (f.evidence["source"], f.evidence["derived"]) == ("Marta Kowalczyk", "Marta Kowalczik")
    assert f.message == "name changed: Marta Kowalczyk -> Marta Kowalczik"


def test_name_replaced_in_the_same_place(facts):
    [f] = facts(SOURCE, swap(DERIVED, "said Marta Kowalczyk", "said Tomas Brandt"))
    assert f.kind == "changed-name" and f.evidence["derived"] == "Tomas Brandt"


def test_shortened_or_inflected_name_is_not_a_change(facts):
    derived = swap(DERIVED, "said Marta Kowalczyk, who", "said Ms Kowalczyk, who")
    derived = swap(derived, "from Chapel Row.", "from Chapel Row's cottages.")
    assert facts(SOURCE, derived) == []


def test_misquote_detected(facts):
    [f] = facts(SOURCE, swap(DERIVED, "protect the harbour and the boats", "protect the town and the boats"))
    assert f.kind == "misquote" and f.relation is None and f.paragraph == 3 and f.sources == (3,)
    assert f.evidence["source"].startswith("This wall will protect the harbour")
    assert f.evidence["derived"].startswith("This wall will protect the town")
    assert f.evidence["dropped_words"] == ["harbour"] and f.evidence["added_words"] == ["town"]
    assert 0.6 <= f.evidence["overlap"] < 1
    assert f.message.startswith("misquote (harbour -> town)")


def test_verbatim_quote_gives_no_finding(facts):
    # Curly quotes, another case and other punctuation are typography, not words.
    derived = swap(
        DERIVED, '"Our fishermen have waited long enough."', "\u201cour fishermen have waited long enough!\u201d"
    )
    assert facts(SOURCE, derived) == []


def test_cut_quote_gives_no_finding(facts):
    derived = swap(DERIVED, "protect the harbour and the boats for", "protect the harbour ... for")
    derived = swap(derived, '"Our fishermen have waited long enough."', '"Our fishermen have waited."')
    assert facts(SOURCE, derived) == []


def test_quote_overlap_option(facts):
    derived = swap(DERIVED, "protect the harbour and the boats", "protect the town and the boats")
    assert facts(SOURCE, derived, **{"facts.min_quote_overlap": 0.99}) == []


def test_unrelated_quote_is_not_a_misquote(facts):
    derived = swap(
        DERIVED, '"Our fishermen have waited long enough."', '"Nobody asked the people who live here what they wanted."'
    )
    assert [f for f in facts(SOURCE, derived) if f.kind == "misquote"] == []
