"""docs/cli.md, the examples' README and `--help` say what the code does (issue 20, item 8): the formats each
command lists are the registered renderers', the options tables are the declared options with their defaults,
the index format version is the code's, and a usage error is one line."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from provenance.engine import known_options
from provenance.index import FORMAT_VERSION
from provenance.renderers.dispatch import AUDIT, CHECK, REPORT, Kind, formats
from provenance.rules import PARTIAL_FROM
from provenance.testing import make_host, run_cli

ROOT = Path(__file__).resolve().parents[1]
CLI_DOC = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
COMMANDS = [
    "compare",
    "audit",
    "check",
    "index add",
    "index info",
    "index list",
    "index remove",
    "index check",
    "render",
]


def _help(command: str) -> str:
    r = run_cli([*command.split(), "--help"])
    assert r.exit_code == 0, r.stderr
    return r.stdout


def _format_help(command: str) -> str:
    """The --format line(s) of a command's help, joined."""
    lines = _help(command).splitlines()
    start = next(i for i, line in enumerate(lines) if "--format" in line)
    out = [lines[start]]
    for line in lines[start + 1 :]:
        if re.match(r" {2}-", line) or not line.strip():  # the next option, or the end
            break
        out.append(line)
    return " ".join(" ".join(out).split())


@pytest.mark.parametrize(
    ("command", "kind"),
    [("compare", REPORT), ("audit", AUDIT), ("check", CHECK), ("render", REPORT), ("render", AUDIT)],
)
def test_help_lists_every_built_in_format(command: str, kind: Kind):
    built_in = formats(make_host(), kind)
    listed = _format_help(command)
    for fmt in built_in:
        assert re.search(rf"\b{fmt}\b", listed), f"{command} --help does not list --format {fmt}: {listed}"


def test_cli_doc_lists_every_compare_format():
    row = next(line for line in CLI_DOC.splitlines() if line.startswith("| `--format`, `-f` | `text`"))
    for fmt in formats(make_host(), REPORT):
        assert f"`{fmt}`" in row, f"docs/cli.md does not list the {fmt} format of compare"


@pytest.mark.parametrize("command", COMMANDS)
def test_help_shows_no_type_placeholders(command: str):
    text = _help(command)
    assert not re.search(r"<(str|int|path|list\[[a-z]+\]|int range|float)>|\{[a-z_A-Z]+\}", text), text


def _documented_options() -> dict[str, str]:
    """Option name -> its default cell, from every `| name | default | meaning |` table of docs/cli.md."""
    out: dict[str, str] = {}
    for line in CLI_DOC.splitlines():
        m = re.match(r"\| (`[a-z_]+\.[a-z_]+`(?:, `[a-z_]+\.[a-z_]+`)*) \| ([^|]*(?:\\\|[^|]*)*) \|", line)
        if not m:
            continue
        names = re.findall(r"`([^`]+)`", m.group(1))
        defaults = [d.strip() for d in m.group(2).split(",")] if len(names) > 1 else [m.group(2).strip()]
        out.update(zip(names, defaults))
    return out


def _same_default(cell: str, default: object) -> bool:
    cell = re.sub(r"\s*\(.*\)$", "", cell).strip("`")  # "0.4 (2.0 with a judging scorer)" -> "0.4"
    if default is None:
        return True  # decided by the evidence: the doc says how
    if isinstance(default, str):
        return cell in (default, f'"{default}"')
    return float(cell) == float(default)  # type: ignore[arg-type]


def test_the_options_tables_are_the_declared_options():
    """Every option the tool accepts, with every installed plugin, is documented with its default; every documented
    option of a loaded component is one the tool accepts."""
    host = make_host(entry_points=True)
    declared = known_options(host)
    documented = _documented_options()
    missing = sorted(set(declared) - set(documented))
    assert not missing, f"docs/cli.md does not document {missing}"
    loaded = {name.split(".")[0] for name in declared}
    unknown = sorted(n for n in documented if n.split(".")[0] in loaded and n not in declared)
    assert not unknown, f"docs/cli.md documents options the tool does not have: {unknown}"
    wrong = {
        n: (documented[n], declared[n].default)
        for n in declared
        if not _same_default(documented[n], declared[n].default)
    }
    assert not wrong, f"docs/cli.md gives other defaults (doc, code): {wrong}"


def test_cli_doc_and_index_info_give_the_code_format_version(tmp_path, examples):
    assert f"format version ({FORMAT_VERSION})" in CLI_DOC
    assert len(re.findall(r"format version \((\d+)\)", CLI_DOC)) == 1
    index = tmp_path / "i.db"
    assert run_cli(["index", "add", str(index), str(examples / "wire-story.txt")]).exit_code == 0
    info = run_cli(["index", "info", str(index)])
    assert info.exit_code == 0 and re.search(rf"\bformat\b\D*\b{FORMAT_VERSION}\b", info.stdout), info.stdout


def test_examples_readme_names_the_partial_bar_of_the_code():
    readme = (ROOT / "examples" / "README.md").read_text(encoding="utf-8")
    bars = re.findall(r"under the (\d+)%", readme)
    assert bars and all(int(b) == round(PARTIAL_FROM * 100) for b in bars), bars


@pytest.mark.parametrize(
    "args",
    [
        ["compare", "--bogus"],
        ["compare", "only-one.txt"],
        ["bogus"],
        ["audit", "x.db", "a.txt", "--top", "zero"],
    ],
)
def test_a_usage_error_is_one_line(args: list[str]):
    r = run_cli(args)
    assert r.exit_code == 2
    lines = r.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("provenance: error: ") and "--help" in lines[0], r.stderr
    assert r.stdout == ""


def test_no_arguments_still_show_the_help():
    r = run_cli([])
    assert "Usage: provenance" in r.stdout + r.stderr and "compare" in r.stdout + r.stderr
