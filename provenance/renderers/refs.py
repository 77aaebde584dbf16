"""How every format names a paragraph: its number and, where the input had lines, the line it starts on in the
file (`¶37 (l. 112)`), so a reader can open the file at that place. Boilerplate is folded the same way everywhere:
one line per side naming the paragraphs, unless the user asks for them (`--show-boilerplate`)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from provenance.model import Report


def ref(index: int, line: int | None) -> str:
    return f"\u00b6{index} (l. {line})" if line is not None else f"\u00b6{index}"


def source_lines(report: Report) -> dict[int, int | None]:
    return {sp.index: sp.start_line for sp in report.source_paragraphs}


def source_refs(report: Report, indexes: Iterable[int], lines: dict[int, int | None] | None = None) -> str:
    """`¶4 (l. 9), ¶5 (l. 11)`: source paragraphs by number and line."""
    lines = source_lines(report) if lines is None else lines
    return ", ".join(ref(i, lines.get(i)) for i in indexes)


def spans(indexes: Sequence[int]) -> str:
    """`¶1–¶30, ¶34`: paragraph numbers as runs."""
    out: list[str] = []
    i = 0
    while i < len(indexes):
        j = i
        while j + 1 < len(indexes) and indexes[j + 1] == indexes[j] + 1:
            j += 1
        out.append(f"\u00b6{indexes[i]}" if i == j else f"\u00b6{indexes[i]}\u2013\u00b6{indexes[j]}")
        i = j + 1
    return ", ".join(out)


def folded(side: str, indexes: Sequence[int]) -> str:
    """The one line that stands for a side's boilerplate paragraphs."""
    return (
        f"{side} boilerplate: {len(indexes)} paragraph(s) of page furniture ({spans(indexes)}); "
        "--show-boilerplate lists them"
    )


def derived_boilerplate(report: Report) -> list[int]:
    return [p.index for p in report.paragraphs if p.relation == "boilerplate"]


def source_boilerplate(report: Report) -> list[int]:
    return [sp.index for sp in report.source_paragraphs if sp.relation == "boilerplate"]


def sides(report: Report) -> list[tuple[str, list[int]]]:
    """Each side's boilerplate paragraphs, derived first."""
    return [("derived", derived_boilerplate(report)), ("source", source_boilerplate(report))]


def limit_notes(report: Report) -> list[str]:
    """One line per bound on the work the comparison reached (`metadata.limits`): `limit: ...`. None for an
    ordinary article."""
    limits = report.metadata.get("limits")
    if not isinstance(limits, dict):
        return []
    return [f"limit: {value.get('note', name)}" for name, value in limits.items() if isinstance(value, dict)]
