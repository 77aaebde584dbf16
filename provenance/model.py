"""The data that travels down the pipeline: plain, immutable, JSON-friendly.

Every stage takes these and returns new ones, so a detector or renderer can never change what another one sees,
and a report can be rebuilt from its JSON alone.
"""

from __future__ import annotations

import json
from bisect import bisect_left
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, NamedTuple, NoReturn

Relation = Literal["copy", "rewrite", "added", "boilerplate"]
Verdict = Literal["copy", "rewrite", "partial", "independent"]
SourceRelation = Literal["copied", "rewritten", "omitted", "boilerplate"]
Role = Literal["body", "heading", "boilerplate"]

RELATIONS: tuple[str, ...] = ("copy", "rewrite", "added", "boilerplate")
REPORT_SCHEMA = "text-provenance/report/1"
AUDIT_SCHEMA = "text-provenance/audit/1"


# Immutability all the way down ------------------------------------------------------------------------------------
# A frozen dataclass only stops its own attributes from being reassigned; a dict inside it could still be changed by
# any plugin. Mappings and lists given to the types below are frozen on construction into these read-only
# subclasses, which compare, iterate and serialise to JSON exactly as the plain ones do.


def _read_only(self: Any, *_args: Any, **_kwargs: Any) -> NoReturn:
    raise TypeError(f"{type(self).__name__} is read-only: build a new value instead")


class FrozenDict(dict[str, Any]):
    """A dict that cannot be changed after it is built."""

    __slots__ = ()
    __setitem__ = __delitem__ = clear = pop = popitem = setdefault = update = __ior__ = _read_only

    def __hash__(self) -> int:  # type: ignore[override]
        return hash(tuple(sorted(self.items(), key=lambda kv: kv[0])))

    def __reduce__(self) -> Any:  # pickled (worker processes) as the plain dict it freezes again from
        return (FrozenDict, (dict(self),))


class FrozenList(list[Any]):
    """A list that cannot be changed after it is built."""

    __slots__ = ()
    __setitem__ = __delitem__ = __iadd__ = __imul__ = append = clear = extend = insert = pop = remove = (
        _read_only
    )
    reverse = sort = _read_only

    def __hash__(self) -> int:  # type: ignore[override]
        return hash(tuple(self))

    def __reduce__(self) -> Any:
        return (FrozenList, (list(self),))


_PLAIN = frozenset(
    {str, int, float, bool, type(None)}
)  # exactly these types: nothing inside to freeze or thaw


def freeze(value: Any) -> Any:
    """`value` with every mapping and list inside it made read-only (tuples keep their items frozen too)."""
    kind = type(value)  # exact types first: the abstract Mapping test is slow and reports hold many values
    if kind in _SETTLED:
        return value
    if kind is dict:
        return FrozenDict({k: v if type(v) in _SETTLED else freeze(v) for k, v in value.items()})
    if kind is list:
        return FrozenList([v if type(v) in _SETTLED else freeze(v) for v in value])
    if isinstance(value, FrozenDict | FrozenList):
        return value
    if isinstance(value, Mapping):
        return FrozenDict({k: freeze(v) for k, v in value.items()})
    if isinstance(value, list):
        return FrozenList(freeze(v) for v in value)
    if isinstance(value, tuple) and any(isinstance(v, Mapping | list) for v in value):
        return tuple(freeze(v) for v in value)
    return value


_SETTLED = _PLAIN | {FrozenDict, FrozenList}  # exactly these types: returned by `freeze` as they are


def thaw(value: Any) -> Any:
    """A plain, mutable copy of a frozen value (what `to_dict` hands out: the caller may change it freely)."""
    if type(value) in _PLAIN:
        return value
    if isinstance(value, Mapping):
        return {k: thaw(v) for k, v in value.items()}
    if isinstance(value, list):
        return [thaw(v) for v in value]
    if isinstance(value, tuple) and any(isinstance(v, Mapping | list) for v in value):
        return tuple(thaw(v) for v in value)
    return value


def _freeze_fields(obj: Any, *names: str) -> None:
    for name in names:
        object.__setattr__(obj, name, freeze(getattr(obj, name)))


# Text ---------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Block:
    """A block of text as an extractor found it: a blank-line block, an HTML block element, a list item."""

    text: str
    start_line: int | None = None
    end_line: int | None = None
    tag: str = "p"


@dataclass(frozen=True, slots=True)
class Extracted:
    """What an extractor returns: ordered blocks plus whatever metadata the format carries (title, url, outlet)."""

    blocks: tuple[Block, ...]
    format: str
    metadata: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        _freeze_fields(self, "metadata")


class Token(NamedTuple):
    """A word, number, acronym or CJK character with its offsets into the paragraph text.

    `norm` is the case-folded comparison form; `content` is the stem used for meaning (empty for stopwords).
    A named tuple rather than a frozen dataclass: an article has one per word, and a tuple is made about ten times
    faster (a frozen dataclass sets each field through `object.__setattr__`); it is as immutable.
    """

    norm: str
    start: int
    end: int
    kind: str  # "w" word, "n" number, "a" acronym, "c" CJK character
    content: str
    capital: bool


@dataclass(frozen=True, slots=True)
class Sentence:
    """A sentence as character offsets into its paragraph's text."""

    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Paragraph:
    """One paragraph of an article with its sentences, its tokens (computed once, when the article is segmented:
    no later step tokenises again) and its role on the page."""

    index: int
    text: str
    sentences: tuple[Sentence, ...]
    tokens: tuple[Token, ...] = ()
    words: int = (
        0  # words as the shares count them (provenance.text.tokenize.count_words): each CJK character is one
    )
    start_line: int | None = None
    end_line: int | None = None
    tag: str = "p"
    from_line_block: bool = False
    role: Role = "body"
    role_reason: str = ""

    @property
    def is_boilerplate(self) -> bool:
        return self.role == "boilerplate"

    def with_role(self, role: Role, reason: str) -> Paragraph:
        """This paragraph with its role on the page: `dataclasses.replace(self, role=role, role_reason=reason)`,
        without its look-up of every field by name (made once per paragraph of every document); the paragraph
        itself when it has that role already (most paragraphs are body text, the role they are made with)."""
        if role == self.role and reason == self.role_reason:
            return self
        return Paragraph(
            self.index,
            self.text,
            self.sentences,
            self.tokens,
            self.words,
            self.start_line,
            self.end_line,
            self.tag,
            self.from_line_block,
            role,
            reason,
        )

    def sentence_text(self, i: int) -> str:
        s = self.sentences[i]
        return self.text[s.start : s.end]

    def sentence_of_tokens(self) -> tuple[int, ...]:
        """For each token, the index of the sentence it sits in: how many sentences after the first start at or
        before it. Tokens and sentences are in text order, so each sentence's tokens are one run, found by one
        bisection per sentence rather than one per token."""
        if len(self.sentences) == 1:
            return (0,) * len(self.tokens)
        token_starts = [t.start for t in self.tokens]
        cuts = [bisect_left(token_starts, s.start) for s in self.sentences[1:]]
        out = [0] * cuts[0]
        for k, (lo, hi) in enumerate(zip(cuts, [*cuts[1:], len(token_starts)]), start=1):
            out += [k] * (hi - lo)
        return tuple(out)

    def tokens_by_sentence(self) -> tuple[tuple[Token, ...], ...]:
        """Each sentence's tokens, in one pass over the paragraph (a token between sentences belongs to none)."""
        out: list[list[Token]] = [[] for _ in self.sentences]
        for t, i in zip(self.tokens, self.sentence_of_tokens()):
            s = self.sentences[i]
            if s.start <= t.start < s.end:
                out[i].append(t)
        return tuple(tuple(ts) for ts in out)


@dataclass(frozen=True, slots=True)
class Document:
    """A segmented article: its paragraphs (boilerplate included, marked by role) and metadata."""

    name: str
    format: str
    paragraphs: tuple[Paragraph, ...]
    metadata: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        _freeze_fields(self, "metadata")

    @property
    def body(self) -> tuple[Paragraph, ...]:
        return tuple(p for p in self.paragraphs if not p.is_boilerplate)


# Alignment: computed once (provenance/align, provenance/signals), read by detectors ---------------------------------


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
    chain: int = (
        0  # whole comparison: derived sentences matched (>= the scorer's `match`) in the source's order
    )
    similarity: float = 0.0  # like `score`, from the scorer's first reading only (never moved by its judge)
    derived_threshold: float = (
        0.0  # the similarity that makes a rewrite inside an article that derives as a whole
    )
    judged: int = (
        0  # sentences of the paragraph the scorer's judge read (a scorer that judges: see components)
    )
    confirmed: int = (
        0  # ... of which it reads as saying what their closest source sentence says (>= threshold)
    )
    unconfirmed: bool = False  # a scorer that judges, not asked to confirm: it could not change the decision


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
    minhash: Mapping[str, float] = field(default_factory=dict)
    specifics: int = 0  # names, figures and acronyms in the paragraph (provenance/align/specifics.py)
    new_specifics: tuple[str, ...] = ()  # ... of which the source has none anywhere
    translated: tuple[str, ...] | None = (
        None  # in a translation: the specifics that place it (empty: by order)
    )
    in_order: bool | None = (
        None  # its source sentences sit between those of its anchored neighbours (None: no
    )
    # window, fewer than two anchors)
    order_inferred: bool = False
    order_gap: tuple[int, ...] = ()
    signals: tuple[Signal, ...] = ()  # one per scorer plugin that ran; empty without scorers

    def __post_init__(self) -> None:
        _freeze_fields(self, "minhash")

    def signal(self, scorer: str) -> Signal | None:
        return next((s for s in self.signals if s.scorer == scorer), None)


@dataclass(frozen=True, slots=True)
class RetoldSentence:
    """One step of the ordered retelling: a derived sentence and the source sentence it retells."""

    paragraph: int
    sentence: int
    source_paragraph: int
    source_sentence: int
    similarity: float


@dataclass(frozen=True, slots=True)
class Retelling:
    """The best ordered alignment of the derived article's sentences with the source's (a local alignment, as
    text-reuse aligners score passages): its score and the sentences on its path."""

    score: float
    sentences: tuple[RetoldSentence, ...] = ()


@dataclass(frozen=True, slots=True)
class Derivation:
    """Whether the derived article as a whole derives from the source, and the evidence (provenance/align/
    derivation.py). Two reports of one event share names, figures and quotes; what a derived article has besides is
    the source's sentences retold in the source's order, few specifics of its own, wording copied outside quotes,
    and (with a scorer that judges meaning) sentences that say what source sentences say.

    `derived` is None when either article is too short to tell: each paragraph is then judged on its own evidence.
    `beyond_source` are derived paragraphs that come after the point where a cut-off source ends: what they derive
    from is not in the source text, so they are left out of the shares and the verdict.
    """

    derived: bool | None
    score: float
    retelling: Retelling
    copied: float  # share of the article's words in paragraphs whose wording is the source's
    novelty: float  # share of the article's names and figures that the source lacks
    new_specifics: tuple[str, ...] = ()  # the first of those, for the report
    confirmed: float | None = None  # share of sentences a scorer's judge confirms (None: no judging scorer)
    confirmed_by: str | None = None
    source_cut: bool = False
    beyond_source: tuple[int, ...] = ()
    reason: str = ""
    sentences: tuple[int, int] = (0, 0)  # body sentences of the derived article and of the source
    # share of the article's words, quotations apart, in runs of words shared with the source (in any paragraph)
    wording: float = 0.0


JOIN_CHUNKS = 65536  # pieces of JSON text joined at a time by `dumps`


def dumps(value: Any, indent: int | None = 2) -> str:
    """`json.dumps(value, ensure_ascii=False, indent=indent)`, the same text, without its list of every piece:
    with an indent, json joins a list of one small string per key and value, which for a report of 200,000
    paragraphs held a gigabyte; here pieces are joined as they come."""
    parts: list[str] = []
    pending: list[str] = []
    for piece in json.JSONEncoder(ensure_ascii=False, indent=indent).iterencode(value):
        pending.append(piece)
        if len(pending) >= JOIN_CHUNKS:
            parts.append("".join(pending))
            pending = []
    parts.append("".join(pending))
    return "".join(parts)


@dataclass(frozen=True, slots=True)
class Limit:
    """A bound on a comparison's work that this comparison reached: of `total` items only `kept` were read
    (provenance/rules.py names each bound and why). Reported as `metadata.limits` and a one-line note."""

    name: str  # e.g. "scored_sentences"
    kept: int
    total: int
    note: str  # one line: what was left out and what judged it instead

    def to_dict(self) -> dict[str, Any]:
        return {"kept": self.kept, "total": self.total, "note": self.note}


@dataclass(frozen=True, slots=True)
class Alignment:
    source: Document
    derived: Document
    paragraphs: tuple[ParagraphAlignment, ...]  # one per derived paragraph that is not boilerplate
    source_sentence_words: tuple[tuple[int, ...], ...]  # per source paragraph: words per sentence
    retelling: Retelling = Retelling(0.0)
    derivation: Derivation | None = None  # set by provenance/derivation.py, after the scorers
    languages: tuple[str, str] | None = None  # the source's and the derived article's, when they differ
    # bounds on the work that this comparison reached (empty for normal articles)
    limits: tuple[Limit, ...] = ()
    # when the languages differ: the lower of the shares of names and figures one article holds and the other
    # lacks (provenance/align/translation.py, `Placed`)
    unshared: float | None = None

    def for_paragraph(self, index: int) -> ParagraphAlignment | None:
        for p in self.paragraphs:
            if p.index == index:
                return p
        return None


# Findings and reports ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Finding:
    """One detector's claim about one derived paragraph.

    A finding with a `relation` competes for the paragraph's label; one without (relation None) is an annotation,
    such as a changed figure or a missing credit, shown alongside the label.
    """

    detector: str
    paragraph: int
    relation: str | None
    score: float
    sources: tuple[int, ...] = ()
    evidence: Mapping[str, Any] = field(default_factory=dict)
    message: str = ""
    kind: str = ""

    def __post_init__(self) -> None:
        _freeze_fields(self, "evidence")

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "detector": self.detector,
            "kind": self.kind or (self.relation or "note"),
            "paragraph": self.paragraph,
            "score": round(self.score, 4),
            "sources": list(self.sources),
            "message": self.message,
            "evidence": thaw(self.evidence),
        }
        if self.relation is not None:
            d["relation"] = self.relation
        return d

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Finding:
        """The finding `to_dict` wrote."""
        return cls(
            detector=d["detector"],
            paragraph=d["paragraph"],
            relation=d.get("relation"),
            score=d["score"],
            sources=tuple(d["sources"]),
            evidence=d["evidence"],
            message=d["message"],
            kind=d["kind"],
        )


def _lines(d: Mapping[str, Any]) -> tuple[int | None, int | None]:
    """`lines` as `to_dict` writes it: `[first, last]` or null."""
    lines = d["lines"]
    return (None, None) if lines is None else (lines[0], lines[1])


@dataclass(frozen=True, slots=True)
class ParagraphResult:
    index: int
    text: str
    relation: str
    sources: tuple[int, ...]
    score: float
    evidence: Mapping[str, Any]
    start_line: int | None = None
    end_line: int | None = None
    words: int = 0

    def __post_init__(self) -> None:
        _freeze_fields(self, "evidence")

    def to_dict(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "text": self.text,
            "relation": self.relation,
            "sources": list(self.sources),
            "score": round(self.score, 4),
            "words": self.words,
            "lines": [self.start_line, self.end_line] if self.start_line is not None else None,
            "evidence": thaw(self.evidence),
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> ParagraphResult:
        """The paragraph `to_dict` wrote."""
        start, end = _lines(d)
        return cls(
            index=d["index"],
            text=d["text"],
            relation=d["relation"],
            sources=tuple(d["sources"]),
            score=d["score"],
            evidence=d["evidence"],
            start_line=start,
            end_line=end,
            words=d["words"],
        )


@dataclass(frozen=True, slots=True)
class SourceParagraphResult:
    index: int
    text: str
    relation: str
    reused: bool
    reused_by: tuple[int, ...] = ()
    words: int = 0
    start_line: int | None = None
    end_line: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "text": self.text,
            "relation": self.relation,
            "reused": self.reused,
            "reused_by": list(self.reused_by),
            "words": self.words,
            "lines": [self.start_line, self.end_line] if self.start_line is not None else None,
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> SourceParagraphResult:
        """The source paragraph `to_dict` wrote."""
        start, end = _lines(d)
        return cls(
            index=d["index"],
            text=d["text"],
            relation=d["relation"],
            reused=d["reused"],
            reused_by=tuple(d["reused_by"]),
            words=d["words"],
            start_line=start,
            end_line=end,
        )


@dataclass(frozen=True, slots=True)
class Report:
    """The single source of truth every renderer reads; `to_dict()` is the documented JSON schema."""

    source: str
    derived: str
    verdict: str
    shares: Mapping[str, float]
    source_coverage: float
    paragraphs: tuple[ParagraphResult, ...]
    source_paragraphs: tuple[SourceParagraphResult, ...]
    parameters: Mapping[str, Any]
    findings: tuple[Finding, ...] = ()
    errors: tuple[Mapping[str, str], ...] = ()
    metadata: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        _freeze_fields(self, "shares", "parameters", "errors", "metadata")

    @property
    def omitted(self) -> tuple[SourceParagraphResult, ...]:
        return tuple(p for p in self.source_paragraphs if p.relation == "omitted")

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema": REPORT_SCHEMA,
            "source": self.source,
            "derived": self.derived,
            "verdict": self.verdict,
            "shares": {k: round(v, 4) for k, v in self.shares.items()},
            "source_coverage": round(self.source_coverage, 4),
            "paragraphs": [p.to_dict() for p in self.paragraphs],
            "source_paragraphs": [p.to_dict() for p in self.source_paragraphs],
            "omitted": [p.index for p in self.omitted],
            "findings": [f.to_dict() for f in self.findings],
            "errors": [thaw(e) for e in self.errors],
            "metadata": thaw(self.metadata),
            "parameters": thaw(self.parameters),
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Report:
        """The report `to_dict` wrote (`compare --format json`), read back: `to_dict` of the result is `d` again.
        A document of another schema is refused (ValueError); a missing field is a KeyError."""
        _check_schema(d, REPORT_SCHEMA)
        return cls(
            source=d["source"],
            derived=d["derived"],
            verdict=d["verdict"],
            shares=d["shares"],
            source_coverage=d["source_coverage"],
            paragraphs=tuple(ParagraphResult.from_dict(p) for p in d["paragraphs"]),
            source_paragraphs=tuple(SourceParagraphResult.from_dict(p) for p in d["source_paragraphs"]),
            parameters=d["parameters"],
            findings=tuple(Finding.from_dict(f) for f in d["findings"]),
            errors=tuple(d["errors"]),
            metadata=d["metadata"],
        )

    def to_json(self, indent: int | None = 2) -> str:
        return dumps(self.to_dict(), indent)


def _check_schema(d: Mapping[str, Any], schema: str) -> None:
    if not isinstance(d, Mapping):
        raise ValueError(f"expected a {schema} object, not a JSON {type(d).__name__}")
    if d.get("schema") != schema:
        raise ValueError(f"schema {d.get('schema')!r}, expected {schema!r}")


# Audits: one article against the sources an index finds for it -----------------------------------------------------


@dataclass(frozen=True, slots=True)
class AuditParagraph:
    """One paragraph of an audited article, attributed to the source whose comparison gives it its strongest claim."""

    index: int
    relation: str
    source: str | None  # the indexed document it is attributed to (copy and rewrite only)
    sources: tuple[int, ...]  # paragraphs of that document
    score: float
    words: int
    counted: bool = True  # False: shorter than paragraph.min_words, left out of the shares and the verdict
    own: bool = (
        False  # added, with names or figures none of the compared sources has (assemble.is_own_reporting)
    )

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "index": self.index,
            "relation": self.relation,
            "source": self.source,
            "sources": list(self.sources),
            "score": round(self.score, 4),
            "words": self.words,
        }
        if not self.counted and self.relation != "boilerplate":
            d["counted"] = False
        return d

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> AuditParagraph:
        """The paragraph `to_dict` wrote. `own` is not written (it is read only while the verdict is decided), so
        it comes back False."""
        return cls(
            index=d["index"],
            relation=d["relation"],
            source=d["source"],
            sources=tuple(d["sources"]),
            score=d["score"],
            words=d["words"],
            counted=d.get("counted", True),
        )


@dataclass(frozen=True, slots=True)
class AuditResult:
    """What `audit` says of one article: its verdict and shares over all its sources, and the comparison with each."""

    derived: str
    verdict: str
    shares: Mapping[str, float]
    sources: tuple[str, ...]  # documents that at least one paragraph is attributed to, by words attributed
    candidates: tuple[tuple[str, float], ...]  # retrieved documents and their retrieval scores
    paragraphs: tuple[AuditParagraph, ...]
    reports: Mapping[str, Report] = field(default_factory=dict)

    def __post_init__(self) -> None:
        _freeze_fields(self, "shares", "reports")

    def to_dict(self, *, full: bool = True) -> dict[str, Any]:
        d: dict[str, Any] = {
            "schema": AUDIT_SCHEMA,
            "derived": self.derived,
            "verdict": self.verdict,
            "shares": {k: round(v, 4) for k, v in self.shares.items()},
            "sources": list(self.sources),
            "candidates": [{"id": doc, "score": round(s, 4)} for doc, s in self.candidates],
            "paragraphs": [p.to_dict() for p in self.paragraphs],
        }
        if full:
            d["reports"] = {doc: r.to_dict() for doc, r in self.reports.items()}
        return d

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> AuditResult:
        """The result `to_dict` wrote (a line of `audit --format jsonl`), read back with its reports (none when it
        was written without them). A document of another schema is refused (ValueError)."""
        _check_schema(d, AUDIT_SCHEMA)
        return cls(
            derived=d["derived"],
            verdict=d["verdict"],
            shares=d["shares"],
            sources=tuple(d["sources"]),
            candidates=tuple((c["id"], c["score"]) for c in d["candidates"]),
            paragraphs=tuple(AuditParagraph.from_dict(p) for p in d["paragraphs"]),
            reports={doc: Report.from_dict(r) for doc, r in d.get("reports", {}).items()},
        )


# Lineage: the derivation graph of one story across many versions (provenance/lineage.py) --------------------------

LINEAGE_SCHEMA = "text-provenance/lineage/1"


@dataclass(frozen=True, slots=True)
class LineageNode:
    """One version of the story. `published`: an ISO date the page states (metadata, JSON-LD, a dateline), or None;
    `published_from` says where it was read ("metadata", "dateline", "metadata+dateline")."""

    id: str
    words: int
    published: str | None = None
    published_from: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "words": self.words,
            "published": self.published,
            "published_from": self.published_from or None,
        }


@dataclass(frozen=True, slots=True)
class LineageEdge:
    """An edge "`child` derives from `parent`": `relation` (copy / rewrite / partial) and `shares` are those of the pair
    report comparing the child with the parent; `coverage` is the share of the parent reused. `confidence` is how
    strongly the two are linked (0..1); `direction` is "decided" or "undecided" (the evidence does not tell which of
    the two came first: the edge is then drawn from `parent` only because the graph needs one), with
    `direction_confidence` (0..1). `evidence` holds one line per fact the decision used."""

    parent: str
    child: str
    relation: str
    shares: Mapping[str, float]
    coverage: float
    confidence: float
    direction: str
    direction_confidence: float
    evidence: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        _freeze_fields(self, "shares")

    def to_dict(self) -> dict[str, Any]:
        return {
            "parent": self.parent,
            "child": self.child,
            "relation": self.relation,
            "shares": {k: round(v, 4) for k, v in self.shares.items()},
            "coverage": round(self.coverage, 4),
            "confidence": round(self.confidence, 4),
            "direction": self.direction,
            "direction_confidence": round(self.direction_confidence, 4),
            "evidence": list(self.evidence),
        }


@dataclass(frozen=True, slots=True)
class Lineage:
    """The derivation graph of a set of versions: a forest. `roots` are versions with no parent that others derive
    from (originals); `independent` are versions linked to none. `reports` holds the pair report of each edge, keyed
    "parent\\x00child" (`report_of`)."""

    nodes: tuple[LineageNode, ...]
    edges: tuple[LineageEdge, ...]
    roots: tuple[str, ...]
    independent: tuple[str, ...]
    parameters: Mapping[str, Any] = field(default_factory=dict)
    reports: Mapping[str, Report] = field(default_factory=dict)
    errors: tuple[str, ...] = ()  # one line per input that could not be read

    def __post_init__(self) -> None:
        _freeze_fields(self, "parameters", "reports")

    def report_of(self, edge: LineageEdge) -> Report | None:
        return self.reports.get(f"{edge.parent}\x00{edge.child}")

    def parent_of(self, node: str) -> str | None:
        return next((e.parent for e in self.edges if e.child == node), None)

    def to_dict(self, *, full: bool = False) -> dict[str, Any]:
        d: dict[str, Any] = {
            "schema": LINEAGE_SCHEMA,
            "nodes": [n.to_dict() for n in self.nodes],
            "edges": [e.to_dict() for e in self.edges],
            "roots": list(self.roots),
            "independent": list(self.independent),
            "errors": list(self.errors),
            "parameters": thaw(self.parameters),
        }
        if full:
            d["reports"] = [
                {"parent": e.parent, "child": e.child, "report": r.to_dict()}
                for e in self.edges
                if (r := self.report_of(e)) is not None
            ]
        return d

    def to_json(self, indent: int | None = 2, *, full: bool = False) -> str:
        return dumps(self.to_dict(full=full), indent)
