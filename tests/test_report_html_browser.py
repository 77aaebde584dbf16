"""The HTML report in a real headless browser (Debian's chromium, driven by Playwright): clicking a derived
paragraph highlights its source passage, nothing is fetched, and hostile articles execute nothing.

On a developer machine without chromium or playwright these tests skip with a message; in CI (CI=1, set by
.ci/run, which installs chromium) they fail instead."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

import provenance
from provenance.renderers.html import HtmlRenderer
from provenance.testing import run_cli

CHROMIUM = os.environ.get("PROVENANCE_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--disable-dev-shm-usage"]


def _missing(what: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"{what} (CI must install it: .ci/run installs chromium with apt-get, playwright from the "
                    "test extra)")
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
    """A page plus everything it tried: requests, dialogs, console errors, uncaught exceptions."""

    def __init__(self, browser, url: str) -> None:
        self.requests: list[str] = []
        self.dialogs: list[str] = []
        self.errors: list[str] = []
        self.page = browser.new_page(viewport={"width": 1400, "height": 900})
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        self.page.goto(url)
        self.page.wait_for_load_state("load")


def test_clicking_a_derived_paragraph_highlights_its_source(browser, examples, tmp_path):
    report = provenance.compare(examples / "wire-story.txt", examples / "rewrite-with-commentary.md")
    path = tmp_path / "report.html"
    path.write_text(HtmlRenderer().render(report), encoding="utf-8")
    w = Watched(browser, path.as_uri())
    rewritten = [p for p in report.paragraphs if p.relation == "rewrite" and p.sources]
    assert rewritten
    for p in (rewritten[0], rewritten[-1]):
        w.page.click(f"#d-{p.index}")
        for i in p.sources:
            assert "is-linked" in w.page.get_attribute(f"#s-{i}", "class").split()
        others = [sp.index for sp in report.source_paragraphs if sp.index not in p.sources]
        assert all("is-linked" not in w.page.get_attribute(f"#s-{i}", "class").split() for i in others)
        assert w.page.get_attribute(f"#d-{p.index}", "aria-pressed") == "true"
    # The keyboard works too, and the source side links back to the derived paragraphs that use it.
    sp = next(sp for sp in report.source_paragraphs if sp.reused_by)
    w.page.focus(f"#s-{sp.index}")
    w.page.keyboard.press("Enter")
    for i in sp.reused_by:
        assert "is-linked" in w.page.get_attribute(f"#d-{i}", "class").split()
    # A linked source paragraph further down is scrolled into view within its column.
    last = rewritten[-1]
    w.page.click(f"#d-{last.index}")
    assert w.page.is_visible(f"#s-{last.sources[0]}")
    w.page.screenshot(path=str(tmp_path / "report.png"), full_page=False)
    assert (tmp_path / "report.png").stat().st_size > 10_000
    assert w.requests == [path.as_uri()], "the report fetched something"
    assert w.errors == [], "the page logged errors (a blocked style or script?)"


HOSTILE = ['<script>window.__pwned = "script"</script>', '<img src=x onerror="window.__pwned = \'img\'">',
           '<a href="javascript:window.__pwned=\'link\'">click</a>', '"><svg onload="window.__pwned = \'svg\'">',
           "<iframe src=\"javascript:parent.__pwned='frame'\"></iframe>", "javascript:alert(1)"]


def test_hostile_articles_execute_nothing(browser, tmp_path):
    """Payloads in the title, the paragraphs and the file names of both articles, through the CLI; then every
    paragraph is clicked and hovered, and nothing may run, fetch or pop up."""
    payload = " ".join(HOSTILE)
    src = tmp_path / "src <img src=x onerror=alert(1)>.txt"
    src.write_text(f"Council budget {payload}\n\nThe council agreed its budget for the coming year on Tuesday "
                   f"after a long debate about libraries. {payload}\n\nA second paragraph about road repairs "
                   "that the derived article leaves out entirely.\n", encoding="utf-8")
    der = tmp_path / "der \"><script>alert(2)<_script>.md"
    der.write_text(f"# Budget {payload}\n\nThe council agreed its budget for the coming year on Tuesday after a "
                   f"long debate about libraries. {payload}\n\n[click me](javascript:alert(3)) and "
                   f"![x](javascript:alert(4)) {payload} new commentary the source did not have at all.\n",
                   encoding="utf-8")
    out = tmp_path / "hostile.html"
    r = run_cli(["compare", str(src), str(der), "--format", "html", "-o", str(out)])
    assert r.exit_code == 0, r.stderr
    w = Watched(browser, out.as_uri())
    for el in w.page.query_selector_all("[data-links], a, mark"):
        el.hover()
        el.click()
    w.page.wait_for_timeout(200)
    assert w.page.evaluate("window.__pwned === undefined")
    assert w.dialogs == []
    assert w.requests == [out.as_uri()]
    assert w.page.url == out.as_uri()  # no link navigated anywhere
    assert "window.__pwned" in w.page.inner_text("body")  # the payloads are there, as text


def test_audit_index_page_links_open_reports(browser, tmp_path, examples):
    db = tmp_path / "idx.db"
    assert run_cli(["index", "add", str(db), str(examples / "wire-story.txt")]).exit_code == 0
    site = tmp_path / "site"
    r = run_cli(["audit", str(db), str(examples / "scraped-copy.html"), str(examples / "rewrite-with-commentary.md"),
                 "-f", "html", "-o", str(site)])
    assert r.exit_code == 0, r.stderr
    w = Watched(browser, (site / "index.html").as_uri())
    links = w.page.query_selector_all("a[href^='reports/']")
    assert len(links) >= 2
    links[0].click()
    w.page.wait_for_load_state("load")
    assert w.page.url.startswith((site / "reports").as_uri())
    w.page.click("[data-links]")
    assert w.page.query_selector_all(".is-linked")
    assert w.errors == []
