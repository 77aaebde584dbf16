"""HTML: one self-contained page an editor can look at. Source and derived article side by side, each derived
paragraph coloured by relation; clicking (or Enter on) a paragraph highlights the passages it is linked to on the
other side. Copied phrases and verbatim quotes are marked inside paragraphs, omitted source paragraphs stand out.

Articles are untrusted: every string from them goes through `html.escape`, the page loads nothing (a
Content-Security-Policy of `default-src 'none'` with hashes for the one inline stylesheet and script), it has no
links (a URL from an article is shown as text), and the script moves classes around without ever turning text into
markup."""

from __future__ import annotations

import base64
import hashlib
import re
from collections import defaultdict
from collections.abc import Mapping
from html import escape
from typing import Any

from provenance._version import __version__
from provenance.model import REPORT_SCHEMA, Report
from provenance.renderers.html_assets import CSS, JS
from provenance.renderers.refs import limit_notes, source_lines, source_refs

SHARES = ("copy", "rewrite", "added", "boilerplate")


def csp_hash(text: str) -> str:
    return "sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii")


def content_security_policy() -> str:
    """Nothing may load: no network, no frames, no forms; only our own inline style and script run."""
    return (
        f"default-src 'none'; style-src '{csp_hash(CSS)}'; script-src '{csp_hash(JS)}'; img-src 'none'; "
        "base-uri 'none'; form-action 'none'"
    )


def e(value: Any) -> str:
    return escape(str(value), quote=True)


def page(title: str, body: str, *, script: bool = True, kind: str = "report") -> str:
    """The document shell every HTML output shares: charset first, the policy before anything else loads."""
    tail = f"<script>{JS}</script>\n" if script else ""
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{e(content_security_policy())}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta name="referrer" content="no-referrer">\n'
        f'<meta name="generator" content="text-provenance {e(__version__)}">\n'
        f"<title>{e(title)}</title>\n<style>{CSS}</style>\n</head>\n"
        f'<body class="{kind}">\n{body}\n{tail}</body>\n</html>\n'
    )


def share_bar(shares: Mapping[str, float]) -> str:
    """An inline SVG: widths are attributes, so the strict style policy (no inline style attributes) holds."""
    x = 0.0
    rects = []
    for rel in SHARES:
        w = max(0.0, float(shares.get(rel, 0.0))) * 1000
        if w > 0:
            rects.append(
                f'<rect class="{rel}" x="{x:.1f}" y="0" width="{w:.1f}" height="12">'
                f"<title>{rel} {shares.get(rel, 0.0):.0%}</title></rect>"
            )
        x += w
    label = ", ".join(f"{rel} {shares.get(rel, 0.0):.0%}" for rel in SHARES)
    return (
        f'<svg class="bar" viewBox="0 0 1000 12" preserveAspectRatio="none" role="img" '
        f'aria-label="{e(label)}">{"".join(rects)}</svg>'
    )


_EDGE_PUNCT = ".,;:!?\"'\u2018\u2019\u201c\u201d()[]"


def _find(text: str, needle: str) -> tuple[int, int] | None:
    """Where a phrase as written sits in a paragraph; whitespace and case may differ after normalisation, and a
    quotation often ends in other punctuation on the other side (`hold.` quoted from `hold,"`)."""
    for candidate in (needle, needle.strip(_EDGE_PUNCT + " ")):
        words = candidate.split()
        if not words:
            continue
        at = text.find(candidate)
        if at >= 0:
            return at, at + len(candidate)
        m = re.search(r"\s+".join(re.escape(w) for w in words), text, flags=re.IGNORECASE)
        if m:
            return m.start(), m.end()
    return None


def marked(text: str, marks: list[tuple[str, str]]) -> str:
    """The paragraph escaped, with `<mark>` around each phrase found in it. Quotes win over phrases where they
    overlap, so a verbatim quote reads as a quote."""
    spans: list[tuple[int, int, str]] = []
    for kind, needle in sorted(marks, key=lambda m: m[0] != "quote"):
        found = _find(text, needle)
        if found is None:
            continue
        lo, hi = found
        if any(lo < b and a < hi for a, b, _ in spans):
            continue
        spans.append((lo, hi, kind))
    out, pos = [], 0
    for lo, hi, kind in sorted(spans):
        out.append(e(text[pos:lo]))
        label = "verbatim quote" if kind == "quote" else "shared phrase"
        out.append(f'<mark class="{kind}" title="{label}">{e(text[lo:hi])}</mark>')
        pos = hi
    out.append(e(text[pos:]))
    return "".join(out)


def _meta(report: Report, side: str) -> dict[str, Any]:
    meta = report.metadata.get(side)
    return meta if isinstance(meta, dict) else {}


def _side_title(report: Report, side: str) -> str:
    name = report.source if side == "source" else report.derived
    title = str(_meta(report, side).get("title", "")).strip()
    return f"{name} \u2014 {title}" if title else name


PAGE_META = ("title", "author", "date", "outlet", "url")


def side_meta(report: Report, side: str) -> str:
    """What the page said about itself (HTML inputs): shown as text only. A URL from an article is never made a
    link, so no `javascript:` or other scheme can be clicked, and the page stays free of outward links."""
    meta = _meta(report, side)
    items = [f"<dt>{k}</dt><dd>{e(meta[k])}</dd>" for k in PAGE_META if str(meta.get(k, "")).strip()]
    return f'<dl class="meta">{"".join(items)}</dl>' if items else ""


def _lines(start: int | None, end: int | None) -> str:
    if start is None:
        return ""
    return f"line {start}" if end is None or end == start else f"lines {start}\u2013{end}"


def summary(report: Report) -> str:
    s = report.shares
    words = report.metadata.get("words", {}) if isinstance(report.metadata.get("words"), dict) else {}
    facts = [
        f'<span class="verdict v-{e(report.verdict)}">{e(report.verdict)}</span>',
        *(f'<span><span class="chip {rel}"></span>{rel} {s.get(rel, 0.0):.0%}</span>' for rel in SHARES),
        f"<span>source coverage {report.source_coverage:.0%}</span>",
        f"<span>{len(report.omitted)} source paragraph(s) left out</span>",
    ]
    if words:
        facts.append(
            f"<span>{e(words.get('derived_body', 0))} words derived, "
            f"{e(words.get('source_body', 0))} in the source</span>"
        )
    notes = [
        f"<li>[{e(f.detector)}] {('paragraph ' + str(f.paragraph) + ': ') if f.relation is None else ''}"
        f"{e(f.message)}</li>"
        for f in report.findings
        if f.relation is None and f.message
    ]
    errors = [
        f'<li class="errors">{e(err.get("component", "detector"))} {e(err.get("detector"))} (plugin {e(err.get("plugin"))}) failed: '
        f"{e(err.get('error'))}</li>"
        for err in report.errors
    ]
    legend = (
        '<div class="legend"><span><span class="chip copy"></span>copied</span>'
        '<span><span class="chip rewrite"></span>rewritten</span><span><span class="chip added"></span>added'
        '</span><span><span class="chip boilerplate"></span>boilerplate</span><span><span class="chip omitted">'
        '</span>left out of the derived article</span><span><span class="chip phrase"></span>shared phrase'
        '</span><span><span class="chip quote"></span>verbatim quote</span>'
        '<span class="hint">click or press Enter on a paragraph to see what it is linked to</span></div>'
    )
    derivation = report.metadata.get("derivation")
    if isinstance(derivation, dict) and derivation.get("reason"):
        notes.insert(0, f"<li>as a whole: {e(derivation['reason'])}</li>")
    notes[:0] = [f'<li class="limit">{e(note)}</li>' for note in limit_notes(report)]
    listed = f'<ul class="notes">{"".join(errors + notes)}</ul>' if errors or notes else ""
    return (
        f'<header class="summary"><h1>{e(_side_title(report, "derived"))} <span class="vs">derived from</span> '
        f'{e(_side_title(report, "source"))}</h1><div class="facts">{" ".join(facts)}</div>'
        f"{share_bar(s)}{legend}{listed}</header>"
    )


def _source_marks(report: Report) -> dict[int, list[tuple[str, str]]]:
    marks: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for p in report.paragraphs:
        for q in p.evidence.get("quotes", []) or []:
            if q.get("copied") and isinstance(q.get("source_paragraph"), int):
                marks[q["source_paragraph"]].append(("quote", str(q.get("text", ""))))
        for ph in p.evidence.get("shared_phrases", []) or []:
            if isinstance(ph.get("source_paragraph"), int):
                marks[ph["source_paragraph"]].append(("phrase", str(ph.get("text", ""))))
    return marks


def furniture_last(cards: list[tuple[bool, str]], side: str, show_boilerplate: bool) -> str:
    """The article's paragraphs first; its page furniture folded after them in one closed `<details>`, unless
    the user asked to see it in place."""
    if show_boilerplate:
        return "".join(card for _, card in cards)
    body = "".join(card for furniture, card in cards if not furniture)
    furniture = [card for is_furniture, card in cards if is_furniture]
    if not furniture:
        return body
    return (
        f'{body}<details class="furniture"><summary>{len(furniture)} {side} paragraph(s) of page furniture '
        f"(boilerplate)</summary>{''.join(furniture)}</details>"
    )


def derived_side(report: Report, show_boilerplate: bool = False) -> str:
    source_lines_of = source_lines(report)
    notes: dict[int, list[str]] = defaultdict(list)
    for f in report.findings:
        if f.relation is None and f.message:
            notes[f.paragraph].append(f"[{f.detector}] {f.message}")
    cards = []
    for p in report.paragraphs:
        marks = [
            ("quote", str(q.get("text", ""))) for q in p.evidence.get("quotes", []) or [] if q.get("copied")
        ]
        marks += [("phrase", str(ph.get("text", ""))) for ph in p.evidence.get("shared_phrases", []) or []]
        links = " ".join(f"s-{int(i)}" for i in p.sources)
        lines = _lines(p.start_line, p.end_line)
        head = [f'<span class="rel">{e(p.relation)}</span>', f"\u00b6{p.index}"]
        if p.relation != "boilerplate":
            head.append(f"score {p.score:.2f}")
        if p.sources:
            head.append("from source " + e(source_refs(report, (int(i) for i in p.sources), source_lines_of)))
        if lines:
            head.append(lines)
        if p.evidence.get("counted") is False:
            head.append(
                '<span class="uncounted" title="shorter than paragraph.min_words: not in the shares '
                'or the verdict">not counted</span>'
            )
        why = str(p.evidence.get("message") or p.evidence.get("reason") or "")
        attrs = (
            (
                f' data-links="{e(links)}" tabindex="0" role="button" aria-pressed="false" '
                f'aria-label="derived paragraph {p.index}, {e(p.relation)}"'
            )
            if links
            else ""
        )
        extra = "".join(f'<div class="why">{e(n)}</div>' for n in notes.get(p.index, []))
        cards.append(
            (
                p.relation == "boilerplate",
                f'<article class="para r-{e(p.relation)}" id="d-{p.index}"{attrs}>'
                f'<div class="head">{"".join(f"<span>{h}</span>" for h in head)}</div>'
                f"<p>{marked(p.text, marks)}</p>"
                f"{f'<div class=why>{e(why)}</div>' if why else ''}{extra}</article>",
            )
        )
    return (
        f'<section class="side derived" aria-label="derived article"><h2>derived: {e(report.derived)}</h2>'
        f"{side_meta(report, 'derived')}{furniture_last(cards, 'derived', show_boilerplate)}</section>"
    )


def source_side(report: Report, show_boilerplate: bool = False) -> str:
    marks = _source_marks(report)
    labels = {
        "copied": "copied",
        "rewritten": "rewritten",
        "omitted": "left out",
        "boilerplate": "boilerplate",
    }
    cards = []
    for sp in report.source_paragraphs:
        links = " ".join(f"d-{int(i)}" for i in sp.reused_by)
        head = [f'<span class="rel">{e(labels.get(sp.relation, sp.relation))}</span>', f"\u00b6{sp.index}"]
        if sp.start_line is not None:
            head.append(_lines(sp.start_line, sp.end_line))
        if sp.reused_by:
            head.append("used by derived " + ", ".join(f"\u00b6{int(i)}" for i in sp.reused_by))
        attrs = (
            (
                f' data-links="{e(links)}" tabindex="0" role="button" aria-pressed="false" '
                f'aria-label="source paragraph {sp.index}, {e(sp.relation)}"'
            )
            if links
            else ""
        )
        cards.append(
            (
                sp.relation == "boilerplate",
                f'<article class="para s-{e(sp.relation)}" id="s-{sp.index}"{attrs}>'
                f'<div class="head">{"".join(f"<span>{h}</span>" for h in head)}</div>'
                f"<p>{marked(sp.text, marks.get(sp.index, []))}</p></article>",
            )
        )
    return (
        f'<section class="side source" aria-label="source article"><h2>source: {e(report.source)}</h2>'
        f"{side_meta(report, 'source')}{furniture_last(cards, 'source', show_boilerplate)}</section>"
    )


def render_report(report: Report, show_boilerplate: bool = False) -> str:
    body = (
        f"{summary(report)}<main>{source_side(report, show_boilerplate)}"
        f"{derived_side(report, show_boilerplate)}</main>"
        f"<footer>text-provenance {e(__version__)} \u00b7 report schema {REPORT_SCHEMA} "
        f"\u00b7 the JSON report (<code>--format json</code>) carries every figure shown here</footer>"
    )
    return page(f"provenance: {report.derived} vs {report.source}", body)
