"""One child process, measured as a user meets it: its wall time and its own peak memory.

`resource.getrusage(RUSAGE_CHILDREN).ru_maxrss` is the largest of every child so far, and running a command through a
small Python wrapper to read it adds one interpreter start to the wall time; `os.wait4` returns the child's own usage.
"""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Child:
    wall: float  # seconds, start to exit
    peak_mb: float  # the child's own peak resident memory
    code: int  # exit code
    stderr: str


def run_child(cmd: list[str], env: Mapping[str, str] | None = None) -> Child:
    """Run `cmd` (output discarded, error kept) and measure it."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=None if env is None else dict(env)
    )
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
    code = os.waitstatus_to_exitcode(status)
    proc.returncode = code
    return Child(wall, usage.ru_maxrss / 1024, code, err)
