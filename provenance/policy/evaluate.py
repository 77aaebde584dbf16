"""A repository's policy applied to audited articles: which fail, by how much, and because of which sources.

Licensed sources (the allowlist) never fail an article. Their reuse stays in the report, marked licensed, and in
the denominator of every share: for the policy it counts as the article's own material, so an article that is 90%
licensed wire copy and 5% copied from elsewhere has a `copy` of 0.05, not 0.5. With no licensed source involved,
the policy sees exactly the audit's verdict and shares.

Metrics over an audit (several sources per article): `copy`, `rewrite`, `added`, `derived` are shares of the
article's counted words; `coverage` is the largest share of one unlicensed source that the article reuses;
`uncredited` (attribution plugin) the largest share reused from one unlicensed source without a credit line.

A check run (`CheckRun`) is what `provenance check` found: the policy, every article's outcome, and the articles
that could not be read; the renderers write it (provenance/renderers/dispatch.py).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from provenance.assemble import decide_verdict
from provenance.model import AuditResult, Report
from provenance.policy.allowlist import Allowlist
from provenance.policy.failon import Measures, Threshold, uncredited_share


@dataclass(frozen=True, slots=True)
class Policy:
    fail_on: tuple[Threshold, ...] = ()
    allow: Allowlist = field(default_factory=Allowlist)


@dataclass(frozen=True, slots=True)
class SourceUse:
    """One indexed document an article was compared with, and what the article took from it."""

    id: str
    outlet: str
    url: str
    licensed_by: str | None  # the allowlist rule that licenses it, or None
    copy_words: int
    rewrite_words: int
    coverage: float  # share of the source's article words the derived article reuses
    uncredited: float  # reused share without a credit line (attribution plugin), 0 when none found

    @property
    def words(self) -> int:
        return self.copy_words + self.rewrite_words

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "outlet": self.outlet or None,
            "url": self.url or None,
            "licensed": self.licensed_by is not None,
            "licensed_by": self.licensed_by,
            "copy_words": self.copy_words,
            "rewrite_words": self.rewrite_words,
            "coverage": round(self.coverage, 4),
            "uncredited": round(self.uncredited, 4),
        }


@dataclass(frozen=True, slots=True)
class Failure:
    threshold: Threshold
    observed: float | str
    sources: tuple[str, ...]

    def describe(self) -> str:
        """`copy 0.42 > 0.3 from wire/a.txt`: the observed value first, shown precisely enough to differ."""
        t = self.threshold
        if t.metric == "verdict":
            text = f"fails {t.text}"
        else:
            text = f"{t.metric} {_shown(float(self.observed), float(t.value))} {t.op} {float(t.value):g}"  # type: ignore[arg-type]
        return text + (f" from {', '.join(self.sources)}" if self.sources else "")

    def to_dict(self) -> dict[str, Any]:
        t = self.threshold
        return {
            "expression": t.text,
            "origin": t.origin,
            "metric": t.metric,
            "observed": round(self.observed, 4) if isinstance(self.observed, float) else self.observed,
            "sources": list(self.sources),
        }


@dataclass(frozen=True, slots=True)
class ArticleOutcome:
    result: AuditResult
    sources: tuple[SourceUse, ...]
    measures: Measures  # what the policy sees: unlicensed reuse only
    failures: tuple[Failure, ...]
    errors: tuple[dict[str, str], ...] = ()  # detectors that failed in one of the comparisons

    @property
    def path(self) -> str:
        return self.result.derived

    @property
    def passed(self) -> bool:
        return not self.failures

    def line(self) -> str:
        """One line for a CI log: `path: verdict copy, copy 0.42 > 0.3 from wire/a.txt`."""
        licensed = [s.id for s in self.sources if s.licensed_by and s.words]
        tail = f" (licensed: {', '.join(licensed)})" if licensed else ""
        return f"{self.path}: verdict {self.result.verdict}, {'; '.join(f.describe() for f in self.failures)}{tail}"

    def to_dict(self) -> dict[str, Any]:
        m = self.measures
        return {
            "path": self.path,
            "passed": self.passed,
            "verdict": self.result.verdict,
            "shares": {k: round(v, 4) for k, v in self.result.shares.items()},
            "policy": {
                "verdict": m.verdict,
                "shares": {k: round(v, 4) for k, v in m.shares.items()},
                "coverage": round(m.coverage, 4),
                "uncredited": round(m.uncredited, 4),
            },
            "failures": [f.to_dict() for f in self.failures],
            "sources": [s.to_dict() for s in self.sources],
            "errors": list(self.errors),
            "audit": self.result.to_dict(full=False),
        }


CHECK_SCHEMA = "text-provenance/check/1"


@dataclass(frozen=True, slots=True)
class CheckRun:
    index: str
    policy: Policy
    settings: dict[str, Any]  # where the policy came from and the engine settings in effect
    outcomes: tuple[ArticleOutcome, ...]
    errors: tuple[str, ...]  # articles that could not be read

    @property
    def failed(self) -> tuple[ArticleOutcome, ...]:
        return tuple(o for o in self.outcomes if not o.passed)

    def reports(self) -> Iterator[tuple[ArticleOutcome, Report]]:
        """Each failing article's comparison with each unlicensed source it reuses, most reused first."""
        for o in self.failed:
            for use in o.sources:
                if use.licensed_by is None and use.words:
                    yield o, o.result.reports[use.id]

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema": CHECK_SCHEMA,
            "passed": not self.failed and not self.errors,
            "index": self.index,
            "policy": {
                "fail_on": [{"expression": t.text, "origin": t.origin} for t in self.policy.fail_on],
                "allow": self.policy.allow.to_dict(),
                **self.settings,
            },
            "summary": {
                "articles": len(self.outcomes),
                "failed": len(self.failed),
                "unreadable": len(self.errors),
            },
            "articles": [o.to_dict() for o in self.outcomes],
            "errors": list(self.errors),
        }


def evaluate(
    policy: Policy,
    result: AuditResult,
    metadata: Callable[[str], Mapping[str, str]],
    options: Mapping[str, Any],
) -> ArticleOutcome:
    """Apply the policy to one audited article. `metadata(id)` gives an indexed source's outlet and URL."""
    copy_words: dict[str, int] = defaultdict(int)
    rewrite_words: dict[str, int] = defaultdict(int)
    total = 0
    for p in result.paragraphs:
        if p.relation == "boilerplate" or not p.counted:
            continue
        total += p.words
        if p.source and p.relation == "copy":
            copy_words[p.source] += p.words
        elif p.source and p.relation == "rewrite":
            rewrite_words[p.source] += p.words

    uses: list[SourceUse] = []
    for doc_id, report in result.reports.items():
        meta = metadata(doc_id)
        uses.append(
            SourceUse(
                id=doc_id,
                outlet=meta.get("outlet") or meta.get("sitename") or "",
                url=meta.get("url", ""),
                licensed_by=policy.allow.match(doc_id, meta) if policy.allow else None,
                copy_words=copy_words.get(doc_id, 0),
                rewrite_words=rewrite_words.get(doc_id, 0),
                coverage=report.source_coverage,
                uncredited=uncredited_share(report.findings),
            )
        )
    uses.sort(key=lambda u: (-u.words, u.id))
    free = [u for u in uses if u.licensed_by is None]  # sources whose reuse the policy judges
    used = [u for u in free if u.words]

    if len(free) == len(uses):
        verdict, shares = result.verdict, dict(result.shares)
    else:
        copy = sum(u.copy_words for u in free) / total if total else 0.0
        rewrite = sum(u.rewrite_words for u in free) / total if total else 0.0
        shares = {"copy": copy, "rewrite": rewrite, "added": result.shares["added"]}
        traced = max((result.reports[u.id].metadata.get("traced_sentences", 0.0) for u in free), default=0.0)
        verdict = decide_verdict(
            {"copy": copy, "rewrite": rewrite, "added": 1.0 - copy - rewrite}, options, traced
        )
    measures = Measures(
        verdict,
        shares,
        max((u.coverage for u in used), default=0.0),
        max((u.uncredited for u in used), default=0.0),
    )

    failures = []
    for t in policy.fail_on:
        hit, _ = t.check_measures(measures)
        if hit:
            failures.append(Failure(t, t.observed(measures), _responsible(t.metric, used, measures)))
    errors = tuple({**e, "source": doc_id} for doc_id, r in result.reports.items() for e in r.errors)
    return ArticleOutcome(result, tuple(uses), measures, tuple(failures), errors)


def _responsible(metric: str, used: Sequence[SourceUse], m: Measures) -> tuple[str, ...]:
    """The unlicensed sources behind a metric's value, most reused first."""
    if metric == "added":
        return ()
    if metric == "copy":
        return tuple(u.id for u in used if u.copy_words)
    if metric == "rewrite":
        return tuple(u.id for u in used if u.rewrite_words)
    if metric == "coverage":
        return tuple(u.id for u in used if u.coverage == m.coverage)[:1]
    if metric == "uncredited":
        return tuple(u.id for u in used if u.uncredited > 0)
    return tuple(u.id for u in used)  # derived, verdict


def _shown(observed: float, limit: float) -> str:
    """2 decimals, or as many as it takes to tell the value from the limit it crossed (0.3001 > 0.3)."""
    for places in range(2, 7):
        text = f"{observed:.{places}f}".rstrip("0").rstrip(".") or "0"
        if float(text) != limit or observed == limit:
            return text
    return repr(observed)
