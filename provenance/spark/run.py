"""`provenance audit --engine spark`: the command line's audit on a SparkSession, with Spark's own progress.

Under `spark-submit` the session (and its master) come from spark-submit; `--master` starts one here
(`local[2]`, `yarn`, `spark://host:7077`, `k8s://...`).
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

from provenance.errors import UsageError
from provenance.model import AuditResult

POLL_SECONDS = 0.5  # how often the status tracker is read for the progress lines


def audit_paths(
    corpus: str,
    derived: list[str],
    *,
    master: str | None,
    top: int,
    options: Mapping[str, Any],
    errors: list[str],
    disabled: Sequence[str] = (),
    progress: bool | None = None,
) -> list[AuditResult]:
    """Audit the articles at `derived` against the corpus at `corpus` (paths: files, directories, globs, JSONL,
    Parquet); unreadable documents go to `errors`. The executors load the plugins the driver does: `disabled`
    (`--disable`) and the driver's PROVENANCE_LOAD_PLUGINS travel with the job. Progress goes to stderr on a
    terminal (`progress` forces it)."""
    spark = session(master)
    from pyspark.sql import functions as F

    from provenance.spark.fingerprint import PluginChoice
    from provenance.spark.output import results_of
    from provenance.spark.sources import find_sources

    host = PluginChoice.of_driver(disabled)
    show = sys.stderr.isatty() if progress is None else progress
    with stage_progress(spark.sparkContext, _echo if show else None):
        run = find_sources(derived, corpus, spark=spark, top=top, options=options, host=host)
        failed = run.articles.where(F.col("error").isNotNull()).select("error")
        errors.extend(r.error for r in run.errors.orderBy("id").toLocalIterator())
        errors.extend(r.error for r in failed.orderBy("error").toLocalIterator())
        return list(results_of(run))


def session(master: str | None) -> Any:
    """The active SparkSession, or one started on `master` (the executors run this Python)."""
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise UsageError("--engine spark needs pyspark: pip install 'text-provenance[spark]'") from None

    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    builder = SparkSession.builder.appName("provenance audit").config("spark.ui.showConsoleProgress", "false")
    if master:
        builder = builder.master(master)
    try:
        spark = builder.getOrCreate()
    except Exception as exc:  # no Java runtime, or a master that cannot be reached
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise UsageError(
            f"Spark could not start ({first}); it needs Java 17 or later and a reachable master"
        ) from None
    spark.sparkContext.setLogLevel("ERROR")
    return spark


def _echo(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


@contextmanager
def stage_progress(sc: Any, emit: Callable[[str], None] | None) -> Iterator[None]:
    """While the block runs, one line per change of a running stage's completed tasks, read from Spark's status
    tracker (`emit` None: quiet)."""
    if emit is None:
        yield
        return
    stop = threading.Event()

    def watch() -> None:
        seen: dict[int, tuple[int, int]] = {}
        tracker = sc.statusTracker()
        while not stop.wait(POLL_SECONDS):
            for sid in tracker.getActiveStageIds():
                info = tracker.getStageInfo(sid)
                if info is None:
                    continue
                now = (info.numCompletedTasks, info.numTasks)
                if seen.get(sid) != now:
                    seen[sid] = now
                    emit(f"spark: stage {sid}: {now[0]}/{now[1]} tasks")

    thread = threading.Thread(target=watch, name="provenance-spark-progress", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()
