"""The detector through the public API: credits found, uncredited reuse flagged, people ignored."""

from __future__ import annotations

import provenance
import pytest
from articles import COPY, INDEPENDENT, PERSON_CREDIT, SOURCE
from provenance.testing import make_host

NAME = {"attribution.source_name": "Hale Valley Wire"}


def _by_kind(report) -> dict[str, list]:
    out: dict[str, list] = {}
    for f in report.findings:
        if f.detector == "attribution":
            out.setdefault(f.kind, []).append(f)
    return out


def _compare(derived: str, host, options=NAME):
    return provenance.compare(SOURCE, derived, host=host, options=dict(options))


@pytest.mark.parametrize(
    "credit",
    [
        "MARLOW BRIDGE (Hale Valley Wire) - ",
        "According to the Hale Valley Wire, ",
        "according to the hale valley wire, ",
        "ACCORDING TO THE HALE VALLEY WIRE, ",
    ],
)
def test_credit_in_the_first_paragraph(host, credit):
    first = "The public library in Marlow Bridge"
    derived = COPY.replace(first, credit + ("the" if credit.endswith(", ") else "The") + first[3:], 1)
    kinds = _by_kind(_compare(derived, host))
    [doc] = kinds["credited"]
    assert doc.evidence["credited"] is True and doc.score == 1.0
    assert doc.evidence["credits"][0]["paragraph"] == 1
    assert doc.evidence["credits"][0]["credits"] == "source"
    assert "uncredited-reuse" not in kinds


@pytest.mark.parametrize(
    "line",
    [
        "Originally published by the Hale Valley Wire.",
        "This story first appeared on the Hale Valley Wire.",
        "This article was first published by Hale Valley Wire and is republished with permission.",
        "Hale Valley Wire journalists said the queue reached the bridge.",
        "Mr Tkachenko told the Hale Valley Wire that he had never seen such a crowd.",
        "With reporting from the Hale Valley Wire.",
        "The Hale Valley Wire reported the reopening first.",
        "Read the original at https://www.halevalleywire.example/2026/library-reopens.",
        "Via Hale Valley Wire",
    ],
)
def test_credit_lines_at_the_end(host, line):
    options = {"attribution.source_name": "Hale Valley Wire|halevalleywire.example"}
    report = _compare(COPY + "\n\n" + line + "\n", host, options)
    kinds = _by_kind(report)
    [doc] = kinds["credited"]
    assert doc.evidence["credited"] is True, doc.message
    assert doc.evidence["credits"][0]["paragraph"] == 4
    assert "uncredited-reuse" not in kinds
    assert "credits-other-outlet" not in kinds


def test_source_footer_counts_even_as_boilerplate(host):
    report = _compare(COPY + "\n\nSource: Hale Valley Wire\n", host)
    footer = report.paragraphs[-1]
    [doc] = _by_kind(report)["credited"]
    assert doc.evidence["credited"] is True
    credit = doc.evidence["credits"][0]
    assert credit["paragraph"] == footer.index and credit["pattern"] == "source-line"
    assert credit["boilerplate"] is (footer.relation == "boilerplate")


def test_uncredited_copy_is_flagged_with_share(host):
    kinds = _by_kind(_compare(COPY, host))
    [doc] = kinds["credited"]
    assert doc.evidence["credited"] is False and doc.score == 0.0 and doc.message == ""
    [reuse] = kinds["uncredited-reuse"]
    assert "looked for Hale Valley Wire" in reuse.message
    assert reuse.evidence["reused_paragraphs"] == [0, 1, 2, 3]
    assert reuse.evidence["share"] == pytest.approx(1.0)
    assert reuse.evidence["reused_words"] == reuse.evidence["body_words"] > 50
    assert reuse.score == pytest.approx(1.0)
    assert reuse.paragraph == 0


def test_partial_copy_reports_the_share(host):
    derived = COPY + "\n\n" + INDEPENDENT.split("\n\n", 1)[1]
    [reuse] = _by_kind(_compare(derived, host))["uncredited-reuse"]
    assert 0.4 < reuse.evidence["share"] < 0.8
    assert reuse.evidence["reused_paragraphs"] == [0, 1, 2, 3]


def test_independent_article_is_not_uncredited_reuse(host):
    kinds = _by_kind(_compare(INDEPENDENT, host))
    assert kinds["credited"][0].evidence["credited"] is False
    assert kinds["credited"][0].evidence["material_reuse"] is False
    assert "uncredited-reuse" not in kinds


def test_according_to_a_person_is_not_a_credit(host):
    kinds = _by_kind(_compare(PERSON_CREDIT, host))
    assert kinds["credited"][0].evidence["credited"] is False
    assert kinds["credited"][0].evidence["credits"] == []
    assert "uncredited-reuse" in kinds
    assert "credits-other-outlet" not in kinds


def test_agencies_and_officials_are_not_outlets(host):
    derived = COPY + (
        "\n\nAccording to the Environment Agency, the river is low. "
        "The council press office told us nothing.\n"
    )
    kinds = _by_kind(_compare(derived, host))
    assert "credits-other-outlet" not in kinds
    assert "uncredited-reuse" in kinds


def test_crediting_another_outlet(host):
    derived = COPY + "\n\nThis story was originally published in the Marlow Times.\n"
    kinds = _by_kind(_compare(derived, host))
    [other] = kinds["credits-other-outlet"]
    assert other.paragraph == 4 and other.evidence["credit"]["matched"] == "Marlow Times"
    assert "uncredited-reuse" in kinds  # the source itself is still not credited


def test_wire_service_tag_names_another_outlet(host):
    derived = COPY.replace("The public library", "LONDON (Reuters) - The public library", 1)
    kinds = _by_kind(_compare(derived, host))
    assert kinds["credits-other-outlet"][0].evidence["credit"]["matched"] == "Reuters"


def test_unknown_source_name_assumes_an_outlet_credit(host):
    derived = COPY + "\n\nThis story was first published by the Hale Valley Wire.\n"
    kinds = _by_kind(provenance.compare(SOURCE, derived, host=host))
    [doc] = kinds["credited"]
    assert doc.evidence["credited"] is True and doc.evidence["assumed"] is True
    assert "uncredited-reuse" not in kinds and "credits-other-outlet" not in kinds


def test_unknown_source_name_and_no_credit(host):
    kinds = _by_kind(provenance.compare(SOURCE, COPY, host=host))
    assert kinds["credited"][0].message == ""
    assert "source_name" in kinds["uncredited-reuse"][0].message


def test_aliases_are_separated_by_bars(host):
    derived = COPY + "\n\nSource: HVW\n"
    options = {"attribution.source_name": "Hale Valley Wire | HVW"}
    [doc] = _by_kind(_compare(derived, host, options))["credited"]
    assert doc.evidence["credited"] is True and doc.evidence["credits"][0]["matched"] == "HVW"


def test_findings_are_annotations_on_the_first_body_paragraph(host):
    derived = "Share this article\n\n" + COPY
    report = _compare(derived, host)
    assert report.paragraphs[0].relation == "boilerplate"
    mine = [f for f in report.findings if f.detector == "attribution"]
    assert mine and all(f.relation is None and f.sources == () and 0.0 <= f.score <= 1.0 for f in mine)
    [doc] = [f for f in mine if f.kind == "credited"]
    assert doc.paragraph == 1
    # Annotations leave labels and verdict alone.
    plain = provenance.compare(SOURCE, derived, host=make_host())
    assert [p.relation for p in report.paragraphs] == [p.relation for p in plain.paragraphs]
    assert report.verdict == plain.verdict


def test_web_addresses(host):
    other = COPY + "\n\nSource: https://www.marlowtimes.example/library\n"
    kinds = _by_kind(_compare(other, host))
    assert kinds["credits-other-outlet"][0].evidence["credit"]["matched"] == "marlowtimes.example"
    in_passing = COPY + "\n\nOpening hours are online (www.marlowbridge.example/library).\n"
    kinds = _by_kind(_compare(in_passing, host))
    assert "credits-other-outlet" not in kinds and kinds["credited"][0].evidence["credited"] is False


def test_source_names_itself_in_its_dateline(host):
    source = SOURCE.replace("The public library", "MARLOW BRIDGE (Hale Valley Wire) - The public library", 1)
    credited = COPY + "\n\n(Hale Valley Wire)\n"
    [doc] = _by_kind(provenance.compare(source, credited, host=host))["credited"]
    assert doc.evidence["credited"] is True and doc.evidence["assumed"] is False
    assert doc.evidence["source_names"] == ["Hale Valley Wire"]
    other = COPY + "\n\nThis story first appeared in the Marlow Times.\n"
    kinds = _by_kind(provenance.compare(source, other, host=host))
    assert "credits-other-outlet" in kinds and "uncredited-reuse" in kinds


def test_an_outlet_the_source_cites_is_carried_over_not_a_credit(host):
    line = "\n\nMr Tkachenko told the Marlow Times the roof had leaked for a decade.\n"
    kinds = _by_kind(provenance.compare(SOURCE + line, COPY + line, host=host, options=dict(NAME)))
    [doc] = kinds["credited"]
    assert doc.evidence["credited"] is False
    assert [c["matched"] for c in doc.evidence["carried_over"]] == ["Marlow Times"]
    assert "credits-other-outlet" not in kinds and "uncredited-reuse" in kinds
    # Without a known name it is not assumed to credit the source either.
    kinds = _by_kind(provenance.compare(SOURCE + line, COPY + line, host=host))
    assert kinds["credited"][0].evidence["credited"] is False and "uncredited-reuse" in kinds
