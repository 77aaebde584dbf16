"""Text: readable at a glance, at the width of the terminal. A summary line (verdict, shares, coverage), then per
paragraph a row (`¶3 (l. 7)`, relation, score, excerpt) with its source paragraphs and whole reason wrapped under
it (the excerpt is the only thing ever cut), boilerplate folded into one line per side, then what the source had
that the derived article left out. Colour only when the output is a terminal.

For a check run, one line per article that fails the policy; for an audit, the `table` format: one row per
article with its verdict, shares and sources, written row by row as articles finish."""

from __future__ import annotations

import io
import shutil
import textwrap
from collections.abc import Sequence
from typing import TYPE_CHECKING

from provenance.hookspecs import hookimpl
from provenance.model import AuditResult, Report, SourceParagraphResult
from provenance.renderers.refs import (
    derived_boilerplate,
    folded,
    limit_notes,
    ref,
    source_boilerplate,
    source_lines,
    source_refs,
)

if TYPE_CHECKING:
    from provenance.policy.evaluate import CheckRun

# The control codes rich's Text drops from what it is given (rich.control.STRIP_CONTROL_CODES: bell, backspace,
# vertical tab, form feed, carriage return), dropped the same way from the uncoloured lines written without it.
_RICH_STRIPS = dict.fromkeys((7, 8, 11, 12, 13))

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
    return text if len(text) <= width else text[: max(width - 1, 0)] + "\u2026"


DEFAULT_WIDTH = 100  # when neither COLUMNS nor a terminal says how wide the output is
EXCERPT_MIN = 20  # the paragraph excerpt keeps at least this many characters, even in a narrow terminal


def terminal_width() -> int:
    """COLUMNS, else the terminal's width, else DEFAULT_WIDTH (output to a file or a pipe)."""
    return shutil.get_terminal_size((DEFAULT_WIDTH, 24)).columns


def _wrapped(text: str, width: int, indent: int) -> list[str]:
    """The whole text, wrapped at `width` under an indent: a reason or a piece of evidence is never cut."""
    flat = " ".join(text.split())
    width = max(width, indent + EXCERPT_MIN)
    if indent + len(flat) <= width:  # most reasons fit on one line: textwrap would return this, slower
        return [" " * indent + flat]
    return textwrap.wrap(
        flat,
        width=width,
        initial_indent=" " * indent,
        subsequent_indent=" " * indent,
        break_on_hyphens=False,
    ) or [" " * indent]


class TextRenderer:
    name = "text"
    media_type = "text/plain"
    suffix = ".txt"
    description = "a readable summary and one row per paragraph with its reason, fitted to the terminal"

    def render(
        self, report: Report, *, color: bool = False, width: int | None = None, show_boilerplate: bool = False
    ) -> str:
        """One row per paragraph (number and line, relation, score, excerpt), and under it, wrapped to the width,
        its source paragraphs with their lines and the reason. Boilerplate is one line per side unless asked."""
        width = width or terminal_width()
        buf = io.StringIO()
        console = None
        if color:  # rich only to colour: its import (rich.text alone, 10 ms) is 1/25 of a cold `compare`
            from rich.console import Console

            console = Console(
                file=buf,
                force_terminal=True,
                width=width,
                highlight=False,
                color_system="standard",
                soft_wrap=True,
            )

        def emit(*pieces: tuple[str, str]) -> None:
            """One line of (text, style) pieces. Without colour they are written as they are, less the control
            codes rich strips: rich's rendering of each line cost a minute for 200,000 paragraphs
            (bench/large_inputs.py), for no change to the characters."""
            if console is not None:
                from rich.text import Text

                text = Text()
                for piece, style in pieces:
                    text.append(piece, style=style or None)
                console.print(text)
            else:
                buf.write("".join(piece for piece, _ in pieces).translate(_RICH_STRIPS) + "\n")

        def say(line: str, style: str = "") -> None:
            if console is not None:
                from rich.text import Text

                console.print(Text(line, style=style))
            else:
                buf.write(line + "\n")

        def block(text: str, indent: int = 0, style: str = "") -> None:
            for line in _wrapped(text, width, indent):
                say(line, style)

        def listing(paragraphs: Sequence[SourceParagraphResult], style: str = "") -> None:
            heads = [ref(sp.index, sp.start_line) for sp in paragraphs]
            w = max(len(h) for h in heads)
            for sp, head in zip(paragraphs, heads):
                say(f"  {head:>{w}}  {_short(sp.text, max(width - w - 4, EXCERPT_MIN))}", style)

        s = report.shares
        verdict = report.verdict.upper()
        summary = _wrapped(
            f"verdict: {verdict} \u00b7 copy {s['copy']:.0%} \u00b7 rewrite {s['rewrite']:.0%} \u00b7 added "
            f"{s['added']:.0%} \u00b7 source coverage {report.source_coverage:.0%} \u00b7 "
            f"{len(report.omitted)} source \u00b6 left out",
            width,
            0,
        )
        at = len("verdict: ")
        emit(
            (summary[0][:at], ""),
            (summary[0][at : at + len(verdict)], STYLES.get(report.verdict, "bold yellow")),
            (summary[0][at + len(verdict) :], ""),
        )
        for line in summary[1:]:
            say(line)
        block(f"{report.derived} (derived) vs {report.source} (source)", style="dim")
        derivation = report.metadata.get("derivation")
        if derivation and derivation.get("reason"):
            block(f"as a whole: {derivation['reason']}", style="dim")
        for note in limit_notes(report):
            block(note, style="yellow")
        lines = source_lines(report)
        shown = [p for p in report.paragraphs if show_boilerplate or p.relation != "boilerplate"]
        heads = [ref(p.index, p.start_line) for p in shown]
        head_w = max((len(h) for h in heads), default=1)
        say("")
        for p, head in zip(shown, heads):
            score = f"{p.score:.2f}" if p.relation != "boilerplate" else ""
            lead = f"{head:>{head_w}}  {p.relation:<11} {score:>4}  "
            emit(
                (f"{head:>{head_w}}  ", ""),
                (f"{p.relation:<11}", STYLES.get(p.relation, "")),
                (f" {score:>4}  ", ""),
                (_short(p.text, max(width - len(lead), EXCERPT_MIN)), ""),
            )
            why = str(p.evidence.get("message") or p.evidence.get("reason") or "")
            quotes = [q for q in p.evidence.get("quotes", []) if q.get("copied")]
            if p.relation == "rewrite" and quotes:
                why = f"{len(quotes)} verbatim quote(s); " + why
            if p.sources:
                why = f"from {source_refs(report, p.sources, lines)}: {why}"
            if why:
                block(why, indent=head_w + 2, style="dim" if p.relation == "boilerplate" else "")
        furniture = derived_boilerplate(report)
        if furniture and not show_boilerplate:
            block(folded("derived", furniture), style="dim")
        if report.omitted:
            say("left out of the source:", "bold")
            listing(report.omitted)
        source_furniture = source_boilerplate(report)
        if source_furniture and show_boilerplate:
            say("source boilerplate:", "bold")
            listing([sp for sp in report.source_paragraphs if sp.relation == "boilerplate"], "dim")
        elif source_furniture:
            block(folded("source", source_furniture), style="dim")
        for f in report.findings:
            if not f.message:
                continue  # a finding without a message is data for the JSON report, not a note
            block(f"note [{f.detector}] paragraph {f.paragraph}: {f.message}", indent=2)
        for err in report.errors:
            block(
                f"{err.get('component', 'detector')} {err['detector']} (plugin {err['plugin']}) failed: {err['error']}",
                style="bold red",
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
        return self.audit_head() + "".join(self.audit_row(r) for r in results)

    def audit_head(self) -> str:
        return f"{'article':<{ARTICLE}} {'verdict':<12} {'copy':>5} {'rewr':>5} {'added':>5}  sources\n"

    def audit_row(self, result: AuditResult) -> str:
        return row(result) + "\n"


ARTICLE = 40  # the article column of an audit table; a longer path keeps its end, after an ellipsis


def _tail(text: str, width: int) -> str:
    return text if len(text) <= width else "\u2026" + text[len(text) - width + 1 :]


def row(r: AuditResult) -> str:
    s = r.shares
    return (
        f"{_tail(r.derived, ARTICLE):<{ARTICLE}} {r.verdict:<12} {s['copy']:>5.0%} {s['rewrite']:>5.0%} "
        f"{s['added']:>5.0%}  {', '.join(r.sources) or '-'}"
    )


@hookimpl
def register_renderers(register) -> None:
    register(TextRenderer())
    register(TableRenderer())
