"""GitHub workflow commands: one annotation per copied or rewritten paragraph, on the derived file's lines, so a
pull request shows it inline. Copies are warnings, rewrites notices; added text and boilerplate say nothing.

Everything from an article is escaped as the runner requires (`%`, CR and LF in messages; also `:` and `,` in
properties), so no text or file name can end a command early or start a second one.

For a check run, an `::error` per article that fails the policy comes first (on its first line, stating the
policy it fails), then the annotations of each report behind the failures."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from provenance.hookspecs import hookimpl
from provenance.model import AuditResult, ParagraphResult, Report
from provenance.renderers.refs import source_refs

if TYPE_CHECKING:
    from provenance.policy.evaluate import ArticleOutcome, CheckRun

LEVELS = {"copy": "warning", "rewrite": "notice"}


def escape_data(text: str) -> str:
    """A command's message: the runner reads one command a line and decodes these three."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """A property value: `,` would start the next property and `:` could end the property list."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def describe(p: ParagraphResult, report: Report) -> str:
    """One sentence on what a paragraph is and where it came from (shared by SARIF and annotations)."""
    verb = "copied from" if p.relation == "copy" else "a rewrite of"
    where = source_refs(report, p.sources)
    why = str(p.evidence.get("message") or "")
    quotes = sum(1 for q in p.evidence.get("quotes", []) or [] if q.get("copied"))
    extra = f"; {quotes} verbatim quote(s)" if quotes and p.relation == "rewrite" else ""
    return (
        f"Paragraph {p.index} is {verb} {report.source} (source {where}; score {p.score:.2f})"
        f"{extra}{': ' + why if why else ''}"
    )


def workflow_commands(report: Report) -> list[str]:
    """One command per flagged paragraph. Without lines (an HTML page, whose paragraphs lose them in extraction)
    the annotation is on the whole file; without a file (standard input) it is on the run, not on any file."""
    on_file = not (report.derived.startswith("<") and report.derived.endswith(">"))
    lines = []
    for p in report.paragraphs:
        level = LEVELS.get(p.relation)
        if level is None:
            continue
        props = [f"file={escape_property(report.derived)}"] if on_file else []
        if on_file and p.start_line is not None:
            props.append(f"line={p.start_line}")
            if p.end_line is not None and p.end_line > p.start_line:
                props.append(f"endLine={p.end_line}")
        props.append(f"title={escape_property(f'provenance: {p.relation}')}")
        lines.append(f"::{level} {','.join(props)}::{escape_data(describe(p, report))}\n")
    return lines


class GithubRenderer:
    name = "github"
    media_type = "text/plain"
    suffix = ".txt"
    description = (
        "GitHub workflow-command annotations: a warning per copied, a notice per rewritten paragraph"
    )

    def render(self, report: Report, *, color: bool = False) -> str:
        return "".join(workflow_commands(report))

    def render_audit(self, results: Sequence[AuditResult]) -> str:
        return "".join(
            line
            for r in results
            for doc in r.sources
            if doc in r.reports
            for line in workflow_commands(r.reports[doc])
        )

    def render_check(self, run: CheckRun) -> str:
        return "".join(policy_error(o) for o in run.failed) + "".join(
            line for _, report in run.reports() for line in workflow_commands(report)
        )


def policy_error(outcome: ArticleOutcome) -> str:
    """An `::error` on a failing article's first line: the line the policy prints for it."""
    return (
        f"::error file={escape_property(outcome.path)},line=1,title=provenance policy::"
        f"{escape_data(outcome.line())}\n"
    )


@hookimpl
def register_renderers(register) -> None:
    register(GithubRenderer())
