"""Results to files, and to the renderers.

`write_results` writes the articles of a `find_sources` run (one row per article, see `sources.ARTICLES`: the
`result` column is the `text-provenance/audit/1` JSON that `provenance audit --format jsonl` prints) as Parquet
or JSONL. `results_of` brings the articles' `AuditResult`s to the driver one at a time, for
`provenance.renderers.dispatch.render` (html, markdown, sarif, github, ...), as `audit --engine spark` does.
"""

from __future__ import annotations

from collections.abc import Iterator

from pyspark.sql import DataFrame

from provenance.errors import UsageError
from provenance.model import AuditResult
from provenance.spark.sources import SparkAudit

FORMATS = ("parquet", "jsonl")


def write_results(
    articles: DataFrame, path: str, format: str = "parquet", mode: str = "errorifexists"
) -> None:
    """Write the articles' rows as a Parquet or JSONL dataset (a folder of part files, as Spark writes)."""
    if format == "parquet":
        articles.write.mode(mode).parquet(path)
    elif format == "jsonl":
        articles.write.mode(mode).json(path)
    else:
        raise UsageError(f"unknown output format {format!r} (use one of: {', '.join(FORMATS)})")


def results_of(run: SparkAudit) -> Iterator[AuditResult]:
    """The articles' AuditResults, by article id, one partition at a time to the driver (failed articles: none;
    `run.articles`' error column says why)."""
    done = run.results.filter(lambda item: item[1] is not None).sortBy(lambda item: item[0])
    for _, result, _ in done.toLocalIterator():
        if result is not None:
            yield result
