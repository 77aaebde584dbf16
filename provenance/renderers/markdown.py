"""Markdown that fits a pull-request comment: a summary line, a table of paragraphs with short excerpts, what the
source had that was left out folded away, and plugin notes.

Excerpts are article text, so they are defused before they reach a comment: HTML entities for `&`, `<`, `>`,
backslashes before everything Markdown gives meaning to (pipes cannot end a table cell, brackets cannot make a
link or an image), and newlines folded. GitHub turns `@name`, `#123`, `GH-123` and bare URLs into mentions, issue
references and links after rendering, so entities or backslashes would not stop them: a zero-width space goes
after `@` and `#` and inside `http`, `ftp`, `www` and `GH-`. The whole comment stays under GitHub's
65,536-character limit, truncated with a note when it would not."""

from __future__ import annotations

import re
from collections.abc import Sequence

from provenance.hookspecs import hookimpl
from provenance.model import AuditResult, Report
from provenance.renderers.refs import folded, limit_notes, ref, sides, source_lines, source_refs

LIMIT = 65_000  # GitHub refuses comments over 65,536 characters; leave room for a wrapper
EXCERPT = 80
_SPECIAL = re.compile(r"([\\`*_\[\]|~!])")
_AUTOLINK = re.compile(r"(?i)\b(http|ftp|www|gh-)")
_REFERENCE = re.compile(r"([@#])")
ZWSP = "\u200b"


def inline(text: str, width: int = EXCERPT) -> str:
    """Article text made safe and short for one table cell."""
    text = " ".join(text.split())
    if len(text) > width:
        text = text[: width - 1].rstrip() + "\u2026"
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _SPECIAL.sub(r"\\\1", text)
    text = _AUTOLINK.sub(lambda m: m.group(1)[0] + ZWSP + m.group(1)[1:], text)  # no bare-URL links
    return _REFERENCE.sub(r"\1" + ZWSP, text)  # no mentions, no issue references


def code(text: str) -> str:
    """A file name in a code span, without a backtick or pipe that could close it or split a table."""
    clean = " ".join(text.split()).replace("`", "'").replace("|", "/")
    return f"`{clean}`"


def summary_line(report: Report) -> str:
    s = report.shares
    return (
        f"copy {s.get('copy', 0):.0%} \u00b7 rewrite {s.get('rewrite', 0):.0%} \u00b7 added "
        f"{s.get('added', 0):.0%} \u00b7 boilerplate {s.get('boilerplate', 0):.0%} \u00b7 source coverage "
        f"{report.source_coverage:.0%} \u00b7 {len(report.omitted)} source paragraph(s) left out"
    )


def body(report: Report, level: int = 3, show_boilerplate: bool = False) -> list[str]:
    h = "#" * level
    title = (
        f"{h} provenance: **{report.verdict.upper()}** \u2014 {code(report.derived)} derived from "
        f"{code(report.source)}"
    )
    out = [title, "", summary_line(report), ""]
    derivation = report.metadata.get("derivation")
    if derivation and derivation.get("reason"):
        out += [f"As a whole: {inline(str(derivation['reason']), 400)}", ""]
    out += [line for note in limit_notes(report) for line in (f"_{inline(note, 400)}_", "")]
    out += [
        "| \u00b6 (line) | relation | score | source \u00b6 (line) | excerpt |",
        "|---:|---|---:|---|---|",
    ]
    lines = source_lines(report)
    for p in report.paragraphs:
        if p.relation == "boilerplate" and not show_boilerplate:
            continue
        score = f"{p.score:.2f}" if p.relation != "boilerplate" else ""
        src = source_refs(report, p.sources, lines)
        out.append(f"| {ref(p.index, p.start_line)} | {p.relation} | {score} | {src} | {inline(p.text)} |")
    if not show_boilerplate:
        out += [f"_{folded(side, found)}_" for side, found in sides(report) if found]
    if report.omitted:
        out += [
            "",
            f"<details><summary>Left out of the source ({len(report.omitted)})</summary>",
            "",
            "| \u00b6 | excerpt |",
            "|---:|---|",
        ]
        out += [f"| {ref(sp.index, sp.start_line)} | {inline(sp.text)} |" for sp in report.omitted]
        out += ["", "</details>"]
    notes = [
        f"- paragraph {f.paragraph} ({inline(f.detector, 40)}): {inline(f.message, 300)}"
        for f in report.findings
        if f.relation is None and f.message
    ]
    notes += [
        f"- **{inline(str(e.get('component', 'detector')), 10)} {inline(str(e.get('detector')), 40)} failed:** {inline(str(e.get('error')), 300)}"
        for e in report.errors
    ]
    if notes:
        out += ["", *notes]
    return out


def fit(lines: list[str], limit: int = LIMIT) -> str:
    """Join lines, cutting whole lines (never inside a table row) with a note when the comment would be too long.
    A `<details>` block left open by the cut is closed, so the note shows."""
    text, total, open_details = [], 0, False
    for i, line in enumerate(lines):
        if total + len(line) + 1 > limit - 200:
            if open_details:
                text += ["", "</details>"]
            text.append(
                f"\n_\u2026 truncated: {len(lines) - i} more line(s) did not fit in one comment; "
                "see the JSON or HTML report._"
            )
            break
        text.append(line)
        total += len(line) + 1
        open_details = line.startswith("<details>") or (open_details and line != "</details>")
    return "\n".join(text) + "\n"


class MarkdownRenderer:
    name = "markdown"
    media_type = "text/markdown"
    suffix = ".md"
    description = (
        "a pull-request comment: summary, a table of paragraphs with excerpts, omitted source folded"
    )

    def render(self, report: Report, *, color: bool = False, show_boilerplate: bool = False) -> str:
        return fit(body(report, show_boilerplate=show_boilerplate))

    def render_audit(self, results: Sequence[AuditResult]) -> str:
        """An audit as one comment: a table of articles, then each article's report against each source."""
        lines = [
            f"### provenance audit: {len(results)} article(s)",
            "",
            "| article | verdict | copy | rewrite | added | sources |",
            "|---|---|---:|---:|---:|---|",
        ]
        for r in results:
            s = r.shares
            lines.append(
                f"| {code(r.derived)} | {r.verdict} | {s.get('copy', 0):.0%} | {s.get('rewrite', 0):.0%} | "
                f"{s.get('added', 0):.0%} | {', '.join(code(d) for d in r.sources) or '-'} |"
            )
        for r in results:
            for doc in r.sources:
                if doc in r.reports:
                    lines += ["", *body(r.reports[doc], level=4)]
        return fit(lines)


@hookimpl
def register_renderers(register) -> None:
    register(MarkdownRenderer())
