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

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from provenance.components import Option
from provenance.detectors.decisions import is_copy
from provenance.model import Alignment, Derivation
from provenance.rules import (
    CONFIRMED_WEIGHT,
    COPY_PASSAGE_WORDS,
    COPY_PROSE_THRESHOLD,
    COPY_THRESHOLD,
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
    COPIED_FROM: Option(
        DERIVED_COPIED,
        float,
        "share of the article's words in paragraphs copied from the source "
        "(quotations apart) from which it derives from the source whatever its score",
        0.0,
        2.0,
    ),
}


def assess(alignment: Alignment, options: Mapping[str, Any] | None = None) -> Alignment:
    """The alignment with `derivation` set."""
    paragraphs = alignment.paragraphs
    words = sum(a.words for a in paragraphs) or 1
    opts = options or {}
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
    specifics = sum(a.specifics for a in paragraphs)
    new = [x for a in paragraphs for x in a.new_specifics]
    novelty = len(new) / (
        specifics + NOVELTY_PRIOR
    )  # a few specifics say little: the prior keeps them from 100%
    judged = confirmed = 0
    scorer = None
    for a in paragraphs:
        for s in a.signals:
            if s.judged and scorer in (None, s.scorer):
                scorer = s.scorer
                judged += s.judged
                confirmed += s.confirmed
    share = confirmed / judged if judged else None
    retelling = alignment.retelling
    score = retelling.score - NOVELTY_WEIGHT * novelty + CONFIRMED_WEIGHT * (share or 0.0)
    body = [p for p in alignment.source.paragraphs if not p.is_boilerplate]
    derived_sentences = sum(a.sentences for a in paragraphs)
    source_sentences = sum(len(p.sentences) for p in body)
    placed = [a for a in paragraphs if a.translated is not None]
    anchors = sum(len(a.translated or ()) for a in placed)
    if (
        alignment.languages is not None
        and anchors >= TRANSLATION_ANCHORS
        and sum(a.words for a in placed) / words >= TRANSLATION_PLACED
        and (alignment.unshared or 0.0) <= TRANSLATION_NOVELTY
    ):
        src_lang, der_lang = alignment.languages
        derived: bool | None = True
        reason = (
            f"a translation ({src_lang} \u2192 {der_lang}): {anchors} names and figures shared in the "
            f"source's order place {len(placed)} of its {len(paragraphs)} paragraphs, and one of the two holds "
            f"few names and figures the other lacks ({alignment.unshared or 0.0:.0%})"
        )
    elif derived_sentences < DERIVED_MIN_SENTENCES or source_sentences < DERIVED_MIN_SENTENCES:
        derived = None
        reason = "too short to judge the article as a whole: each paragraph is judged on its own"
    elif copied >= float(opts.get(COPIED_FROM, DERIVED_COPIED)):
        derived, reason = True, f"{copied:.0%} of its words are in paragraphs copied from the source"
    else:
        judging = share is not None
        high = _value(opts, DERIVED_FROM, DERIVED_SCORE_JUDGED if judging else DERIVED_SCORE)
        low = min(
            high, _value(opts, INDEPENDENT_BELOW, INDEPENDENT_SCORE_JUDGED if judging else INDEPENDENT_SCORE)
        )
        derived = True if score >= high else False if score < low else None
        parts = [
            f"retells {len(retelling.sentences)} of its {derived_sentences} sentences in the source's order "
            f"(score {retelling.score:.2f})",
            f"{novelty:.0%} of its names and figures are not in the source",
        ]
        if share is not None:
            parts.append(f"{scorer} confirms {share:.0%} of its sentences")
        verdict = (
            f"{score:.2f} >= {high:g}: derives from the source"
            if derived
            else f"{score:.2f} < {low:g}: does not derive from the source"
            if derived is False
            else f"{low:g} <= {score:.2f} < {high:g}: undecided, each paragraph is judged on its own"
        )
        reason = "; ".join(parts) + f"; {verdict}"
    cut = bool(body) and is_cut_off(body[-1])
    beyond: tuple[int, ...] = ()
    if cut and derived:
        tail = source_sentences * (1.0 - SOURCE_TAIL) - 1
        position: dict[tuple[int, int], int] = {}
        for p in body:
            for si in range(len(p.sentences)):
                position[(p.index, si)] = len(position)
        for k, a in enumerate(paragraphs):
            reach = [
                position[(link.source_paragraph, link.source_sentence)]
                for link in a.links
                if (link.source_paragraph, link.source_sentence) in position
            ]
            if reach and max(reach) >= tail:
                beyond = tuple(b.index for b in paragraphs[k + 1 :])
                break
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
        ),
    )


def _value(options: Mapping[str, Any], name: str, default: float) -> float:
    value = options.get(name)
    return default if value is None else float(value)
