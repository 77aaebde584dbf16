"""Documents for a Spark audit: a DataFrame of texts, or paths to text/HTML/Markdown files, JSONL or Parquet.

Every reader gives the same columns, `id`, `text`, `format` (text, markdown or html) and `error` (null, or the one
line saying why the document cannot be read), so a bad document is reported, never fatal. Files are read and
decoded on the executors (Spark's binaryFile source); their id is their path (`file:` dropped).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from pathlib import PurePosixPath
from typing import Any

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql.types import StringType, StructField, StructType

from provenance.errors import InputError, UsageError
from provenance.text.inputs import ARTICLE_SUFFIXES, FORMAT_OF

DOCUMENTS = StructType(
    [
        StructField("id", StringType(), False),
        StructField("text", StringType(), True),
        StructField("format", StringType(), False),
        StructField("error", StringType(), True),
    ]
)
TABLE_SUFFIXES = (".jsonl", ".json", ".parquet")


def documents(
    df: DataFrame, id_col: str = "id", text_col: str = "text", format_col: str | None = None
) -> DataFrame:
    """A DataFrame of texts in the documents' columns; `format_col` names a column of formats (default: text)."""
    missing = [c for c in (id_col, text_col, format_col) if c is not None and c not in df.columns]
    if missing:
        raise UsageError(f"the DataFrame has no column {missing[0]!r} (it has {', '.join(df.columns)})")
    fmt = F.coalesce(F.col(format_col).cast("string"), F.lit("text")) if format_col else F.lit("text")
    return df.select(
        F.col(id_col).cast("string").alias("id"),
        F.col(text_col).cast("string").alias("text"),
        fmt.alias("format"),
        F.when(
            F.col(text_col).isNull() | (F.trim(F.col(text_col).cast("string")) == ""),
            F.concat(F.col(id_col).cast("string"), F.lit(": the document has no text")),
        ).alias("error"),
    )


def read_documents(spark: SparkSession, paths: str | Sequence[str]) -> DataFrame:
    """The documents at these paths (files, directories, globs, JSONL or Parquet), in the documents' columns."""
    frames = [_read_one(spark, p) for p in ([paths] if isinstance(paths, str) else list(paths))]
    if not frames:
        raise UsageError("no input paths were given")
    out = frames[0]
    for f in frames[1:]:
        out = out.unionByName(f)
    return out


def _read_one(spark: SparkSession, path: str) -> DataFrame:
    suffix = PurePosixPath(path.rstrip("/")).suffix.lower()
    try:
        if suffix == ".parquet":
            return _table(spark.read.parquet(path), path)
        if suffix in (".jsonl", ".json"):
            return _table(spark.read.json(path), path)
        raw = (
            spark.read.format("binaryFile")
            .option("recursiveFileLookup", "true" if not any(ch in path for ch in "*?[") else "false")
            .load(path)
        )
    except Exception as exc:  # Spark's AnalysisException: a path that does not exist
        if "PATH_NOT_FOUND" in str(exc) or "does not exist" in str(exc):
            raise InputError(f"{path}: no such file or directory") from None
        raise
    rows = raw.select("path", "content").rdd.mapPartitions(_decoded)
    return spark.createDataFrame(rows, DOCUMENTS)


def _table(df: DataFrame, path: str) -> DataFrame:
    """JSONL or Parquet: one document per record, with an `id` and `text` or `html` (as `index add` reads JSONL)."""
    if "id" not in df.columns or not ({"text", "html"} & set(df.columns)):
        raise InputError(f'{path}: each record needs an "id" and "text" or "html"')
    html = F.col("html").cast("string") if "html" in df.columns else F.lit(None).cast("string")
    text = F.col("text").cast("string") if "text" in df.columns else F.lit(None).cast("string")
    use_html = html.isNotNull() & (html != "")
    body = F.when(use_html, html).otherwise(text)
    doc_id = F.col("id").cast("string")
    return df.select(
        F.coalesce(doc_id, F.lit(f"{path}: (no id)")).alias("id"),
        body.alias("text"),
        F.when(use_html, F.lit("html")).otherwise(F.lit("text")).alias("format"),
        F.when(doc_id.isNull(), F.lit(f'{path}: a record without an "id" (or not valid JSON)'))
        .when(
            body.isNull() | (F.trim(body) == ""),
            F.format_string('%s: document %s has no "text" or "html"', F.lit(path), doc_id),
        )
        .alias("error"),
    )


def _decoded(rows: Iterable[Any]) -> Iterator[tuple[str, str | None, str, str | None]]:
    """Files decoded on the executor as `provenance` decodes them; those of other suffixes are left out."""
    from provenance.text.decode import decode

    for row in rows:
        name = row.path[5:] if row.path.startswith("file:") else row.path
        suffix = PurePosixPath(name).suffix.lower()
        if suffix not in ARTICLE_SUFFIXES:
            continue
        fmt = FORMAT_OF.get(suffix, "text")
        try:
            text, _ = decode(bytes(row.content), name)
        except InputError as exc:
            yield name, None, fmt, str(exc)
            continue
        yield name, text, fmt, None
