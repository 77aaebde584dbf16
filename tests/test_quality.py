"""Quality gates, run with the tests (and so in CI): lint, formatting, types, the layers contract, no import cycles.

Each gate runs the real tool on the tree as a contributor would (`ruff check`, `ruff format --check`, `mypy`,
`lint-imports`); the failure message is the tool's own output, so it says what to fix and where."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SOURCES = ["provenance", "plugins", "bench", "tests", "scripts", "fuzz"]


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=ROOT, capture_output=True, text=True, check=False)


def tool(name: str) -> str:
    """The tool installed beside this Python (the test extra installs them), else on PATH."""
    beside = Path(sys.executable).parent / name
    found = str(beside) if beside.exists() else shutil.which(name)
    if found is None:
        pytest.fail(f"{name} is not installed: pip install '.[test]'")
    return found


def test_ruff_finds_nothing():
    r = run(tool("ruff"), "check", *SOURCES)
    assert r.returncode == 0, r.stdout + r.stderr


def test_the_code_is_formatted():
    r = run(tool("ruff"), "format", "--check", *SOURCES)
    assert r.returncode == 0, r.stdout + r.stderr


def test_mypy_finds_nothing_in_the_package():
    r = run(sys.executable, "-m", "mypy")  # files and settings: [tool.mypy] in pyproject.toml
    assert r.returncode == 0, r.stdout + r.stderr


def test_imports_only_point_down_the_layers():
    r = run(tool("lint-imports"))  # the contract: [tool.importlinter] in pyproject.toml
    assert r.returncode == 0, r.stdout + r.stderr


def test_no_module_imports_itself_through_others():
    import grimp

    graph = grimp.build_graph("provenance", exclude_type_checking_imports=True)
    cycles = sorted(
        {
            tuple(sorted((m, imp)))
            for m in graph.modules
            for imp in graph.find_modules_directly_imported_by(m)
            if graph.find_shortest_chain(importer=imp, imported=m)
        }
    )
    assert cycles == []
