"""`find_sources`: every article's sources in a corpus, found, verified and compared on a Spark cluster.

The steps are the single-machine audit's (provenance/index/retrieve.py, provenance/index/auditing.py), as joins:

1. Both sides are fingerprinted on the executors (provenance/spark/fingerprint.py).
2. Key lengths: postings per LSH key over the corpus (a group-by); the cap on common keys is the index's
   (`max_postings` of the corpus's paragraph count).
3. Which keys of each article paragraph count: `kept_requests`'s rule as a window over the paragraph's keys (band
   keys rarest first within the row's posting budget, always the three rarest, sentence keys when under the cap).
   A key over the cap is skipped as the index skips it, so boilerplate and wire bylines never reach the join.
4. The band-key join. A kept key with more than SALT_AT postings (one of a paragraph's three rarest may still be
   very common) is salted: its postings spread over SALTS partitions, its requests copied to each, so no task
   holds a whole hot key.
5. Verification of each distinct (article paragraph, corpus paragraph) pair with `retrieve.verified` itself.
6. Per article, the `top` sources ranked by `audit.rank`, their texts joined in, and the full comparison of
   each pair with `compare_documents` and the plugins on the executor; `audit.attribute` then credits each
   paragraph to its source, as `provenance audit` does.

Nothing of the corpus is collected to the driver: only counts, and the results of the articles.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from itertools import islice
from typing import Any

import numpy as np
from pyspark import RDD, StorageLevel
from pyspark.sql import DataFrame, SparkSession, Window
from pyspark.sql import functions as F
from pyspark.sql.types import (
    ArrayType,
    DoubleType,
    IntegerType,
    MapType,
    StringType,
    StructField,
    StructType,
)

from provenance.components import resolve
from provenance.engine import known_options
from provenance.errors import UsageError
from provenance.index import retrieve
from provenance.index.base import Candidate, IndexParams, Prints
from provenance.model import AuditResult
from provenance.spark.fingerprint import (
    HostFactory,
    default_host,
    default_params,
    executor_host,
    paragraph_records,
)
from provenance.spark.inputs import documents, read_documents

SALT_AT = (
    20000  # postings of one key above which it is salted: a task then joins at most this many per request
)
SALTS = 32  # partitions a salted key's postings spread over: enough for a key of 640,000 postings per 20,000
BROADCAST_PAIRS = 200_000  # (article, source) pairs sent to every executor rather than shuffling corpus texts
VERIFY_CHUNK = 65536  # candidate pairs verified in one numpy pass on an executor (bounded memory)

CANDIDATES = StructType(
    [
        StructField("article_id", StringType(), False),
        StructField("article_para", IntegerType(), False),
        StructField("source_id", StringType(), False),
        StructField("source_para", IntegerType(), False),
        StructField("similarity", DoubleType(), False),
        StructField("containment", DoubleType(), False),
    ]
)
ARTICLES = StructType(
    [
        StructField("article_id", StringType(), False),
        StructField("verdict", StringType(), True),
        StructField("shares", MapType(StringType(), DoubleType()), True),
        StructField("sources", ArrayType(StringType()), True),
        StructField("result", StringType(), True),  # text-provenance/audit/1 JSON, as `audit --format jsonl`
        StructField("error", StringType(), True),
    ]
)
PAIRS = StructType(
    [
        StructField("article_id", StringType(), False),
        StructField("source_id", StringType(), False),
        StructField("verdict", StringType(), False),
        StructField("shares", MapType(StringType(), DoubleType()), False),
        StructField("source_coverage", DoubleType(), False),
        StructField(
            "report", StringType(), False
        ),  # text-provenance/report/1 JSON, as `compare --format json`
    ]
)

Inputs = DataFrame | str | Sequence[str]


@dataclass(frozen=True)
class SparkAudit:
    """What `find_sources` gives: `articles`, one row per article (verdict, shares, sources over all its sources,
    the audit JSON, or the error that kept it from being audited); `pairs`, one row per compared (article,
    source) with that comparison's report; `candidates`, the verified paragraph candidates; `errors`, the corpus
    documents that could not be read (id, error); `results`, the articles' (id, AuditResult or None, error), for
    the renderers (`provenance.spark.output.results_of`). All are lazy: each action runs what it needs."""

    articles: DataFrame
    pairs: DataFrame
    candidates: DataFrame
    errors: DataFrame
    results: RDD[tuple[str, AuditResult | None, str | None]]


def find_sources(
    articles: Inputs,
    corpus: Inputs,
    *,
    spark: SparkSession | None = None,
    top: int = 3,
    min_similarity: float = 0.2,
    options: Mapping[str, Any] | None = None,
    skip_self: bool = False,
    params: IndexParams | None = None,
    host: HostFactory = default_host,
    salt_at: int = SALT_AT,
) -> SparkAudit:
    """Audit the articles against the corpus, as `provenance audit` does against an index of it. Each is a
    DataFrame (`id`, `text`, optional `format`) or paths (files, directories, globs, JSONL, Parquet). `host`
    builds the plugins on each executor (default: those installed); `options` are engine options, checked here."""
    if top < 1:
        raise UsageError("top must be at least 1")
    given = dict(options or {})
    resolve(known_options(host()), given)  # wrong options fail here, before any job
    params = params or default_params()
    adocs = _documents(articles, spark)
    cdocs = _documents(corpus, spark).dropDuplicates(["id"])  # an index keeps one version of an id too
    crec = paragraph_records(cdocs, params, host).persist(StorageLevel.MEMORY_AND_DISK)
    arec = paragraph_records(adocs, params, host).persist(StorageLevel.MEMORY_AND_DISK)
    good_c = crec.where(F.col("error").isNull()).drop("error")
    good_a = arec.where(F.col("error").isNull()).drop("error")
    cands = candidates(good_a, good_c, params, min_similarity, salt_at=salt_at)
    results = _audited(adocs, cdocs, cands, arec, top, skip_self, given, host)
    errors = crec.where(F.col("error").isNotNull()).select(F.col("doc_id").alias("id"), "error")
    return SparkAudit(_articles(results), _pairs(results), cands, errors, results)


def _documents(given: Inputs, spark: SparkSession | None) -> DataFrame:
    if isinstance(given, DataFrame):
        return documents(given, format_col="format" if "format" in given.columns else None)
    session = spark or SparkSession.getActiveSession()
    if session is None:
        raise UsageError("paths need a SparkSession: pass spark=, or start one first")
    return read_documents(session, given)


def candidates(
    articles: DataFrame,
    corpus: DataFrame,
    params: IndexParams,
    min_similarity: float = 0.2,
    *,
    salt_at: int = SALT_AT,
) -> DataFrame:
    """Verified candidates (article_id, article_para, source_id, source_para, similarity, containment) of
    paragraph records (provenance.spark.fingerprint): the same pairs and scores the single-machine index returns."""
    cap = retrieve.max_postings(corpus.count())  # a number: the corpus stays on the executors
    postings = corpus.select("doc_id", "para", F.explode(F.concat("band_keys", "sentence_keys")).alias("key"))
    lengths = postings.groupBy("key").agg(F.count(F.lit(1)).alias("n"))
    requests = articles.select(
        F.col("doc_id").alias("article_id"),
        F.col("para").alias("article_para"),
        F.size("band_keys").alias("bands"),
        F.posexplode(F.concat("band_keys", "sentence_keys")).alias("pos", "key"),
    )
    requests = requests.join(lengths, "key", "left").fillna(0, ["n"])
    row = Window.partitionBy("article_id", "article_para").orderBy("n", "pos")
    so_far = row.rowsBetween(Window.unboundedPreceding, Window.currentRow)
    kept = (
        requests.withColumn("rank", F.row_number().over(row) - 1)
        .withColumn("within", F.sum("n").over(so_far))
        .where(
            (
                (F.col("rank") < retrieve.KEEP_RAREST)
                | ((F.col("n") <= cap) & (F.col("within") <= retrieve.ROW_BUDGET))
                | ((F.col("pos") >= F.col("bands")) & (F.col("n") <= cap))
            )
            & (F.col("n") > 0)
        )
        .select("article_id", "article_para", "key", "n")
    )
    hot = kept.where(F.col("n") > salt_at).select("key").distinct().withColumn("hot", F.lit(True))
    salted = postings.join(F.broadcast(hot), "key", "left").select(
        "key",
        "doc_id",
        "para",
        F.when(F.col("hot"), F.pmod(F.xxhash64("doc_id", "para"), F.lit(SALTS)))
        .otherwise(F.lit(0))
        .alias("salt"),
    )
    asked = kept.select(
        "article_id",
        "article_para",
        "key",
        F.explode(
            F.when(F.col("n") > salt_at, F.sequence(F.lit(0), F.lit(SALTS - 1))).otherwise(F.array(F.lit(0)))
        ).alias("salt"),
    )
    raw = asked.join(salted, ["key", "salt"]).select(
        "article_id", "article_para", F.col("doc_id").alias("source_id"), F.col("para").alias("source_para")
    )
    pairs = (
        raw.distinct()
        .join(_side(articles, "article", "a"), ["article_id", "article_para"])
        .join(_side(corpus, "source", "s"), ["source_id", "source_para"])
    )
    width = params.fingerprint.num_perm

    def verify(rows: Iterable[Any]) -> Iterator[tuple[Any, ...]]:
        it = iter(rows)
        while chunk := list(islice(it, VERIFY_CHUNK)):
            yield from _verify(chunk, width, min_similarity)

    rdd = pairs.select(
        "article_id", "article_para", "a_size", "a_sig", "source_id", "source_para", "s_size", "s_sig"
    ).rdd.mapPartitions(verify)
    return articles.sparkSession.createDataFrame(rdd, CANDIDATES)


def _side(records: DataFrame, side: str, short: str) -> DataFrame:
    """Paragraph records renamed for one side of a candidate pair: (side_id, side_para, short_size, short_sig)."""
    return records.select(
        F.col("doc_id").alias(f"{side}_id"),
        F.col("para").alias(f"{side}_para"),
        F.col("size").alias(f"{short}_size"),
        F.col("sig").alias(f"{short}_sig"),
    )


def _verify(rows: list[Any], width: int, min_similarity: float) -> Iterator[tuple[Any, ...]]:
    """`retrieve.verified` on distinct pairs: each pair is one query row against one store row."""
    n = len(rows)
    qsig = np.frombuffer(b"".join(r.a_sig for r in rows), np.uint8).reshape(n, width)
    query = Prints(
        np.arange(n, dtype=np.int64),
        qsig.astype(np.uint32),  # packing the packed bytes again leaves them as they are
        np.array([r.a_size for r in rows], np.uint16),
        np.zeros(0, np.uint32),
        np.zeros(0, np.int64),
    )
    store = retrieve.Columns(
        np.arange(n, dtype=np.uint32),
        np.array([r.source_para for r in rows], np.uint32),
        np.array([r.s_size for r in rows], np.uint16),
        np.ascontiguousarray(np.frombuffer(b"".join(r.s_sig for r in rows), np.uint8).reshape(n, width)),
    )
    every = np.arange(n, dtype=np.int64)
    found = retrieve.verified(
        query, every, every, store, 0.0, lambda d: {i: rows[i].source_id for i in d.tolist()}
    )
    for r, cands in zip(rows, found):
        for c in retrieve.audit_evidence(cands, min_similarity):
            yield r.article_id, r.article_para, c.doc, c.paragraph, c.similarity, c.containment


def _audited(
    adocs: DataFrame,
    cdocs: DataFrame,
    cands: DataFrame,
    arec: DataFrame,
    top: int,
    skip_self: bool,
    options: Mapping[str, Any],
    host: HostFactory,
) -> RDD[tuple[str, AuditResult | None, str | None]]:
    """One row per article: its `top` sources ranked, their texts joined in, compared and attributed."""
    spark = adocs.sparkSession

    def ranked(item: tuple[str, Any]) -> Iterator[tuple[str, str, float, int]]:
        from provenance.index.auditing import rank

        article_id, rows = item
        by_row: dict[int, list[Candidate]] = {}
        for para, doc, spara, sim, cont in rows:
            by_row.setdefault(para, []).append(Candidate(doc, spara, sim, cont))
        found = [by_row[p] for p in sorted(by_row)]
        for pos, (doc, score) in enumerate(rank(article_id, found, top, skip_self)):
            yield article_id, doc, score, pos

    ranks = cands.rdd.map(
        lambda r: (r.article_id, (r.article_para, r.source_id, r.source_para, r.similarity, r.containment))
    ).groupByKey()
    top_sources = spark.createDataFrame(
        ranks.flatMap(ranked), "article_id string, source_id string, score double, pos int"
    ).persist(StorageLevel.MEMORY_AND_DISK)
    if top_sources.count() <= BROADCAST_PAIRS:  # the corpus texts then stay where they are
        top_sources = F.broadcast(top_sources)
    with_text = top_sources.join(
        cdocs.select(
            F.col("id").alias("source_id"), F.col("text").alias("s_text"), F.col("format").alias("s_fmt")
        ),
        "source_id",
    )
    grouped = with_text.groupBy("article_id").agg(
        F.collect_list(F.struct("pos", "source_id", "score", "s_text", "s_fmt")).alias("sources")
    )
    failed = arec.where(F.col("error").isNotNull()).select(F.col("doc_id").alias("article_id"), "error")
    todo = (
        adocs.select(F.col("id").alias("article_id"), "text", "format")
        .join(failed, "article_id", "left")
        .join(grouped, "article_id", "left")
    )

    def compare(rows: Iterable[Any]) -> Iterator[tuple[str, AuditResult | None, str | None]]:
        from provenance.errors import ProvenanceError

        plugins, failed = executor_host(host)
        resolved: Mapping[str, Any] | None = None
        if plugins is not None:
            try:  # with the defaults of the executor's plugins
                resolved = resolve(known_options(plugins), dict(options))
            except ProvenanceError as exc:
                failed = f"options on the executor: {exc}"
        if resolved is None:  # the plugins could not load here: every article of the partition says why
            for row in rows:
                yield row.article_id, None, row.error or f"{row.article_id}: {failed}"
            return
        for row in rows:
            yield _audit_one(row, plugins, resolved)

    return todo.rdd.mapPartitions(compare).persist(StorageLevel.MEMORY_AND_DISK)


def _audit_one(
    row: Any, plugins: Any, options: Mapping[str, Any]
) -> tuple[str, AuditResult | None, str | None]:
    """One article compared with each of its sources, as `provenance audit` compares it; any failure is that
    article's error, never the job's."""
    from provenance.engine import compare_documents
    from provenance.errors import ProvenanceError
    from provenance.index.auditing import attribute
    from provenance.model import Report
    from provenance.text.load import load_document

    if row.error is not None:
        return row.article_id, None, row.error
    try:
        derived = load_document(row.text, row.article_id, fmt=row.format, host=plugins)
        sources = sorted(row.sources or [], key=lambda s: s.pos)
        reports: dict[str, Report] = {}
        for s in sources:
            src = load_document(s.s_text, s.source_id, fmt=s.s_fmt, host=plugins)
            reports[s.source_id] = compare_documents(src, derived, host=plugins, options=options)
        result = attribute(derived, [(s.source_id, s.score) for s in sources], reports, options)
    except ProvenanceError as exc:
        return row.article_id, None, str(exc)
    except Exception as exc:  # a plugin's own bug on an executor: this article's error, the job goes on
        return row.article_id, None, f"{row.article_id}: {type(exc).__name__}: {exc}"
    return row.article_id, result, None


def _articles(results: RDD[tuple[str, AuditResult | None, str | None]]) -> DataFrame:
    """One row per article, from the articles' results."""

    def row(item: tuple[str, AuditResult | None, str | None]) -> tuple[Any, ...]:
        article_id, r, error = item
        if r is None:
            return article_id, None, None, None, None, error
        shares = {k: float(v) for k, v in r.shares.items()}
        return (
            article_id,
            r.verdict,
            shares,
            list(r.sources),
            json.dumps(r.to_dict(), ensure_ascii=False),
            None,
        )

    return SparkSession.getActiveSession().createDataFrame(results.map(row), ARTICLES)  # type: ignore[union-attr]


def _pairs(results: RDD[tuple[str, AuditResult | None, str | None]]) -> DataFrame:
    """One row per compared (article, source), from the articles' results."""

    def split(item: tuple[str, AuditResult | None, str | None]) -> Iterator[tuple[Any, ...]]:
        article_id, r, _ = item
        for source_id, rep in (r.reports if r is not None else {}).items():
            shares = {k: float(v) for k, v in rep.shares.items()}
            yield (
                article_id,
                source_id,
                rep.verdict,
                shares,
                float(rep.source_coverage),
                rep.to_json(indent=None),
            )

    return SparkSession.getActiveSession().createDataFrame(results.flatMap(split), PAIRS)  # type: ignore[union-attr]
