"""provenance/assemble.py: findings to a Report. One relation per paragraph (copy beats rewrite beats added),
annotations kept beside the labels, word shares over the counted paragraphs (`paragraph.min_words` leaves
short ones out), the verdict from the shares, and the source side: which source paragraphs were copied,
rewritten or omitted, and how much of the source was reused."""

from __future__ import annotations

import itertools
from dataclasses import replace

import pytest
from steps_factory import aligned, document, link

from provenance.align.content import prepare
from provenance.assemble import MIN_WORDS, assemble, counted, decide_verdict, tally
from provenance.model import Alignment, Document, Finding
from provenance.rules import (
    COPY_FROM,
    DERIVED_FLOOR,
    INDEPENDENT_BELOW,
    KEPT_WORDING,
    OWN_FROM,
    OWN_INDEPENDENT,
    OWN_SPECIFICS,
    PADDED_FROM,
    PARTIAL_FROM,
    REUSED_FROM,
    TRACED_FROM,
)

BELOW = 0.999


def with_roles(doc: Document, boilerplate: set[int]) -> Document:
    return replace(
        doc,
        paragraphs=tuple(
            replace(p, role="boilerplate", role_reason="short line") if p.index in boilerplate else p
            for p in doc.paragraphs
        ),
    )


# Source: paragraph 0 is furniture; 1 and 2 have two sentences each; 3 has one.
SOURCE = with_roles(
    document(
        "Menu",
        "The harbour board approved a new ferry terminal. Work starts in the spring of next year.",
        "Fishermen welcomed the plan at a crowded meeting. They asked for a longer quay near the fish market.",
        "The mayor thanked the engineers for their patience during the long consultation.",
        name="src",
        classified=False,
    ),
    {0},
)
# Derived: paragraph 0 is furniture, 4 is a short line of article text.
DERIVED = with_roles(
    document(
        "Read more",
        "The harbour board approved a new ferry terminal, and work starts next spring.",
        "Fishermen, who welcomed the plan, want a longer quay by the market.",
        "Our reporter thinks the whole scheme is a very expensive mistake for the town.",
        "More soon.",
        name="der",
        classified=False,
    ),
    {0},
)
SENT_WORDS = tuple(tuple(prepare(p).sent_words) for p in SOURCE.body)
W = {p.index: p.words for p in DERIVED.paragraphs}


def alignment(*paragraphs) -> Alignment:
    defaults = {i: aligned(index=i, words=W[i]) for i in (1, 2, 3, 4)}
    defaults.update({a.index: a for a in paragraphs})
    return Alignment(SOURCE, DERIVED, tuple(defaults[i] for i in sorted(defaults)), SENT_WORDS)


def claim(
    relation: str | None,
    paragraph: int,
    detector: str | None = None,
    score: float = 0.5,
    sources=(),
    **evidence,
) -> Finding:
    return Finding(detector or (relation or "note"), paragraph, relation, score, tuple(sources), evidence)


def report(findings, *paragraphs, options=None, errors=()):
    return assemble(
        alignment(*paragraphs),
        list(findings),
        options=options or {},
        parameters={"p": 1},
        errors=list(errors),
    )


def relations(r):
    return [p.relation for p in r.paragraphs]


# Labels -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("order", list(itertools.permutations(["copy", "rewrite", "added"])))
def test_copy_beats_rewrite_beats_added(order):
    findings = [claim(rel, 1) for rel in order] + [claim(rel, 2) for rel in order if rel != "copy"]
    r = report(findings)
    assert relations(r)[1:3] == ["copy", "rewrite"]
    assert r.paragraphs[1].evidence["detector"] == "copy"


def test_the_first_of_equal_claims_wins():
    r = report([claim("rewrite", 1, "first", sources=(1,)), claim("rewrite", 1, "second", sources=(2,))])
    assert r.paragraphs[1].sources == (1,) and r.paragraphs[1].evidence["detector"] == "first"


def test_annotations_are_kept_beside_the_labels_and_do_not_claim():
    notes = [claim(None, 3, "facts", kind="figure"), claim(None, 1, "zz"), claim(None, 1, "attribution")]
    r = report([claim("copy", 1), *notes])
    assert relations(r)[1] == "copy" and relations(r)[3] == "added"
    assert [(f.paragraph, f.detector) for f in r.findings] == [(1, "attribution"), (1, "zz"), (3, "facts")]


def test_claims_of_other_relations_are_ignored():
    r = report([claim("boilerplate", 1), claim("summary", 2)])
    assert relations(r)[1:3] == ["added", "added"]


def test_an_unclaimed_paragraph_is_added_with_its_content_coverage():
    r = report([], aligned(index=3, words=W[3], content=0.12))
    p = r.paragraphs[3]
    assert (p.relation, p.score, p.sources) == ("added", 0.0, ())
    assert p.evidence["detector"] is None and p.evidence["content_coverage"] == 0.12


def test_boilerplate_keeps_its_reason_and_is_never_counted():
    r = report([claim("copy", 0)])  # a claim on furniture does not change it
    p = r.paragraphs[0]
    assert (p.relation, p.evidence) == ("boilerplate", {"reason": "short line"})
    assert r.metadata["words"]["derived_body"] == sum(W[i] for i in (1, 2, 3, 4))


# Shares and counting ----------------------------------------------------------------------------------------


def test_shares_are_word_shares_of_the_counted_paragraphs():
    r = report([claim("copy", 1), claim("rewrite", 2)])
    body = W[1] + W[2] + W[3] + W[4]
    assert r.shares["copy"] == pytest.approx(W[1] / body)
    assert r.shares["rewrite"] == pytest.approx(W[2] / body)
    assert r.shares["added"] == pytest.approx((W[3] + W[4]) / body)


def test_paragraph_min_words_leaves_short_paragraphs_out_of_the_shares():
    assert W[4] < W[2]
    r = report([claim("copy", 1), claim("rewrite", 2), claim("copy", 4)], options={MIN_WORDS: W[4] + 1})
    body = W[1] + W[2] + W[3]
    assert r.shares["copy"] == pytest.approx(W[1] / body)  # paragraph 4's copy is not counted
    assert r.paragraphs[4].relation == "copy" and r.paragraphs[4].evidence["counted"] is False
    assert r.metadata["uncounted"] == {"min_words": W[4] + 1, "paragraphs": [4]}
    assert r.metadata["words"]["derived_body"] == body
    at = report([claim("copy", 1), claim("rewrite", 2), claim("copy", 4)], options={MIN_WORDS: W[4]})
    assert "counted" not in at.paragraphs[4].evidence and at.metadata["uncounted"]["paragraphs"] == []


def test_without_min_words_nothing_is_uncounted():
    r = report([])
    assert "uncounted" not in r.metadata


def test_counted_and_tally():
    assert counted("copy", 3, {MIN_WORDS: 3}) and not counted("copy", 2, {MIN_WORDS: 3})
    assert not counted("boilerplate", 100, {})
    rows = [("copy", 30), ("rewrite", 10), ("added", 10), ("boilerplate", 50), ("added", 2)]
    shares, body = tally((rel, n, counted(rel, n, {MIN_WORDS: 3})) for rel, n in rows)
    assert body == 50 and shares == {"copy": 0.6, "rewrite": 0.2, "added": 0.2}
    assert tally([]) == ({"copy": 0.0, "rewrite": 0.0, "added": 0.0}, 0)


def test_traced_sentences_are_weighted_by_counted_words():
    r = report(
        [],
        aligned(index=1, words=W[1], traced=1.0),
        aligned(index=4, words=W[4], traced=1.0),
        options={MIN_WORDS: W[4] + 1},
    )
    assert r.metadata["traced_sentences"] == pytest.approx(round(W[1] / (W[1] + W[2] + W[3]), 4))


# Verdict ----------------------------------------------------------------------------------------------------


def shares(copy=0.0, rewrite=0.0):
    return {"copy": copy, "rewrite": rewrite, "added": 1.0 - copy - rewrite}


def test_independent_below_the_derived_share():
    assert decide_verdict(shares(rewrite=INDEPENDENT_BELOW * BELOW), {}) == "independent"
    assert decide_verdict(shares(rewrite=INDEPENDENT_BELOW), {"verdict.partial_from": 1.0}) == "rewrite"


def test_traced_sentences_rescue_a_small_derived_share_above_the_floor():
    small = shares(rewrite=max(DERIVED_FLOOR, INDEPENDENT_BELOW * BELOW))
    assert small["rewrite"] < INDEPENDENT_BELOW
    assert decide_verdict(small, {}, traced=TRACED_FROM) != "independent"
    assert decide_verdict(small, {}, traced=TRACED_FROM * BELOW) == "independent"
    assert decide_verdict(shares(rewrite=DERIVED_FLOOR * BELOW), {}, traced=1.0) == "independent"


def test_partial_from_the_added_share():
    derived = 1.0 - PARTIAL_FROM
    assert derived >= INDEPENDENT_BELOW
    assert decide_verdict({"copy": derived, "rewrite": 0.0, "added": PARTIAL_FROM}, {}) == "partial"
    assert decide_verdict({"copy": derived, "rewrite": 0.0, "added": PARTIAL_FROM * BELOW}, {}) != "partial"


def test_a_derived_article_padded_without_own_specifics_is_a_rewrite():
    derived = max(PADDED_FROM, 1.0 - PARTIAL_FROM)
    s = {"copy": 0.0, "rewrite": derived, "added": 1.0 - derived}
    assert s["added"] >= PARTIAL_FROM
    assert decide_verdict(s, {}, own=OWN_FROM) == "partial"  # added text with names and figures of its own
    assert decide_verdict(s, {}, own=OWN_FROM * BELOW) == "rewrite"  # generic commentary around a rewrite
    assert decide_verdict(s, {}) == "partial"  # own reporting unknown (an audit): the added share decides


def test_a_small_derived_part_beside_unspecific_text_stays_partial():
    derived = max(INDEPENDENT_BELOW, PADDED_FROM * BELOW)
    s = {"copy": 0.0, "rewrite": derived, "added": 1.0 - derived}
    assert derived < PADDED_FROM and s["added"] >= PARTIAL_FROM
    assert decide_verdict(s, {}, own=0.0) == "partial"


def test_an_undecided_article_with_much_own_reporting_is_independent():
    derived = max(INDEPENDENT_BELOW, PADDED_FROM)
    s = {"copy": 0.0, "rewrite": derived, "added": 1.0 - derived}
    assert decide_verdict(s, {}, own=OWN_INDEPENDENT) == "partial"  # derived as a whole, or not judged
    assert decide_verdict(s, {}, own=OWN_INDEPENDENT, undecided=True) == "independent"  # the event's facts
    assert decide_verdict(s, {}, own=OWN_INDEPENDENT * BELOW, undecided=True) == "partial"
    assert decide_verdict(s, {}, undecided=True) == "partial"  # own reporting unknown: the shares decide


def test_an_undecided_article_that_keeps_the_sources_prose_is_not_independent():
    derived = max(INDEPENDENT_BELOW, PADDED_FROM)
    s = {"copy": 0.0, "rewrite": derived, "added": 1.0 - derived}
    # Much own reporting, but a good share of its words sit in runs of the source's prose: it leans on the source.
    assert decide_verdict(s, {}, own=1.0, undecided=True, wording=KEPT_WORDING) == "partial"
    assert decide_verdict(s, {}, own=1.0, undecided=True, wording=KEPT_WORDING * BELOW) == "independent"
    # The option moves the bar.
    kept = {"verdict.kept_wording": 1.01}
    assert decide_verdict(s, kept, own=1.0, undecided=True, wording=KEPT_WORDING) == "independent"
    # Kept prose alone does not make an article derived: too small a derived share is still independent.
    small = shares(rewrite=INDEPENDENT_BELOW * BELOW)
    assert decide_verdict(small, {}, own=1.0, undecided=True, wording=1.0) == "independent"


def test_own_reporting_counts_added_paragraphs_with_new_specifics():
    new = tuple(f"n{k}" for k in range(OWN_SPECIFICS))
    r = report(
        [claim("rewrite", 1), claim("rewrite", 2)],
        aligned(index=3, words=W[3], new_specifics=new),
        aligned(index=4, words=W[4], new_specifics=new[:-1]),
    )
    body = W[1] + W[2] + W[3] + W[4]
    assert r.metadata["own_reporting"] == pytest.approx(round(W[3] / body, 4))


def test_copy_from_the_copy_share_else_rewrite():
    assert decide_verdict(shares(copy=COPY_FROM, rewrite=1.0 - COPY_FROM), {}) == "copy"
    assert decide_verdict(shares(copy=COPY_FROM * BELOW, rewrite=1.0 - COPY_FROM * BELOW), {}) == "rewrite"


def test_copy_is_measured_on_what_the_article_derives():
    added = PARTIAL_FROM * BELOW  # own text, not enough for partial
    copy = COPY_FROM * (1.0 - added)  # COPY_FROM of the derived words, less than COPY_FROM of the article
    s = {"copy": copy, "rewrite": 1.0 - added - copy, "added": added}
    assert copy < COPY_FROM
    assert decide_verdict(s, {}) == "copy"
    s = {"copy": copy * BELOW, "rewrite": 1.0 - added - copy * BELOW, "added": added}
    assert decide_verdict(s, {}) == "rewrite"


def test_verdict_options_override_the_rules():
    s = shares(copy=COPY_FROM, rewrite=1.0 - COPY_FROM)
    assert decide_verdict(s, {"verdict.copy_from": "0.99"}) == "rewrite"  # parsed, or given as text
    assert decide_verdict(s, {"verdict.independent_below": 1.01}) == "independent"


def test_the_report_verdict_follows_its_shares():
    assert report([claim("copy", i) for i in (1, 2, 3, 4)]).verdict == "copy"
    assert report([claim("rewrite", i) for i in (1, 2, 3, 4)]).verdict == "rewrite"
    assert report([]).verdict == "independent"


# Source side ------------------------------------------------------------------------------------------------


def test_a_copy_reuses_its_whole_source_paragraph():
    r = report([claim("copy", 1, sources=(1,))], aligned(index=1, words=W[1], sources=(1,)))
    src = r.source_paragraphs
    assert (src[1].relation, src[1].reused, src[1].reused_by) == ("copied", True, (1,))
    assert [p.relation for p in src] == ["boilerplate", "copied", "omitted", "omitted"]
    assert [p.index for p in r.omitted] == [2, 3]
    assert r.source_coverage == pytest.approx(sum(SENT_WORDS[0]) / sum(map(sum, SENT_WORDS)))


def test_a_rewrite_reuses_the_source_sentences_it_links_to():
    a = aligned(index=2, words=W[2], sources=(2,), links=(link(0, 2, 0, 0.6),))
    r = report([claim("rewrite", 2, sources=(2,))], a)
    assert r.source_paragraphs[2].relation == "rewritten"
    assert r.source_coverage == pytest.approx(SENT_WORDS[1][0] / sum(map(sum, SENT_WORDS)))


def test_a_source_paragraph_counts_as_used_from_reused_from():
    # Reuse only the first sentence of source paragraph 2; set the bar at that share and just above it.
    first_share = SENT_WORDS[1][0] / sum(SENT_WORDS[1])
    a = aligned(index=2, words=W[2], sources=(2,), links=(link(0, 2, 0, 0.6),))
    at = report([claim("rewrite", 2)], a, options={"source.reused_from": first_share})
    over = report([claim("rewrite", 2)], a, options={"source.reused_from": first_share * 1.001})
    assert at.source_paragraphs[2].relation == "rewritten"
    assert over.source_paragraphs[2].relation == "omitted" and over.source_paragraphs[2].reused_by == (2,)
    assert first_share >= REUSED_FROM  # so the default counts it


def test_links_to_paragraphs_that_are_not_sources_do_not_count():
    a = aligned(index=2, words=W[2], sources=(2,), links=(link(0, 2, 0, 0.6), link(0, 3, 0, 0.1)))
    r = report([claim("rewrite", 2)], a)
    assert r.source_paragraphs[3].relation == "omitted" and r.source_paragraphs[3].reused_by == ()


def test_a_source_paragraph_used_by_copies_and_rewrites_is_labelled_by_the_majority():
    whole = (link(0, 1, 0, 1.0), link(0, 1, 1, 1.0))
    paras = [aligned(index=i, words=W[i], sources=(1,), links=whole) for i in (1, 2, 3)]
    mostly_copy = report([claim("copy", 1), claim("copy", 2), claim("rewrite", 3)], *paras)
    assert mostly_copy.source_paragraphs[1].relation == "copied"
    assert mostly_copy.source_paragraphs[1].reused_by == (1, 2, 3)
    mostly_rewrite = report([claim("copy", 1), claim("rewrite", 2), claim("rewrite", 3)], *paras)
    assert mostly_rewrite.source_paragraphs[1].relation == "rewritten"


def test_added_paragraphs_reuse_nothing():
    a = aligned(index=3, words=W[3], sources=(3,), links=(link(0, 3, 0, 0.9),))
    r = report([claim("added", 3)], a)
    assert r.source_coverage == 0.0 and r.source_paragraphs[3].relation == "omitted"


def test_errors_parameters_and_metadata_travel_into_the_report():
    errors = [{"plugin": "p", "detector": "d", "error": "E: x"}]
    r = report([], errors=errors)
    assert [dict(e) for e in r.errors] == errors and dict(r.parameters) == {"p": 1}
    assert (r.source, r.derived) == ("src", "der")
    assert r.metadata["words"]["source_body"] == sum(map(sum, SENT_WORDS))
    assert r.to_dict()["omitted"] == [1, 2, 3]
