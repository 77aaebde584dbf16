"""Inputs: encodings, formats, standard input, and bad input refused with a clear error."""

from __future__ import annotations

from pathlib import Path

import pytest

import provenance
from provenance.errors import InputError
from provenance.text.decode import decode
from provenance.text.extractors.html import html_blocks
from provenance.text.extractors.markdown import markdown_blocks

TEXT = (
    "Flood barriers held at the “old weir”, officials said on Tuesday – café owners were relieved.\n\n"
    "The council will meet again next week to review the €2.4m budget."
)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "utf-32", "cp1252"])
def test_decodes_common_encodings(encoding):
    text, _ = decode(TEXT.encode(encoding), "x")
    assert text.replace("\ufeff", "") == TEXT


@pytest.mark.parametrize(
    "data,needle",
    [
        (b"", "empty"),
        (b"   \n\t\n", "empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "PNG"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "PDF"),
        (bytes(range(256)) * 4, "binary"),
    ],
)
def test_refuses_bad_bytes(data, needle):
    with pytest.raises(InputError, match=needle):
        decode(data, "bad")


def test_same_article_in_three_encodings_gives_the_same_report(tmp_path: Path):
    src = tmp_path / "src.txt"
    src.write_text(TEXT, encoding="utf-8")
    reports = []
    for enc in ("utf-8", "utf-16", "cp1252"):
        der = tmp_path / f"der-{enc}.txt"
        der.write_bytes(TEXT.encode(enc))
        reports.append(provenance.compare(src, der))
    assert {r.verdict for r in reports} == {"copy"}
    assert len({tuple(p.relation for p in r.paragraphs) for r in reports}) == 1


def test_markdown_strips_markup_and_keeps_lines():
    md = "---\ntitle: x\n---\n# A *headline*\n\nSome [linked](http://e.org) text\nwrapped here.\n\n- one\n- two\n"
    blocks = markdown_blocks(md)
    assert [(b.text, b.tag, b.start_line) for b in blocks] == [
        ("A headline", "h1", 4),
        ("Some linked text\nwrapped here.", "p", 6),
        ("one", "li", 9),
        ("two", "li", 10),
    ]


def test_html_drops_page_furniture():
    page = """<html><head><title>Bridge reopens after repairs</title></head><body>
    <nav><ul><li><a href="/">Home</a></li><li><a href="/news">News</a></li><li><a href="/sport">Sport</a></li></ul></nav>
    <article><h1>Bridge reopens after repairs</h1>
    <p>The old stone bridge reopened on Monday after six months of repairs that cost the county far more than planned.</p>
    <p>Engineers found cracks in two of the arches during a routine inspection last spring, the county said.</p></article>
    <footer><p>&copy; 2026 The Example Gazette. All rights reserved.</p></footer></body></html>"""
    blocks, _meta = html_blocks(page)
    texts = [b.text for b in blocks]
    assert texts[0] == "Bridge reopens after repairs"
    assert any(t.startswith("The old stone bridge") for t in texts)
    assert not any(t == "Home" or "rights reserved" in t for t in texts)


def test_str_is_text_and_path_is_file(tmp_path: Path):
    p = tmp_path / "a.txt"
    p.write_text(TEXT, encoding="utf-8")
    assert provenance.compare(p, TEXT).verdict == "copy"
    with pytest.raises(InputError, match="no such file"):
        provenance.compare(tmp_path / "missing.txt", TEXT)
    with pytest.raises(InputError, match="empty"):
        provenance.compare(p, "   ")


def test_html_page_without_an_article_is_an_input_error(tmp_path: Path):
    page = tmp_path / "menu.html"
    page.write_text(
        '<html><body><nav><a href="/">Home</a> <a href="/news">News</a></nav></body></html>', encoding="utf-8"
    )
    with pytest.raises(InputError, match="no readable article text"):
        provenance.compare(TEXT, page)


def test_the_extensive_date_search_is_for_pages_of_news_size_only(monkeypatch):
    """htmldate's search of every text segment grows faster than the page: past DATE_SEARCH_CHARS only the markup,
    URL and plain text are searched (the bound is lowered here so that a small page stands for a huge one)."""
    import trafilatura.metadata

    from provenance.text.extractors import html as html_extractor

    asked: list[bool] = []
    real = trafilatura.metadata.find_date

    def spy(tree, **params):
        asked.append(params["extensive_search"])
        return real(tree, **params)

    monkeypatch.setattr(trafilatura.metadata, "find_date", spy)
    body = "".join(
        f"<p>Paragraph {i} of a report on the harbour works and the ferry timetable.</p>" for i in range(30)
    )
    page = f"<html><head><title>Harbour works</title></head><body><article>{body}</article></body></html>"
    html_blocks(page)
    monkeypatch.setattr(html_extractor, "DATE_SEARCH_CHARS", len(page) - 1)
    html_blocks(page)
    assert asked == [True, False]
