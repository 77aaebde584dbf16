"""Align a derived article to its source: which source sentences each derived paragraph draws on, and how.

Two views are scored exactly for every derived paragraph, after candidates are found through an inverted index:

- wording: maximal runs of shared words (at least `RUN` words) between the derived paragraph and the whole source.
  The share of words inside such runs is the evidence of copying; quoted speech is tracked separately so a quote
  kept verbatim inside reworded prose is not mistaken for copied prose.
- content: for each derived sentence, the source sentences (up to three, for merges) that best cover its content-word
  stems, weighted by how rare each word is (wordfreq) and how specific it is to one place in the source. A paragraph's
  score is the weighted share of its content that the source covers; splits fall out because two derived paragraphs
  may draw on the same source paragraph.

Then the order of the two articles is used: an unaligned derived paragraph sitting between two aligned ones, whose
source gap holds source text nobody else used, is a rewrite of that text when even weak evidence agrees.
Everything computed here is plain frozen data; detectors only read it.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from provenance.align.lexicon import content_class
from provenance.model import Document, Paragraph
from provenance.text.tokenize import Token, quote_spans, rarity, tokenize

RUN = 4  # words: the shortest shared run that counts as wording evidence
MERGE_GAIN = 0.15  # the least extra coverage a second or third source sentence must add
MAX_SOURCES_PER_SENTENCE = 3
DEN_SPEC = 0.0
SENTENCE_TRACE = 0.25  # a derived sentence is traced when one source sentence alone covers this much of it
SENTENCE_LINK = 0.34  # a derived sentence links to a source sentence when that sentence covers this much of it
ORDER_EVIDENCE = 0.11  # weak content coverage that, with the order of the articles, makes a rewrite
ORDER_EVIDENCE_EDGE = 0.2  # the same, between the source's start or end and the nearest aligned paragraph
ANCHOR_SCORE = 0.35  # the score from which a paragraph anchors the order inference


@dataclass(frozen=True, slots=True)
class SentenceLink:
    sentence: int  # derived sentence index within the paragraph
    source_paragraph: int
    source_sentence: int
    gain: float  # share of the derived sentence's content this source sentence adds


@dataclass(frozen=True, slots=True)
class Phrase:
    text: str  # as written in the derived paragraph
    words: int
    source_paragraph: int


@dataclass(frozen=True, slots=True)
class Quote:
    text: str
    words: int
    copied: bool
    source_paragraph: int | None


@dataclass(frozen=True, slots=True)
class Signal:
    """One scorer plugin's view of a derived paragraph (provenance/signals.py computes it, detectors read it).

    `score` is the word-weighted mean, over the paragraph's sentences, of each sentence's best similarity to a
    source sentence; `links` are those best matches (`gain` holds the similarity). `in_order` says the matches sit
    where the order of the two articles expects them (between the source text of the aligned neighbours);
    `new_numbers` are figures of the paragraph that the matched source paragraphs do not contain; `chain` is the
    longest run of the whole article's sentence matches that follows the source's order (the same for every
    paragraph of a comparison). The thresholds are the scorer's calibrated options in effect, copied here so the
    decision and the evidence travel together.
    """

    scorer: str
    score: float
    threshold: float  # close meaning: decides where the article as a whole shows no derivation
    context_threshold: float  # meaning that does not contradict: decides inside a derived article
    sources: tuple[int, ...]
    links: tuple[SentenceLink, ...]
    in_order: bool
    new_numbers: tuple[str, ...] = ()
    chain: int = 0  # whole comparison: derived sentences matched (>= the scorer's `match`) in the source's order


@dataclass(frozen=True, slots=True)
class ParagraphAlignment:
    """Everything known about one derived paragraph's relation to the source."""

    index: int
    words: int
    content: float  # weighted share of content covered by the linked source sentences
    sentences: int
    traced: float  # weighted share of sentences that one source sentence alone covers SENTENCE_TRACE of
    wording: float  # share of words inside shared runs of RUN+ words
    wording_outside_quotes: float
    words_outside_quotes: int
    longest_run: int
    sources: tuple[int, ...]  # source paragraph indexes, by contribution
    source_weights: tuple[float, ...]
    links: tuple[SentenceLink, ...]
    phrases: tuple[Phrase, ...]
    quotes: tuple[Quote, ...]
    shared_numbers: tuple[str, ...]
    shared_names: tuple[str, ...]
    minhash: dict[str, float] = field(default_factory=dict)
    order_inferred: bool = False
    order_gap: tuple[int, ...] = ()
    signals: tuple[Signal, ...] = ()  # one per scorer plugin that ran; empty without scorers

    def signal(self, scorer: str) -> Signal | None:
        return next((s for s in self.signals if s.scorer == scorer), None)


@dataclass(frozen=True, slots=True)
class Alignment:
    source: Document
    derived: Document
    paragraphs: tuple[ParagraphAlignment, ...]  # one per derived paragraph that is not boilerplate
    source_sentence_words: tuple[tuple[int, ...], ...]  # per source paragraph: words per sentence

    def for_paragraph(self, index: int) -> ParagraphAlignment | None:
        for p in self.paragraphs:
            if p.index == index:
                return p
        return None


@dataclass(slots=True)
class _Para:
    para: Paragraph
    tokens: list[Token]
    sent_of_token: list[int]
    sent_stems: list[dict[str, float]]  # per sentence: stem -> rarity
    sent_words: list[int]


def _prepare(p: Paragraph) -> _Para:
    tokens = tokenize(p.text)
    sent_of_token: list[int] = []
    si = 0
    bounds = p.sentences
    for t in tokens:
        while si + 1 < len(bounds) and t.start >= bounds[si + 1].start:
            si += 1
        sent_of_token.append(si)
    sent_stems: list[dict[str, float]] = [{} for _ in bounds]
    sent_words = [0] * len(bounds)
    for t, si in zip(tokens, sent_of_token):
        sent_words[si] += 1
        stem = content_class(t.norm, t.content)
        if stem:
            w = rarity(t)
            d = sent_stems[si]
            if w > d.get(stem, 0.0):
                d[stem] = w
    return _Para(p, tokens, sent_of_token, sent_stems, sent_words)


def align(source: Document, derived: Document, minhash: dict[int, dict[str, float]] | None = None) -> Alignment:
    src = [_prepare(p) for p in source.paragraphs if not p.is_boilerplate]
    der = [_prepare(p) for p in derived.paragraphs if not p.is_boilerplate]

    # Specificity: a stem found in many source sentences (the story's topic words) says less about which sentence
    # a derived sentence came from than one found in a single sentence.
    df: dict[str, int] = defaultdict(int)
    for sp in src:
        for stems in sp.sent_stems:
            for s in stems:
                df[s] += 1
    spec = {s: 1.0 / (1.0 + math.log(c)) for s, c in df.items()}

    postings: dict[str, list[tuple[int, int, float]]] = defaultdict(list)
    for pi, sp in enumerate(src):
        for si, stems in enumerate(sp.sent_stems):
            for s, w in stems.items():
                postings[s].append((pi, si, w * spec[s]))

    runs_index = _RunIndex(src)
    headings = {(pi, si) for pi, sp in enumerate(src) if sp.para.role == "heading"
                for si in range(len(sp.sent_stems))}
    out: list[ParagraphAlignment] = []
    for dp in der:
        out.append(_align_paragraph(dp, src, postings, spec, runs_index, (minhash or {}).get(dp.para.index, {}),
                                    headings))
    out = _order_inference(out, src, der, postings, spec)
    return Alignment(
        source=source,
        derived=derived,
        paragraphs=tuple(out),
        source_sentence_words=tuple(tuple(sp.sent_words) for sp in src),
    )


def _stem_weights(stems: dict[str, float], spec: dict[str, float]) -> dict[str, float]:
    # Words the source never uses weigh as much as its most specific ones.
    return {s: w * spec.get(s, 1.0) for s, w in stems.items()}


def _cover_sentence(stems: dict[str, float], postings, spec, allowed: set[tuple[int, int]] | None = None
                    ) -> tuple[float, list[tuple[int, int, float]]]:
    """Greedy set cover of one derived sentence's content by up to three source sentences."""
    weights = _stem_weights(stems, spec)
    # The denominator discounts topic words less than the numerator does: a sentence made only of the story's
    # topic words (found all over the source) is not traced to any one place, however well it is "covered".
    total = sum(w * spec.get(s, 1.0) ** DEN_SPEC for s, w in stems.items())
    if total <= 0:
        return 0.0, []
    cand: dict[tuple[int, int], set[str]] = defaultdict(set)
    for s in weights:
        for pi, si, _ in postings.get(s, ()):
            if allowed is None or (pi, si) in allowed:
                cand[(pi, si)].add(s)
    covered: set[str] = set()
    picks: list[tuple[int, int, float]] = []
    for _ in range(MAX_SOURCES_PER_SENTENCE):
        best_key, best_gain = None, 0.0
        for key, shared in cand.items():
            gain = sum(weights[s] for s in shared if s not in covered)
            if gain > best_gain or (gain == best_gain and best_key is not None and key < best_key):
                best_key, best_gain = key, gain
        if best_key is None:
            break
        frac = best_gain / total
        if picks and frac < MERGE_GAIN:
            break
        picks.append((best_key[0], best_key[1], frac))
        covered |= cand.pop(best_key)
    cov = sum(weights[s] for s in covered) / total
    return cov, picks


def _align_paragraph(dp: _Para, src: list[_Para], postings, spec, runs_index: _RunIndex,
                     minhash: dict[str, float], headings: set[tuple[int, int]]) -> ParagraphAlignment:
    p = dp.para
    # Content view, sentence by sentence.
    links: list[SentenceLink] = []
    num = 0.0
    den = 0.0
    traced_w = 0.0
    src_weight: dict[int, float] = defaultdict(float)
    for si, stems in enumerate(dp.sent_stems):
        total = sum(_stem_weights(stems, spec).values())
        if total <= 0:
            continue
        cov, picks = _cover_sentence(stems, postings, spec)
        if not picks or picks[0][2] < SENTENCE_TRACE:
            cov = 0.0  # content spread thinly over many source sentences is topic overlap, not derivation
        else:
            traced_w += total
        num += cov * total
        den += total
        for pi, ssi, gain in picks:
            if gain >= MERGE_GAIN or cov >= SENTENCE_LINK:
                links.append(SentenceLink(si, src[pi].para.index, ssi, round(gain, 4)))
                src_weight[src[pi].para.index] += gain * total
    content = num / den if den else 0.0
    traced = traced_w / den if den else 0.0

    # Wording view: shared runs against the whole source.
    covered, runs = runs_index.match(dp.tokens, prefer=p.index)
    n = len(dp.tokens)
    wording = sum(covered) / n if n else 0.0
    qspans = quote_spans(p.text)
    in_quote = [any(a <= t.start < b for a, b in qspans) for t in dp.tokens]
    outside = [i for i in range(n) if not in_quote[i]]
    wording_out = (sum(covered[i] for i in outside) / len(outside)) if outside else wording
    quotes: list[Quote] = []
    for a, b in qspans:
        idx = [i for i, t in enumerate(dp.tokens) if a <= t.start < b]
        if len(idx) < 3:
            continue
        copied_share = sum(covered[i] for i in idx) / len(idx)
        src_para = None
        for start, length, sp in runs:
            if start <= idx[0] < start + length or idx[0] <= start <= idx[-1]:
                src_para = sp
                break
        quotes.append(Quote(p.text[a:b], len(idx), copied_share >= 0.9, src_para if copied_share >= 0.5 else None))
    phrases = tuple(
        Phrase(p.text[dp.tokens[s].start : dp.tokens[s + ln - 1].end], ln, sp)
        for s, ln, sp in sorted(runs, key=lambda r: (-r[1], r[0]))[:8]
        if ln >= RUN + 1
    )
    longest = max((ln for _, ln, _ in runs), default=0)
    for _, ln, sp in runs:
        src_weight[sp] += 0.5 * ln  # copied runs also say where a paragraph comes from
    whole = [sp for _, ln, sp in runs if ln == n]
    if whole:  # copied verbatim: that run says exactly where it came from (repeated text: its own counterpart)
        src_weight[whole[0]] += 2 * max(src_weight.values(), default=1.0) + 1.0

    # Anchors: numbers and names shared with the source paragraphs it draws on.
    src_set = set(src_weight)
    src_tokens = [t for sp in src if sp.para.index in src_set for t in sp.tokens]
    src_nums = {t.norm for t in src_tokens if t.kind == "n"}
    src_names = {t.norm for t in src_tokens if t.capital and t.content}
    shared_numbers = tuple(sorted({t.norm for t in dp.tokens if t.kind == "n" and t.norm in src_nums}))
    first_tokens = {dp.tokens[i].start for i in range(n) if i == 0}
    shared_names = tuple(sorted({t.norm for t in dp.tokens if t.capital and t.content and t.norm in src_names
                                 and t.start not in first_tokens}))

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
            cov_h = sum(w for st, w in mine.items() if st in theirs) / total if total else 0.0
            if cov_h > best_cov:
                best_h, best_cov = (pi, si), cov_h
        if best_h is not None and best_cov >= 0.3:
            pi, si = best_h
            src_weight[src[pi].para.index] += 2 * max(src_weight.values(), default=1.0) + 1.0
            links.append(SentenceLink(0, src[pi].para.index, si, round(best_cov, 4)))
            content = max(content, best_cov)
    ranked = sorted(src_weight.items(), key=lambda kv: (-kv[1], kv[0]))
    top = ranked[0][1] if ranked else 0.0
    kept = [(k, v) for k, v in ranked if v >= 0.2 * top]
    total_w = sum(v for _, v in kept) or 1.0
    return ParagraphAlignment(
        index=p.index,
        words=n,
        content=round(content, 4),
        sentences=len(p.sentences),
        traced=round(traced, 4),
        wording=round(wording, 4),
        wording_outside_quotes=round(wording_out, 4),
        words_outside_quotes=len(outside),
        longest_run=longest,
        sources=tuple(k for k, _ in kept),
        source_weights=tuple(round(v / total_w, 4) for _, v in kept),
        links=tuple(links),
        phrases=phrases,
        quotes=tuple(quotes),
        shared_numbers=shared_numbers,
        shared_names=shared_names,
        minhash=minhash,
    )


class _RunIndex:
    """Word RUN-grams of the whole source, to find maximal shared word runs in linear time per paragraph."""

    def __init__(self, src: list[_Para]) -> None:
        self.words: list[str] = []
        self.para_of: list[int] = []
        self.grams: dict[tuple[str, ...], list[int]] = defaultdict(list)
        self.whole: dict[tuple[str, ...], list[int]] = {}  # paragraphs too short for a run, matched whole
        for sp in src:
            base = len(self.words)
            norms = [t.norm for t in sp.tokens]
            self.words.extend(norms)
            self.words.append("\x00")  # runs never cross a paragraph boundary
            self.para_of.extend([sp.para.index] * (len(norms) + 1))
            for i in range(len(norms) - RUN + 1):
                self.grams[tuple(norms[i : i + RUN])].append(base + i)
            if 0 < len(norms) < RUN:
                self.whole.setdefault(tuple(norms), []).append(sp.para.index)

    def match(self, tokens: Sequence[Token], prefer: int = 0) -> tuple[list[int], list[tuple[int, int, int]]]:
        """Return per-token coverage flags and the maximal runs (start, length, source paragraph). Among equally
        long runs, the one in the source paragraph nearest `prefer` wins, so a passage repeated in both articles
        maps each copy to its own counterpart."""
        norms = [t.norm for t in tokens]
        n = len(norms)
        covered = [0] * n
        runs: list[tuple[int, int, int]] = []
        if 0 < n < RUN and tuple(norms) in self.whole:  # a short paragraph identical to a source one
            return [1] * n, [(0, n, min(self.whole[tuple(norms)], key=lambda q: abs(q - prefer)))]
        i = 0
        words = self.words
        while i <= n - RUN:
            hits = self.grams.get(tuple(norms[i : i + RUN]))
            if not hits:
                i += 1
                continue
            best_len, best_pos = 0, hits[0]
            for j in hits[:16]:
                k = RUN
                while i + k < n and j + k < len(words) and words[j + k] == norms[i + k]:
                    k += 1
                if k > best_len or (k == best_len and abs(self.para_of[j] - prefer)
                                    < abs(self.para_of[best_pos] - prefer)):
                    best_len, best_pos = k, j
            runs.append((i, best_len, self.para_of[best_pos]))
            for k in range(i, i + best_len):
                covered[k] = 1
            i += best_len
        return covered, runs


def is_anchor(a: ParagraphAlignment) -> bool:
    """Aligned on its own lexical evidence firmly enough to say where it sits in the source."""
    return a.content >= ANCHOR_SCORE or a.wording >= 0.5 or (a.sentences >= 3 and a.traced >= 0.66)


def _order_inference(out: list[ParagraphAlignment], src: list[_Para], der: list[_Para], postings, spec
                     ) -> list[ParagraphAlignment]:
    """Give unaligned paragraphs that sit in an unused stretch of the source a second, order-constrained look.

    Positions are source sentences, so a split (the second half of a source paragraph rewritten as a paragraph of
    its own) is found as readily as a paragraph whose whole source was otherwise skipped. Paragraphs inferred in one
    pass anchor the next, so runs of loosely paraphrased paragraphs are recovered from both ends. At least two
    paragraphs must be aligned on their own evidence: one match says nothing about order.
    """
    order = [(pi, si) for pi, sp in enumerate(src) for si in range(len(sp.sent_stems))]
    pos = {key: i for i, key in enumerate(order)}
    by_index = {sp.para.index: pi for pi, sp in enumerate(src)}

    def link_positions(a: ParagraphAlignment) -> list[int]:
        # Only strong links to the paragraph's own sources mark where it sits: a stray weak link to another part
        # of the source must not stretch its span.
        got = [pos[(by_index[l.source_paragraph], l.source_sentence)] for l in a.links
               if l.source_paragraph in a.sources and l.gain >= SENTENCE_TRACE
               and (by_index[l.source_paragraph], l.source_sentence) in pos]
        if not got:  # anchored by wording alone: take its main source paragraph
            for s_idx in a.sources[:1]:
                pi = by_index.get(s_idx)
                if pi is not None:
                    got = [pos[(pi, si)] for si in range(len(src[pi].sent_stems))]
        return got

    result = list(out)
    anchored = [is_anchor(a) for a in out]
    if sum(anchored) < 2:
        return result
    for _ in range(4):
        changed = False
        used: set[int] = set()
        spans: list[tuple[int, int] | None] = []
        for a, ok in zip(result, anchored):
            ps = link_positions(a) if ok else []
            if ok and ps:
                used.update(ps)
                spans.append((min(ps), max(ps)))
            else:
                spans.append(None)
        for i, a in enumerate(result):
            if anchored[i] or a.words < 5:
                continue
            prev = next((j for j in range(i - 1, -1, -1) if spans[j] is not None), None)
            nxt = next((j for j in range(i + 1, len(result)) if spans[j] is not None), None)
            edge = prev is None or nxt is None
            lo = spans[prev][1] if prev is not None else -1  # type: ignore[index]
            hi = spans[nxt][0] if nxt is not None else len(order)  # type: ignore[index]
            if hi < lo or not any(k not in used for k in range(lo + 1, hi)):
                continue
            # The neighbours' boundary sentences stay candidates: a split shares them.
            gap = list(range(max(lo, 0), min(hi, len(order) - 1) + 1))
            allowed = {order[k] for k in gap}
            dp = der[i]
            num = den = 0.0
            weight: dict[int, float] = defaultdict(float)
            links: list[SentenceLink] = []
            for si, stems in enumerate(dp.sent_stems):
                total = sum(_stem_weights(stems, spec).values())
                if total <= 0:
                    continue
                cov, picks = _cover_sentence(stems, postings, spec, allowed)
                num += cov * total
                den += total
                for pi, ssi, gain in picks:
                    weight[src[pi].para.index] += gain * total
                    links.append(SentenceLink(si, src[pi].para.index, ssi, round(gain, 4)))
            cov = num / den if den else 0.0
            if cov < (ORDER_EVIDENCE_EDGE if edge else ORDER_EVIDENCE) or not weight:
                continue
            ranked = sorted(weight.items(), key=lambda kv: (-kv[1], kv[0]))
            top = ranked[0][1]
            sources = tuple(k for k, v in ranked if v >= 0.2 * top)
            total_w = sum(weight[k] for k in sources) or 1.0
            result[i] = replace(
                a,
                sources=sources,
                source_weights=tuple(round(weight[k] / total_w, 4) for k in sources),
                links=tuple(links),
                order_inferred=True,
                order_gap=tuple(sorted({src[order[k][0]].para.index for k in gap})),
                content=round(max(a.content, cov), 4),
            )
            anchored[i] = True
            placed = [pos[(by_index[l.source_paragraph], l.source_sentence)] for l in links]
            used.update(placed)
            spans[i] = (min(placed), max(placed))
            changed = True
        if not changed:
            break
    return result
