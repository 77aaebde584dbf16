"""Stored results read back for the renderers (`provenance render`): what `compare --format json`, `audit --format
json` / `jsonl` and the Spark path (`provenance.spark.write_results`, Parquet or JSONL) wrote, turned into the
`Report`s and `AuditResult`s the renderers read, by `Report.from_dict` and `AuditResult.from_dict`.

Not a renderer itself: the renderers stay readers of the model; this module only reads files. An input is a file,
`-` (standard input) or a folder of part files as Spark writes them (`part-*.parquet`, `part-*.json`; `_SUCCESS`
and checksums are skipped). Each JSON value, JSON line or Parquet row is one of:

- a report (`"schema": "text-provenance/report/1"`), or a list of them;
- an audit result (`"schema": "text-provenance/audit/1"`), or a list of them (`audit --format json`);
- a Spark article row (`article_id`, `result`: the audit JSON, or `error`: why it was not audited);
- a Spark pair row (`article_id`, `source_id`, `report`: the report JSON).

Anything else (not JSON, another schema or schema version, a missing field) is an `InputError` naming the file
and line, in one line.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from provenance.errors import InputError, UsageError
from provenance.model import AUDIT_SCHEMA, REPORT_SCHEMA, AuditResult, Report

PART_SUFFIXES = (".parquet", ".json", ".jsonl")  # the part files of a folder that are read
ROW_COLUMNS = ("article_id", "source_id", "result", "report", "error")  # what a Spark row is read by


@dataclass
class Stored:
    """What the inputs hold: single reports, audit results, and the errors a Spark run recorded for articles it
    could not audit (one line each)."""

    reports: list[Report] = field(default_factory=list)
    results: list[AuditResult] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def read_stored(paths: Sequence[str]) -> Stored:
    """Read every input, in the order given; a folder's rows (a Spark dataset, whose order is its partitions')
    are ordered by article id, as `audit --engine spark` orders them."""
    stored = Stored()
    for given in paths:
        if given == "-":
            _read_values(_json_values(sys.stdin.read(), "<stdin>"), stored)
            continue
        path = Path(given)
        if path.is_dir():
            parts = sorted(
                p
                for p in path.iterdir()
                if p.is_file() and p.suffix in PART_SUFFIXES and not p.name.startswith(("_", "."))
            )
            if not parts:
                raise InputError(f"{given}: a folder without part files (*.parquet, *.json, *.jsonl)")
            folder = Stored()
            for part in parts:
                _read_file(part, folder)
            folder.results.sort(key=lambda r: r.derived)
            folder.reports.sort(key=lambda r: (r.derived, r.source))
            stored.reports.extend(folder.reports)
            stored.results.extend(folder.results)
            stored.errors.extend(sorted(folder.errors))
        elif path.is_file():
            _read_file(path, stored)
        elif path.exists():
            raise InputError(f"{given}: not a file or a folder")
        else:
            raise InputError(f"{given}: no such file or folder")
    return stored


def _read_file(path: Path, stored: Stored) -> None:
    if path.suffix == ".parquet":
        _read_values(_parquet_rows(path), stored)
        return
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot be read ({exc})") from None
    _read_values(_json_values(text, str(path)), stored)


def _json_values(text: str, name: str) -> Iterator[tuple[str, Any]]:
    """(where, value): the document as one JSON value, or else one value per non-empty line (JSON lines)."""
    if not text.strip():
        raise InputError(f"{name}: the input is empty")
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        whole = exc
    else:
        yield name, value
        return
    lines = text.splitlines()
    first = next(n for n, line in enumerate(lines, 1) if line.strip())
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as exc:
            if n == first:  # not JSON lines at all: what was wrong with the document as a whole
                raise InputError(f"{name}: not JSON ({whole.msg}, line {whole.lineno})") from None
            raise InputError(f"{name}:{n}: not JSON ({exc.msg})") from None
        yield f"{name}:{n}", value


def _parquet_rows(path: Path) -> Iterator[tuple[str, Any]]:
    try:
        import pyarrow.parquet as pq
    except ImportError:
        raise UsageError(
            f"{path}: reading Parquet needs pyarrow: pip install 'text-provenance[spark]'"
        ) from None
    try:
        names = pq.read_schema(path).names
        table = pq.read_table(path, columns=[c for c in ROW_COLUMNS if c in names])
    except Exception as exc:  # pyarrow's errors for a damaged or foreign file have no common base we can name
        raise InputError(f"{path}: not a readable Parquet file ({type(exc).__name__}: {exc})") from None
    for n, row in enumerate(table.to_pylist(), 1):
        yield f"{path}: row {n}", row


def _read_values(values: Iterator[tuple[str, Any]], stored: Stored) -> None:
    for where, value in values:
        for item in value if isinstance(value, list) else [value]:
            try:
                _read_one(item, stored)
            except InputError as exc:
                raise InputError(f"{where}: {exc}") from None
            except (KeyError, TypeError, ValueError, IndexError, AttributeError) as exc:
                what = f"missing field {exc}" if isinstance(exc, KeyError) else str(exc)
                raise InputError(f"{where}: not a stored report or audit result ({what})") from None


def _read_one(item: Any, stored: Stored) -> None:
    if not isinstance(item, Mapping):
        raise InputError(f"a JSON {type(item).__name__}, not a report, an audit result or a Spark row")
    schema = item.get("schema")
    if schema == REPORT_SCHEMA:
        stored.reports.append(Report.from_dict(item))
    elif schema == AUDIT_SCHEMA:
        stored.results.append(AuditResult.from_dict(item))
    elif schema is not None:
        raise InputError(
            f"schema {schema!r}: expected {REPORT_SCHEMA} or {AUDIT_SCHEMA} (written by another version?)"
        )
    elif "article_id" in item and item.get("report") is not None:  # a Spark pair row
        stored.reports.append(Report.from_dict(_embedded(item["report"], "report")))
    elif "article_id" in item and item.get("result") is not None:  # a Spark article row
        stored.results.append(AuditResult.from_dict(_embedded(item["result"], "result")))
    elif "article_id" in item and item.get("error") is not None:  # an article Spark could not audit
        stored.errors.append(str(item["error"]))
    else:
        raise InputError(f"no schema field: not a report ({REPORT_SCHEMA}), an audit result or a Spark row")


def _embedded(value: Any, column: str) -> Any:
    """A Spark row's JSON column (a string), parsed."""
    if not isinstance(value, str):
        return value
    try:
        return json.loads(value)
    except json.JSONDecodeError as exc:
        raise InputError(f"the {column} column is not JSON ({exc.msg})") from None
