"""`provenance render`: stored reports and audits read back (`Report.from_dict`, `AuditResult.from_dict`) give the
same JSON and the same rendered reports as the run that wrote them; Spark's output (Parquet or JSONL part files)
renders as `audit` does; bad input is one line and exit 3."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from provenance.engine import compare
from provenance.index import add_documents, audit
from provenance.model import AuditResult, Report
from provenance.testing import make_host, run_cli
from tests.doubles import BoomPlugin

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
SEEDS = ROOT.parent / "shared" / "seeds"
PAIRS = [
    (EXAMPLES / "wire-story.txt", EXAMPLES / "rewrite-with-commentary.md"),
    (EXAMPLES / "wire-story.txt", EXAMPLES / "scraped-copy.html"),
    (EXAMPLES / "wire-story.txt", EXAMPLES / "independent-report.txt"),
    (EXAMPLES / "wire-story-cp1252.txt", EXAMPLES / "rewrite-with-commentary.md"),
]
SEED_PAIR = (SEEDS / "000_e993ff611d2643c6.txt", SEEDS / "002_9559ece6654a172b.txt")
ARTICLES = ["rewrite-with-commentary.md", "scraped-copy.html", "independent-report.txt"]


def _stored(value: dict) -> dict:
    """What a file holds: the dict as JSON, read back."""
    return json.loads(json.dumps(value, ensure_ascii=False))


@pytest.fixture(scope="module")
def reports() -> list[Report]:
    """Real reports: the examples with the built-in detectors, with the attribution and facts plugins (findings),
    with a failing detector (errors), and the seed pair when ../shared is there."""
    builtins = make_host()
    plugins = make_host(entry_points=True, disabled=("semantic",))
    failing = make_host(BoomPlugin())
    out = [compare(s, d, host=builtins) for s, d in PAIRS]
    out += [compare(*PAIRS[0], host=plugins), compare(*PAIRS[1], host=failing)]
    if SEED_PAIR[0].exists():
        out.append(compare(*SEED_PAIR, host=plugins))
    assert any(r.findings for r in out) and any(r.errors for r in out)
    return out


@pytest.fixture(scope="module")
def audited(tmp_path_factory) -> tuple[Path, list[AuditResult]]:
    db = tmp_path_factory.mktemp("render") / "corpus.db"
    host = make_host()
    add_documents(str(db), [EXAMPLES / "wire-story.txt", EXAMPLES / "independent-report.txt"], host=host)
    results = audit(str(db), [EXAMPLES / name for name in ARTICLES], host=host).results
    assert any(r.reports for r in results)
    return db, list(results)


def test_a_report_read_back_writes_the_same_json(reports):
    for report in reports:
        written = _stored(report.to_dict())
        back = Report.from_dict(written)
        assert back.to_dict() == written
        assert back.to_json() == report.to_json()  # the file it writes is byte for byte the one read


def test_an_audit_result_read_back_writes_the_same_json(audited):
    _, results = audited
    for result in results:
        written = _stored(result.to_dict())
        back = AuditResult.from_dict(written)
        assert back.to_dict() == written
        assert json.dumps(back.to_dict(), ensure_ascii=False) == json.dumps(
            result.to_dict(), ensure_ascii=False
        )
        brief = _stored(result.to_dict(full=False))
        assert AuditResult.from_dict(brief).to_dict(full=False) == brief


def test_another_schema_is_refused():
    with pytest.raises(ValueError, match="report/1"):
        Report.from_dict({"schema": "text-provenance/report/2"})
    with pytest.raises(ValueError, match="audit/1"):
        AuditResult.from_dict({"schema": "text-provenance/report/1"})


@pytest.mark.parametrize("fmt", ["text", "json", "markdown", "html", "sarif", "github"])
def test_render_gives_what_compare_gives(tmp_path, fmt):
    source, derived = map(str, PAIRS[0])
    stored = tmp_path / "report.json"
    assert run_cli(["compare", source, derived, "-f", "json", "-o", str(stored)]).exit_code == 0
    direct = run_cli(["compare", source, derived, "-f", fmt, "--color", "never"])
    again = run_cli(["render", str(stored), "-f", fmt, "--color", "never"])
    assert direct.exit_code == again.exit_code == 0, again.stderr
    assert again.stdout == direct.stdout


@pytest.mark.parametrize("fmt", ["table", "json", "jsonl", "markdown", "sarif", "github"])
def test_render_of_an_audit_gives_what_audit_gives(audited, tmp_path, fmt):
    db, _ = audited
    articles = [str(EXAMPLES / name) for name in ARTICLES]
    stored = tmp_path / "audit.jsonl"
    assert run_cli(["audit", str(db), *articles, "-f", "jsonl", "-o", str(stored)]).exit_code == 0
    direct = run_cli(["audit", str(db), *articles, "-f", fmt])
    again = run_cli(["render", str(stored), "-f", fmt])
    assert direct.exit_code == again.exit_code == 0, again.stderr
    assert again.stdout == direct.stdout
    as_json = tmp_path / "audit.json"  # audit --format json: one list
    assert run_cli(["audit", str(db), *articles, "-f", "json", "-o", str(as_json)]).exit_code == 0
    assert run_cli(["render", str(as_json), "-f", fmt]).stdout == direct.stdout


def test_render_of_an_audit_as_an_html_folder(audited, tmp_path):
    _, results = audited
    stored = tmp_path / "audit.jsonl"
    stored.write_text("".join(json.dumps(r.to_dict()) + "\n" for r in results), encoding="utf-8")
    assert run_cli(["render", str(stored), "-f", "html"]).exit_code == 2  # a folder needs --output DIR
    r = run_cli(["render", str(stored), "-f", "html", "-o", str(tmp_path / "site")])
    assert r.exit_code == 0, r.stderr
    assert (tmp_path / "site" / "index.html").is_file()


def _spark_rows(results: list[AuditResult]) -> list[dict]:
    """Rows as provenance.spark.write_results writes them (JSONL: Spark leaves null fields out)."""
    return [
        {
            "article_id": r.derived,
            "verdict": r.verdict,
            "shares": dict(r.shares),
            "sources": list(r.sources),
            "result": json.dumps(r.to_dict(), ensure_ascii=False),
        }
        for r in results
    ]


def test_render_of_spark_output_folders(audited, tmp_path):
    """A Spark dataset: part files in partition order, `_SUCCESS` and checksums beside them, an article that
    could not be read (its error, no result). Rendered in article order, as `audit --engine spark` prints; the
    error is one line and exit 3, after the report is written."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    _, results = audited
    rows = _spark_rows(results)
    failed = {"article_id": "zz-broken", "error": "zz-broken: the input is empty"}
    expected = "".join(
        json.dumps(r.to_dict(), ensure_ascii=False) + "\n" for r in sorted(results, key=lambda r: r.derived)
    )
    as_jsonl, as_parquet = tmp_path / "jsonl", tmp_path / "parquet"
    for folder in (as_jsonl, as_parquet):
        folder.mkdir()
        (folder / "_SUCCESS").write_text("")
        (folder / ".part-00000.crc").write_text("x")
    for n, part in enumerate([rows[::-1][:2], [*rows[::-1][2:], failed]]):
        (as_jsonl / f"part-0000{n}-abc.json").write_text(
            "".join(json.dumps(row) + "\n" for row in part), encoding="utf-8"
        )
        table = pa.Table.from_pylist(
            [{**row, "shares": list(row.get("shares", {}).items())} for row in part],
            pa.schema(
                [
                    ("article_id", pa.string()),
                    ("verdict", pa.string()),
                    ("shares", pa.map_(pa.string(), pa.float64())),
                    ("sources", pa.list_(pa.string())),
                    ("result", pa.string()),
                    ("error", pa.string()),
                ]
            ),
        )
        pq.write_table(table, as_parquet / f"part-0000{n}-abc.snappy.parquet")
    for folder in (as_jsonl, as_parquet):
        r = run_cli(["render", str(folder), "-f", "jsonl"])
        assert r.exit_code == 3 and r.stdout == expected
        assert r.stderr == "provenance: error: zz-broken: the input is empty\n"


def test_a_spark_pair_row_is_a_report(reports, tmp_path):
    report = reports[0]
    row = {"article_id": report.derived, "source_id": report.source, "verdict": report.verdict}
    stored = tmp_path / "pairs.jsonl"
    stored.write_text(json.dumps({**row, "report": report.to_json(indent=None)}) + "\n", encoding="utf-8")
    r = run_cli(["render", str(stored), "-f", "json"])
    assert r.exit_code == 0 and json.loads(r.stdout) == report.to_dict()


def test_standard_input(reports):
    r = run_cli(["render", "-", "-f", "json"], input=reports[0].to_json())
    assert r.exit_code == 0 and json.loads(r.stdout) == reports[0].to_dict()


def _one_line(r, code: int, *fragments: str) -> None:
    assert r.exit_code == code, (r.exit_code, r.stderr)
    lines = r.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("provenance: error: "), r.stderr
    for fragment in fragments:
        assert fragment in lines[0], lines[0]
    assert "Traceback" not in r.stderr and r.stdout == ""


def test_bad_input_is_one_line_and_exit_3(reports, tmp_path):
    written = reports[0].to_dict()
    cases = {
        "missing.json": None,
        "prose.txt": "This is not JSON at all.\n",
        "pretty-broken.json": json.dumps(written, indent=2)[:-40],
        "lines.jsonl": json.dumps(written) + "\n{not json\n",
        "empty.json": "  \n",
        "v2.json": json.dumps({**written, "schema": "text-provenance/report/2"}),
        "lineage.json": json.dumps({"schema": "text-provenance/lineage/1"}),
        "no-verdict.json": json.dumps({k: v for k, v in written.items() if k != "verdict"}),
        "number.json": "42",
        "no-schema.json": json.dumps({"verdict": "copy"}),
        "bad-result.jsonl": json.dumps({"article_id": "a", "result": "{oops"}) + "\n",
    }
    expect = {
        "missing.json": "no such file",
        "prose.txt": "not JSON",
        "pretty-broken.json": "not JSON",
        "lines.jsonl": "lines.jsonl:2: not JSON",
        "empty.json": "empty",
        "v2.json": "text-provenance/report/2",
        "lineage.json": "text-provenance/lineage/1",
        "no-verdict.json": "missing field 'verdict'",
        "number.json": "a JSON int",
        "no-schema.json": "no schema field",
        "bad-result.jsonl": "the result column is not JSON",
    }
    for name, text in cases.items():
        if text is not None:
            (tmp_path / name).write_text(text, encoding="utf-8")
        _one_line(run_cli(["render", str(tmp_path / name)]), 3, name, expect[name])
    (tmp_path / "empty-folder").mkdir()
    _one_line(run_cli(["render", str(tmp_path / "empty-folder")]), 3, "without part files")
    (tmp_path / "broken.parquet").write_bytes(b"PAR1 not really")
    _one_line(run_cli(["render", str(tmp_path / "broken.parquet")]), 3, "not a readable Parquet file")


def test_what_cannot_be_rendered_together_or_in_that_format(reports, audited, tmp_path):
    report, two = tmp_path / "r.json", tmp_path / "r2.json"
    report.write_text(reports[0].to_json(), encoding="utf-8")
    two.write_text(reports[1].to_json(), encoding="utf-8")
    results = tmp_path / "a.jsonl"
    results.write_text(json.dumps(audited[1][0].to_dict()) + "\n", encoding="utf-8")
    _one_line(run_cli(["render", str(report), str(results)]), 3, "render them apart")
    _one_line(run_cli(["render", str(report), str(two)]), 3, "2 single reports")
    _one_line(run_cli(["render", str(report), "-f", "table"]), 2, "unknown report format 'table'")
    _one_line(run_cli(["render", str(results), "-f", "nope"]), 2, "--format 'nope'")
    _one_line(run_cli(["render", str(report), "--color", "pink"]), 2, "--color")
