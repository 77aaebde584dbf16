"""The `provenance` application: the typer app, the global options, and `guarded`, which maps every failure of a
command to one line and a documented exit code.

Exit codes (docs/cli.md): 0 ok, 1 a --fail-on threshold was crossed or the policy failed (check), 2 usage error,
3 input error, 4 plugin error, 70 internal error (a bug: PROVENANCE_DEBUG=1 shows the traceback).
"""

from __future__ import annotations

import os
import sys
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from provenance._version import __version__
from provenance.errors import ProvenanceError
from provenance.limits import (
    DEFAULT_MAX_BYTES,
    MAX_TIMEOUT,
    TimeLimitExceeded,
    cancel_time_limit,
    set_max_bytes,
    set_time_limit,
)

EXIT_INTERNAL = 70


class _OneLineErrors(TyperGroup):
    """The root command: an argument the parser refuses (an unknown option, a missing file argument, a value out
    of range) is one `provenance: error:` line and exit 2, like every other error, not Click's three-line block
    (usage, hint, error)."""

    def main(
        self, args: Any = None, prog_name: Any = None, *more: Any, standalone_mode: bool = True, **kwargs: Any
    ) -> Any:
        if more or not standalone_mode:
            return super().main(args, prog_name, *more, standalone_mode=standalone_mode, **kwargs)  # type: ignore[misc]
        try:
            code = super().main(args, prog_name, standalone_mode=False, **kwargs)
        except typer.Abort:
            typer.echo("provenance: interrupted", err=True)
            sys.exit(130)
        except Exception as exc:
            message = getattr(exc, "format_message", None)
            code = getattr(exc, "exit_code", None)
            if not callable(message) or not isinstance(code, int):  # not the parser's: as before
                raise
            if type(exc).__name__ == "NoArgsIsHelpError":  # `provenance` alone: the help, as before
                exc.show()  # type: ignore[attr-defined]
                sys.exit(code)
            ctx = getattr(exc, "ctx", None)
            hint = f" (see {ctx.command_path} --help)" if ctx is not None else ""
            typer.echo(f"provenance: error: {' '.join(message().split()).rstrip('.')}{hint}", err=True)
            sys.exit(code)
        sys.exit(code if isinstance(code, int) else 0)


app = typer.Typer(
    cls=_OneLineErrors,
    name="provenance",
    help="Tell how one article derives from another: copied, rewritten, added and boilerplate paragraphs.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"text-provenance {__version__}")
        raise typer.Exit(0)


@app.callback()
def _root(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = False,
    max_bytes: Annotated[
        int,
        typer.Option(
            "--max-bytes",
            envvar="PROVENANCE_MAX_BYTES",
            min=0,
            help="Refuse articles larger than this many bytes (exit 3); 0 for no limit.",
        ),
    ] = DEFAULT_MAX_BYTES,
    timeout: Annotated[
        int,
        typer.Option(
            "--timeout",
            envvar="PROVENANCE_TIMEOUT",
            min=0,
            max=MAX_TIMEOUT,
            help="Stop the command after this many seconds (exit 3); 0 (the default) for no limit.",
        ),
    ] = 0,
) -> None:
    """Tell how one article derives from another."""
    set_max_bytes(max_bytes)
    if timeout:
        set_time_limit(timeout)


def fail(message: str, code: int) -> None:
    """One line on stderr, then the exit code: the contract every command keeps."""
    typer.echo(f"provenance: error: {message}", err=True)
    raise typer.Exit(code)


def guarded(fn):
    """Run a command body, turning our errors into one-line messages and exit codes."""
    import functools

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except typer.Exit:
            raise
        except TimeLimitExceeded as exc:
            cancel_time_limit()
            fail(str(exc), exc.exit_code)
        except ProvenanceError as exc:
            if os.environ.get("PROVENANCE_DEBUG"):
                raise
            fail(str(exc), exc.exit_code)
        except KeyboardInterrupt:
            typer.echo("provenance: interrupted", err=True)
            raise typer.Exit(130) from None
        except BrokenPipeError:
            sys.stderr.close()
            raise typer.Exit(0) from None
        except Exception as exc:
            if os.environ.get("PROVENANCE_DEBUG"):
                raise
            fail(
                f"internal error: {type(exc).__name__}: {exc} (set PROVENANCE_DEBUG=1 for the traceback)",
                EXIT_INTERNAL,
            )
        finally:
            cancel_time_limit()

    return wrapper
