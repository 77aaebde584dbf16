"""An audit as a folder of HTML pages: `index.html` lists every article with its verdict and links to one report
per (article, source it draws on).

Report file names come from document ids, which are untrusted (an id can be any string a feed or a file name
gave): they are reduced to a safe alphabet, shortened, and suffixed with a hash of the full ids, so no name can
climb out of the folder, be absolute, hide as a dot file, or collide with another. The folder is built beside
its destination and renamed into place, so an interrupted audit never leaves a mix of old and new pages."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import tempfile
from collections.abc import Sequence
from html import escape
from pathlib import Path
from typing import Any

from provenance.errors import UsageError
from provenance.renderers.html import page, render_report, share_bar

MARKER = ".provenance-audit"  # says the folder is ours to replace on the next run
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def safe_name(*ids: str, limit: int = 60) -> str:
    """A file name for these ids: only [A-Za-z0-9._-], no leading dot or dash, bounded, unique by hash."""
    slug = "--".join(_UNSAFE.sub("-", re.split(r"[/\\\\]", i)[-1]).strip(".-") for i in ids)
    slug = re.sub(r"\.{2,}", ".", slug).strip(".-")[:limit].rstrip(".-") or "article"
    digest = hashlib.sha256("\0".join(ids).encode("utf-8", "surrogatepass")).hexdigest()[:10]
    return f"{slug}-{digest}.html"


def _source_link(r: Any, doc: str, name: str) -> str:
    """A link to one report, with what that report says: its own verdict and how much of the source it covers."""
    report = r.reports[doc]
    return (f'<li><a href="reports/{escape(name)}">{escape(doc)}</a> <span class="sub">{escape(report.verdict)} '
            f"\u00b7 {report.source_coverage:.0%} of the source reused</span></li>")


def _index_page(rows: list[tuple[Any, list[tuple[str, str]]]]) -> str:
    body = []
    for r, links in rows:
        s = r.shares
        src = (f'<ul class="sources">{"".join(_source_link(r, doc, name) for doc, name in links)}</ul>'
               if links else "\u2014")
        first = f'<a href="reports/{escape(links[0][1])}">{escape(r.derived)}</a>' if links else escape(r.derived)
        body.append(f"<tr><td>{first}</td><td><span class=\"verdict v-{escape(r.verdict)}\">{escape(r.verdict)}"
                    f"</span></td><td class=\"num\">{s.get('copy', 0):.0%}</td><td class=\"num\">"
                    f"{s.get('rewrite', 0):.0%}</td><td class=\"num\">{s.get('added', 0):.0%}</td>"
                    f"<td>{share_bar(s)}</td><td>{src}</td></tr>")
    verdicts: dict[str, int] = {}
    for r, _ in rows:
        verdicts[r.verdict] = verdicts.get(r.verdict, 0) + 1
    counts = ", ".join(f"{n} {v}" for v, n in sorted(verdicts.items()))
    table = ("<table class=\"articles\"><thead><tr><th>article</th><th>verdict</th><th>copy</th><th>rewrite</th>"
             "<th>added</th><th>shares</th><th>sources (each links to its report)</th></tr></thead><tbody>"
             + "".join(body) + "</tbody></table>")
    head = (f'<header class="summary"><h1>Audit of {len(rows)} article(s)</h1><div class="facts">'
            f"<span>{escape(counts) or 'nothing audited'}</span></div></header>")
    return page(f"provenance audit: {len(rows)} article(s)", f'{head}<div class="wrap">{table}</div>',
                script=False, kind="audit")


def _replace_dir(built: Path, dest: Path) -> None:
    """Swap the built folder into place; the old one (ours, or empty) is removed only after the swap."""
    if not dest.exists():
        os.replace(built, dest)
        return
    old = Path(tempfile.mkdtemp(prefix=f".{dest.name}.old-", dir=dest.parent))
    os.replace(dest, old / "x")
    try:
        os.replace(built, dest)
    except BaseException:
        os.replace(old / "x", dest)
        raise
    shutil.rmtree(old, ignore_errors=True)


def write_site(results: Sequence[Any], dest: Path) -> int:
    """Write the audit's pages into `dest` (a folder); returns the number of report pages."""
    if dest.exists() and not dest.is_dir():
        raise UsageError(f"--output {dest}: an HTML audit is a folder of pages, and this is a file")
    if dest.is_dir() and any(dest.iterdir()) and not (dest / MARKER).exists():
        raise UsageError(f"--output {dest}: the folder is not empty and was not written by an earlier audit; "
                         "give a new or empty folder")
    parent = dest.parent if str(dest.parent) else Path(".")
    if not parent.is_dir():
        raise UsageError(f"--output {dest}: directory {parent} does not exist")
    try:
        built = Path(tempfile.mkdtemp(prefix=f".{dest.name}.", suffix=".tmp", dir=parent))
    except OSError as exc:
        raise UsageError(f"--output {dest}: cannot write there ({exc.strerror or exc})") from None
    try:
        (built / "reports").mkdir()
        rows, pages = [], 0
        for r in results:
            links = []
            for doc in r.sources:
                report = r.reports.get(doc)
                if report is None:
                    continue
                name = safe_name(r.derived, doc)
                (built / "reports" / name).write_text(render_report(report), encoding="utf-8")
                links.append((doc, name))
                pages += 1
            rows.append((r, links))
        (built / "index.html").write_text(_index_page(rows), encoding="utf-8")
        (built / MARKER).write_text("written by provenance audit --format html; replaced on the next run\n",
                                    encoding="utf-8")
        os.chmod(built, 0o755)
        _replace_dir(built, dest)
    except BaseException:
        shutil.rmtree(built, ignore_errors=True)
        raise
    return pages
