"""Text: readable at a glance. A summary line (verdict, shares, coverage), one row per paragraph with its relation,
score, sources and the reason, then what the source had that the derived article left out. Colour only when the
output is a terminal.

For a check run, one line per article that fails the policy; for an audit, the `table` format: one row per
article with its verdict, shares and sources."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import TYPE_CHECKING

from provenance.hookspecs import hookimpl
from provenance.model import AuditResult, Report

if TYPE_CHECKING:
    from provenance.policy.evaluate import CheckRun

STYLES = {
    "copy": "bold red",
    "rewrite": "yellow",
    "added": "green",
    "boilerplate": "dim",
    "independent": "bold green",
    "partial": "bold cyan",
}


def _short(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "\u2026"


class TextRenderer:
    name = "text"
    media_type = "text/plain"
    suffix = ".txt"
    description = "a readable summary and one row per paragraph (colour on a terminal)"

    def render(self, report: Report, *, color: bool = False, width: int = 120) -> str:
        from rich.console import Console
        from rich.table import Table
        from rich.text import Text

        buf = io.StringIO()
        console = Console(
            file=buf,
            force_terminal=color,
            no_color=not color,
            width=width,
            highlight=False,
            color_system="standard" if color else None,
            soft_wrap=False,
        )
        s = report.shares
        summary = Text()
        summary.append("verdict: ")
        summary.append(report.verdict.upper(), style=STYLES.get(report.verdict, "bold yellow"))
        summary.append(
            f"   copy {s['copy']:.0%} \u00b7 rewrite {s['rewrite']:.0%} \u00b7 added {s['added']:.0%}"
            f"   source coverage {report.source_coverage:.0%}"
            f"   omitted {len(report.omitted)} source paragraph(s)"
        )
        console.print(summary)
        console.print(Text(f"{report.derived}  vs  {report.source}", style="dim"))
        derivation = report.metadata.get("derivation")
        if derivation and derivation.get("reason"):
            console.print(Text(f"as a whole: {derivation['reason']}", style="dim"))
        table = Table(show_header=True, header_style="bold", box=None, pad_edge=False, expand=False)
        table.add_column("#", justify="right", no_wrap=True, min_width=3)
        table.add_column("relation", no_wrap=True, min_width=11)
        table.add_column("score", justify="right", no_wrap=True, min_width=5)
        table.add_column("from", no_wrap=True, min_width=4)
        table.add_column("paragraph", overflow="ellipsis", no_wrap=True, ratio=1)
        table.add_column("why", overflow="ellipsis", no_wrap=True, ratio=1)
        for p in report.paragraphs:
            why = p.evidence.get("message") or p.evidence.get("reason") or ""
            quotes = [q for q in p.evidence.get("quotes", []) if q.get("copied")]
            if p.relation == "rewrite" and quotes:
                why = f"{len(quotes)} verbatim quote(s); " + why
            table.add_row(
                str(p.index),
                Text(p.relation, style=STYLES.get(p.relation, "")),
                f"{p.score:.2f}" if p.relation != "boilerplate" else "",
                ",".join(str(i) for i in p.sources),
                _short(p.text, 52),
                _short(str(why), 48),
            )
        console.print(table)
        if report.omitted:
            console.print(Text("left out of the source:", style="bold"))
            for sp in report.omitted:
                console.print(Text(f"  {sp.index:>3}  {_short(sp.text, 100)}"))
        for f in report.findings:
            console.print(Text(f"  note [{f.detector}] paragraph {f.paragraph}: {f.message}"))
        for err in report.errors:
            console.print(
                Text(
                    f"{err.get('component', 'detector')} {err['detector']} (plugin {err['plugin']}) failed: {err['error']}",
                    style="bold red",
                )
            )
        return buf.getvalue()

    def render_check(self, run: CheckRun) -> str:
        """The offending lines, one per failing article: what a CI log shows."""
        return "".join(o.line() + "\n" for o in run.failed)


class TableRenderer:
    name = "table"
    media_type = "text/plain"
    suffix = ".txt"
    description = "an audit as one row per article: verdict, shares and sources"

    def render_audit(self, results: Sequence[AuditResult]) -> str:
        lines = [f"{'article':<40} {'verdict':<12} {'copy':>5} {'rewr':>5} {'added':>5}  sources"]
        lines += [row(r) for r in results]
        return "\n".join(lines) + "\n"


def row(r: AuditResult) -> str:
    s = r.shares
    return (
        f"{r.derived[-40:]:<40} {r.verdict:<12} {s['copy']:>5.0%} {s['rewrite']:>5.0%} {s['added']:>5.0%}  "
        f"{', '.join(r.sources) or '-'}"
    )


@hookimpl
def register_renderers(register) -> None:
    register(TextRenderer())
    register(TableRenderer())
