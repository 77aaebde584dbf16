"""The lineage page in a real headless browser (Debian's chromium through Playwright, as the report's tests): the graph
is drawn, clicking an edge opens the side-by-side report of its pair, nothing is fetched and hostile version names
execute nothing. Skips without chromium or playwright on a developer machine; fails under CI=1."""

from __future__ import annotations

import shutil
from pathlib import Path

from test_report_html_browser import browser, watch  # noqa: F401  (the shared browser fixtures)

from provenance.testing import run_cli

HERE = Path(__file__).parent / "fixtures" / "lineage"


def test_clicking_an_edge_opens_the_pair_report(watch, tmp_path):  # noqa: F811
    site = tmp_path / "site"
    files = [str(HERE / f"{n}.txt") for n in ("wire", "partner", "rewrite", "other-agency")]
    r = run_cli(["lineage", *files, "-f", "html", "-o", str(site)])
    assert r.exit_code == 0, r.stderr
    reports = (site / "reports").as_uri() + "/"
    w = watch((site / "index.html").as_uri(), allow=reports)
    assert len(w.page.query_selector_all("svg.lineage g.node")) == 4
    edges = w.page.query_selector_all("svg.lineage a.edge-link")
    assert len(edges) == 2
    for k in range(len(edges)):
        title = w.page.locator(f"#edge-{k} > title").text_content() or ""
        w.page.locator(f"#edge-{k} line").click(force=True)
        w.page.wait_for_load_state("load")
        assert w.page.url.startswith(reports)
        # The pair's report: its two sides, the child on the derived side, the parent as the source.
        child, parent = title.split(" derives from ")[0], title.split(" derives from ")[1].split(":")[0]
        assert w.page.query_selector_all("[id^='d-']") and w.page.query_selector_all("[id^='s-']")
        body = w.page.inner_text("body")
        assert child in body and parent in body
        w.page.go_back()
        w.page.wait_for_load_state("load")
    assert w.errors == [] and w.dialogs == []
    assert all(u.startswith("file://") for u in w.requests)


def test_hostile_version_names_execute_nothing(watch, tmp_path):  # noqa: F811
    folder = tmp_path / "versions"
    folder.mkdir()
    names = {"wire": "<img src=x onerror=window.__pwned=1>.txt", "partner": '"><svg onload=alert(1)>.txt'}
    for source, name in names.items():
        shutil.copy(HERE / f"{source}.txt", folder / name)
    site = tmp_path / "site"
    r = run_cli(["lineage", *(str(folder / n) for n in names.values()), "-f", "html", "-o", str(site)])
    assert r.exit_code == 0, r.stderr
    w = watch((site / "index.html").as_uri(), allow=(site / "reports").as_uri() + "/")
    for el in w.page.query_selector_all("svg.lineage g, svg.lineage a, td"):
        el.hover()
    assert not w.pwned()
    assert "onerror=window.__pwned=1" in w.page.inner_text("body")  # the names are there, as text
    assert w.page.query_selector_all("img, iframe, svg svg") == []
    w.page.locator("#edge-0 line").click(force=True)
    w.page.wait_for_load_state("load")
    assert not w.pwned() and w.dialogs == [] and w.errors == []
