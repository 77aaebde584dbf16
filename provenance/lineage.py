"""Who copied whom: the derivation graph of a set of versions of one story.

Every pair of versions is compared both ways with the pair engine (`compare_documents`: the same gather and
conclude as `provenance compare`), and only its public results are read: the verdict, the shares, the source
coverage and the paragraphs' roles. From them:

- two versions are *linked* when the mean of their two derived shares reaches `lineage.link`, or reaches the lower
  `lineage.agreed_link` and both pair verdicts call the whole text derived (copy or rewrite, each way round);
- the *cost* of "B derives from A" is 1 - the link's strength (the nearest parent is the most similar one), moved by
  the evidence of direction: containment (B holds A's text plus its own, not the other way round), the family
  repeating A's wording less than B's (the original's exact wording is what the versions share verbatim; a rewrite
  rewords it its own way), B's page furniture found in A rather than A's in B (a scraper carries its partner's
  byline, not the reverse), A's stated publication date later than B's;
- a minimum-cost arborescence (Edmonds' algorithm, networkx) over the links gives each linked version one parent but
  one root per family: the nearest parent (a copy of a copy costs less from its own parent than from the
  grandparent), and the root whose choice costs the family least. A version linked to none stands alone.

An edge whose two directions cost nearly the same is kept but marked "undecided". With an index (`from_index`), the
versions are the story and what the index retrieves for it and for them, and only retrieved pairs are compared.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from provenance import rules
from provenance.components import Option, resolve
from provenance.engine import compare_documents
from provenance.model import Document, Lineage, LineageEdge, LineageNode, Report

LINEAGE_OPTIONS: dict[str, Option] = {
    "lineage.link": Option(
        rules.LINEAGE_LINK,
        float,
        "mean derived share (both ways) from which two versions are linked",
        0.0,
        1.0,
    ),
    "lineage.agreed_link": Option(
        rules.LINEAGE_AGREED_LINK,
        float,
        "mean derived share from which two versions are linked when both pair verdicts say copy or rewrite",
        0.0,
        1.0,
    ),
    "lineage.containment_weight": Option(
        rules.LINEAGE_CONTAINMENT_WEIGHT, float, "weight of containment asymmetry in the direction", 0.0
    ),
    "lineage.wording_weight": Option(
        rules.LINEAGE_WORDING_WEIGHT, float, "weight of the family's shared wording in the direction", 0.0
    ),
    "lineage.furniture_weight": Option(
        rules.LINEAGE_FURNITURE_WEIGHT, float, "weight of page furniture carried over in the direction", 0.0
    ),
    "lineage.time_weight": Option(
        rules.LINEAGE_TIME_WEIGHT, float, "weight of stated publication dates in the direction", 0.0
    ),
}

Pair = tuple[int, int]  # (source, derived): indexes into the versions
Progress = Callable[[int, int], None]


# Publication time ---------------------------------------------------------------------------------------------------

_MONTHS = {
    m: i + 1
    for i, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ]
    )
    for m in names
}
_MONTH = r"(?P<month>" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_DATES = (
    re.compile(r"\b(?P<year>(?:19|20)\d\d)-(?P<mnum>[01]\d)-(?P<day>[0-3]\d)\b"),
    re.compile(_MONTH + r"\s+(?P<day>[0-3]?\d)(?:st|nd|rd|th)?,?\s+(?P<year>(?:19|20)\d\d)\b", re.I),
    re.compile(r"\b(?P<day>[0-3]?\d)(?:st|nd|rd|th)?\s+" + _MONTH + r",?\s+(?P<year>(?:19|20)\d\d)\b", re.I),
)


def _date_in(text: str) -> str | None:
    for pattern in _DATES:
        m = pattern.search(text)
        if not m:
            continue
        g = m.groupdict()
        month = int(g["mnum"]) if g.get("mnum") else _MONTHS[g["month"].lower()]
        day = int(g["day"])
        if 1 <= month <= 12 and 1 <= day <= 31:
            return f"{int(g['year']):04d}-{month:02d}-{day:02d}"
    return None


def published(doc: Document) -> tuple[str | None, str]:
    """The date a version states it was published (ISO, day precision) and where it was read: the page's metadata
    (HTML meta tags, JSON-LD `datePublished`, as the HTML extractor reads them) and a dateline or stamp among the
    first paragraphs. When both are there and disagree, the date is unknown ("conflict")."""
    meta = _date_in(str(doc.metadata.get("date", "") or ""))
    line = next(
        (
            d
            for p in doc.paragraphs[: rules.DATELINE_PARAGRAPHS]
            if (
                d := _date_in(p.text if p.words <= rules.DATELINE_WORDS else p.text[: rules.DATELINE_OPENING])
            )
            is not None
        ),
        None,
    )
    if meta and line:
        return (meta, "metadata+dateline") if meta == line else (None, "conflict")
    if meta:
        return meta, "metadata"
    if line:
        return line, "dateline"
    return None, ""


# Furniture carried over ---------------------------------------------------------------------------------------------


def _norm(text: str) -> str:
    return " ".join(text.casefold().split())


def furniture(doc: Document) -> frozenset[str]:
    return frozenset(
        _norm(p.text)
        for p in doc.paragraphs
        if p.role == "boilerplate" and p.words >= rules.FURNITURE_MIN_WORDS
    )


def carried(furniture_of_a: frozenset[str], b: Document) -> float:
    """The share of A's furniture lines that B holds (in any role: a scraper may keep them as text). A scraper's
    copy holds all of its source's furniture and adds its own, so the source holds a smaller share of the copy's."""
    if not furniture_of_a:
        return 0.0
    held = {_norm(p.text) for p in b.paragraphs}
    return len(furniture_of_a & held) / len(furniture_of_a)


# The pairs ----------------------------------------------------------------------------------------------------------


def compare_pairs(
    docs: Sequence[Document],
    pairs: Iterable[tuple[int, int]],
    *,
    host: Any,
    options: Mapping[str, Any] | None = None,
    progress: Progress | None = None,
) -> dict[Pair, Report]:
    """Each unordered pair compared both ways with the pair engine."""
    wanted = sorted({(min(a, b), max(a, b)) for a, b in pairs if a != b})
    out: dict[Pair, Report] = {}
    for k, (a, b) in enumerate(wanted):
        out[(a, b)] = compare_documents(docs[a], docs[b], host=host, options=options)
        out[(b, a)] = compare_documents(docs[b], docs[a], host=host, options=options)
        if progress:
            progress(k + 1, len(wanted))
    return out


def derived_share(report: Report) -> float:
    return float(report.shares.get("copy", 0.0)) + float(report.shares.get("rewrite", 0.0))


_WHOLLY_DERIVED = frozenset({"copy", "rewrite"})


def _linked(strength: float, forward: str, backward: str, opts: Mapping[str, float]) -> bool:
    """Whether two versions are linked: their mean derived share (`strength`) reaches `lineage.link`, or reaches
    `lineage.agreed_link` and the pair engine calls each wholly derived from the other (`forward`, `backward`: the
    verdicts of the two pair reports are copy or rewrite, neither partial nor independent)."""
    if strength >= opts["lineage.link"]:
        return True
    return (
        strength >= opts["lineage.agreed_link"] and forward in _WHOLLY_DERIVED and backward in _WHOLLY_DERIVED
    )


@dataclass(frozen=True, slots=True)
class _Direction:
    cost: float
    evidence: tuple[str, ...]


def _direction(
    u: int,
    v: int,
    docs: Sequence[Document],
    reports: Mapping[Pair, Report],
    wording: Sequence[float],
    marks: Sequence[frozenset[str]],
    dates: Sequence[tuple[str | None, str]],
    opts: Mapping[str, float],
) -> _Direction:
    """The cost of "v derives from u", and the facts behind it."""
    a, b = docs[u].name, docs[v].name
    forward, backward = reports[(u, v)], reports[(v, u)]
    there, back = derived_share(forward), derived_share(backward)
    cost = 1.0 - (there + back) / 2 + opts["lineage.containment_weight"] * (there - back)
    more = (
        f": {b} holds more of its own"
        if back > there
        else f": {a} holds more of its own"
        if there > back
        else ""
    )
    evidence = [
        f"{there:.0%} of {b} is derived from {a} ({forward.verdict}), {back:.0%} of {a} from {b} "
        f"({backward.verdict}){more}"
    ]
    gap = wording[v] - wording[u]
    if gap > 0:
        cost += opts["lineage.wording_weight"] * gap
    evidence.append(f"the other versions repeat {wording[u]:.0%} of {a}'s wording, {wording[v]:.0%} of {b}'s")
    mine, theirs = carried(marks[u], docs[v]), carried(marks[v], docs[u])
    if mine > theirs:
        evidence.append(f"{b} carries {mine:.0%} of {a}'s page furniture, {a} {theirs:.0%} of {b}'s")
    elif theirs > mine:
        cost += opts["lineage.furniture_weight"]
        evidence.append(f"{a} carries {theirs:.0%} of {b}'s page furniture, {b} {mine:.0%} of {a}'s")
    (du, fu), (dv, fv) = dates[u], dates[v]
    if du and dv and du != dv:
        evidence.append(f"{a} is dated {du} ({fu}), {b} {dv} ({fv})")
        if du > dv:
            cost += opts["lineage.time_weight"]
    return _Direction(cost, tuple(evidence))


def infer(
    docs: Sequence[Document],
    reports: Mapping[Pair, Report],
    *,
    options: Mapping[str, Any] | None = None,
    errors: Sequence[str] = (),
) -> Lineage:
    """The derivation graph of `docs` from their pair reports (both directions of every compared pair)."""
    import networkx as nx

    opts = resolve(LINEAGE_OPTIONS, {k: v for k, v in (options or {}).items() if k.startswith("lineage.")})
    n = len(docs)
    compared: dict[int, list[int]] = {i: [] for i in range(n)}
    for a, b in reports:
        compared[a].append(b)
    wording = [
        sum(float(reports[(x, y)].shares.get("copy", 0.0)) for y in compared[x]) / len(compared[x])
        if compared[x]
        else 0.0
        for x in range(n)
    ]
    marks = [furniture(d) for d in docs]
    dates = [published(d) for d in docs]
    root = -1
    graph = nx.DiGraph()
    strength: dict[Pair, float] = {}
    ways: dict[Pair, _Direction] = {}
    for u, v in sorted(reports):
        if (v, u) not in reports:
            continue
        s = (derived_share(reports[(u, v)]) + derived_share(reports[(v, u)])) / 2
        if not _linked(s, reports[(u, v)].verdict, reports[(v, u)].verdict, opts):
            continue
        strength[(u, v)] = s
        ways[(u, v)] = _direction(u, v, docs, reports, wording, marks, dates, opts)
    # Every version has one parent edge in the arborescence, so shifting all costs changes nothing but the sign.
    low = min((w.cost for w in ways.values()), default=0.0)
    for (u, v), way in ways.items():
        graph.add_edge(u, v, weight=way.cost - low)
    # A version leaves the graph's virtual root only when nothing it is linked to can be its parent: costlier than
    # any link, so each connected family gets exactly one root, the one whose choice costs the family least.
    above = 1.0 + max((w for _, _, w in graph.edges(data="weight")), default=0.0)
    for v in range(n):
        graph.add_edge(root, v, weight=above)
    tree = nx.minimum_spanning_arborescence(graph, attr="weight", default=1e9, preserve_attrs=True)
    edges: list[LineageEdge] = []
    chosen: dict[str, Report] = {}
    for u, v in sorted(tree.edges(), key=lambda e: (e[1], e[0])):
        if u == root:
            continue
        here, there = ways[(u, v)], ways[(v, u)]
        margin = there.cost - here.cost
        decided = margin >= rules.LINEAGE_DIRECTION_MARGIN
        forward = reports[(u, v)]
        relation = forward.verdict if forward.verdict != "independent" else reports[(v, u)].verdict
        against = f"the other direction costs {there.cost:.2f} against {here.cost:.2f}"
        evidence = (*here.evidence, against + ("" if decided else ": which came first is undecidable"))
        edges.append(
            LineageEdge(
                parent=docs[u].name,
                child=docs[v].name,
                relation=relation,
                shares=dict(forward.shares),
                coverage=forward.source_coverage,
                confidence=strength[(u, v)],
                direction="decided" if decided else "undecided",
                direction_confidence=max(0.0, min(1.0, margin / rules.LINEAGE_DIRECTION_SURE)),
                evidence=evidence,
            )
        )
        chosen[f"{docs[u].name}\x00{docs[v].name}"] = forward
    parents = {e.child for e in edges}
    has_children = {e.parent for e in edges}
    nodes = tuple(
        LineageNode(d.name, sum(p.words for p in d.paragraphs if p.role != "boilerplate"), *dates[i])
        for i, d in enumerate(docs)
    )
    return Lineage(
        nodes=nodes,
        edges=tuple(edges),
        roots=tuple(d.name for d in docs if d.name in has_children and d.name not in parents),
        independent=tuple(d.name for d in docs if d.name not in has_children and d.name not in parents),
        parameters={
            "options": opts,
            "pairs": len(reports) // 2,
            "links": len(strength) // 2,
            # the scorer plugins the pair engine ran (none: the lexical engine the graph's options were chosen on)
            "scorers": sorted({str(x) for r in reports.values() for x in r.parameters.get("scorers", ())}),
        },
        reports=chosen,
        errors=tuple(errors),
    )


def lineage(
    docs: Sequence[Document],
    *,
    host: Any,
    options: Mapping[str, Any] | None = None,
    pairs: Iterable[tuple[int, int]] | None = None,
    errors: Sequence[str] = (),
    progress: Progress | None = None,
) -> Lineage:
    """The derivation graph of these versions: every pair compared (or only `pairs`), then `infer`."""
    names = [d.name for d in docs]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        from provenance.errors import UsageError

        raise UsageError(f"two versions have the same name: {', '.join(dupes[:3])}")
    engine_options = {k: v for k, v in (options or {}).items() if not k.startswith("lineage.")}
    resolve(LINEAGE_OPTIONS, {k: v for k, v in (options or {}).items() if k.startswith("lineage.")})
    if pairs is None:
        pairs = [(a, b) for a in range(len(docs)) for b in range(a + 1, len(docs))]
    reports = compare_pairs(docs, pairs, host=host, options=engine_options, progress=progress)
    return infer(docs, reports, options=options, errors=errors)


# With an index ------------------------------------------------------------------------------------------------------


def from_index(
    index: Any,
    story: str,
    *,
    host: Any,
    options: Mapping[str, Any] | None = None,
    top: int = rules.LINEAGE_INDEX_TOP,
    limit: int = rules.LINEAGE_MAX_VERSIONS,
    progress: Progress | None = None,
) -> Lineage:
    """The story's family as the index retrieves it: the stored document `story`, its `top` candidates, and theirs
    (breadth first, at most `limit` versions); only the pairs retrieval links are compared."""
    from provenance.errors import InputError
    from provenance.index.base import prints_of_document
    from provenance.text.load import load_document

    def load(doc_id: str) -> Document | None:
        stored = index.document(doc_id)
        if stored is None:
            return None
        return load_document(stored.text, stored.id, fmt=stored.format, host=host)

    first = load(story)
    if first is None:
        raise InputError(f"{story}: not in the index {index.location}")
    docs: list[Document] = [first]
    at = {story: 0}
    pairs: set[Pair] = set()
    queue = [0]
    while queue:
        i = queue.pop(0)
        prints = prints_of_document(docs[i], index.params)
        found = index.candidates(prints, rules.LINEAGE_INDEX_MIN_SIMILARITY) if len(prints) else []
        score: dict[str, float] = {}
        for cands in found:
            for c in cands:
                if c.doc != docs[i].name:
                    score[c.doc] = score.get(c.doc, 0.0) + c.score
        for doc_id, _ in sorted(score.items(), key=lambda kv: (-kv[1], kv[0]))[:top]:
            if doc_id not in at:
                if len(docs) >= limit:
                    continue
                loaded = load(doc_id)
                if loaded is None:
                    continue
                at[doc_id] = len(docs)
                docs.append(loaded)
                queue.append(at[doc_id])
            pairs.add((i, at[doc_id]))
    return lineage(docs, host=host, options=options, pairs=pairs, progress=progress)


__all__ = ["LINEAGE_OPTIONS", "compare_pairs", "derived_share", "from_index", "infer", "lineage", "published"]
