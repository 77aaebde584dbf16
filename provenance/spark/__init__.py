"""Corpus audits on Apache Spark (extra `text-provenance[spark]`): for people who already have a SparkSession.

    from provenance.spark import find_sources, fingerprint, read_documents, write_results

    records = fingerprint(df, "id", "text")          # paragraph records: the index's signatures and keys
    run = find_sources("articles/", "corpus.parquet", spark=spark)
    write_results(run.articles, "out/", format="parquet")   # results_of(run): AuditResults

docs/spark.md explains the steps, what is the same as the single-machine audit, and how to run it on a cluster.
"""

from __future__ import annotations

from provenance.spark.fingerprint import fingerprint
from provenance.spark.inputs import read_documents
from provenance.spark.output import results_of, write_results
from provenance.spark.sources import SparkAudit, candidates, find_sources

__all__ = [
    "SparkAudit",
    "candidates",
    "find_sources",
    "fingerprint",
    "read_documents",
    "results_of",
    "write_results",
]
