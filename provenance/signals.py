"""Similarity signals: scorer plugins judge (derived sentence, source sentence) pairs, and each derived paragraph
gets a `Signal` per scorer beside its lexical alignment.

This is the arrow between alignment and detectors. Word overlap cannot see a heavy paraphrase, and it takes two
reports of the same event, which share names and figures, for a rewrite; a scorer that knows meaning (sentence
embeddings, a cross-encoder) can. The engine asks each scorer once per comparison, with every pair in one batch, so
a model encodes each distinct sentence once. The pairs are all derived sentences against all source sentences while
that stays under `MAX_PAIRS`; beyond it, each derived sentence meets the source sentences that share its rarest
content words and those around its proportional place in the source, so a long article stays fast. A scorer reads
at most SCORED_SENTENCES sentences of each article (the first ones): a model's cost grows with the article, and a
4 MB one would take hours; the alignment records the cap (`Alignment.limits`), and the report says so.

What a detector receives is plain data: per paragraph, the meaning-level coverage (`score`), the best matches, and
whether they sit where the order of the two articles expects them (`in_order`, computed against the paragraphs that
lexical evidence anchors: provenance/align/order.py). Whether that evidence changes a label is the rewrite
rule's business (provenance/detectors/rewrite.py), not this module's.
"""

from __future__ import annotations

import math
import os
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from provenance.align import order
from provenance.components import ConfigurableScorer, JudgingScorer
from provenance.model import (
    Alignment,
    Limit,
    Paragraph,
    ParagraphAlignment,
    SentenceLink,
    Signal,
    Token,
)
from provenance.rules import (
    CHAIN,
    CONFIRM_WORDS,
    LEXICAL_CANDIDATES,
    MAX_PAIRS,
    SCORED_SENTENCES,
    SIGNAL_SOURCE_SHARE,
    SIGNAL_SUPPORT,
    STRONG_WORDING,
    WINDOW,
)


@dataclass(frozen=True, slots=True)
class _Sentence:
    paragraph: int  # paragraph index in its document
    sentence: int  # sentence index within the paragraph
    text: str
    tokens: tuple[Token, ...]

    @property
    def words(self) -> int:
        return max(1, len(self.tokens))


class ScorerFailure(Exception):
    """A scorer broke its contract (wrong length, not numbers); the message says how."""


def _sentences(paragraphs: Sequence[Paragraph]) -> list[_Sentence]:
    out = []
    for p in paragraphs:
        for i, tokens in enumerate(p.tokens_by_sentence()):
            text = p.sentence_text(i).strip()
            if text:
                out.append(_Sentence(p.index, i, text, tokens))
    return out


def candidate_pairs(der: Sequence[_Sentence], src: Sequence[_Sentence]) -> list[tuple[int, int]]:
    """Which (derived, source) sentence pairs to score, as index pairs."""
    if len(der) * len(src) <= MAX_PAIRS:
        return [(i, j) for i in range(len(der)) for j in range(len(src))]
    content = [{t.content for t in s.tokens if t.content} for s in src]
    postings: dict[str, list[int]] = defaultdict(list)
    for j, stems in enumerate(content):
        for st in stems:
            postings[st].append(j)
    out: list[tuple[int, int]] = []
    for i, d in enumerate(der):
        centre = round(i / max(1, len(der) - 1) * (len(src) - 1))
        chosen = set(range(max(0, centre - WINDOW), min(len(src), centre + WINDOW + 1)))
        # Rare stems (few postings) say most about where a sentence comes from.
        hits: dict[int, float] = defaultdict(float)
        for st in {t.content for t in d.tokens if t.content}:
            ps = postings.get(st, ())
            for j in ps:
                hits[j] += 1.0 / len(ps)
        chosen.update(j for j, _ in sorted(hits.items(), key=lambda kv: -kv[1])[:LEXICAL_CANDIDATES])
        out.extend((i, j) for j in sorted(chosen))
    return out


def _call(scorer: Any, pairs: list[tuple[str, str]], method: str = "score") -> list[float | None]:
    """The scorer's values, checked. None is allowed and means "no opinion" (a language the model does not know,
    say): such a pair is no evidence either way."""
    got = getattr(scorer, method)(pairs)
    try:
        values = [None if v is None else float(v) for v in got]
    except (TypeError, ValueError) as exc:
        raise ScorerFailure(
            f"{method}() returned {type(got).__name__}, not a sequence of numbers ({exc})"
        ) from None
    if len(values) != len(pairs):
        raise ScorerFailure(f"{method}() returned {len(values)} values for {len(pairs)} pairs")
    if any(v is not None and math.isnan(v) for v in values):
        raise ScorerFailure(f"{method}() returned NaN")
    return values


def score_alignment(
    alignment: Alignment,
    scorers: Sequence[tuple[str, Any]],
    options: Mapping[str, Any],
    trace: Callable[[str], None] = lambda _m: None,
    confirm: bool = True,
) -> tuple[Alignment, list[dict[str, str]]]:
    """Run every scorer over the alignment; return it with `signals` filled in, and the scorers that failed.

    A failing scorer is recorded (plugin and scorer named, like a failing detector) and the comparison goes on on
    the evidence that remains. `confirm`: whether a judging scorer is asked to confirm every sentence for the
    article-level decision (derivation.py); without it, it reads only the paragraphs whose label its reading can
    still change.
    """
    if not scorers:
        return alignment, []
    wanted = list(alignment.paragraphs)  # verbatim paragraphs too: their matches belong to the ordered chain
    der_paras = [alignment.derived.paragraphs[a.index] for a in wanted]
    src_paras = [p for p in alignment.source.paragraphs if not p.is_boilerplate]
    der, der_cut = _capped(der_paras, "derived")
    src, src_cut = _capped(src_paras, "source")
    if not der or not src or _settled(wanted):
        return alignment, []
    limits = alignment.limits + tuple(cut for cut in (der_cut, src_cut) if cut is not None)
    judgeable = _judgeable(wanted)
    by_paragraph: dict[int, list[int]] = defaultdict(list)
    for i, d in enumerate(der):
        by_paragraph[d.paragraph].append(i)
    index_pairs = candidate_pairs(der, src)
    pairs = [(der[i].text, src[j].text) for i, j in index_pairs]
    errors: list[dict[str, str]] = []
    signals: dict[int, list[Signal]] = defaultdict(list)
    for plugin, scorer in scorers:
        trace(f"score: {plugin}:{scorer.name} ({len(pairs)} pairs)")
        try:
            if isinstance(
                scorer, ConfigurableScorer
            ):  # the values in effect of its own options (defaults, or the user's)
                scorer.configure(
                    {key: _option(scorer, options, key) for key in (getattr(scorer, "options", None) or {})}
                )
            values = _call(scorer, pairs)
        except Exception as exc:
            errors.append(_failure(plugin, scorer, exc))
            continue
        best: dict[int, tuple[float, int]] = {}
        for (i, j), v in zip(index_pairs, values):
            if v is not None and (i not in best or v > best[i][0]):
                best[i] = (v, j)
        threshold = float(_option(scorer, options, "threshold"))
        context = _option(scorer, options, "context_threshold")
        inside = _option(scorer, options, "derived_threshold")
        match = _option(scorer, options, "match")
        chain = order.chain(best, float(threshold if match is None else match))
        judged: dict[int, float] = {}
        if isinstance(scorer, JudgingScorer):
            # Judged only where a judgement is read: the paragraphs it may score, the sentences it may confirm.
            read = {
                i: best[i]
                for i in best
                if (confirm and der[i].words >= CONFIRM_WORDS)
                or (chain < CHAIN and der[i].paragraph in judgeable)
            }
            try:
                judged = _second_opinion(scorer, read, der, src)
            except Exception as exc:
                errors.append(_failure(plugin, scorer, exc, "judge: "))
                continue
        # Where the article does not retell the source in order, a paragraph stands or falls by its meaning alone,
        # and the judgement of its sentences is what it is scored by (only where a signal can still change its
        # label: `_judgeable`). Inside an ordered retelling the order is the stronger evidence: first readings.
        view = dict(best)
        if chain < CHAIN:
            view.update({i: (v, best[i][1]) for i, v in judged.items() if der[i].paragraph in judgeable})
        for a, sig in _paragraph_signals(alignment, wanted, der, src, view, str(scorer.name), by_paragraph):
            raw = [i for i in by_paragraph[a] if i in best]
            rows = [i for i in raw if der[i].words >= CONFIRM_WORDS]
            words = sum(der[i].words for i in raw) or 1
            signals[a].append(
                replace(
                    sig,
                    threshold=threshold,
                    chain=chain,
                    context_threshold=float(threshold if context is None else context),
                    derived_threshold=float(
                        inside if inside is not None else context if context is not None else threshold
                    ),
                    similarity=round(sum(der[i].words * best[i][0] for i in raw) / words, 4),
                    judged=len(rows) if confirm and isinstance(scorer, JudgingScorer) else 0,
                    confirmed=sum(1 for i in rows if judged.get(i, -1.0) >= threshold) if confirm else 0,
                    unconfirmed=not confirm and isinstance(scorer, JudgingScorer),
                )
            )
    paragraphs = tuple(
        replace(a, signals=tuple(signals[a.index])) if a.index in signals else a for a in alignment.paragraphs
    )
    return replace(alignment, paragraphs=paragraphs, limits=limits), errors


def _capped(paragraphs: Sequence[Paragraph], side: str) -> tuple[list[_Sentence], Limit | None]:
    """The first SCORED_SENTENCES sentences of one article, and the limit reached when there were more (the rest
    are only counted: a 200,000-paragraph article is not tokenised sentence by sentence for nothing)."""
    kept: list[_Sentence] = []
    total = 0
    for p in paragraphs:
        if total < SCORED_SENTENCES:
            found = _sentences([p])
            kept.extend(found[: SCORED_SENTENCES - total])
            total += len(found)
        else:
            total += sum(1 for i in range(len(p.sentences)) if p.sentence_text(i).strip())
    if total <= SCORED_SENTENCES:
        return kept, None
    note = (
        f"the scorers read the first {SCORED_SENTENCES:,} of the {side} article's {total:,} sentences; "
        "the rest is judged on its words alone"
    )
    return kept, Limit(f"scored_{side}_sentences", SCORED_SENTENCES, total, note)


def _failure(plugin: str, scorer: Any, exc: Exception, what: str = "") -> dict[str, str]:
    """A failing scorer, recorded the way a failing detector is (PROVENANCE_DEBUG=1: the traceback instead)."""
    if os.environ.get("PROVENANCE_DEBUG"):
        raise exc
    return {
        "plugin": plugin,
        "detector": str(scorer.name),
        "component": "scorer",
        "error": f"{what}{type(exc).__name__}: {exc}",
    }


def _settled(wanted: Sequence[ParagraphAlignment]) -> bool:
    """Whether the words decide every derived paragraph (each one keeps STRONG_WORDING of its source's wording, which
    no signal overrules: a verbatim copy). Then no scorer is asked, and a model behind one never loads."""
    return all(a.sources and a.wording >= STRONG_WORDING for a in wanted)


def _judgeable(wanted: Sequence[ParagraphAlignment]) -> set[int]:
    """The derived paragraphs whose label a signal can still change outside an ordered retelling (the rewrite rule,
    provenance/detectors/rewrite.py): a lexical rewrite not held by its wording, or content enough to support a
    promotion. A judgement anywhere else would be paid for and change nothing."""
    return {
        a.index for a in wanted if (a.sources and a.wording < STRONG_WORDING) or a.content >= SIGNAL_SUPPORT
    }


def _second_opinion(
    scorer: Any, best: dict[int, tuple[float, int]], der: Sequence[_Sentence], src: Sequence[_Sentence]
) -> dict[int, float]:
    """Each derived sentence's closest match, judged again by the scorer's `judge` (a costlier reading of the two
    sentences together): the judged similarity per derived sentence (None, the scorer's "no opinion", is left out).
    A sentence embedding calls two sentences of one story close even when a figure or a clause differs; read
    together, a paraphrase and a near miss come apart."""
    rows = sorted(best)
    if not rows:
        return {}
    pairs = [(der[i].text, src[best[i][1]].text) for i in rows]
    values = _call(scorer, pairs, method="judge")
    return {i: v for i, v in zip(rows, values) if v is not None}


def _option(scorer: Any, options: Mapping[str, Any], key: str) -> Any:
    """The value in effect for one of the scorer's options: the user's, else the declared default."""
    full = f"{scorer.name}.{key}"
    if full in options:
        return options[full]
    declared = (getattr(scorer, "options", None) or {}).get(key)
    return getattr(declared, "default", declared)


def _paragraph_signals(
    alignment: Alignment,
    wanted: Sequence[ParagraphAlignment],
    der: Sequence[_Sentence],
    src: Sequence[_Sentence],
    best: Mapping[int, tuple[float, int]],
    name: str,
    rows: Mapping[int, list[int]],
) -> list[tuple[int, Signal]]:
    """Per derived paragraph with scored sentences (`rows`: its sentences' indices in `der`), its Signal."""
    windows = order.windows(
        alignment.paragraphs,
        order.SourcePositions([p for p in alignment.source.paragraphs if not p.is_boilerplate]),
    )
    source_numbers = {p.index: _numbers(p) for p in alignment.source.paragraphs}
    out: list[tuple[int, Signal]] = []
    for a in wanted:
        idx = [i for i in rows.get(a.index, []) if i in best]
        if not idx:
            continue
        total = sum(der[i].words for i in idx)
        score = sum(der[i].words * best[i][0] for i in idx) / total
        weight: dict[int, float] = defaultdict(float)
        links = []
        in_window = 0
        window = windows.get(a.index)
        for i in idx:
            v, j = best[i]
            s = src[j]
            links.append(SentenceLink(der[i].sentence, s.paragraph, s.sentence, round(v, 4)))
            weight[s.paragraph] += der[i].words * max(v, 0.0)
            if window is not None and window[0] <= j <= window[1]:
                in_window += der[i].words
        ranked = sorted(weight.items(), key=lambda kv: (-kv[1], kv[0]))
        top = ranked[0][1] if ranked else 0.0
        sources = tuple(k for k, v in ranked if v > 0 and v >= SIGNAL_SOURCE_SHARE * top)
        matched = set().union(*(source_numbers[k] for k in sources)) if sources else set()
        mine = _numbers(alignment.derived.paragraphs[a.index])
        out.append(
            (
                a.index,
                Signal(
                    scorer=name,
                    score=round(score, 4),
                    threshold=0.0,  # filled in by the caller, with the options in effect
                    context_threshold=0.0,
                    sources=sources,
                    links=tuple(links),
                    in_order=window is not None and in_window * 2 > total,
                    new_numbers=tuple(sorted(mine - matched)),
                ),
            )
        )
    return out


def _numbers(p: Paragraph) -> set[str]:
    return {t.norm for t in p.tokens if t.kind == "n"}
