"""The HTML report in a real headless browser (Debian's chromium, driven by Playwright): clicking a derived
paragraph highlights its source passage, nothing is fetched, and hostile articles execute nothing.

On a developer machine without chromium or playwright these tests skip with a message; in CI (CI=1, set by
.ci/run, which installs chromium) they fail instead."""

from __future__ import annotations

import dataclasses
import os
import shutil
from pathlib import Path

import pytest

import provenance
from provenance.model import Finding
from provenance.renderers.html import HtmlRenderer
from provenance.testing import run_cli

CHROMIUM = os.environ.get("PROVENANCE_CHROMIUM", "/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
]


def _missing(what: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(
            f"{what} (CI must install it: .ci/run installs chromium with apt-get, playwright from the "
            "test extra)"
        )
    pytest.skip(what)


@pytest.fixture(scope="module")
def browser():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("playwright is not installed: the browser tests need it")
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        _missing(f"chromium is not installed at {CHROMIUM}: the browser tests need it")
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield b
        b.close()


class Watched:
    """A page plus everything it tried: requests, dialogs, console errors (a style or script the policy blocked
    is one), uncaught exceptions. Every request is routed through us: the page's own file (and, with `allow`,
    other files under a folder) goes on, anything else is recorded and aborted, so nothing leaves the machine."""

    def __init__(self, browser, url: str, *, allow: str | None = None, javascript: bool = True) -> None:
        self.requests: list[str] = []
        self.dialogs: list[str] = []
        self.errors: list[str] = []
        self.context = browser.new_context(
            viewport={"width": 1400, "height": 900}, java_script_enabled=javascript
        )
        self.context.route("**/*", lambda route: self._route(route, url, allow))
        self.page = self.context.new_page()
        self.page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        self.page.goto(url)
        self.page.wait_for_load_state("load")

    def _route(self, route, url: str, allow: str | None) -> None:
        self.requests.append(route.request.url)
        if route.request.url == url or (allow and route.request.url.startswith(allow)):
            route.continue_()
        else:
            route.abort()

    def pwned(self) -> bool:
        return bool(self.page.evaluate("window.__pwned !== undefined"))


@pytest.fixture
def watch(browser):
    """Opens watched pages for one test and closes them after it."""
    opened: list[Watched] = []

    def open_page(url: str, **kw) -> Watched:
        opened.append(Watched(browser, url, **kw))
        return opened[-1]

    yield open_page
    for w in opened:
        w.context.close()


def classes(w: Watched, selector: str) -> list[str]:
    return (w.page.get_attribute(selector, "class") or "").split()


def test_clicking_a_derived_paragraph_highlights_its_source(watch, examples, tmp_path):
    report = provenance.compare(examples / "wire-story.txt", examples / "rewrite-with-commentary.md")
    path = tmp_path / "report.html"
    path.write_text(HtmlRenderer().render(report), encoding="utf-8")
    w = watch(path.as_uri())
    rewritten = [p for p in report.paragraphs if p.relation == "rewrite" and p.sources]
    assert rewritten
    assert not any("is-linked" in classes(w, f"#s-{sp.index}") for sp in report.source_paragraphs)
    for p in (rewritten[0], rewritten[-1]):
        w.page.click(f"#d-{p.index}")
        for i in p.sources:
            assert "is-linked" in classes(w, f"#s-{i}")
        others = [sp.index for sp in report.source_paragraphs if sp.index not in p.sources]
        assert all("is-linked" not in classes(w, f"#s-{i}") for i in others)
        assert w.page.get_attribute(f"#d-{p.index}", "aria-pressed") == "true"
    # Clicking the selected paragraph again clears the highlight.
    w.page.click(f"#d-{rewritten[-1].index}")
    assert w.page.query_selector_all(".is-linked, .is-selected") == []
    assert w.page.get_attribute(f"#d-{rewritten[-1].index}", "aria-pressed") == "false"
    # Hovering previews the same links.
    w.page.hover(f"#d-{rewritten[0].index}")
    assert all("is-hovered" in classes(w, f"#s-{i}") for i in rewritten[0].sources)
    # The keyboard works too (Tab reaches paragraphs; Enter and Space select), and the source side links back to
    # the derived paragraphs that use it.
    sp = next(sp for sp in report.source_paragraphs if sp.reused_by)
    w.page.focus(f"#s-{sp.index}")
    w.page.keyboard.press("Enter")
    for i in sp.reused_by:
        assert "is-linked" in classes(w, f"#d-{i}")
    w.page.focus(f"#d-{rewritten[0].index}")
    w.page.keyboard.press("Space")
    assert w.page.get_attribute(f"#d-{rewritten[0].index}", "aria-pressed") == "true"
    # A linked source paragraph further down is scrolled into view within its column.
    last = rewritten[-1]
    w.page.click(f"#d-{last.index}")
    box = w.page.locator(f"#s-{last.sources[0]}").bounding_box()
    assert box is not None and 0 <= box["y"] < 900, box
    w.page.screenshot(path=str(tmp_path / "report.png"), full_page=False)
    assert (tmp_path / "report.png").stat().st_size > 10_000
    assert w.requests == [path.as_uri()], "the report fetched something"
    assert w.errors == [], "the page logged errors (a blocked style or script?)"


def test_without_javascript_the_report_still_reads(watch, examples, tmp_path):
    """Colours and the legend come from the stylesheet alone; only the click-to-link hint needs the script."""
    report = provenance.compare(examples / "wire-story.txt", examples / "rewrite-with-commentary.md")
    path = tmp_path / "report.html"
    path.write_text(HtmlRenderer().render(report), encoding="utf-8")
    w = watch(path.as_uri(), javascript=False)
    border = {}
    for rel in ("copy", "rewrite", "added"):
        p = next(p for p in report.paragraphs if p.relation == rel)
        border[rel] = w.page.eval_on_selector(f"#d-{p.index}", "el => getComputedStyle(el).borderLeftColor")
    assert len(set(border.values())) == 3, border
    assert w.page.is_visible(".legend") and not w.page.is_visible(".hint")
    assert w.page.inner_text(f"#d-{report.paragraphs[-1].index} p").strip()


def test_the_watch_catches_a_page_that_runs_fetches_or_pops_up(watch, tmp_path):
    """The checks below are only worth something if they can fail: an unescaped page trips every one of them."""
    bad = tmp_path / "bad.html"
    bad.write_text(
        '<img src="x" onerror="window.__pwned = 1"><script>alert(1)</script>'
        '<img src="https://example.invalid/beacon.png">',
        encoding="utf-8",
    )
    w = watch(bad.as_uri())
    w.page.wait_for_timeout(200)
    assert w.pwned()
    assert w.dialogs == ["1"]
    assert "https://example.invalid/beacon.png" in w.requests


HOSTILE = [
    '<script>window.__pwned = "script"</script>',
    "<img src=x onerror=\"window.__pwned = 'img'\">",
    "<a href=\"javascript:window.__pwned='link'\">click</a>",
    '"><svg onload="window.__pwned = \'svg\'">',
    "<iframe src=\"javascript:parent.__pwned='frame'\"></iframe>",
    "javascript:alert(1)",
    "</style><style>*{background:url(https://example.invalid/css)}</style>",
]


def _poke(w: Watched) -> None:
    """Hover and click everything a reader could: paragraphs, links, marks."""
    for el in w.page.query_selector_all("[data-links], a, mark"):
        el.hover()
        el.click()
    w.page.wait_for_timeout(200)


def test_hostile_articles_execute_nothing(watch, tmp_path):
    """Payloads in the title, the page metadata, the paragraphs and the file names of both articles, through the
    CLI; then every paragraph is clicked and hovered, and nothing may run, fetch, navigate or pop up, and not
    because the policy blocked it (a blocked attempt logs an error): the escaping alone holds."""
    payload = " ".join(HOSTILE)
    src = tmp_path / "src <img src=x onerror=alert(1)>.txt"
    src.write_text(
        f"Council budget {payload}\n\nThe council agreed its budget for the coming year on Tuesday "
        f"after a long debate about libraries. {payload}\n\nA second paragraph about road repairs "
        "that the derived article leaves out entirely.\n",
        encoding="utf-8",
    )
    der = tmp_path / 'der "><script>alert(2)<_script>.md'
    der.write_text(
        f"# Budget {payload}\n\nThe council agreed its budget for the coming year on Tuesday after a "
        f"long debate about libraries. {payload}\n\n[click me](javascript:alert(3)) and "
        f"![x](javascript:alert(4)) {payload} new commentary the source did not have at all.\n",
        encoding="utf-8",
    )
    page_html = tmp_path / "page javascript:alert(5).html"
    page_html.write_text(
        f'<html><head><title>{payload}</title><meta name="author" content="{payload.replace(chr(34), "&quot;")}">'
        '<link rel="canonical" href="javascript:window.__pwned=\'canonical\'"></head><body><article>'
        "<h1>Budget agreed</h1><p>The council agreed its budget for the coming year on Tuesday after a long debate "
        "about libraries.</p><p>The finance chair said that the reserves would cover the gap this year and the next "
        "one too, and that &lt;script&gt;window.__pwned=1&lt;/script&gt; was a phrase she had never typed.</p>"
        "</article></body></html>",
        encoding="utf-8",
    )
    outs = []
    for n, derived in enumerate((der, page_html)):
        outs.append(tmp_path / f"hostile-{n}.html")
        r = run_cli(["compare", str(src), str(derived), "--format", "html", "-o", str(outs[-1])])
        assert r.exit_code == 0, r.stderr
    # Extraction tidies an HTML page's title and author, so the payloads also go straight into a report's
    # metadata, plugin notes and detector errors: the renderer must hold whatever a Report carries.
    report = provenance.compare(src, der)
    meta = {k: payload for k in ("title", "author", "date", "outlet")}
    report = dataclasses.replace(
        report,
        metadata={
            **report.metadata,
            "source": {**meta, "url": "javascript:window.__pwned='url'"},
            "derived": {**meta, "url": payload},
        },
        findings=(Finding(detector=payload, paragraph=1, relation=None, score=0.0, message=payload),),
        errors=({"plugin": payload, "detector": payload, "error": payload},),
    )
    outs.append(tmp_path / "hostile-2.html")
    outs[-1].write_text(HtmlRenderer().render(report), encoding="utf-8")
    for out in outs:
        w = watch(out.as_uri())
        _poke(w)
        assert not w.pwned()
        assert w.dialogs == []
        assert w.requests == [out.as_uri()]
        assert w.page.url == out.as_uri()  # no link navigated anywhere
        assert w.errors == []
        w.page.eval_on_selector_all("details", "els => els.forEach(d => { d.open = true; })")  # furniture too
        assert "window.__pwned" in w.page.inner_text("body")  # the payloads are there, as text
        assert w.page.query_selector_all("img, iframe, script:not(:last-of-type)") == []


def test_audit_index_page_links_open_reports(watch, tmp_path, examples):
    db = tmp_path / "idx.db"
    assert run_cli(["index", "add", str(db), str(examples / "wire-story.txt")]).exit_code == 0
    site = tmp_path / "site"
    r = run_cli(
        [
            "audit",
            str(db),
            str(examples / "scraped-copy.html"),
            str(examples / "rewrite-with-commentary.md"),
            "-f",
            "html",
            "-o",
            str(site),
        ]
    )
    assert r.exit_code == 0, r.stderr
    w = watch((site / "index.html").as_uri(), allow=(site / "reports").as_uri() + "/")
    links = w.page.query_selector_all("a[href^='reports/']")
    assert len(links) >= 2
    links[0].click()
    w.page.wait_for_load_state("load")
    assert w.page.url.startswith((site / "reports").as_uri())
    w.page.click("[data-links]")
    assert w.page.query_selector_all(".is-linked")
    assert w.errors == []


def test_audit_of_hostile_file_names_executes_nothing(watch, tmp_path):
    """Article ids (here file names) reach the index page and the report names: neither may run anything."""
    corpus = tmp_path / "corpus"
    feed = tmp_path / "feed"
    corpus.mkdir()
    feed.mkdir()
    text = (
        "The council agreed its budget for the coming year on Tuesday after a long debate about libraries, "
        "roads and the future of the swimming pool on the edge of town.\n\nThe finance chair said reserves "
        "would cover the gap for two years.\n"
    )
    (corpus / "wire <img src=x onerror=alert(1)>.txt").write_text(text, encoding="utf-8")
    names = [
        "<script>window.__pwned=1<_script>.txt",
        '"><svg onload=alert(2)>.txt',
        "javascript:alert(3).txt",
    ]
    for name in names:
        (feed / name).write_text(
            text + "\nA paragraph of new commentary the wire never carried.\n", encoding="utf-8"
        )
    db = tmp_path / "idx.db"
    assert run_cli(["index", "add", str(db), str(corpus)]).exit_code == 0
    site = tmp_path / "site"
    r = run_cli(["audit", str(db), *(str(feed / n) for n in names), "-f", "html", "-o", str(site)])
    assert r.exit_code == 0, r.stderr
    reports = sorted((site / "reports").iterdir())
    assert len(reports) == len(names)
    index = (site / "index.html").as_uri()
    w = watch(index, allow=(site / "reports").as_uri() + "/")
    for el in w.page.query_selector_all("td, a"):
        el.hover()
    hrefs = [a.get_attribute("href") for a in w.page.query_selector_all("a")]
    assert len(hrefs) == 2 * len(names) and all(h.startswith("reports/") for h in hrefs), hrefs
    for n in range(len(hrefs)):  # follow every link the index has, then poke the report it opens
        w.page.locator("a").nth(n).click()
        w.page.wait_for_load_state("load")
        assert w.page.url.startswith((site / "reports").as_uri() + "/")
        _poke(w)
        assert not w.pwned()
        w.page.goto(index)
    assert not w.pwned()
    assert w.dialogs == [] and w.errors == []
    assert all(
        u.startswith(((site / "index.html").as_uri(), (site / "reports").as_uri() + "/")) for u in w.requests
    ), w.requests
