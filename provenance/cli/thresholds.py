"""`--fail-on` expressions, for the commands: the parser and checks live in provenance/thresholds.py, shared with
policy files."""

from ..thresholds import METRICS, VERDICTS, Measures, Threshold, metric_value, parse, require_plugins

__all__ = ["METRICS", "VERDICTS", "Measures", "Threshold", "metric_value", "parse", "require_plugins"]
