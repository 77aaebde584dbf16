"""Whether the derived article as a whole derives from the source: the step between the scorers' signals and the
detectors (engine.py wires it).

Two reports of one event share names, figures, quotes and topic words, so paragraph by paragraph an independent
report can look like a rewrite. What a careful editor reads at the scale of the article, and what this step weighs:

- the ordered retelling (provenance/align/retelling.py): a rewrite retells the source sentence after sentence, in
  its order; same-event reports match a few facts each, in their own order;
- novelty: an independent report carries names and figures of its own (other people, other numbers), a rewrite
  few beyond its source's;
- with a scorer that judges meaning (components.JudgingScorer): the share of sentences it confirms say what their
  closest source sentence says;
- wording copied outside quotations, which no independent report has.

The decision is `retelling - NOVELTY_WEIGHT x novelty + CONFIRMED_WEIGHT x confirmed >= DERIVED_SCORE`, or copied
wording from DERIVED_COPIED; the weights and bars were chosen by leave-one-story-out cross-validation on the
labelled real-news set (docs/accuracy.md). Detectors read the result (`Alignment.derivation`): inside a derived
article they accept weaker evidence that a paragraph retells its place in the source; inside an independent one only
copied wording makes a paragraph derived, and the verdict is `independent`.

When the source is cut off (it ends in mid-sentence: an excerpt, a feed's teaser), paragraphs of the derived article
after the point where it reaches the source's last stretch draw on text the source does not hold: they are listed in
`beyond_source` and left out of the shares and the verdict.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from provenance.components import Option
from provenance.detectors.decisions import is_copy
from provenance.model import Alignment, Derivation, Paragraph
from provenance.rules import (
    CONFIRMED_WEIGHT,
    COPY_PASSAGE_WORDS,
    COPY_PROSE_THRESHOLD,
    COPY_THRESHOLD,
    CUT_DERIVED_SCORE_JUDGED,
    DERIVED_COPIED,
    DERIVED_MIN_SENTENCES,
    DERIVED_SCORE,
    DERIVED_SCORE_JUDGED,
    INDEPENDENT_SCORE,
    INDEPENDENT_SCORE_JUDGED,
    NOVELTY_PRIOR,
    NOVELTY_WEIGHT,
    SOURCE_TAIL,
    TRANSLATION_ANCHORS,
    TRANSLATION_NOVELTY,
    TRANSLATION_PLACED,
)
from provenance.text.boilerplate import is_cut_off

NEW_SPECIFICS_SHOWN = 12  # names and figures listed in the report's evidence
DERIVED_FROM = "derivation.derived_from"
INDEPENDENT_BELOW = "derivation.independent_below"
COPIED_FROM = "derivation.copied_from"
CUT_DERIVED_FROM = "derivation.cut_derived_from"
DERIVATION_OPTIONS = {
    DERIVED_FROM: Option(
        None,
        float,
        "article-level score (ordered retelling - novelty + confirmed sentences) from "
        f"which an article derives from the source as a whole (default {DERIVED_SCORE:g}, with a "
        f"judging scorer {DERIVED_SCORE_JUDGED:g})",
    ),
    INDEPENDENT_BELOW: Option(
        None,
        float,
        "the score under which it is independent; between the two, each "
        f"paragraph is judged on its own (default {INDEPENDENT_SCORE:g}, with a judging scorer "
        f"{INDEPENDENT_SCORE_JUDGED:g})",
    ),
    CUT_DERIVED_FROM: Option(
        None,
        float,
        "where the source is cut off and the article follows it to that end: the score, over the paragraphs up to "
        "that point, from which it derives from the source (default with a judging scorer "
        f"{CUT_DERIVED_SCORE_JUDGED:g}, else the whole article's bar)",
    ),
    COPIED_FROM: Option(
        DERIVED_COPIED,
        float,
        "share of the article's words in paragraphs copied from the source "
        "(quotations apart) from which it derives from the source whatever its score",
        0.0,
        2.0,
    ),
}


@dataclass(frozen=True, slots=True)
class _Evidence:
    """What the article-level decision reads, but for the judge's confirmations."""

    copied: float
    wording: float  # share of the words, quotations apart, in runs shared with the source
    novelty: float
    new: tuple[str, ...]
    judged: int
    confirmed: int
    scorer: str | None
    unconfirmed: str | None  # a judging scorer not asked to confirm (it could not change the decision)
    derived_sentences: int
    source_sentences: int
    placed: int
    anchors: int
    translated: bool


def _evidence(alignment: Alignment, opts: Mapping[str, Any]) -> _Evidence:
    paragraphs = alignment.paragraphs
    words = sum(a.words for a in paragraphs) or 1
    # Copied prose, never quotations (an independent report may quote the same person word for word), whatever
    # the user's `copy.quotes` says about labelling the paragraphs.
    copied = (
        sum(
            a.words
            for a in paragraphs
            if is_copy(
                a,
                float(opts.get("copy.threshold", COPY_THRESHOLD)),
                float(opts.get("copy.prose_threshold", COPY_PROSE_THRESHOLD)),
                int(opts.get("copy.passage_words", COPY_PASSAGE_WORDS)),
                "ignore",
            )
        )
        / words
    )
    wording = sum(a.wording_outside_quotes * a.words_outside_quotes for a in paragraphs) / words
    specifics = sum(a.specifics for a in paragraphs)
    new = tuple(x for a in paragraphs for x in a.new_specifics)
    novelty = len(new) / (
        specifics + NOVELTY_PRIOR
    )  # a few specifics say little: the prior keeps them from 100%
    judged = confirmed = 0
    scorer = None
    unconfirmed = None
    for a in paragraphs:
        for s in a.signals:
            unconfirmed = s.scorer if s.unconfirmed else unconfirmed
            if s.judged and scorer in (None, s.scorer):
                scorer = s.scorer
                judged += s.judged
                confirmed += s.confirmed
    body = [p for p in alignment.source.paragraphs if not p.is_boilerplate]
    placed = [a for a in paragraphs if a.translated is not None]
    anchors = sum(len(a.translated or ()) for a in placed)
    translated = (
        alignment.languages is not None
        and anchors >= TRANSLATION_ANCHORS
        and sum(a.words for a in placed) / words >= TRANSLATION_PLACED
        and (alignment.unshared or 0.0) <= TRANSLATION_NOVELTY
    )
    return _Evidence(
        copied,
        wording,
        novelty,
        new,
        judged,
        confirmed,
        scorer,
        unconfirmed,
        sum(a.sentences for a in paragraphs),
        sum(len(p.sentences) for p in body),
        len(placed),
        anchors,
        translated,
    )


def _decide(
    alignment: Alignment, ev: _Evidence, opts: Mapping[str, Any], share: float | None
) -> tuple[bool | None, float, float, float]:
    """(derived, score, high bar, low bar) for a given share of confirmed sentences (None: none asked)."""
    retelling = alignment.retelling
    score = retelling.score - NOVELTY_WEIGHT * ev.novelty + CONFIRMED_WEIGHT * (share or 0.0)
    judged = share is not None  # the bars of a judging scorer apply where it confirmed sentences
    high = _value(opts, DERIVED_FROM, DERIVED_SCORE_JUDGED if judged else DERIVED_SCORE)
    low = min(
        high, _value(opts, INDEPENDENT_BELOW, INDEPENDENT_SCORE_JUDGED if judged else INDEPENDENT_SCORE)
    )
    if ev.translated:
        return True, score, high, low
    if ev.derived_sentences < DERIVED_MIN_SENTENCES or ev.source_sentences < DERIVED_MIN_SENTENCES:
        return None, score, high, low
    if ev.copied >= float(opts.get(COPIED_FROM, DERIVED_COPIED)):
        return True, score, high, low
    return (True if score >= high else False if score < low else None), score, high, low


@dataclass(frozen=True, slots=True)
class _Reading:
    """The evidence the decision reads, gathered once whatever share of sentences the judge confirms: the whole
    article's, and, where the source is cut off and the article follows it to its end, that of the stretch the
    source holds (`beyond`: the paragraphs after that point)."""

    whole: _Evidence
    cut: bool
    beyond: tuple[int, ...]
    stretch: Alignment | None
    stretch_evidence: _Evidence | None


def _read(alignment: Alignment, opts: Mapping[str, Any]) -> _Reading:
    ev = _evidence(alignment, opts)
    body = [p for p in alignment.source.paragraphs if not p.is_boilerplate]
    if not body or not is_cut_off(body[-1]):
        return _Reading(ev, False, (), None, None)
    beyond = _beyond(alignment, body, ev.source_sentences)
    if not beyond:
        return _Reading(ev, True, (), None, None)
    left = set(beyond)
    stretch = replace(alignment, paragraphs=tuple(a for a in alignment.paragraphs if a.index not in left))
    return _Reading(ev, True, beyond, stretch, _evidence(stretch, opts))


@dataclass(frozen=True, slots=True)
class _Call:
    """The article-level decision and the evidence it read (the stretch's when `stretch`)."""

    derived: bool | None
    score: float
    high: float
    low: float
    evidence: _Evidence
    share: float | None
    beyond: tuple[int, ...] = ()  # left out of the shares and the verdict
    stretch: bool = False


def _call(
    alignment: Alignment,
    reading: _Reading,
    opts: Mapping[str, Any],
    *,
    supposed: bool = False,
    share: float | None = None,
) -> _Call:
    """The decision with the share of sentences the judge confirmed (or, `supposed`, with `share` instead: None
    for no judge asked), read on the stretch a cut-off source holds when the whole article does not derive."""

    def share_of(ev: _Evidence) -> float | None:
        if supposed:
            return share
        return ev.confirmed / ev.judged if ev.judged else None

    ev = reading.whole
    s = share_of(ev)
    derived, score, high, low = _decide(alignment, ev, opts, s)
    if derived:
        return _Call(derived, score, high, low, ev, s, reading.beyond)
    if reading.stretch is None or reading.stretch_evidence is None:
        return _Call(derived, score, high, low, ev, s)
    ev2 = reading.stretch_evidence
    s2 = share_of(ev2)
    derived2, score2, high2, low2 = _decide(reading.stretch, ev2, opts, s2)
    bar = _value(opts, CUT_DERIVED_FROM, CUT_DERIVED_SCORE_JUDGED if s2 is not None else high2)
    if derived2 is not True and ev2.derived_sentences >= DERIVED_MIN_SENTENCES and score2 >= bar:
        derived2 = True
    if derived2 is True:
        return _Call(True, score2, min(high2, bar), low2, ev2, s2, reading.beyond, True)
    return _Call(derived, score, high, low, ev, s)


def confirmation_matters(alignment: Alignment, options: Mapping[str, Any] | None = None) -> bool:
    """Whether a judging scorer's confirmations could change whether the article derives from the source, given the
    evidence gathered before scoring: the decision without confirmations (the bars without a judge), with none of
    the sentences confirmed and with all of them (the score grows with the share, so those two bound every other).
    When the three agree, engine.gather does not ask the judge to confirm every sentence (it still reads the
    paragraphs whose label its reading may change), and the decision is the one it would have been: a model behind
    the judge may then not even load."""
    opts = options or {}
    reading = _read(alignment, opts)
    calls = {
        _call(alignment, reading, opts, supposed=True, share=share).derived for share in (None, 0.0, 1.0)
    }
    return len(calls) > 1


def assess(alignment: Alignment, options: Mapping[str, Any] | None = None) -> Alignment:
    """The alignment with `derivation` set."""
    paragraphs = alignment.paragraphs
    opts = options or {}
    reading = _read(alignment, opts)
    call = _call(alignment, reading, opts)
    ev, share, derived, score, high, low = (
        call.evidence,
        call.share,
        call.derived,
        call.score,
        call.high,
        call.low,
    )
    retelling = alignment.retelling
    derived_sentences, source_sentences = ev.derived_sentences, ev.source_sentences
    if ev.translated:
        assert alignment.languages is not None
        src_lang, der_lang = alignment.languages
        reason = (
            f"a translation ({src_lang} \u2192 {der_lang}): {ev.anchors} names and figures shared in the "
            f"source's order place {ev.placed} of its {len(paragraphs)} paragraphs, and one of the two holds "
            f"few names and figures the other lacks ({alignment.unshared or 0.0:.0%})"
        )
    elif derived_sentences < DERIVED_MIN_SENTENCES or source_sentences < DERIVED_MIN_SENTENCES:
        reason = "too short to judge the article as a whole: each paragraph is judged on its own"
    elif ev.copied >= float(opts.get(COPIED_FROM, DERIVED_COPIED)):
        reason = f"{ev.copied:.0%} of its words are in paragraphs copied from the source"
    else:
        parts = [
            f"retells {len(retelling.sentences)} of its {derived_sentences} sentences in the source's order "
            f"(score {retelling.score:.2f})",
            f"{ev.novelty:.0%} of its names and figures are not in the source",
        ]
        if share is not None:
            parts.append(f"{ev.scorer} confirms {share:.0%} of its sentences")
        elif ev.unconfirmed:
            parts.append(
                f"{ev.unconfirmed} not asked to confirm its sentences: no share of them could change the decision"
            )
        if call.stretch:
            parts.insert(
                0,
                f"read up to where the cut-off source ends (its first {len(paragraphs) - len(call.beyond)} "
                f"paragraphs; what follows draws on text the source does not hold)",
            )
        verdict = (
            f"{score:.2f} >= {high:g}: derives from the source"
            if derived
            else f"{score:.2f} < {low:g}: does not derive from the source"
            if derived is False
            else f"{low:g} <= {score:.2f} < {high:g}: undecided, each paragraph is judged on its own"
        )
        reason = "; ".join(parts) + f"; {verdict}"
    scorer = ev.scorer
    copied, novelty, new = ev.copied, ev.novelty, list(ev.new)
    cut, beyond = reading.cut, call.beyond
    return replace(
        alignment,
        derivation=Derivation(
            derived=derived,
            score=round(score, 4),
            retelling=retelling,
            copied=round(copied, 4),
            novelty=round(novelty, 4),
            new_specifics=tuple(dict.fromkeys(new))[:NEW_SPECIFICS_SHOWN],
            confirmed=None if share is None else round(share, 4),
            confirmed_by=scorer,
            source_cut=cut,
            beyond_source=beyond,
            reason=reason,
            sentences=(derived_sentences, source_sentences),
            wording=round(ev.wording, 4),
        ),
    )


def _beyond(alignment: Alignment, body: Sequence[Paragraph], source_sentences: int) -> tuple[int, ...]:
    """The derived paragraphs after the first one that reaches the last stretch (SOURCE_TAIL) of a cut-off source."""
    tail = source_sentences * (1.0 - SOURCE_TAIL) - 1
    position: dict[tuple[int, int], int] = {}
    for p in body:
        for si in range(len(p.sentences)):
            position[(p.index, si)] = len(position)
    paragraphs = alignment.paragraphs
    for k, a in enumerate(paragraphs):
        reach = [
            position[(link.source_paragraph, link.source_sentence)]
            for link in a.links
            if (link.source_paragraph, link.source_sentence) in position
        ]
        if reach and max(reach) >= tail:
            return tuple(b.index for b in paragraphs[k + 1 :])
    return ()


def _value(options: Mapping[str, Any], name: str, default: float) -> float:
    value = options.get(name)
    return default if value is None else float(value)
