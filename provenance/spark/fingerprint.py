"""Documents to paragraph records on the executors: the same signatures and LSH keys as the single-machine index.

Each document is extracted, segmented and fingerprinted by the code `provenance index add` runs
(`provenance.index.base.prints_of_document`), so a record holds exactly what the index stores of a paragraph: its
content-word count (`size`), its 8-bit packed content signature (`sig`, what verification reads), and the keys it
is posted under: `band_keys` (the LSH bands, in band order; none for a paragraph without content words) and
`sentence_keys` (one per sentence of at least three content words).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from pyspark.sql import DataFrame
from pyspark.sql import functions as F
from pyspark.sql.types import (
    ArrayType,
    BinaryType,
    IntegerType,
    LongType,
    StringType,
    StructField,
    StructType,
)

from provenance.fingerprint import FingerprintParams
from provenance.index.base import IndexParams, prints_of_document
from provenance.index.retrieve import pack
from provenance.spark.inputs import documents

HostFactory = Callable[
    [], Any
]  # builds the plugin host on an executor (pickled to it: a module-level function)

PARAGRAPHS = StructType(
    [
        StructField("doc_id", StringType(), False),
        StructField("para", IntegerType(), False),
        StructField("size", IntegerType(), False),
        StructField("sig", BinaryType(), False),
        StructField("band_keys", ArrayType(LongType()), False),
        StructField("sentence_keys", ArrayType(LongType()), False),
        StructField("error", StringType(), True),
    ]
)


def default_host() -> Any:
    """The installed plugins, as `provenance compare` and `audit` load them."""
    from provenance.plugins import get_host

    return get_host()


LOAD_PLUGINS = "PROVENANCE_LOAD_PLUGINS"


@dataclass(frozen=True, slots=True)
class PluginChoice:
    """A host factory that carries the driver's plugin switches to the executors: the names `--disable` switched
    off, and `PROVENANCE_LOAD_PLUGINS` as the driver had it (None: unset there, so each executor's own setting,
    such as `spark.executorEnv.PROVENANCE_LOAD_PLUGINS`, applies). Pickled to the executors as plain data."""

    disabled: tuple[str, ...] = ()
    load: str | None = None

    @classmethod
    def of_driver(cls, disabled: Iterable[str] = ()) -> PluginChoice:
        return cls(tuple(disabled), os.environ.get(LOAD_PLUGINS))

    def __call__(self) -> Any:
        from provenance.plugins import get_host

        if self.load is None:
            return get_host(self.disabled)
        # The switch is read while the host loads (and keys get_host's cache), then the executor's own is put
        # back: a reused Python worker may next run a job that carries none.
        own = os.environ.get(LOAD_PLUGINS)
        os.environ[LOAD_PLUGINS] = self.load
        try:
            return get_host(self.disabled)
        finally:
            if own is None:
                del os.environ[LOAD_PLUGINS]
            else:
                os.environ[LOAD_PLUGINS] = own


def executor_host(host: HostFactory) -> tuple[Any, str | None]:
    """The plugin host built on an executor, or the one-line reason it could not be (a plugin that fails to
    import or register there): the documents of the partition then carry that error, and the job goes on."""
    from provenance.errors import ProvenanceError

    try:
        return host(), None
    except ProvenanceError as exc:
        return None, f"plugins on the executor: {exc}"
    except Exception as exc:  # a host factory's own bug
        return None, f"plugins on the executor: {type(exc).__name__}: {exc}"


def default_params() -> IndexParams:
    """The parameters of a new single-machine index (`provenance index add`)."""
    return IndexParams(FingerprintParams())


def fingerprint(
    df: DataFrame,
    id_col: str = "id",
    text_col: str = "text",
    *,
    format_col: str | None = None,
    params: IndexParams | None = None,
    host: HostFactory = default_host,
) -> DataFrame:
    """Paragraph records (doc_id, para, size, sig, band_keys, sentence_keys) of the documents' non-boilerplate
    paragraphs; a document that cannot be read or extracted gives none (`paragraph_records` keeps its error)."""
    recs = paragraph_records(documents(df, id_col, text_col, format_col), params or default_params(), host)
    return recs.where(F.col("error").isNull()).drop("error")


def paragraph_records(docs: DataFrame, params: IndexParams, host: HostFactory) -> DataFrame:
    """Records of documents in the columns of `provenance.spark.inputs` (id, text, format, error); a document that
    fails gives one record with para -1 and its error."""

    def run(rows: Iterable[Any]) -> Iterator[tuple[Any, ...]]:
        plugins, failed = executor_host(host)
        for row in rows:
            error = row.error or (f"{row.id}: {failed}" if failed else None)
            yield from _records(row.id, row.text, row.format, error, params, plugins)

    rdd = docs.select("id", "text", "format", "error").rdd.mapPartitions(run)
    return docs.sparkSession.createDataFrame(rdd, PARAGRAPHS)


def _records(
    doc_id: str, text: str | None, fmt: str, error: str | None, params: IndexParams, plugins: Any
) -> Iterator[tuple[Any, ...]]:
    from provenance.errors import ProvenanceError
    from provenance.text.load import load_document

    failed: tuple[Any, ...] = (doc_id, -1, 0, b"", [], [])
    if error is not None or text is None:
        yield (*failed, error or f"{doc_id}: the document has no text")
        return
    try:
        prints = prints_of_document(load_document(text, doc_id, fmt=fmt, host=plugins), params)
    except ProvenanceError as exc:
        yield (*failed, str(exc))
        return
    keys, rows = prints.keys(params)
    bands = len(keys) - len(prints.sentence_keys) if params.sentence_keys else len(keys)
    band_of: list[list[int]] = [[] for _ in range(len(prints))]
    sentence_of: list[list[int]] = [[] for _ in range(len(prints))]
    for i, (k, r) in enumerate(zip(keys.tolist(), rows.tolist())):
        (band_of if i < bands else sentence_of)[r].append(k)
    packed = pack(prints.signatures)
    for r, para in enumerate(prints.rows.tolist()):
        yield doc_id, para, int(prints.sizes[r]), packed[r].tobytes(), band_of[r], sentence_of[r], None
