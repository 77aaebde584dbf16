"""The `html` format: a self-contained page per report (provenance/renderers/html_page.py), and an audit as a
folder of them (provenance/renderers/html_audit.py)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from provenance.hookspecs import hookimpl

if TYPE_CHECKING:
    from provenance.components import Folder
    from provenance.model import AuditResult, Report

# The page modules (hashlib, html.entities and the assets) load when a page is rendered: registering the format
# costs a run in another format nothing (a cold `compare`, docs/performance.md).
__all__ = ["HtmlRenderer", "register_renderers"]


class HtmlRenderer:
    name = "html"
    media_type = "text/html"
    suffix = ".html"
    description = "a self-contained page: both articles side by side, click a paragraph to see its source"
    folder = "a folder of pages (index.html and one report per article and source)"

    def render(self, report: Report, *, color: bool = False, show_boilerplate: bool = False) -> str:
        from provenance.renderers.html_page import render_report

        return render_report(report, show_boilerplate)

    def render_audit_folder(self, results: Sequence[AuditResult]) -> Folder:
        """An audit as a folder: an index of articles linking to one page per article and source."""
        from provenance.renderers.html_audit import site  # (hashlib and all: loaded by an audit only)

        return site(results)


@hookimpl
def register_renderers(register) -> None:
    register(HtmlRenderer())
