"""CLI input and output helpers: `-` for stdin, atomic report files, colour decisions."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

from provenance.errors import InputError, UsageError


def read_input(arg: str) -> tuple[Path | bytes, str]:
    """A path argument, or `-` for standard input (read as bytes so encodings are detected the same way)."""
    if arg == "-":
        if sys.stdin is None or sys.stdin.isatty():
            raise InputError("-: standard input is a terminal; pipe an article in or pass a file")
        from provenance.limits import max_bytes

        limit = max_bytes()  # read one byte past the limit, never a whole runaway stream
        return (sys.stdin.buffer.read(limit + 1) if limit else sys.stdin.buffer.read()), "<stdin>"
    return Path(arg), arg


def write_output(text: str, output: Path | None) -> None:
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
            os.fsync(fh.fileno())  # a full disk can surface only here (delayed allocation, NFS): before the rename
        os.replace(tmp, output)
    except BaseException as exc:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        if isinstance(exc, OSError):  # ENOSPC, EDQUOT, EIO: one line, exit 3; the file there before is untouched
            raise InputError(f"--output {output}: cannot write the report ({exc.strerror or exc}); "
                             "any earlier file there is unchanged") from None
        raise


def use_color(choice: str, output: Path | None) -> bool:
    if choice == "always":
        return True
    if choice == "never" or output is not None or os.environ.get("NO_COLOR"):
        return False
    return sys.stdout.isatty()
