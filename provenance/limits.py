"""Limits on what one article may cost. Kept apart from the pipeline so the CLI can set them without importing it."""

from __future__ import annotations

from provenance.errors import InputError, UsageError

# Work grows about linearly with an article's size (about 4 s and 90 MB per MB of text on a 2-core machine: see
# docs/inputs.md), so the default refuses what no news article reaches, and a user can raise or lift it
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


def set_time_limit(seconds: int) -> None:
    """Stop the whole command after `seconds` (0: no limit) with one line and exit 3. Safe to interrupt anywhere:
    index batches are transactions and reports are written to a temporary file and renamed, so nothing half
    written is left. Uses SIGALRM, so it applies on Unix and in the main thread only.

    A signal handler's exception can still be lost: Python reports it as "unraisable" when the signal lands while
    a garbage-collector callback or a finaliser runs. So the handler re-arms the timer before raising, and keeps
    raising every quarter second until `cancel_time_limit()` (called once the error has been reported)."""
    import signal

    if seconds < 0:
        raise UsageError(f"--timeout {seconds}: expected seconds, or 0 for no limit")
    if not hasattr(signal, "SIGALRM"):
        return
    message = (
        f"stopped after the --timeout of {seconds} s (raise it, or 0 for none); nothing half-written was kept"
    )

    def expire(signum, frame):  # the signal handler signature
        signal.setitimer(signal.ITIMER_REAL, _REFIRE_SECONDS)
        raise TimeLimitExceeded(message)

    signal.signal(signal.SIGALRM, expire if seconds else signal.SIG_DFL)
    signal.setitimer(signal.ITIMER_REAL, seconds)


def cancel_time_limit() -> None:
    """Disarm `--timeout`: the command's work is over (done or reported), so nothing may interrupt the exit."""
    import signal

    if hasattr(signal, "SIGALRM"):
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, signal.SIG_DFL)
