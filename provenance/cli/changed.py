"""Articles changed since a git revision, for `provenance check --changed-since REV`.

Changed means: differs from REV in the work tree (committed since, staged or not: `git diff --name-only REV`,
deletions left out), plus untracked files that git does not ignore. The untracked ones matter on a writer's
machine (a new article not yet added is exactly what should be checked before it is); a CI checkout has none.
Only files with an article suffix count; paths are returned relative to the working directory when they are
below it, so reports name them as the user would.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Sequence
from fnmatch import fnmatch
from pathlib import Path

from provenance.errors import UsageError
from provenance.text.inputs import ARTICLE_SUFFIXES


def _git(args: Sequence[str], cwd: Path) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(["git", *args], cwd=cwd, capture_output=True, check=False)
    except FileNotFoundError:
        raise UsageError("--changed-since needs git, which is not installed (or not on PATH)") from None


def changed_articles(rev: str, within: Sequence[str] = (), cwd: Path | None = None) -> list[str]:
    """Article files changed since `rev`, limited to `within` (files, directories or globs) when given."""
    cwd = cwd or Path.cwd()
    top = _git(["rev-parse", "--show-toplevel"], cwd)
    if top.returncode != 0:
        raise UsageError(f"--changed-since {rev}: {cwd} is not inside a git repository")
    root = Path(os.fsdecode(top.stdout.strip()))
    if (
        rev.startswith("-")
        or _git(["rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}"], root).returncode
    ):
        raise UsageError(
            f"--changed-since {rev}: unknown revision in {root} (a shallow clone may lack it: "
            "fetch more history, e.g. actions/checkout with fetch-depth: 0)"
        )
    diff = _git(["diff", "--name-only", "-z", "--no-renames", "--diff-filter=d", rev, "--"], root)
    if diff.returncode != 0:
        raise UsageError(f"--changed-since {rev}: git diff failed: {os.fsdecode(diff.stderr).strip()}")
    untracked = _git(["ls-files", "--others", "--exclude-standard", "-z"], root)
    names = {os.fsdecode(n) for n in diff.stdout.split(b"\0") + untracked.stdout.split(b"\0") if n}
    found: list[str] = []
    for name in sorted(names):
        path = root / name
        if path.suffix.lower() not in ARTICLE_SUFFIXES or not path.is_file():
            continue
        shown = _relative(path, cwd)
        if not within or any(_inside(shown, path, w, cwd) for w in within):
            found.append(shown)
    return found


def _relative(path: Path, cwd: Path) -> str:
    try:
        return str(path.resolve().relative_to(cwd.resolve()))
    except ValueError:
        return str(path)


def _inside(shown: str, path: Path, arg: str, cwd: Path) -> bool:
    """Whether a changed file is named by a PATH argument: that file, a file below that directory, or a glob match."""
    if any(ch in arg for ch in "*?["):
        return fnmatch(shown, arg) or fnmatch(str(path), arg)
    target = (cwd / arg).resolve()
    resolved = path.resolve()
    return resolved == target or target in resolved.parents
