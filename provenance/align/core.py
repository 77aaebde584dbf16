"""Align a derived article to its source: for every derived paragraph, the content view (provenance/align/content.py),
the wording view (wording.py), the numbers and names it shares with the source paragraphs it draws on, and then the
order of the two articles (order.py). Everything computed here is plain frozen data (provenance.model); scorers and
detectors only read it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import replace
from itertools import accumulate

from provenance.align import order
from provenance.align.content import PreparedParagraph, SourceContent, prepared
from provenance.align.retelling import cells, retell
from provenance.align.specifics import specifics
from provenance.align.translation import Placement, languages, place
from provenance.align.wording import RunIndex, wording_of
from provenance.model import Alignment, Document, Limit, ParagraphAlignment, SentenceLink
from provenance.rules import (
    HEADLINE_COVER,
    MERGE_GAIN,
    RETELL_MAX_CELLS,
    SENTENCE_LINK,
    SENTENCE_TRACE,
    SOURCE_SHARE,
)


def align(
    source: Document, derived: Document, minhash: Mapping[int, Mapping[str, float]] | None = None
) -> Alignment:
    """The alignment of every non-boilerplate derived paragraph; `minhash`: per derived paragraph, the MinHash
    evidence to keep beside it (provenance/fingerprint.py)."""
    src = [prepared(p) for p in source.paragraphs if not p.is_boilerplate]
    der = [prepared(p) for p in derived.paragraphs if not p.is_boilerplate]
    content = SourceContent.build(src)
    runs = RunIndex([sp.para for sp in src])
    headings = {
        (sp.para.index, si) for sp in src if sp.para.role == "heading" for si in range(len(sp.sent_stems))
    }
    src_by_index = {sp.para.index: sp for sp in src}
    known = {x for sp in src for x in specifics(sp.para)}
    # Each source paragraph's numbers and names, for the anchors of the derived paragraphs drawing on it.
    anchors = {
        sp.para.index: (
            {t.norm for t in sp.tokens if t.kind == "n"},
            {t.norm for t in sp.tokens if t.capital and t.content},
        )
        for sp in src
    }
    # Each derived sentence's stem weights, and what it shares with the source sentences, worked out once for the
    # content view, the order and the retelling.
    weights = [[content.weights(stems) for stems in dp.sent_stems] for dp in der]
    every = [ws for paragraph in weights for ws in paragraph]  # (the derived sentences in reading order)
    overlap = content.overlap(every)
    covers = content.covers([stems for dp in der for stems in dp.sent_stems], every, overlap)
    first_rows = list(accumulate((len(dp.sent_stems) for dp in der), initial=0))
    out = [
        _align_paragraph(
            dp,
            covers[first_row : first_row + len(ws)],
            ws,
            src_by_index,
            runs,
            (minhash or {}).get(dp.para.index, {}),
            headings,
            known,
            anchors,
        )
        for dp, ws, first_row in zip(der, weights, first_rows)
    ]

    def cover(i: int, allowed: set[tuple[int, int]]) -> tuple[float, dict[int, float], list[SentenceLink]]:
        num = den = 0.0
        weight: dict[int, float] = defaultdict(float)
        links: list[SentenceLink] = []
        within = content.covers(der[i].sent_stems, weights[i], overlap, first_rows[i], allowed)
        for si, (ws, (cov, picks)) in enumerate(zip(weights[i], within)):
            total = sum(ws.values())
            if total <= 0:
                continue
            num += cov * total
            den += total
            for pi, ssi, gain in picks:
                weight[pi] += gain * total
                links.append(SentenceLink(si, pi, ssi, round(gain, 4)))
        return (num / den if den else 0.0), weight, links

    limits: list[Limit] = []
    langs = languages([sp.para for sp in src], [dp.para for dp in der]) if src and der else None
    if (
        langs is not None
    ):  # words do not survive translation: the specifics and their order place the paragraphs
        placed = place([sp.para for sp in src], [dp.para for dp in der])
        at = placed.placements
        out = [_translated(a, at[a.index]) if a.index in at else a for a in out]
        retelling = retell([], src, content)
        unshared: float | None = placed.unshared
    else:
        positions = order.SourcePositions([sp.para for sp in src])
        out = order.placed_in_order(order.infer(out, positions, cover), positions)
        retelling = retell(der, src, content, overlap)
        pairs = cells(der, src)
        if pairs > RETELL_MAX_CELLS:
            limits.append(
                Limit(
                    "retelling_pairs",
                    RETELL_MAX_CELLS,
                    pairs,
                    f"the ordered retelling was not computed: {pairs:,} sentence pairs, past "
                    f"{RETELL_MAX_CELLS:,}; the article as a whole is judged without it",
                )
            )
        unshared = None
    return Alignment(
        source=source,
        derived=derived,
        paragraphs=tuple(out),
        source_sentence_words=tuple(tuple(sp.sent_words) for sp in src),
        retelling=retelling,
        languages=langs,
        limits=tuple(limits),
        unshared=unshared,
    )


def _translated(a: ParagraphAlignment, placement: Placement) -> ParagraphAlignment:
    """A paragraph of a translation, placed in the source by the specifics it shares (or by the order)."""
    share = len(placement.shared) / placement.anchors if placement.anchors else 0.0
    return replace(
        a,
        sources=placement.sources,
        source_weights=tuple(round(1 / len(placement.sources), 4) for _ in placement.sources),
        content=round(share, 4),
        order_inferred=placement.by_order,
        translated=placement.shared,
    )


def _align_paragraph(
    dp: PreparedParagraph,
    covers: list[tuple[float, list[tuple[int, int, float]]]],
    weights: list[dict[str, float]],
    src: Mapping[int, PreparedParagraph],
    runs_index: RunIndex,
    minhash: Mapping[str, float],
    headings: set[tuple[int, int]],
    known: set[str],
    anchors: Mapping[int, tuple[set[str], set[str]]],
) -> ParagraphAlignment:
    p = dp.para
    # Content view, sentence by sentence.
    links: list[SentenceLink] = []
    num = 0.0
    den = 0.0
    traced_w = 0.0
    src_weight: dict[int, float] = defaultdict(float)
    for si, (ws, (cov, picks)) in enumerate(zip(weights, covers)):
        total = sum(ws.values())
        if total <= 0:
            continue
        if not picks or picks[0][2] < SENTENCE_TRACE:
            cov = 0.0  # content spread thinly over many source sentences is topic overlap, not derivation
        else:
            traced_w += total
        num += cov * total
        den += total
        for pi, ssi, gain in picks:
            if gain >= MERGE_GAIN or cov >= SENTENCE_LINK:
                links.append(SentenceLink(si, pi, ssi, round(gain, 4)))
                src_weight[pi] += gain * total
    cov_all = num / den if den else 0.0
    traced = traced_w / den if den else 0.0

    # Wording view: shared runs against the whole source.
    w = wording_of(p, runs_index)
    n = len(p.tokens)
    for _, ln, sp in w.runs:
        src_weight[sp] += 0.5 * ln  # copied runs also say where a paragraph comes from
    whole = [sp for _, ln, sp in w.runs if ln == n]
    if (
        whole
    ):  # copied verbatim: that run says exactly where it came from (repeated text: its own counterpart)
        src_weight[whole[0]] += 2 * max(src_weight.values(), default=1.0) + 1.0

    # Anchors: numbers and names shared with the source paragraphs it draws on.
    drawn = [anchors[idx] for idx in src_weight if idx in anchors]
    src_nums: set[str] = set().union(*(nums for nums, _ in drawn))
    src_names: set[str] = set().union(*(names for _, names in drawn))
    shared_numbers = tuple(sorted({t.norm for t in p.tokens if t.kind == "n" and t.norm in src_nums}))
    first = p.tokens[0].start if p.tokens else -1  # a capital at the paragraph's start says nothing of a name
    shared_names = tuple(
        sorted(
            {t.norm for t in p.tokens if t.capital and t.content and t.norm in src_names and t.start != first}
        )
    )

    if p.role == "heading" and headings:
        # Headline to headline: both name the story's topic words, so these are compared without the topic-word
        # discount; the source's headline wins when it shares a good part of the derived one's content.
        mine: dict[str, float] = {}
        for stems in dp.sent_stems:
            mine.update(stems)
        total = sum(mine.values())
        best_h, best_cov = None, 0.0
        for pi, si in sorted(headings):
            theirs = src[pi].sent_stems[si]
            cov_h = sum(wt for st, wt in mine.items() if st in theirs) / total if total else 0.0
            if cov_h > best_cov:
                best_h, best_cov = (pi, si), cov_h
        if best_h is not None and best_cov >= HEADLINE_COVER:
            pi, si = best_h
            src_weight[pi] += 2 * max(src_weight.values(), default=1.0) + 1.0
            links.append(SentenceLink(0, pi, si, round(best_cov, 4)))
            cov_all = max(cov_all, best_cov)
    ranked = sorted(src_weight.items(), key=lambda kv: (-kv[1], kv[0]))
    top = ranked[0][1] if ranked else 0.0
    kept = [(k, v) for k, v in ranked if v >= SOURCE_SHARE * top]
    own = specifics(p)
    total_w = sum(v for _, v in kept) or 1.0
    return ParagraphAlignment(
        index=p.index,
        words=n,
        content=round(cov_all, 4),
        sentences=len(p.sentences),
        traced=round(traced, 4),
        wording=round(w.wording, 4),
        wording_outside_quotes=round(w.wording_outside_quotes, 4),
        words_outside_quotes=w.words_outside_quotes,
        longest_run=w.longest_run,
        sources=tuple(k for k, _ in kept),
        source_weights=tuple(round(v / total_w, 4) for _, v in kept),
        links=tuple(links),
        phrases=w.phrases,
        quotes=w.quotes,
        shared_numbers=shared_numbers,
        shared_names=shared_names,
        minhash=minhash,
        specifics=len(own),
        new_specifics=tuple(x for x in own if x not in known),
    )
