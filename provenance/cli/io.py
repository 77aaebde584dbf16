"""CLI input and output helpers: `-` for stdin, atomic report files and folders, colour decisions."""

from __future__ import annotations

import contextlib
import os
import shutil
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from provenance.components import Folder, Rendered
from provenance.errors import InputError, UsageError

if TYPE_CHECKING:
    from rich.progress import Progress

# `--disable NAME`, the same option in every command that runs detectors.
Disable = Annotated[
    list[str] | None,
    typer.Option("--disable", help="Switch off a detector or plugin by name. Repeatable.", metavar="NAME"),
]


def progress_bar(label: str) -> Progress | None:
    """A rich progress display on standard error when it is a terminal; nothing in CI logs or pipes."""
    if not sys.stderr.isatty():
        return None
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        SpinnerColumn,
        TextColumn,
        TimeElapsedColumn,
    )

    return Progress(
        SpinnerColumn(),
        TextColumn(label),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=True,
    )


def read_input(arg: str) -> tuple[Path | bytes, str]:
    """A path argument, or `-` for standard input (read as bytes so encodings are detected the same way)."""
    if arg == "-":
        if sys.stdin is None or sys.stdin.isatty():
            raise InputError("-: standard input is a terminal; pipe an article in or pass a file")
        from provenance.limits import max_bytes

        limit = max_bytes()  # read one byte past the limit, never a whole runaway stream
        return (sys.stdin.buffer.read(limit + 1) if limit else sys.stdin.buffer.read()), "<stdin>"
    return Path(arg), arg


def write_output(rendered: Rendered, output: Path | None) -> None:
    """Write what a renderer made: a text to stdout or, atomically, to a file; a folder to `--output DIR`, then a
    line on stderr saying what it holds. A failure never leaves a half-written report or folder."""
    if isinstance(rendered, Folder):
        if output is None or str(output) == "-":
            raise UsageError(f"{rendered.what} is a folder of files: give it with --output DIR")
        count = write_folder(rendered, output)
        sys.stderr.write(f"provenance: wrote {output}/{rendered.entry} and {count} {rendered.noun}(s)\n")
        return
    write_text(rendered, output)


def write_text(text: str, output: Path | None) -> None:
    """Write the report to stdout or, atomically, to a file: a failure never leaves a half-written report."""
    if output is None or str(output) == "-":
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    parent = output.parent if str(output.parent) else Path(".")
    if not parent.is_dir():
        raise UsageError(f"--output {output}: directory {parent} does not exist")
    if output.is_dir():
        raise UsageError(f"--output {output}: is a directory")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{output.name}.", suffix=".tmp", dir=parent)
    except OSError as exc:
        raise UsageError(f"--output {output}: cannot write there ({exc.strerror or exc})") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(
                fh.fileno()
            )  # a full disk can surface only here (delayed allocation, NFS): before the rename
        os.replace(tmp, output)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(
            exc, OSError
        ):  # ENOSPC, EDQUOT, EIO: one line, exit 3; the file there before is untouched
            raise InputError(
                f"--output {output}: cannot write the report ({exc.strerror or exc}); "
                "any earlier file there is unchanged"
            ) from None
        raise


def write_folder(folder: Folder, dest: Path) -> int:
    """Build the folder beside `dest` and rename it into place, replacing an earlier one of ours whole; returns
    how many files it holds besides its entry and marker."""
    parent = _folder_parent(folder, dest)
    try:
        built = Path(tempfile.mkdtemp(prefix=f".{dest.name}.", suffix=".tmp", dir=parent))
    except OSError as exc:
        raise UsageError(f"--output {dest}: cannot write there ({exc.strerror or exc})") from None
    try:
        count = _fill(built, folder)
        os.chmod(built, 0o755)
        _replace_dir(built, dest)
    except BaseException:
        shutil.rmtree(built, ignore_errors=True)
        raise
    return count


def _folder_parent(folder: Folder, dest: Path) -> Path:
    """The directory the folder is built in; refuses a file, or a folder of someone else's, at `dest`."""
    if dest.exists() and not dest.is_dir():
        raise UsageError(f"--output {dest}: {folder.what} is a folder of pages, and this is a file")
    if dest.is_dir() and any(dest.iterdir()) and not (dest / folder.marker).exists():
        raise UsageError(
            f"--output {dest}: the folder is not empty and was not written by an earlier audit; "
            "give a new or empty folder"
        )
    parent = dest.parent if str(dest.parent) else Path(".")
    if not parent.is_dir():
        raise UsageError(f"--output {dest}: directory {parent} does not exist")
    return parent


def _fill(built: Path, folder: Folder) -> int:
    for name in folder.folders:
        _inside(built, name).mkdir(parents=True, exist_ok=True)
    count = 0
    for name, text in folder.files:
        path = _inside(built, name)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        if name not in (folder.entry, folder.marker):
            count += 1
    return count


def _inside(root: Path, name: str) -> Path:
    """A renderer's relative path, which may not climb out of the folder."""
    relative = Path(name)
    if relative.is_absolute() or ".." in relative.parts or not relative.parts:
        raise ValueError(f"a renderer gave {name!r} as a file of its folder: not a path inside it")
    return root / relative


def _replace_dir(built: Path, dest: Path) -> None:
    """Swap the built folder into place; the old one (ours, or empty) is removed only after the swap."""
    if not dest.exists():
        os.replace(built, dest)
        return
    old = Path(tempfile.mkdtemp(prefix=f".{dest.name}.old-", dir=dest.parent))
    os.replace(dest, old / "x")
    try:
        os.replace(built, dest)
    except BaseException:
        os.replace(old / "x", dest)
        raise
    shutil.rmtree(old, ignore_errors=True)


def use_color(choice: str, output: Path | None) -> bool:
    if choice == "always":
        return True
    if choice == "never" or output is not None or os.environ.get("NO_COLOR"):
        return False
    return sys.stdout.isatty()


def parse_options(pairs: list[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for pair in pairs:
        if "=" not in pair:
            raise UsageError(f"--option {pair!r}: expected NAME=VALUE, such as copy.threshold=0.8")
        k, v = pair.split("=", 1)
        out[k.strip()] = v.strip()
    return out
