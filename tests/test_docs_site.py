"""The documentation site builds with `mkdocs build --strict`: a broken link, a missing anchor or a page left out
of the navigation fails the suite, not just a later deploy."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def build(root: Path, site: Path) -> subprocess.CompletedProcess[str]:
    """`mkdocs build --strict`. Skipped without mkdocs on a developer machine; in CI (CI=1) that is a failure."""
    import importlib.util

    missing = [m for m in ("mkdocs", "material") if importlib.util.find_spec(m) is None]
    if missing:
        message = f"{', '.join(missing)} not installed: they are in the test extra (pip install '.[test]')"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "mkdocs",
            "build",
            "--strict",
            "--config-file",
            str(root / "mkdocs.yml"),
            "--site-dir",
            str(site),
        ],
        cwd=root,
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )


def test_site_builds_strict(tmp_path):
    done = build(ROOT, tmp_path / "site")
    assert done.returncode == 0, done.stdout + done.stderr
    for page in (
        "index.html",
        "cli/index.html",
        "configuration/index.html",
        "ci/index.html",
        "report-schema/index.html",
        "plugins/hooks/index.html",
        "examples/check/index.html",
        "accuracy/index.html",
        "performance/index.html",
        "installation/index.html",
    ):
        assert (tmp_path / "site" / page).is_file(), page


def _copy(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    root.mkdir()
    shutil.copy(ROOT / "mkdocs.yml", root / "mkdocs.yml")
    shutil.copytree(ROOT / "docs", root / "docs")
    return root


def test_a_broken_link_fails_the_build(tmp_path):
    root = _copy(tmp_path)
    page = root / "docs" / "ci.md"
    page.write_text(
        page.read_text(encoding="utf-8") + "\nSee [the missing page](no-such-page.md).\n", encoding="utf-8"
    )
    done = build(root, tmp_path / "site")
    assert done.returncode != 0 and "no-such-page.md" in done.stdout + done.stderr


def test_a_broken_anchor_fails_the_build(tmp_path):
    root = _copy(tmp_path)
    page = root / "docs" / "ci.md"
    page.write_text(
        page.read_text(encoding="utf-8") + "\nSee [exit codes](cli.md#no-such-heading).\n", encoding="utf-8"
    )
    done = build(root, tmp_path / "site")
    assert done.returncode != 0 and "no-such-heading" in done.stdout + done.stderr


def test_readme_links_to_docs_resolve():
    """README.md is read on GitHub: its links into docs/ must name files that exist."""
    import re

    text = (ROOT / "README.md").read_text(encoding="utf-8")
    links = [
        m for m in re.findall(r"\]\(([^)#]+)(?:#[^)]*)?\)", text) if not m.startswith(("http:", "https:"))
    ]
    assert any(link.startswith("docs/") for link in links)
    missing = [link for link in links if not (ROOT / link).exists()]
    assert not missing, missing
