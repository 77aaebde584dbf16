"""The formats of `provenance lineage`: text, JSON (text-provenance/lineage/1, docs/lineage-schema.md), Mermaid,
Graphviz DOT, and HTML: a folder whose `index.html` draws the graph (inline SVG, no script) where each edge is a link
to the side-by-side report of its pair (`reports/*.html`, the `compare` page).

Every name in the graph comes from the user's files or an index, so it is untrusted: escaped for HTML, quoted for
DOT, and replaced by a generated id (its text in a quoted label) in Mermaid."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from provenance.components import Folder
from provenance.model import Lineage, LineageEdge
from provenance.renderers.html_audit import safe_name
from provenance.renderers.html_page import e, page, render_report, share_bar

LINEAGE_FORMATS = ("text", "json", "mermaid", "dot", "html")
MARKER = ".provenance-lineage"
MARKER_TEXT = "written by provenance lineage --format html; replaced on the next run\n"


def _arrow(edge: LineageEdge) -> str:
    return "->" if edge.direction == "decided" else "--"


def render_text(graph: Lineage) -> str:
    lines = [f"{len(graph.nodes)} version(s), {len(graph.edges)} derivation(s)"]
    children: dict[str, list[LineageEdge]] = {}
    for edge in graph.edges:
        children.setdefault(edge.parent, []).append(edge)

    def walk(name: str, depth: int) -> Iterator[str]:
        for edge in children.get(name, []):
            how = "" if edge.direction == "decided" else ", direction undecidable"
            yield (
                f"{'  ' * depth}└─ {edge.child}  {edge.relation} of {edge.parent} "
                f"(confidence {edge.confidence:.2f}{how})"
            )
            yield from walk(edge.child, depth + 1)

    for root in graph.roots:
        lines.append(f"{root}  (root)")
        lines.extend(walk(root, 1))
    if graph.independent:
        lines.append("independent: " + ", ".join(graph.independent))
    for err in graph.errors:
        lines.append(f"not read: {err}")
    return "\n".join(lines) + "\n"


def render_json(graph: Lineage) -> str:
    return graph.to_json() + "\n"


def _mermaid_label(text: str) -> str:
    return text.replace('"', "#quot;").replace("<", "#lt;").replace(">", "#gt;").replace("\n", " ")


def render_mermaid(graph: Lineage) -> str:
    ids = {n.id: f"n{i}" for i, n in enumerate(graph.nodes)}
    out = ["flowchart TD"]
    for n in graph.nodes:
        when = f" · {n.published}" if n.published else ""
        out.append(f'  {ids[n.id]}["{_mermaid_label(n.id + when)}"]')
    for edge in graph.edges:
        line = "-->" if edge.direction == "decided" else "---"
        label = _mermaid_label(f"{edge.relation} {edge.confidence:.2f}")
        out.append(f'  {ids[edge.parent]} {line}|"{label}"| {ids[edge.child]}')
    return "\n".join(out) + "\n"


def _dot_quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def render_dot(graph: Lineage) -> str:
    out = ["digraph lineage {", "  rankdir=TB;", "  node [shape=box];"]
    for n in graph.nodes:
        label = n.id + (f"\n{n.published}" if n.published else "")
        out.append(f"  {_dot_quote(n.id)} [label={_dot_quote(label)}];")
    for edge in graph.edges:
        style = "" if edge.direction == "decided" else ", dir=none, style=dashed"
        label = f"{edge.relation} {edge.confidence:.2f}"
        out.append(
            f"  {_dot_quote(edge.parent)} -> {_dot_quote(edge.child)} [label={_dot_quote(label)}{style}];"
        )
    out.append("}")
    return "\n".join(out) + "\n"


# HTML ---------------------------------------------------------------------------------------------------------------

BOX_W, BOX_H, GAP_X, GAP_Y = 180, 44, 30, 80


def layout(graph: Lineage) -> dict[str, tuple[float, float]]:
    """Top-left corner of each node's box: a tree per root, children in rows below their parent, independent
    versions in a last row."""
    children: dict[str, list[str]] = {}
    for edge in graph.edges:
        children.setdefault(edge.parent, []).append(edge.child)
    at: dict[str, tuple[float, float]] = {}
    column = [0]

    def place(name: str, depth: int) -> float:
        kids = [k for k in children.get(name, []) if k not in at]
        x: float
        if not kids:
            x = column[0] * (BOX_W + GAP_X)
            column[0] += 1
        else:
            at[name] = (0.0, 0.0)  # reserved: a malformed graph with a cycle stops here
            xs = [place(k, depth + 1) for k in kids]
            x = (xs[0] + xs[-1]) / 2
        at[name] = (x, depth * (BOX_H + GAP_Y))
        return x

    for root in graph.roots:
        place(root, 0)
    depth = max((y for _, y in at.values()), default=-(BOX_H + GAP_Y)) + BOX_H + GAP_Y
    column[0] = 0
    for n in graph.nodes:
        if n.id not in at:
            at[n.id] = (column[0] * (BOX_W + GAP_X), depth)
            column[0] += 1
    return at


def _short(text: str, limit: int = 24) -> str:
    """A name's end, which tells versions apart (paths share their start); the whole name is the node's title."""
    return text if len(text) <= limit else "…" + text[-(limit - 1) :]


def _svg(graph: Lineage, links: dict[int, str]) -> str:
    at = layout(graph)
    width = max((x for x, _ in at.values()), default=0) + BOX_W + 20
    height = max((y for _, y in at.values()), default=0) + BOX_H + 20
    parts = [
        f'<svg class="lineage" viewBox="-10 -10 {width:.0f} {height:.0f}" width="{width:.0f}" '
        f'height="{height:.0f}" role="img" aria-label="derivation graph">',
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="8" markerHeight="8" '
        'orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z"/></marker></defs>',
    ]
    for k, edge in enumerate(graph.edges):
        (px, py), (cx, cy) = at[edge.parent], at[edge.child]
        x1, y1, x2, y2 = px + BOX_W / 2, py + BOX_H, cx + BOX_W / 2, cy
        marker = ' marker-end="url(#arrow)"' if edge.direction == "decided" else ""
        dash = "" if edge.direction == "decided" else ' stroke-dasharray="6 4"'
        colour = EDGE_COLOURS.get(edge.relation, "#333333")
        title = f"{edge.child} derives from {edge.parent}: {edge.relation}, confidence {edge.confidence:.2f}"
        if edge.direction != "decided":
            title += " (which came first is undecidable)"
        line = (
            f'<line x1="{x1:.0f}" y1="{y1:.0f}" x2="{x2:.0f}" y2="{y2:.0f}" '
            f'class="edge {e(edge.relation)} {e(edge.direction)}" stroke="{colour}" stroke-width="2"{dash}{marker}/>'
            f'<text x="{(x1 + x2) / 2 + 4:.0f}" y="{(y1 + y2) / 2:.0f}" class="edge-label" font-size="11" '
            'fill="#555555">'
            f"{e(edge.relation)} {edge.confidence:.2f}</text>"
        )
        href = links.get(k)
        parts.append(
            f'<a href="{e(href)}" id="edge-{k}" class="edge-link"><title>{e(title)}</title>{line}</a>'
            if href
            else f"<g><title>{e(title)}</title>{line}</g>"
        )
    for n in graph.nodes:
        x, y = at[n.id]
        kind = "root" if n.id in graph.roots else "independent" if n.id in graph.independent else "derived"
        when = n.published or "date unknown"
        parts.append(
            f'<g class="node {kind}"><title>{e(n.id)}</title>'
            f'<rect x="{x:.0f}" y="{y:.0f}" width="{BOX_W}" height="{BOX_H}" rx="6" fill="#ffffff"'
            f"{NODE_STROKES[kind]}/>"
            f'<text x="{x + 8:.0f}" y="{y + 18:.0f}" font-size="13">{e(_short(n.id))}</text>'
            f'<text x="{x + 8:.0f}" y="{y + 34:.0f}" class="sub" font-size="11" fill="#555555">{e(when)}</text></g>'
        )
    parts.append("</svg>")
    return "".join(parts)


# Colours as SVG presentation attributes: the page's policy admits only the shared stylesheet (by its hash), and
# presentation attributes are not style attributes, so the graph needs no style of its own.
EDGE_COLOURS = {"copy": "#333333", "rewrite": "#9a6700", "partial": "#8250df"}
NODE_STROKES = {
    "root": ' stroke="#1a7f37" stroke-width="2"',
    "derived": ' stroke="#555555"',
    "independent": ' stroke="#999999" stroke-dasharray="4 3"',
}


def _edge_rows(graph: Lineage, links: dict[int, str]) -> str:
    rows = []
    for k, edge in enumerate(graph.edges):
        target = (
            f'<a href="{e(links[k])}">{e(edge.parent)} → {e(edge.child)}</a>'
            if k in links
            else f"{e(edge.parent)} → {e(edge.child)}"
        )
        evidence = "".join(f"<li>{e(line)}</li>" for line in edge.evidence)
        rows.append(
            f"<tr><td>{target}</td><td>{e(edge.relation)}</td><td>{share_bar(edge.shares)}</td>"
            f'<td class="num">{edge.confidence:.2f}</td><td>{e(edge.direction)} '
            f"({edge.direction_confidence:.2f})</td><td><ul>{evidence}</ul></td></tr>"
        )
    return (
        '<table class="articles"><thead><tr><th>derivation (opens the pair report)</th><th>relation</th>'
        "<th>shares</th><th>confidence</th><th>direction</th><th>evidence</th></tr></thead><tbody>"
        + "".join(rows)
        + "</tbody></table>"
    )


def _index_page(graph: Lineage, links: dict[int, str]) -> str:
    facts = (
        f"{len(graph.nodes)} version(s) · {len(graph.edges)} derivation(s) · roots: "
        f"{', '.join(graph.roots) or 'none'} · independent: {', '.join(graph.independent) or 'none'}"
    )
    head = (
        '<header class="summary"><h1>Derivation graph</h1>'
        f'<div class="facts"><span>{e(facts)}</span></div></header>'
    )
    body = f'{head}<div class="wrap">{_svg(graph, links)}{_edge_rows(graph, links)}</div>'
    return page(f"provenance lineage: {len(graph.nodes)} version(s)", body, script=False, kind="audit")


def _pages(graph: Lineage) -> Iterator[tuple[str, str]]:
    links: dict[int, str] = {}
    for k, edge in enumerate(graph.edges):
        report = graph.report_of(edge)
        if report is None:
            continue
        name = safe_name(edge.parent, edge.child)
        yield f"reports/{name}", render_report(report)
        links[k] = f"reports/{name}"
    yield "index.html", _index_page(graph, links)
    yield MARKER, MARKER_TEXT


def render_html(graph: Lineage) -> Folder:
    return Folder(
        _pages(graph),
        entry="index.html",
        marker=MARKER,
        noun="pair report",
        what="an HTML lineage",
        folders=("reports",),
    )


RENDERERS: dict[str, Callable[[Lineage], str | Folder]] = {
    "text": render_text,
    "json": render_json,
    "mermaid": render_mermaid,
    "dot": render_dot,
    "html": render_html,
}

__all__ = ["LINEAGE_FORMATS", "RENDERERS", "render_dot", "render_html", "render_json", "render_mermaid"]
