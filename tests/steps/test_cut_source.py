"""A source cut off in mid-sentence (an excerpt, a feed's teaser; provenance/derivation.py): a derived article that
follows it to its end and goes on is judged on the stretch the source holds, and what follows is left out of the
shares and the verdict. Texts invented for the test; the options put the bars just around the measured scores, so
each call is predicted from the rule, not from tuned numbers."""

from __future__ import annotations

import provenance
from provenance.testing import make_host

SOURCE = [
    "Flood water swept through the village of Amberley on Sunday night, forcing residents from their homes.",
    "The river Arun burst its banks after three days of heavy rain, the Environment Agency said on Monday.",
    "Volunteers filled sandbags at the church hall until the early hours, and farmers moved livestock uphill.",
    "Council leader Priya Shah said emergency shelters at the village school would stay open all week.",
    "Forecasters expect more rain on Wednesday, and a severe flood warning remains in force along the",
]
COMPLETE = [*SOURCE[:-1], SOURCE[-1] + " whole valley."]
DERIVED = [
    "Flood water swept through Amberley village late on Sunday, forcing residents out of their homes.",
    "The river Arun burst its banks after three days of heavy rain, according to the Environment Agency.",
    "Volunteers filled sandbags at the church hall through the night while farmers moved livestock uphill.",
    "Council leader Priya Shah said the emergency shelters at the village school would stay open all week.",
    "More rain is expected on Wednesday, and a severe flood warning remains in force along the valley.",
    # What a later part of the wire story (beyond the excerpt) would hold: names and figures the excerpt lacks.
    "Mayor Tom Hale said 42 homes in Ferring and 17 in Rustington were flooded, with damage near 2.3 million.",
    "Insurers Aviva and Direct Line opened claims lines on Tuesday, and 85 soldiers joined Sussex Police.",
    "Network Rail closed the Arundel to Littlehampton line until Friday after 300 metres of track flooded.",
]


def article(paragraphs: list[str]) -> str:
    return "\n\n".join(paragraphs) + "\n"


# Decided by its score alone: no share of copied paragraphs settles it, no score makes it independent.
BY_SCORE = {"derivation.copied_from": 2.0, "derivation.independent_below": -99.0}


def derivation(source: list[str], **options: float) -> tuple[provenance.Report, dict]:
    report = provenance.compare(
        article(source), article(DERIVED), options={**BY_SCORE, **options}, host=make_host()
    )
    return report, report.metadata["derivation"]


def whole_article_score() -> float:
    """The article's score read whole (bars out of reach: neither the article nor its stretch can derive)."""
    _, d = derivation(SOURCE, **{"derivation.derived_from": 99.0, "derivation.cut_derived_from": 99.0})
    assert d["derived"] is None
    return float(d["score"])


def test_the_article_is_judged_on_the_stretch_the_cut_off_source_holds():
    bar = whole_article_score() + 0.01  # the article read whole falls just short of deriving
    report, d = derivation(
        SOURCE,
        **{
            "derivation.derived_from": bar,
            "derivation.cut_derived_from": bar,
        },
    )
    # Up to where the source ends, the names and figures are the source's: the score clears the bar.
    assert d["derived"] is True and d["score"] >= bar
    # The source's last stretch is reached by the fourth or fifth paragraph: the last three come after it.
    assert d["source_cut"] is True and {5, 6, 7} <= set(d["beyond_source"])
    assert "read up to where the cut-off source ends" in d["reason"]
    beyond = [p for p in report.paragraphs if p.index in (5, 6, 7)]
    assert all(p.relation == "added" and p.evidence["counted"] is False for p in beyond)
    assert report.verdict in (
        "copy",
        "rewrite",
    )  # the three paragraphs past the excerpt do not make it partial


def test_a_complete_source_is_read_whole():
    _, complete = derivation(COMPLETE, **{"derivation.derived_from": 99.0})
    bar = float(complete["score"]) + 0.01
    report, d = derivation(
        COMPLETE,
        **{
            "derivation.derived_from": bar,
            "derivation.cut_derived_from": bar,
        },
    )
    assert d["derived"] is None and "source_cut" not in d
    assert all(p.evidence.get("counted", True) for p in report.paragraphs)


def test_the_stretch_s_own_bar_only_lowers_the_article_s():
    # Without a judging scorer the stretch is held to the whole article's bar; its own bar, set out of reach,
    # takes nothing away.
    bar = whole_article_score() + 0.01
    _, d = derivation(SOURCE, **{"derivation.derived_from": bar, "derivation.cut_derived_from": 99.0})
    assert d["derived"] is True and d["score"] >= bar
    # Both bars out of reach: the article is read whole, nothing is left out.
    _, d = derivation(SOURCE, **{"derivation.derived_from": 99.0, "derivation.cut_derived_from": 99.0})
    assert d["derived"] is None and d["beyond_source"] == [] and d["score"] < bar
