"""`--fail-on` expressions: the CI gate. `copy>0.5`, `added<=0.1`, `coverage>=0.8`, `verdict=copy`,
`verdict=copy|rewrite`. Metrics are shares in 0..1; percentages such as `copy>50%` are accepted too."""

from __future__ import annotations

import operator
import re
from dataclasses import dataclass

from ..errors import UsageError
from ..model import Report

METRICS = ("copy", "rewrite", "added", "derived", "coverage")
VERDICTS = ("copy", "rewrite", "partial", "independent")
_OPS = {">=": operator.ge, "<=": operator.le, "!=": operator.ne, ">": operator.gt, "<": operator.lt,
        "==": operator.eq, "=": operator.eq}
_EXPR = re.compile(r"^\s*([a-z_]+)\s*(>=|<=|!=|==|>|<|=)\s*([^\s]+)\s*$")


@dataclass(frozen=True, slots=True)
class Threshold:
    text: str
    metric: str
    op: str
    value: float | tuple[str, ...]

    def check(self, report: Report) -> tuple[bool, str]:
        """Whether the report crosses this threshold, and the observed value."""
        return self.check_values(report.verdict, report.shares, report.source_coverage)

    def check_values(self, verdict: str, shares: dict[str, float], coverage: float) -> tuple[bool, str]:
        if self.metric == "verdict":
            hit = verdict in self.value  # type: ignore[operator]
            return (hit if self.op in ("=", "==") else not hit), verdict
        observed = metric_value(shares, coverage, self.metric)
        return _OPS[self.op](observed, self.value), f"{observed:.3f}"


def metric_value(shares: dict[str, float], coverage: float, metric: str) -> float:
    if metric == "coverage":
        return coverage
    if metric == "derived":
        return shares["copy"] + shares["rewrite"]
    return shares[metric]


def parse(expr: str) -> Threshold:
    m = _EXPR.match(expr)
    if not m:
        raise UsageError(f"--fail-on {expr!r}: expected METRIC OP VALUE such as copy>0.5 or verdict=copy")
    metric, op, raw = m.groups()
    if metric == "verdict":
        if op not in ("=", "==", "!="):
            raise UsageError(f"--fail-on {expr!r}: verdicts compare with = or !=")
        values = tuple(v.strip() for v in raw.split("|"))
        bad = [v for v in values if v not in VERDICTS]
        if bad:
            raise UsageError(f"--fail-on {expr!r}: unknown verdict {bad[0]!r} (one of {', '.join(VERDICTS)})")
        return Threshold(expr, metric, op, values)
    if metric not in METRICS:
        raise UsageError(f"--fail-on {expr!r}: unknown metric {metric!r} (one of {', '.join(METRICS + ('verdict',))})")
    try:
        value = float(raw[:-1]) / 100 if raw.endswith("%") else float(raw)
    except ValueError:
        raise UsageError(f"--fail-on {expr!r}: {raw!r} is not a number") from None
    if not 0.0 <= value <= 1.0:
        raise UsageError(f"--fail-on {expr!r}: shares are between 0 and 1 (or 0% and 100%)")
    return Threshold(expr, metric, op, value)
