"""The HTML report without a browser: self-contained, escaped, every paragraph on the page with its relation and
links, and the audit's folder of pages with safe file names, written whole or not at all."""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

import provenance
from provenance.renderers.html import HtmlRenderer
from provenance.renderers.html_audit import MARKER, safe_name
from provenance.testing import run_cli

PAYLOADS = [
    "<script>window.__pwned = 1</script>",
    '<img src=x onerror="window.__pwned = 2">',
    "javascript:window.__pwned = 3",
    '"><svg onload="window.__pwned = 4">',
    "</textarea></style><b>",
]


class Page(HTMLParser):
    """Every tag with its attributes, the text of style and script elements, and the visible text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.inline: dict[str, list[str]] = {"style": [], "script": []}
        self.text: list[str] = []
        self._in: str | None = None

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag in self.inline:
            self._in = tag

    def handle_endtag(self, tag):
        if tag == self._in:
            self._in = None

    def handle_data(self, data):
        if self._in:
            self.inline[self._in].append(data)
        else:
            self.text.append(data)


def parse(html: str) -> Page:
    p = Page()
    p.feed(html)
    return p


def sha(text: str) -> str:
    return "sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()


@pytest.fixture(scope="module")
def example_report(examples):
    return provenance.compare(examples / "wire-story.txt", examples / "rewrite-with-commentary.md")


def test_self_contained_with_a_policy_that_allows_only_its_own_style_and_script(example_report):
    html = HtmlRenderer().render(example_report)
    page = parse(html)
    csp = [
        a["content"] for t, a in page.tags if t == "meta" and a.get("http-equiv") == "Content-Security-Policy"
    ]
    assert len(csp) == 1 and "default-src 'none'" in csp[0]
    assert [sha("".join(page.inline["style"]))] == re.findall(r"style-src '([^']+)'", csp[0])
    assert [sha("".join(page.inline["script"]))] == re.findall(r"script-src '([^']+)'", csp[0])
    for tag, attrs in page.tags:
        assert "src" not in attrs, (tag, attrs)
        assert "style" not in attrs, (tag, attrs)  # inline style attributes would be refused by the policy
        assert all(not k.startswith("on") for k in attrs), (tag, attrs)
        href = attrs.get("href")
        assert href is None or href.startswith("#"), (tag, attrs)
    assert not any(t in ("link", "iframe", "object", "embed", "img", "base", "form") for t, _ in page.tags)


def test_every_paragraph_is_shown_with_its_relation_and_links(example_report):
    page = parse(HtmlRenderer().render(example_report))
    by_id = {a.get("id"): a for t, a in page.tags if a.get("id")}
    for p in example_report.paragraphs:
        attrs = by_id[f"d-{p.index}"]
        assert f"r-{p.relation}" in attrs["class"].split()
        assert (attrs.get("data-links") or "").split() == [f"s-{i}" for i in p.sources]
    for sp in example_report.source_paragraphs:
        attrs = by_id[f"s-{sp.index}"]
        assert f"s-{sp.relation}" in attrs["class"].split()
        assert (attrs.get("data-links") or "").split() == [f"d-{i}" for i in sp.reused_by]
    assert sum(1 for sp in example_report.source_paragraphs if sp.relation == "omitted") == len(
        [a for t, a in page.tags if "s-omitted" in (a.get("class") or "").split()]
    )
    visible = " ".join("".join(page.text).split())
    for p in example_report.paragraphs:
        assert " ".join(p.text.split()) in visible


def test_copied_quotes_and_shared_phrases_are_marked(example_report):
    html = HtmlRenderer().render(example_report)
    marks = re.findall(r'<mark class="(quote|phrase)"[^>]*>(.*?)</mark>', html, flags=re.DOTALL)
    quotes = {
        q["text"] for p in example_report.paragraphs for q in p.evidence.get("quotes", []) if q["copied"]
    }
    assert quotes, "the example keeps quotations verbatim"
    marked_quotes = {" ".join(t.split()) for k, t in marks if k == "quote"}
    assert {" ".join(q.split()) for q in quotes} <= marked_quotes
    assert any(k == "phrase" for k, _ in marks)


def test_quotes_are_marked_on_the_source_side_too(example_report):
    """A quotation often ends in other punctuation in the source (`hold.` against `hold,"`): still a quote."""
    page = HtmlRenderer().render(example_report)
    cards = dict(
        re.findall(r'<article class="para [^"]*" id="(s-\d+)"[^>]*>(.*?)</article>', page, flags=re.DOTALL)
    )
    quoted = {
        q["source_paragraph"]
        for p in example_report.paragraphs
        for q in p.evidence.get("quotes", [])
        if q["copied"] and isinstance(q.get("source_paragraph"), int)
    }
    assert quoted
    for i in quoted:
        assert '<mark class="quote"' in cards[f"s-{i}"], i


def test_page_metadata_is_text_and_never_a_link(example_report):
    """A URL from an article is shown, never linked, whatever its scheme; every other field is escaped."""
    meta = {"title": "Flood <b>news</b>", "author": "A & B", "url": "javascript:alert(1)"}
    report = dataclasses.replace(
        example_report,
        metadata={
            **example_report.metadata,
            "source": meta,
            "derived": {**meta, "url": "https://example.org/a?b=1&c=2"},
        },
    )
    html = HtmlRenderer().render(report)
    page = parse(html)
    assert all(a.get("href") in (None,) or a["href"].startswith("#") for _, a in page.tags)
    text = "".join(page.text)
    for value in ("Flood <b>news</b>", "A & B", "javascript:alert(1)", "https://example.org/a?b=1&c=2"):
        assert value in text
    assert "<b>news</b>" not in html


def test_uncounted_paragraphs_say_so(examples):
    report = provenance.compare(
        examples / "wire-story.txt",
        examples / "rewrite-with-commentary.md",
        options={"paragraph.min_words": 25},
    )
    short = [p.index for p in report.paragraphs if p.evidence.get("counted") is False]
    assert short
    cards = dict(
        re.findall(r'id="(d-\d+)"[^>]*>(.*?)</article>', HtmlRenderer().render(report), flags=re.DOTALL)
    )
    assert {k for k, v in cards.items() if "not counted" in v} == {f"d-{i}" for i in short}


@pytest.mark.parametrize("payload", PAYLOADS)
def test_article_text_names_and_titles_are_escaped(tmp_path: Path, payload: str):
    src = tmp_path / "source.txt"
    src.write_text(
        f"Headline about {payload}\n\nThe council met on Tuesday and agreed the budget for the coming "
        f"year after a long debate. {payload} was the phrase of the night.\n",
        encoding="utf-8",
    )
    der = tmp_path / f"derived {payload.replace('/', '_')}.html"
    der.write_text(
        f"<html><head><title>{payload}</title></head><body><article><h1>{payload}</h1>"
        f"<p>The council met on Tuesday and agreed the budget for the coming year after a long debate. "
        f"{payload} was the phrase of the night.</p><p>{payload} and a new paragraph of commentary "
        f"about the town's finances that the source did not have.</p></article></body></html>",
        encoding="utf-8",
    )
    out = tmp_path / "report.html"
    r = run_cli(["compare", str(src), str(der), "--format", "html", "-o", str(out)])
    assert r.exit_code == 0, r.stderr
    html = out.read_text(encoding="utf-8")
    page = parse(html)
    assert len(page.inline["script"]) == 1  # ours, and no other
    for tag, attrs in page.tags:
        assert tag not in ("img", "svg") or (tag == "svg" and "bar" in (attrs.get("class") or "")), (
            tag,
            attrs,
        )
        assert all(not k.startswith("on") for k in attrs), (tag, attrs)
        assert not any(
            "javascript:" in (v or "") for k, v in attrs.items() if k in ("href", "src", "action")
        ), attrs
    assert payload in "".join(page.text)  # the source (plain text) shows the payload, as text


def test_safe_names_never_leave_the_folder_and_never_collide():
    ids = [
        "../../etc/passwd",
        "/abs/path.txt",
        "C:\\evil\\a.txt",
        "..",
        "",
        ".hidden",
        "a" * 500,
        "<script>",
        "wire/a b.txt",
        "wire/a_b.txt",
        "x\x00y",
        "\u202etxt.exe",
        "new\nline",
    ]
    names = [safe_name(i, "source/" + i) for i in ids]
    assert len(set(names)) == len(names)
    for n in names:
        assert re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*\.html", n), n
        assert ".." not in n and len(n) <= 80


@pytest.fixture
def audit_index(tmp_path: Path, examples) -> Path:
    db = tmp_path / "idx.db"
    r = run_cli(["index", "add", str(db), str(examples / "wire-story.txt")])
    assert r.exit_code == 0, r.stderr
    return db


def test_audit_writes_an_index_page_linking_every_article_to_its_reports(tmp_path, examples, audit_index):
    out = tmp_path / "site"
    arts = [
        examples / "rewrite-with-commentary.md",
        examples / "scraped-copy.html",
        examples / "independent-report.txt",
    ]
    r = run_cli(["audit", str(audit_index), *map(str, arts), "--format", "html", "-o", str(out)])
    assert r.exit_code == 0, r.stderr
    index = (out / "index.html").read_text(encoding="utf-8")
    links = re.findall(r'href="(reports/[^"]+)"', index)
    assert links and all((out / link).is_file() for link in links)
    assert {p.name for p in (out / "reports").iterdir()} == {link.split("/", 1)[1] for link in links}
    for a in arts:
        assert str(a) in index
    r2 = run_cli(["audit", str(audit_index), str(arts[0]), "--format", "json"])
    verdict = __import__("json").loads(r2.stdout)[0]["verdict"]
    assert f"v-{verdict}" in index


def test_audit_html_refuses_a_foreign_folder_and_needs_output(tmp_path, examples, audit_index):
    art = str(examples / "scraped-copy.html")
    r = run_cli(["audit", str(audit_index), art, "--format", "html"])
    assert r.exit_code == 2 and "--output" in r.stderr and r.stderr.count("\n") == 1
    foreign = tmp_path / "mine"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("keep me")
    r = run_cli(["audit", str(audit_index), art, "--format", "html", "-o", str(foreign)])
    assert r.exit_code == 2 and "not empty" in r.stderr
    assert (foreign / "notes.txt").read_text() == "keep me"


def test_audit_html_replaces_its_own_folder_whole(tmp_path, examples, audit_index, monkeypatch):
    out = tmp_path / "site"
    first = run_cli(
        ["audit", str(audit_index), str(examples / "scraped-copy.html"), "-f", "html", "-o", str(out)]
    )
    assert first.exit_code == 0 and (out / MARKER).exists()
    before = sorted(p.name for p in (out / "reports").iterdir())

    import provenance.renderers.html_audit as site

    def broken(report):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(site, "render_report", broken)
    r = run_cli(
        [
            "audit",
            str(audit_index),
            str(examples / "rewrite-with-commentary.md"),
            "-f",
            "html",
            "-o",
            str(out),
        ]
    )
    assert r.exit_code != 0 and "Traceback" not in r.stderr
    assert sorted(p.name for p in (out / "reports").iterdir()) == before  # the earlier site is intact
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no leftovers
    monkeypatch.undo()
    r = run_cli(
        [
            "audit",
            str(audit_index),
            str(examples / "rewrite-with-commentary.md"),
            "-f",
            "html",
            "-o",
            str(out),
        ]
    )
    assert r.exit_code == 0
    assert sorted(p.name for p in (out / "reports").iterdir()) != before
