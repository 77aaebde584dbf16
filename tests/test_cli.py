"""The CLI contract: formats, output files, thresholds, exit codes and one-line errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from provenance.cli import app

runner = CliRunner()

SOURCE = """Floodwater reaches the high street

The river burst its banks at dawn on Tuesday, flooding 140 homes on the east side of Marlow Bridge, the county said.

Emergency crews moved 320 residents to the leisure centre, where volunteers served hot meals through the night.

“We have never seen the water rise this quickly,” said fire officer Dana Price, who has served in the town for twenty years.
"""

COPY = SOURCE

ADDED = """A different story entirely

The orchestra announced its autumn programme yesterday, with three premieres and a late-night concert series.

Tickets go on sale next month and the conductor promised shorter intervals.
"""


@pytest.fixture()
def pair(tmp_path: Path) -> tuple[Path, Path, Path]:
    src = tmp_path / "source.txt"
    src.write_text(SOURCE, encoding="utf-8")
    cp = tmp_path / "copy.txt"
    cp.write_text(COPY, encoding="utf-8")
    other = tmp_path / "other.md"
    other.write_text(ADDED, encoding="utf-8")
    return src, cp, other


def run(*args: str, input: bytes | None = None):
    return runner.invoke(app, list(args), input=input)


def test_text_report_has_summary_and_rows(pair):
    src, cp, _ = pair
    r = run("compare", str(src), str(cp), "--color", "never")
    assert r.exit_code == 0, r.output
    first = r.stdout.splitlines()[0]
    assert first.startswith("verdict: COPY")
    assert "\x1b[" not in r.stdout
    assert sum(1 for line in r.stdout.splitlines() if " copy " in f" {line} ") >= 3


def test_json_is_schema_and_deterministic(pair, tmp_path):
    src, _cp, other = pair
    outs = []
    for name in ("a.json", "b.json"):
        r = run("compare", str(src), str(other), "--format", "json", "--output", str(tmp_path / name))
        assert r.exit_code == 0, r.output
        outs.append((tmp_path / name).read_bytes())
    assert outs[0] == outs[1]
    doc = json.loads(outs[0])
    assert doc["schema"] == "text-provenance/report/1"
    assert doc["verdict"] == "independent"
    assert set(doc["shares"]) == {"copy", "rewrite", "added"}
    for p in doc["paragraphs"]:
        assert {"index", "text", "relation", "sources", "score", "evidence"} <= set(p)
    for p in doc["source_paragraphs"]:
        assert {"index", "text", "relation", "reused"} <= set(p)
    assert doc["parameters"]["fingerprint"]["num_perm"] > 0


def test_api_to_dict_equals_json_output(pair):
    import provenance

    src, cp, _ = pair
    r = run("compare", str(src), str(cp), "--format", "json")
    assert (
        json.loads(r.stdout)
        == provenance.compare(src, cp, source_name=str(src), derived_name=str(cp)).to_dict()
    )


@pytest.mark.parametrize(
    "expr,code",
    [
        ("copy>0.5", 1),
        ("verdict=copy", 1),
        ("verdict=copy|rewrite", 1),
        ("added>0.1", 0),
        ("copy>50%", 1),
        ("verdict!=copy", 0),
        ("coverage>=0.9", 1),
    ],
)
def test_fail_on(pair, expr, code):
    src, cp, _ = pair
    r = run("compare", str(src), str(cp), "--fail-on", expr, "--format", "json")
    assert r.exit_code == code, r.output
    if code:
        assert "threshold crossed" in r.stderr
    json.loads(r.stdout)  # the report is still written


@pytest.mark.parametrize(
    "args,code,needle",
    [
        (["--fail-on", "copy>>1"], 2, "is not a number"),
        (["--fail-on", "copy"], 2, "expected METRIC OP VALUE"),
        (["--fail-on", "verdict=maybe"], 2, "unknown verdict"),
        (["--fail-on", "copy>2"], 2, "between 0 and 1"),
        (["--format", "pdf"], 2, "unknown report format"),
        (["--option", "copy.threshold"], 2, "NAME=VALUE"),
        (["--option", "nonsense=1"], 2, "unknown option"),
        (["--disable", "nonexistent"], 2, "no plugin or component"),
    ],
)
def test_usage_errors_are_one_line(pair, args, code, needle):
    src, cp, _ = pair
    r = run("compare", str(src), str(cp), *args)
    assert r.exit_code == code
    assert needle in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1
    assert "Traceback" not in r.output


def test_input_errors_exit_3(pair, tmp_path):
    src, _, _ = pair
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    png = tmp_path / "image.txt"
    png.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(100))
    for bad, needle in (
        (tmp_path / "nope.txt", "no such file"),
        (empty, "empty"),
        (png, "PNG"),
        (tmp_path, "directory"),
    ):
        r = run("compare", str(src), str(bad))
        assert r.exit_code == 3, (bad, r.output)
        assert needle in r.stderr and len(r.stderr.strip().splitlines()) == 1


def test_stdin_dash(pair):
    src, cp, _ = pair
    r = run("compare", str(src), "-", "--format", "json", input=cp.read_bytes())
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["verdict"] == "copy"
    assert run("compare", "-", "-").exit_code == 2


def test_failed_output_keeps_existing_report(pair, tmp_path):
    src, _cp, _ = pair
    out = tmp_path / "report.json"
    out.write_text("previous report", encoding="utf-8")
    r = run("compare", str(src), str(tmp_path / "missing.txt"), "--output", str(out))
    assert r.exit_code == 3
    assert out.read_text(encoding="utf-8") == "previous report"
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_version_and_help_do_not_import_datasketch():
    code = (
        "import sys, runpy; sys.argv=['provenance','--help']\n"
        "try:\n runpy.run_module('provenance.cli.__main__', run_name='__main__')\n"
        "except SystemExit: pass\n"
        "assert 'datasketch' not in sys.modules and 'trafilatura' not in sys.modules, 'heavy import'\n"
        "heavy = [m for m in ('numpy', 'provenance.model', 'pluggy') if m in sys.modules]\n"
        "assert not heavy, heavy  # the data model and the plugin host load on first use\n"
    )
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert proc.returncode == 0, proc.stderr
    assert "compare" in proc.stdout
    r = run("--version")
    assert r.exit_code == 0 and r.stdout.startswith("text-provenance ")


def test_a_compare_does_not_import_pydantic(pair):
    """typer from 0.29 coerces every parameter through pydantic, about 70 ms of a cold command
    (docs/performance.md): the pin keeps typer below it, and this notices a resolver that does not."""
    src, cp, _ = pair
    code = (
        "import sys, runpy\n"
        f"sys.argv=['provenance','compare',{str(src)!r},{str(cp)!r},'--format','json']\n"
        "try:\n runpy.run_module('provenance.cli.__main__', run_name='__main__')\n"
        "except SystemExit as e:\n assert not e.code, e.code\n"
        "assert 'pydantic' not in sys.modules, 'pydantic imported'\n"
    )
    env = {
        **os.environ,
        "PYTHONPATH": str(Path(__file__).resolve().parents[1]),
        "PROVENANCE_LOAD_PLUGINS": "",
    }
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert proc.returncode == 0, proc.stderr
    assert '"verdict"' in proc.stdout


@pytest.mark.parametrize(
    ("load", "user", "expected"),
    [("", None, "1"), ("", "3", "3"), (None, None, None), ("provenance-semantic", None, None)],
)
def test_blas_uses_one_thread_only_when_no_plugin_loads(load, user, expected):
    """Without plugins nothing uses BLAS, and OpenBLAS starting its threads costs a cold command about 15 ms
    (docs/performance.md); a user's own setting, or a plugin that may multiply matrices, keeps its threads."""
    env = {
        k: v for k, v in os.environ.items() if k not in ("PROVENANCE_LOAD_PLUGINS", "OPENBLAS_NUM_THREADS")
    }
    env["PYTHONPATH"] = str(Path(__file__).resolve().parents[1])
    if load is not None:
        env["PROVENANCE_LOAD_PLUGINS"] = load
    if user is not None:
        env["OPENBLAS_NUM_THREADS"] = user
    code = "import os, provenance.cli; print(os.environ.get('OPENBLAS_NUM_THREADS'))"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == str(expected)


def test_config_file_sets_options(pair, tmp_path):
    src, cp, _ = pair
    cfg = tmp_path / "provenance.toml"
    cfg.write_text("[options]\nverdict.copy_from = 1.0\n[options.copy]\nthreshold = 0.99\n", encoding="utf-8")
    r = run("compare", str(src), str(cp), "--format", "json", "--config", str(cfg))
    assert r.exit_code == 0, r.output
    doc = json.loads(r.stdout)
    assert doc["parameters"]["options"]["copy.threshold"] == 0.99
    assert doc["parameters"]["options"]["verdict.copy_from"] == 1.0
    # --option wins over the file
    r = run(
        "compare",
        str(src),
        str(cp),
        "--format",
        "json",
        "--config",
        str(cfg),
        "--option",
        "copy.threshold=0.5",
    )
    assert json.loads(r.stdout)["parameters"]["options"]["copy.threshold"] == 0.5
    bad = tmp_path / "bad.toml"
    bad.write_text("[options]\ncopy.threshold = 'high'\n", encoding="utf-8")
    r = run("compare", str(src), str(cp), "--config", str(bad))
    assert r.exit_code == 2 and "copy.threshold expects a number" in r.stderr
    bad.write_text("[options\n", encoding="utf-8")
    r = run("compare", str(src), str(cp), "--config", str(bad))
    assert r.exit_code == 2 and "not valid TOML" in r.stderr
    r = run("compare", str(src), str(cp), "--option", "copy.threshold=1.5")
    assert r.exit_code == 2 and "at most 1.0" in r.stderr
