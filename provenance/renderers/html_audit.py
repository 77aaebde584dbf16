"""An audit as a folder of HTML pages: `index.html` lists every article with its verdict and links to one report
per (article, source it draws on).

Report file names come from document ids, which are untrusted (an id can be any string a feed or a file name
gave): they are reduced to a safe alphabet, shortened, and suffixed with a hash of the full ids, so no name can
climb out of the folder, be absolute, hide as a dot file, or collide with another. The pages are rendered one at a
time as the folder is written (provenance/cli/io.py builds it beside its destination and renames it into place, so
an interrupted audit never leaves a mix of old and new pages)."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator, Sequence
from html import escape

from provenance.components import Folder
from provenance.model import AuditResult
from provenance.renderers.html_page import page, render_report, share_bar

MARKER = ".provenance-audit"  # says the folder is ours to replace on the next run
MARKER_TEXT = "written by provenance audit --format html; replaced on the next run\n"
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")

Links = list[tuple[str, str]]  # (source id, report file name) of one article


def safe_name(*ids: str, limit: int = 60) -> str:
    """A file name for these ids: only [A-Za-z0-9._-], no leading dot or dash, bounded, unique by hash."""
    slug = "--".join(_UNSAFE.sub("-", re.split(r"[/\\\\]", i)[-1]).strip(".-") for i in ids)
    slug = re.sub(r"\.{2,}", ".", slug).strip(".-")[:limit].rstrip(".-") or "article"
    digest = hashlib.sha256("\0".join(ids).encode("utf-8", "surrogatepass")).hexdigest()[:10]
    return f"{slug}-{digest}.html"


def _source_link(r: AuditResult, doc: str, name: str) -> str:
    """A link to one report, with what that report says: its own verdict and how much of the source it covers."""
    report = r.reports[doc]
    return (
        f'<li><a href="reports/{escape(name)}">{escape(doc)}</a> <span class="sub">{escape(report.verdict)} '
        f"\u00b7 {report.source_coverage:.0%} of the source reused</span></li>"
    )


def _index_page(rows: list[tuple[AuditResult, Links]]) -> str:
    body = []
    for r, links in rows:
        s = r.shares
        src = (
            f'<ul class="sources">{"".join(_source_link(r, doc, name) for doc, name in links)}</ul>'
            if links
            else "\u2014"
        )
        first = (
            f'<a href="reports/{escape(links[0][1])}">{escape(r.derived)}</a>' if links else escape(r.derived)
        )
        body.append(
            f'<tr><td>{first}</td><td><span class="verdict v-{escape(r.verdict)}">{escape(r.verdict)}'
            f'</span></td><td class="num">{s.get("copy", 0):.0%}</td><td class="num">'
            f'{s.get("rewrite", 0):.0%}</td><td class="num">{s.get("added", 0):.0%}</td>'
            f"<td>{share_bar(s)}</td><td>{src}</td></tr>"
        )
    verdicts: dict[str, int] = {}
    for r, _ in rows:
        verdicts[r.verdict] = verdicts.get(r.verdict, 0) + 1
    counts = ", ".join(f"{n} {v}" for v, n in sorted(verdicts.items()))
    table = (
        '<table class="articles"><thead><tr><th>article</th><th>verdict</th><th>copy</th><th>rewrite</th>'
        "<th>added</th><th>shares</th><th>sources (each links to its report)</th></tr></thead><tbody>"
        + "".join(body)
        + "</tbody></table>"
    )
    head = (
        f'<header class="summary"><h1>Audit of {len(rows)} article(s)</h1><div class="facts">'
        f"<span>{escape(counts) or 'nothing audited'}</span></div></header>"
    )
    return page(
        f"provenance audit: {len(rows)} article(s)",
        f'{head}<div class="wrap">{table}</div>',
        script=False,
        kind="audit",
    )


def _pages(results: Sequence[AuditResult]) -> Iterator[tuple[str, str]]:
    """Each report page as it is rendered, then the index that links them, then the marker."""
    rows: list[tuple[AuditResult, Links]] = []
    for r in results:
        links: Links = []
        for doc in r.sources:
            report = r.reports.get(doc)
            if report is None:
                continue
            name = safe_name(r.derived, doc)
            yield f"reports/{name}", render_report(report)
            links.append((doc, name))
        rows.append((r, links))
    yield "index.html", _index_page(rows)
    yield MARKER, MARKER_TEXT


def site(results: Sequence[AuditResult]) -> Folder:
    """The audit's pages, as a folder to write with `--output DIR`."""
    return Folder(
        _pages(results),
        entry="index.html",
        marker=MARKER,
        noun="report page",
        what="an HTML audit",
        folders=("reports",),
    )
