"""CLI input and output helpers: `-` for stdin, atomic report files and folders, colour decisions."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import stat
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from provenance.components import Folder, Rendered
from provenance.errors import InputError, UsageError

if TYPE_CHECKING:
    from rich.progress import Progress, TaskID

# `--disable NAME`, the same option in every command that runs detectors.
Disable = Annotated[
    list[str] | None,
    typer.Option("--disable", help="Switch off a detector or plugin by name. Repeatable.", metavar="NAME"),
]
# `--color WHEN` and `--show-boilerplate`: the same in every command that renders a report.
Color = Annotated[str, typer.Option(help="Colour in text reports: auto, always, never.", metavar="WHEN")]
ShowBoilerplate = Annotated[
    bool,
    typer.Option(
        "--show-boilerplate",
        help="List page furniture (menus, share bars, footers) paragraph by paragraph; by default the "
        "text, Markdown and HTML reports fold it into one line per side.",
    ),
]


def progress_bar(label: str, described: bool = False) -> Progress | None:
    """A rich progress display on standard error when it is a terminal; nothing in CI logs or pipes. `described`:
    each task's description (the current stage) is shown after the label."""
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
        *([TextColumn("[dim]{task.description}")] if described else []),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=True,
    )


class Stages:
    """A comparison's stages on a progress bar (standard error, a terminal only): one step per stage the engine
    announces, named as it starts, with the time elapsed; `done()` clears it. Quiet when stderr is not a terminal,
    like `audit`'s bar, so CI logs and pipes get none of it."""

    def __init__(self, names: Sequence[str]) -> None:
        self.names = list(names)
        self.bar = progress_bar("comparing", described=True)
        self.task: TaskID | None = None
        if self.bar is not None:
            self.task = self.bar.add_task("compare", total=len(self.names))
            self.bar.start()

    def __call__(self, stage: str) -> None:
        if self.bar is None or self.task is None:
            return
        done = self.names.index(stage) if stage in self.names else 0
        self.bar.update(self.task, completed=done, description=stage)
        self.bar.refresh()

    def done(self) -> None:
        if self.bar is not None:
            self.bar.stop()


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
    """Write what a renderer made: a text to stdout or to `--output` (`write_text`); a folder to `--output DIR`,
    then a line on stderr saying what it holds. A failure never leaves a half-written report or folder."""
    if isinstance(rendered, Folder):
        if output is None or str(output) == "-":
            raise UsageError(f"{rendered.what} is a folder of files: give it with --output DIR")
        try:
            count = write_folder(rendered, output)
        except OSError as exc:  # a full disk, a permission: one line, exit 3; the folder there before is kept
            raise InputError(
                f"--output {output}: cannot write the folder ({exc.strerror or exc}); "
                "any earlier folder there is unchanged"
            ) from None
        sys.stderr.write(f"provenance: wrote {output}/{rendered.entry} and {count} {rendered.noun}(s)\n")
        return
    write_text(rendered, output)


# Names of a descriptor the process already holds, written into whatever they resolve to: `/dev/stdout` may
# resolve to the file the shell opened for it, which must keep its inode, as with `>`.
DESCRIPTOR_NAMES = re.compile(r"/dev/(stdout|stderr|fd/\d+)|/proc/(self|\d+)/fd/\d+")


def write_text(text: str, output: Path | None) -> None:
    """The one way a command writes a text: to stdout, or to the file `--output` names.

    A regular file (or a new one) is replaced atomically: written beside it, flushed, renamed over it, so a failure
    never leaves half a report; an existing file keeps its permission bits, a new one gets 0666 less the umask. A
    symbolic link is followed and its target written, the link kept. Anything else (a device such as /dev/null, a
    FIFO, a terminal, /dev/stdout) is written into, never replaced."""
    if output is None or str(output) == "-":
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    if DESCRIPTOR_NAMES.fullmatch(str(output)):
        _write_into(text, output, output)
        return
    target = Path(os.path.realpath(output)) if output.is_symlink() else output
    try:
        st: os.stat_result | None = os.stat(target)
    except FileNotFoundError:
        st = None
    except OSError as exc:
        raise UsageError(f"--output {output}: cannot write there ({exc.strerror or exc})") from None
    if st is not None and stat.S_ISDIR(st.st_mode):
        raise UsageError(f"--output {output}: is a directory")
    if st is not None and not stat.S_ISREG(st.st_mode):
        _write_into(text, output, target)
        return
    parent = target.parent if str(target.parent) else Path(".")
    if not parent.is_dir():
        raise UsageError(f"--output {output}: directory {parent} does not exist")
    mode = stat.S_IMODE(st.st_mode) if st is not None else 0o666 & ~current_umask()
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=parent)
    except OSError as exc:
        raise UsageError(f"--output {output}: cannot write there ({exc.strerror or exc})") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
            fh.flush()
            os.fchmod(fh.fileno(), mode)
            os.fsync(
                fh.fileno()
            )  # a full disk can surface only here (delayed allocation, NFS): before the rename
        os.replace(tmp, target)
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


def _write_into(text: str, output: Path, target: Path) -> None:
    """Write into a device, FIFO or terminal as `>` would (no temporary file, no rename, no O_CREAT)."""
    try:
        fd = os.open(target, os.O_WRONLY | os.O_NOCTTY | os.O_APPEND)
    except OSError as exc:
        raise UsageError(f"--output {output}: cannot write there ({exc.strerror or exc})") from None
    data = text.encode("utf-8")
    try:
        with os.fdopen(fd, "wb", buffering=0) as fh:
            view = memoryview(data)
            while view:
                view = view[fh.write(view) or 0 :]
    except BrokenPipeError:
        raise
    except OSError as exc:
        raise InputError(f"--output {output}: cannot write the report ({exc.strerror or exc})") from None


def current_umask() -> int:
    """The process's umask (read by setting it, and at once restoring it: the CLI is one thread here)."""
    mask = os.umask(0o22)
    os.umask(mask)
    return mask


def write_folder(folder: Folder, dest: Path) -> int:
    """Build the folder beside `dest` and rename it into place, replacing an earlier one of ours whole; returns
    how many files it holds besides its entry and marker. The marker lists every file written, so that a later
    run replaces only those: a folder holding anything else is refused, never emptied."""
    parent = _folder_parent(folder, dest)
    try:
        built = Path(tempfile.mkdtemp(prefix=f".{dest.name}.", suffix=".tmp", dir=parent))
    except OSError as exc:
        raise UsageError(f"--output {dest}: cannot write there ({exc.strerror or exc})") from None
    try:
        count = _fill(built, folder)
        os.chmod(built, 0o777 & ~current_umask())
        _replace_dir(built, dest)
    except BaseException:
        shutil.rmtree(built, ignore_errors=True)
        raise
    return count


MANIFEST_HEAD = "files written:\n"  # after the marker's own text: the files a later run may replace


def _folder_parent(folder: Folder, dest: Path) -> Path:
    """The directory the folder is built in; refuses a file, a symbolic link, or a folder holding anything an
    earlier run did not write, at `dest`."""
    if dest.is_symlink():
        raise UsageError(
            f"--output {dest}: is a symbolic link; {folder.what} is written to a folder, give its path"
        )
    if dest.exists() and not dest.is_dir():
        raise UsageError(f"--output {dest}: {folder.what} is a folder of pages, and this is a file")
    if dest.is_dir():
        foreign = _foreign_files(folder, dest)
        if foreign and not (dest / folder.marker).is_file():
            raise UsageError(
                f"--output {dest}: the folder is not empty and was not written by an earlier audit; "
                "give a new or empty folder"
            )
        if foreign:
            raise UsageError(
                f"--output {dest}: the folder holds files an earlier audit did not write ({few(foreign)}); "
                "move them or give a new or empty folder"
            )
    parent = dest.parent if str(dest.parent) else Path(".")
    if not parent.is_dir():
        raise UsageError(f"--output {dest}: directory {parent} does not exist")
    return parent


def _foreign_files(folder: Folder, dest: Path) -> list[str]:
    """Files and folders under `dest` that the marker there does not list (all of them without a marker)."""
    marker = dest / folder.marker
    try:
        text = marker.read_text(encoding="utf-8", errors="replace") if marker.is_file() else None
    except OSError:
        text = None
    listed = (
        set(text.partition(MANIFEST_HEAD)[2].splitlines()) | {folder.marker} if text is not None else set()
    )
    if text is not None and MANIFEST_HEAD not in text:  # written before markers listed their files
        listed |= {folder.entry} | set(folder.folders)
        listed |= {str(p.relative_to(dest)) for d in folder.folders for p in (dest / d).rglob("*")}
    dirs = {str(p) for name in listed for p in Path(name).parents if str(p) != "."}
    found = sorted(str(p.relative_to(dest)) for p in dest.rglob("*"))
    return [name for name in found if name not in listed and name not in dirs and name not in folder.folders]


def few(names: list[str], n: int = 3) -> str:
    return ", ".join(names[:n]) + (f" and {len(names) - n} more" if len(names) > n else "")


def _fill(built: Path, folder: Folder) -> int:
    for name in folder.folders:
        _inside(built, name).mkdir(parents=True, exist_ok=True)
    count = 0
    written: list[str] = []
    marker = ""
    for name, text in folder.files:
        path = _inside(built, name)
        if name == folder.marker:
            marker = text
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written.append(name)
        if name != folder.entry:
            count += 1
    manifest = "".join(f"{name}\n" for name in written)
    marker += "" if not marker or marker.endswith("\n") else "\n"
    _inside(built, folder.marker).write_text(f"{marker}{MANIFEST_HEAD}{manifest}", encoding="utf-8")
    return count


def _inside(root: Path, name: str) -> Path:
    """A renderer's relative path, which may not climb out of the folder."""
    relative = Path(name)
    if relative.is_absolute() or ".." in relative.parts or not relative.parts or "\n" in name:
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
