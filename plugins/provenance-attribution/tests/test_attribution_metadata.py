"""The source's name from its HTML metadata (trafilatura's sitename, author, url), no option needed."""

from __future__ import annotations

from pathlib import Path

import provenance
from articles import COPY, SOURCE

PAGE = """<!doctype html>
<html><head>
<title>Marlow Bridge library reopens after two-year roof repair | Hale Valley Wire</title>
<meta property="og:site_name" content="Hale Valley Wire">
<meta name="author" content="Jo Marsh">
<link rel="canonical" href="https://www.halevalleywire.example/2026/library-reopens">
</head><body><article>
{body}
</article></body></html>
"""


def _page(tmp_path: Path, name: str = "source.html", canonical: str | None = None) -> Path:
    head, *paras = SOURCE.split("\n\n")
    body = f"<h1>{head}</h1>\n" + "\n".join(f"<p>{p}</p>" for p in paras)
    html = PAGE.format(body=body)
    if canonical:
        html = html.replace("https://www.halevalleywire.example/2026/library-reopens", canonical)
    path = tmp_path / name
    path.write_text(html, encoding="utf-8")
    return path


def _credited(report):
    return next(f for f in report.findings if f.detector == "attribution" and f.kind == "credited")


def test_core_exposes_sitename_author_and_url(tmp_path, host):
    report = provenance.compare(_page(tmp_path), COPY, host=host)
    meta = report.metadata["source"]
    assert meta.get("sitename") == "Hale Valley Wire"
    assert meta.get("hostname") == "halevalleywire.example"
    doc = _credited(report)
    assert doc.evidence["source_names"][:2] == ["Hale Valley Wire", "Jo Marsh"]
    assert doc.evidence["source_metadata"]["sitename"] == "Hale Valley Wire"
    assert any(f.kind == "uncredited-reuse" for f in report.findings)


def test_sitename_is_matched_without_the_option(tmp_path, host):
    report = provenance.compare(_page(tmp_path), COPY + "\n\n(Hale Valley Wire)\n", host=host)
    doc = _credited(report)
    assert doc.evidence["credited"] is True and doc.evidence["assumed"] is False
    assert not any(f.kind == "uncredited-reuse" for f in report.findings)


def test_byline_credit(tmp_path, host):
    derived = COPY + "\n\nJo Marsh reported this story for us.\n"
    report = provenance.compare(_page(tmp_path), derived, host=host)
    assert _credited(report).evidence["credits"][0]["matched"] == "Jo Marsh"


def test_link_to_the_source_host(tmp_path, host):
    derived = COPY + "\n\nMore at halevalleywire.example/2026/library-reopens\n"
    report = provenance.compare(_page(tmp_path), derived, host=host)
    assert _credited(report).evidence["credits"][0]["pattern"] == "link"


def test_derived_page_canonical_to_the_source(tmp_path, host):
    _headline, *paras = COPY.split("\n\n")
    der = tmp_path / "derived.html"
    der.write_text(
        "<html><head><link rel='canonical' href='https://halevalleywire.example/2026/library-reopens'></head>"
        "<body><article>" + "".join(f"<p>{p}</p>" for p in paras) + "</article></body></html>",
        encoding="utf-8",
    )
    report = provenance.compare(_page(tmp_path), der, host=host)
    credit = _credited(report).evidence["credits"][0]
    assert credit["pattern"] == "canonical" and credit["matched"] == "halevalleywire.example"
