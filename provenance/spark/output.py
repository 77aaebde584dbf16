"""Results to files and back: Parquet or JSONL that the `provenance` renderers turn into the usual reports.

`write_results` writes the articles of a `find_sources` run (one row per article, see `sources.ARTICLES`);
`read_results` gives back their `AuditResult`s, in article order, for `provenance.renderers.dispatch.render`
(html, markdown, sarif, github, json, jsonl, table). The `audit_result` column is the AuditResult pickled by
this version of text-provenance: read only files your own runs wrote.
"""

from __future__ import annotations

import pickle
from collections.abc import Iterator

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from provenance.errors import UsageError
from provenance.model import AuditResult

FORMATS = ("parquet", "jsonl")


def write_results(
    articles: DataFrame, path: str, format: str = "parquet", mode: str = "errorifexists"
) -> None:
    """Write the articles' rows as a Parquet or JSONL dataset (a folder of part files, as Spark writes)."""
    if format == "parquet":
        articles.write.mode(mode).parquet(path)
    elif format == "jsonl":  # JSON has no bytes: the pickled result travels as base64
        articles.withColumn("audit_result", F.base64("audit_result")).write.mode(mode).json(path)
    else:
        raise UsageError(f"unknown output format {format!r} (use one of: {', '.join(FORMATS)})")


def read_results(spark: SparkSession, path: str, format: str = "parquet") -> list[AuditResult]:
    """The AuditResults of a dataset `write_results` wrote, sorted by article id (only the articles' results come
    to the driver); articles that failed are not results (their `error` column says why)."""
    if format == "parquet":
        df = spark.read.parquet(path)
    elif format == "jsonl":
        df = spark.read.json(path).withColumn("audit_result", F.unbase64("audit_result"))
    else:
        raise UsageError(f"unknown output format {format!r} (use one of: {', '.join(FORMATS)})")
    return list(results_of(df))


def results_of(articles: DataFrame) -> Iterator[AuditResult]:
    """The articles' AuditResults, by article id, one at a time to the driver."""
    rows = articles.where(F.col("audit_result").isNotNull()).select("article_id", "audit_result")
    for row in rows.orderBy("article_id").toLocalIterator():
        yield pickle.loads(row.audit_result)
