"""Fail-on expressions: the CI gate. `copy>0.5`, `added<=0.1`, `coverage>=0.8`, `verdict=copy`,
`verdict=copy|rewrite`, `uncredited>0`. Metrics are shares in 0..1; percentages such as `copy>50%` are accepted too.

They live here, outside the CLI, because the same expressions come from `--fail-on` and from the `fail-on` list of
a policy file (provenance/config.py), and `provenance check` evaluates them on audit results (provenance/policy.py).
"""

from __future__ import annotations

import operator
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from provenance.errors import UsageError

METRICS = ("copy", "rewrite", "added", "derived", "coverage", "uncredited")
VERDICTS = ("copy", "rewrite", "partial", "independent")
# Metrics that only a plugin can measure: the metric, the detector that must be enabled, and where to get it.
PLUGIN_METRICS = {
    "uncredited": ("attribution", "provenance-attribution (pip install ./plugins/provenance-attribution)")
}
UNCREDITED_KIND = "uncredited-reuse"  # the attribution plugin's finding for reuse without a credit line

_OPS = {
    ">=": operator.ge,
    "<=": operator.le,
    "!=": operator.ne,
    ">": operator.gt,
    "<": operator.lt,
    "==": operator.eq,
    "=": operator.eq,
}
_EXPR = re.compile(r"^\s*([a-z_]+)\s*(>=|<=|!=|==|>|<|=)\s*([^\s]+)\s*$")


@dataclass(frozen=True, slots=True)
class Measures:
    """What a threshold can look at, for one compared or audited article."""

    verdict: str
    shares: Mapping[str, float]
    coverage: float
    uncredited: float = 0.0  # reused share without a credit line (attribution plugin); 0 when it found none


@dataclass(frozen=True, slots=True)
class Threshold:
    text: str
    metric: str
    op: str
    value: float | tuple[str, ...]
    origin: str = "--fail-on"  # where it was written: the option, or a policy file and key

    def check(self, report: Any) -> tuple[bool, str]:
        """Whether a Report crosses this threshold, and the observed value."""
        return self.check_measures(measures_of_report(report))

    def check_values(
        self, verdict: str, shares: Mapping[str, float], coverage: float, uncredited: float = 0.0
    ) -> tuple[bool, str]:
        return self.check_measures(Measures(verdict, shares, coverage, uncredited))

    def check_measures(self, m: Measures) -> tuple[bool, str]:
        if self.metric == "verdict":
            hit = m.verdict in self.value  # type: ignore[operator]
            return (hit if self.op in ("=", "==") else not hit), m.verdict
        observed = metric_value(m, self.metric)
        return _OPS[self.op](observed, self.value), f"{observed:.3f}"

    def observed(self, m: Measures) -> float | str:
        return m.verdict if self.metric == "verdict" else metric_value(m, self.metric)


def metric_value(m: Measures, metric: str) -> float:
    if metric == "coverage":
        return m.coverage
    if metric == "uncredited":
        return m.uncredited
    if metric == "derived":
        return m.shares["copy"] + m.shares["rewrite"]
    return m.shares[metric]


def uncredited_share(findings: Iterable[Any]) -> float:
    """The largest reused share the attribution plugin flagged as uncredited (0 when it flagged none)."""
    return max(
        (f.score for f in findings if f.detector == "attribution" and f.kind == UNCREDITED_KIND), default=0.0
    )


def measures_of_report(report: Any) -> Measures:
    return Measures(report.verdict, report.shares, report.source_coverage, uncredited_share(report.findings))


def parse(expr: str, where: str | None = None) -> Threshold:
    """One expression; `where` names its origin in errors (default `--fail-on`)."""
    origin = where or "--fail-on"
    at = f"{origin} {expr!r}"
    m = _EXPR.match(expr)
    if not m:
        raise UsageError(f"{at}: expected METRIC OP VALUE such as copy>0.5, verdict=copy or uncredited>0")
    metric, op, raw = m.groups()
    if metric == "verdict":
        if op not in ("=", "==", "!="):
            raise UsageError(f"{at}: verdicts compare with = or !=")
        values = tuple(v.strip() for v in raw.split("|"))
        bad = [v for v in values if v not in VERDICTS]
        if bad:
            raise UsageError(f"{at}: unknown verdict {bad[0]!r} (one of {', '.join(VERDICTS)})")
        return Threshold(expr, metric, op, values, origin)
    if metric not in METRICS:
        raise UsageError(f"{at}: unknown metric {metric!r} (one of {', '.join((*METRICS, 'verdict'))})")
    try:
        value = float(raw[:-1]) / 100 if raw.endswith("%") else float(raw)
    except ValueError:
        raise UsageError(f"{at}: {raw!r} is not a number") from None
    if not 0.0 <= value <= 1.0:
        raise UsageError(f"{at}: shares are between 0 and 1 (or 0% and 100%)")
    return Threshold(expr, metric, op, value, origin)


def require_plugins(thresholds: Iterable[Threshold], host: Any) -> None:
    """A metric only a plugin measures, asked for without that plugin, is a usage error: never a silent pass."""
    enabled = {d.name for _, d in host.detectors()}
    for t in thresholds:
        need = PLUGIN_METRICS.get(t.metric)
        if need and need[0] not in enabled:
            raise UsageError(
                f"{t.origin} {t.text!r}: the {t.metric!r} metric needs the {need[0]!r} detector of "
                f"{need[1]}, which is not installed or is disabled"
            )
