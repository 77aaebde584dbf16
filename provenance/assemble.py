"""Findings to a Report: one relation per paragraph, word shares, source coverage, omitted paragraphs, verdict.

Precedence between competing findings is fixed (copy over rewrite over added) so a third-party detector can add
a claim without reordering the built-in ones; findings without a relation are kept as annotations.

Paragraphs of the derived article shorter than `paragraph.min_words` keep their label and evidence but are not
counted: not in the word shares, the traced-sentence share or the verdict. A one-line standfirst or a
"Read more" stub should not decide whether an article is a copy. They are listed in `metadata.uncounted` and
carry `counted: false` in their evidence.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from provenance.components import Option
from provenance.model import (
    RELATIONS,
    Alignment,
    Derivation,
    Finding,
    ParagraphResult,
    Report,
    SourceParagraphResult,
)
from provenance.rules import (
    COPY_FROM,
    DERIVED_FLOOR,
    INDEPENDENT_BELOW,
    KEPT_WORDING,
    OWN_FROM,
    OWN_INDEPENDENT,
    OWN_SPECIFICS,
    PADDED_FROM,
    PARTIAL_FROM,
    REUSED_FROM,
    TRACED_FROM,
)

# Which claim wins a paragraph when detectors disagree (and, in an audit, which source's comparison wins it).
PRECEDENCE = {"copy": 0, "rewrite": 1, "added": 2, "boilerplate": 3}
CLAIMS = (
    "copy",
    "rewrite",
    "added",
)  # what a detector's finding may claim (boilerplate is the segmenter's call)

VERDICT_DEFAULTS = {  # the verdict's options and their defaults (provenance/rules.py says why each)
    "verdict.independent_below": INDEPENDENT_BELOW,
    "verdict.traced_from": TRACED_FROM,
    "verdict.derived_floor": DERIVED_FLOOR,
    "verdict.partial_from": PARTIAL_FROM,
    "verdict.own_from": OWN_FROM,
    "verdict.own_independent": OWN_INDEPENDENT,
    "verdict.kept_wording": KEPT_WORDING,
    "verdict.padded_from": PADDED_FROM,
    "verdict.copy_from": COPY_FROM,
    "source.reused_from": REUSED_FROM,
}
MIN_WORDS = "paragraph.min_words"
ASSEMBLE_OPTIONS = {
    MIN_WORDS: Option(
        0,
        int,
        "derived paragraphs shorter than this many words are not counted in the shares and the verdict",
        0,
    ),
}


def counted(relation: str, words: int, options: Mapping[str, Any]) -> bool:
    """Whether a paragraph counts in the shares and the verdict: article text of at least `paragraph.min_words`."""
    return relation != "boilerplate" and words >= int(options.get(MIN_WORDS, 0))


def tally(rows: Iterable[tuple[str, int, bool]]) -> tuple[dict[str, float], int]:
    """Word shares of copy, rewrite and added over the (relation, words, counted) rows, and the counted words."""
    totals: dict[str, int] = defaultdict(int)
    for relation, n, is_counted in rows:
        if is_counted:
            totals[relation] += n
    body = sum(totals.values())
    return {k: (totals[k] / body if body else 0.0) for k in ("copy", "rewrite", "added")}, body


def decide_verdict(
    shares: Mapping[str, float],
    options: Mapping[str, Any],
    traced: float = 0.0,
    derived: bool | None = None,
    own: float | None = None,
    undecided: bool = False,
    wording: float = 0.0,
) -> str:
    """copy / rewrite / partial / independent from the word shares.

    An article is independent when too little of it derives from the source. Heavy paraphrase leaves few
    paragraphs above the rewrite bar but keeps the source's sentence plan, so a smaller derived share counts when
    a good part of the sentences still trace one-to-one to source sentences (`traced`). A derived article is
    partial when a good part of it is added, unless a good part is derived and little of the added text is own
    reporting (`own`: the share of words in added paragraphs carrying names or figures the source lacks; None
    when unknown, then the added share): a rewrite padded with generic commentary is a rewrite. Otherwise it is
    a copy when most of what it derives is copied verbatim (`verdict.copy_from` of the derived words), else a
    rewrite. An article the derivation step left `undecided` (derived None) with a good part of own reporting
    (`verdict.own_independent`) is independent: what it shares is the event's facts, not a source it leans on;
    unless it keeps the source's prose (`wording`: the share of its words, quotations apart, in runs of words shared
    with the source, from `verdict.kept_wording`), which another newsroom's report of the event does not.
    """
    opt = {**VERDICT_DEFAULTS, **{k: float(v) for k, v in options.items() if k in VERDICT_DEFAULTS}}
    # (options arrive parsed; the float() keeps decide_verdict usable on its own)
    if derived is False:  # the article as a whole does not derive from the source (provenance/derivation.py)
        return "independent"
    if (
        undecided
        and own is not None
        and own >= opt["verdict.own_independent"]
        and wording < opt["verdict.kept_wording"]
    ):
        return "independent"
    share = shares["copy"] + shares["rewrite"]
    if share < opt["verdict.independent_below"] and not (
        share >= opt["verdict.derived_floor"] and traced >= opt["verdict.traced_from"]
    ):
        return "independent"
    own_share = shares["added"] if own is None else own
    padded = own_share < opt["verdict.own_from"] and share >= opt["verdict.padded_from"]
    if shares["added"] >= opt["verdict.partial_from"] and not padded:
        return "partial"
    if share and shares["copy"] / share >= opt["verdict.copy_from"]:
        return "copy"
    return "rewrite"


def assemble(
    alignment: Alignment,
    findings: list[Finding],
    *,
    options: Mapping[str, Any],
    parameters: dict[str, Any],
    errors: Sequence[Mapping[str, str]],
) -> Report:
    source, derived = alignment.source, alignment.derived
    claims: dict[int, Finding] = {}
    for f in findings:
        if f.relation not in CLAIMS:
            continue
        cur = claims.get(f.paragraph)
        if cur is None or PRECEDENCE[f.relation] < PRECEDENCE[cur.relation]:  # type: ignore[index]
            claims[f.paragraph] = f
    aligned = {a.index: a for a in alignment.paragraphs}
    min_words = int(options.get(MIN_WORDS, 0))
    derivation = alignment.derivation
    beyond = set(derivation.beyond_source) if derivation is not None else set()

    results: list[ParagraphResult] = []
    uncounted: list[int] = []
    for p in derived.paragraphs:
        n = p.words
        rel: str
        srcs: tuple[int, ...]
        ev: dict[str, Any]
        if p.is_boilerplate:
            rel, srcs, score, ev = "boilerplate", (), 1.0, {"reason": p.role_reason}
        elif p.index in claims:
            f = claims[p.index]
            rel, srcs, score = f.relation or "added", f.sources, f.score  # claims always carry a relation
            ev = {"detector": f.detector, "message": f.message, **f.evidence}
        else:
            a = aligned.get(p.index)
            rel, srcs, score = "added", (), 0.0
            ev = {"detector": None, "message": "no detector traced this paragraph to the source"}
            if a is not None:
                ev["content_coverage"] = a.content
        assert rel in RELATIONS
        own_new = aligned[p.index].new_specifics if rel == "added" and p.index in aligned else ()
        if own_new:  # names and figures the source lacks: what makes added text own reporting (own_reporting)
            ev = {**ev, "new_specifics": list(own_new)}
        if rel == "added" and p.index in beyond:
            ev = {
                **ev,
                "beyond_source": True,
                "message": f"{ev['message']}; it comes after the point where the "
                "source, which is cut off, ends: not counted in the shares and the verdict",
            }
        if rel != "boilerplate" and (not counted(rel, n, options) or (rel == "added" and p.index in beyond)):
            uncounted.append(p.index)
            ev = {**ev, "counted": False}
        results.append(
            ParagraphResult(p.index, p.text, rel, tuple(srcs), float(score), ev, p.start_line, p.end_line, n)
        )

    skipped = set(uncounted)
    shares, body_words = tally(
        (r.relation, r.words, r.relation != "boilerplate" and r.index not in skipped) for r in results
    )
    by_words = {r.index: r.words for r in results if r.relation != "boilerplate" and r.index not in skipped}
    traced_num = sum(a.traced * by_words.get(a.index, 0) for a in alignment.paragraphs)
    traced_den = sum(by_words.get(a.index, 0) for a in alignment.paragraphs)
    traced = traced_num / traced_den if traced_den else 0.0
    own = own_share(
        (r.relation, r.words, r.index not in skipped, is_own_reporting(r.evidence)) for r in results
    )
    verdict = decide_verdict(
        shares,
        options,
        traced,
        derivation.derived if derivation is not None else None,
        own,
        undecided=derivation is not None and derivation.derived is None,
        wording=derivation.wording if derivation is not None else 0.0,
    )

    # Source side: which sentences of which paragraphs the copy and rewrite paragraphs drew on.
    reused_sentences: dict[int, set[int]] = defaultdict(set)
    whole: set[int] = set()
    users: dict[int, dict[int, str]] = defaultdict(dict)
    by_index = {r.index: r for r in results}
    for a in alignment.paragraphs:
        rel = by_index[a.index].relation
        if rel not in ("copy", "rewrite"):
            continue
        links, sources = a.links, a.sources
        decided_by = claims[a.index].evidence.get("scorer") if a.index in claims else None
        signal = a.signal(decided_by) if decided_by else None
        if signal is not None:  # a scorer's signal made this label: its matches say what was reused
            links, sources = signal.links, signal.sources
        for link in links:
            if link.source_paragraph in sources:
                reused_sentences[link.source_paragraph].add(link.source_sentence)
                users[link.source_paragraph][a.index] = rel
        for s in sources:
            users[s][a.index] = rel
            if a.order_inferred or rel == "copy":
                whole.add(s)  # a copied or order-placed paragraph reuses its whole source paragraph

    threshold = float(options.get("source.reused_from", REUSED_FROM))
    body = [p for p in source.paragraphs if not p.is_boilerplate]
    sent_words = dict(zip((p.index for p in body), alignment.source_sentence_words))
    src_results: list[SourceParagraphResult] = []
    reused_total = 0
    body_total = 0
    for p in source.paragraphs:
        n = p.words
        if p.is_boilerplate:
            src_results.append(
                SourceParagraphResult(p.index, p.text, "boilerplate", False, (), n, p.start_line, p.end_line)
            )
            continue
        sw = sent_words.get(p.index, ())
        used = set(range(len(sw))) if p.index in whole else reused_sentences.get(p.index, set())
        reused_words = sum(w for i, w in enumerate(sw) if i in used)
        total = sum(sw) or 1
        share = reused_words / total
        body_total += sum(sw)
        by = users.get(p.index, {})
        if share >= threshold and by:
            reused_total += reused_words
            copies = sum(1 for r in by.values() if r == "copy")
            rel = "copied" if copies * 2 >= len(by) else "rewritten"
            src_results.append(
                SourceParagraphResult(
                    p.index, p.text, rel, True, tuple(sorted(by)), n, p.start_line, p.end_line
                )
            )
        else:
            src_results.append(
                SourceParagraphResult(
                    p.index, p.text, "omitted", False, tuple(sorted(by)), n, p.start_line, p.end_line
                )
            )
    coverage = reused_total / body_total if body_total else 0.0

    return Report(
        source=source.name,
        derived=derived.name,
        verdict=verdict,
        shares=shares,
        source_coverage=coverage,
        paragraphs=tuple(results),
        source_paragraphs=tuple(src_results),
        parameters=parameters,
        findings=tuple(
            sorted((f for f in findings if f.relation is None), key=lambda f: (f.paragraph, f.detector))
        ),
        errors=tuple(errors),
        metadata={
            "source": {"format": source.format, **source.metadata},
            "derived": {"format": derived.format, **derived.metadata},
            "words": {"derived_body": body_words, "source_body": body_total},
            "traced_sentences": round(traced, 4),
            "own_reporting": round(own, 4),
            **({"uncounted": {"min_words": min_words, "paragraphs": uncounted}} if min_words else {}),
            **({"derivation": derivation_summary(derivation)} if derivation is not None else {}),
            **({"limits": {lim.name: lim.to_dict() for lim in alignment.limits}} if alignment.limits else {}),
        },
    )


def is_own_reporting(evidence: Mapping[str, Any]) -> bool:
    """Whether an added paragraph reports on its own: it names OWN_SPECIFICS names or figures the source lacks."""
    return len(evidence.get("new_specifics", ())) >= OWN_SPECIFICS


def own_share(rows: Iterable[tuple[str, int, bool, bool]]) -> float:
    """The share of the counted words (rows of relation, words, counted, own reporting) in added paragraphs that
    are own reporting (`is_own_reporting`), as opposed to generic commentary around a rewrite."""
    total = own = 0
    for relation, words, is_counted, is_own in rows:
        if relation == "boilerplate" or not is_counted:
            continue
        total += words
        if relation == "added" and is_own:
            own += words
    return own / total if total else 0.0


def derivation_summary(d: Derivation) -> dict[str, Any]:
    """The article-level evidence, as the report shows it (docs/report-schema.md)."""
    out: dict[str, Any] = {
        "derived": d.derived,
        "reason": d.reason,
        "score": d.score,
        "retelling": {
            "score": d.retelling.score,
            "sentences": [
                {
                    "paragraph": r.paragraph,
                    "sentence": r.sentence,
                    "source_paragraph": r.source_paragraph,
                    "source_sentence": r.source_sentence,
                    "similarity": r.similarity,
                }
                for r in d.retelling.sentences
            ],
        },
        "sentences": {"derived": d.sentences[0], "source": d.sentences[1]},
        "copied": d.copied,
        "wording": d.wording,
        "novelty": d.novelty,
        "new_specifics": list(d.new_specifics),
    }
    if d.confirmed is not None:
        out["confirmed"] = {"share": d.confirmed, "scorer": d.confirmed_by}
    if d.source_cut:
        out["source_cut"] = True
        out["beyond_source"] = list(d.beyond_source)
    return out
