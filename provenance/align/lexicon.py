"""Word classes the content view treats as one word: the verbs that report speech.

News rewriting swaps reporting verbs freely ("said" / "stated" / "told reporters" / "reiterated"), so a rewrite
that keeps every fact can share none of them with its source, and a source sentence whose only distinctive word is
"announced" should match a rewrite that says "confirmed". The text-reuse literature normalises such verbs (or drops
them) before comparing content. Here they become one content word, so they count as shared wherever either text
reports speech; how much they weigh still follows align.py's rules, and since nearly every news sentence reports
speech, the source-wide specificity discount keeps the class from pulling sentences together by itself.

Kept apart from provenance/text.py on purpose: tokenising stays one thing, and this is a choice of the aligner.
"""

from __future__ import annotations

from collections.abc import Sequence

from provenance.model import Token

REPORTING_CLASS = "\x00report"  # cannot collide with a real stem

_REPORTING_VERBS = """
say says said saying tell tells told telling state stated stating announce announces announced announcing
report reported reporting note notes noted noting add adds added adding explain explains explained explaining
confirm confirms confirmed confirming reveal reveals revealed revealing reiterate reiterates reiterated reiterating
respond responds responded responding reply replies replied replying claim claims claimed claiming insist insists
insisted insisting argue argues argued arguing warn warns warned warning acknowledge acknowledges acknowledged
acknowledging declare declares declared declaring remark remarks remarked remarking comment comments commented
commenting assert asserts asserted asserting stress stresses stressed stressing emphasise emphasises emphasised
emphasising emphasize emphasizes emphasized emphasizing
"""
# "state", "report", "note", "claim", "comment", "stress" and "warning" are nouns at least as often as verbs: only
# their verb forms that cannot be nouns are kept.
_NOUN_TOO = {
    "state",
    "report",
    "note",
    "notes",
    "claim",
    "claims",
    "comment",
    "comments",
    "stress",
    "warning",
    "reports",
    "remark",
    "remarks",
    "add",
    "adds",
}
REPORTING_VERBS = frozenset(_REPORTING_VERBS.split()) - _NOUN_TOO


def content_class(norm: str, stem: str) -> str:
    """The content word a token stands for in the content view: its class, if it has one, else its stem."""
    if norm in REPORTING_VERBS:
        return REPORTING_CLASS
    return stem


def content_classes(tokens: Sequence[Token]) -> list[str]:
    """`content_class` of each token, in one comprehension (no call per token)."""
    return [REPORTING_CLASS if t.norm in REPORTING_VERBS else t.content for t in tokens]
