"""Limits on what one article may cost. Kept apart from the pipeline so the CLI can set them without importing it."""

from __future__ import annotations

import gc
import sys

from provenance.errors import InputError, UsageError

# Work grows about linearly with an article's size (4 to 11 s and up to 160 MB per MB of text on a 2-core machine
# without plugins, the scorers' work bounded with them: see docs/inputs.md), so the default refuses what no news article reaches, and a user can raise or lift it
# (`provenance --max-bytes N`, PROVENANCE_MAX_BYTES; 0 = no limit).
DEFAULT_MAX_BYTES = 5 * 1024 * 1024
_limit = {"bytes": DEFAULT_MAX_BYTES}


def set_max_bytes(limit: int) -> None:
    """The largest article accepted, in bytes (0: no limit). Applies to files, standard input, bytes and text."""
    if limit < 0:
        raise UsageError(f"--max-bytes {limit}: expected a size in bytes, or 0 for no limit")
    _limit["bytes"] = limit


def max_bytes() -> int:
    return _limit["bytes"]


def check_size(size: int, name: str) -> None:
    limit = _limit["bytes"]
    if limit and size > limit:
        raise InputError(
            f"{name}: is {_mib(size)}, above the {_mib(limit)} limit for one article "
            "(raise it with --max-bytes, or 0 for none)"
        )


def _mib(n: int) -> str:
    return f"{n / (1024 * 1024):.1f} MiB" if n >= 1024 * 1024 else f"{n:,} bytes"


class TimeLimitExceeded(BaseException):
    """The command ran past `--timeout`: reported like an input too costly to process (exit 3).

    A BaseException, like KeyboardInterrupt, so that no `except Exception` on the way (a plugin guard, a parser
    wrapper) can turn it into another error or swallow it."""

    exit_code = 3


_REFIRE_SECONDS = 0.25
_DEFER_SECONDS = 0.01  # how soon an expired limit that landed in a finaliser or a collection tries again
# The longest --timeout: a year. setitimer refuses what overflows a C timeval (`--timeout 9999999999`), and no
# command is meant to run longer.
MAX_TIMEOUT = 366 * 24 * 3600
_state: dict[str, object] = {"collecting": False, "hook": None}


def set_time_limit(seconds: int) -> None:
    """Stop the whole command after `seconds` (0: no limit) with one line and exit 3. Safe to interrupt anywhere:
    index batches are transactions and reports are written to a temporary file and renamed, so nothing half
    written is left. Uses SIGALRM, so it applies on Unix and in the main thread only.

    An exception raised from a signal handler while a garbage-collector callback or a finaliser runs cannot
    propagate: Python reports it as "unraisable" and drops it, after cutting that finaliser short. So the handler
    does not raise there: during a collection (seen through `gc.callbacks`) or inside a `__del__`, it tries again
    10 ms later. Where it does raise, it re-arms the timer first and keeps raising every quarter second until
    `cancel_time_limit()`; and while a limit is armed, a TimeLimitExceeded that still ends up unraisable is
    dropped quietly (the next one stops the command) instead of printing a warning."""
    import signal

    if not 0 <= seconds <= MAX_TIMEOUT:
        raise UsageError(f"--timeout {seconds}: expected seconds from 0 (no limit) to {MAX_TIMEOUT} (a year)")
    if not hasattr(signal, "SIGALRM"):
        return
    message = (
        f"stopped after the --timeout of {seconds} s (raise it, or 0 for none); nothing half-written was kept"
    )

    def expire(signum, frame):  # the signal handler signature
        if _in_finaliser(frame):
            signal.setitimer(signal.ITIMER_REAL, _DEFER_SECONDS)
            return
        signal.setitimer(signal.ITIMER_REAL, _REFIRE_SECONDS)
        raise TimeLimitExceeded(message)

    if seconds:
        _watch_finalisers()
    signal.signal(signal.SIGALRM, expire if seconds else signal.SIG_DFL)
    signal.setitimer(signal.ITIMER_REAL, seconds)


def _in_finaliser(frame) -> bool:
    """Whether the interrupted code is a garbage collection or a finaliser, where a raise would be lost."""
    if _state["collecting"]:
        return True
    depth = 0
    while frame is not None and depth < 64:
        if frame.f_code.co_name == "__del__":
            return True
        frame, depth = frame.f_back, depth + 1
    return False


def _gc_start(phase: str, info: dict) -> None:  # first of gc.callbacks: set before the others run
    if phase == "start":
        _state["collecting"] = True


def _gc_stop(phase: str, info: dict) -> None:  # last of gc.callbacks: cleared after the others ran
    if phase == "stop":
        _state["collecting"] = False


def _quiet_unraisable(unraisable) -> None:
    if isinstance(unraisable.exc_value, TimeLimitExceeded):
        return  # the timer fires again: this one was lost in a finaliser
    previous = _state["hook"]
    (previous if callable(previous) else sys.__unraisablehook__)(unraisable)


def _watch_finalisers() -> None:
    if _state["hook"] is None:
        _state["hook"] = sys.unraisablehook
        sys.unraisablehook = _quiet_unraisable
    if _gc_start not in gc.callbacks:
        gc.callbacks.insert(0, _gc_start)
        gc.callbacks.append(_gc_stop)


def cancel_time_limit() -> None:
    """Disarm `--timeout`: the command's work is over (done or reported), so nothing may interrupt the exit."""
    import signal

    if hasattr(signal, "SIGALRM"):
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, signal.SIG_DFL)
    for callback in (_gc_start, _gc_stop):
        if callback in gc.callbacks:
            gc.callbacks.remove(callback)
    _state["collecting"] = False
    previous = _state["hook"]
    if previous is not None:
        if sys.unraisablehook is _quiet_unraisable:
            sys.unraisablehook = previous  # type: ignore[assignment]
        _state["hook"] = None
