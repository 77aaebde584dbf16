"""The `provenance` application: the typer app, the global options, and `guarded`, which maps every failure of a
command to one line and a documented exit code.

Exit codes (docs/cli.md): 0 ok, 1 a --fail-on threshold was crossed or the policy failed (check), 2 usage error,
3 input error, 4 plugin error, 70 internal error (a bug: PROVENANCE_DEBUG=1 shows the traceback).
"""

from __future__ import annotations

import functools
import os
import re
import sys
from collections.abc import Sequence
from typing import Annotated, Any

import typer
from typer.core import TyperCommand, TyperGroup

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

_REQUIRED = re.compile(r"\{([A-Z][A-Z0-9_=.:]*)\}")  # Typer's `{NAME}` for a required argument
_ARGUMENT_TYPE = re.compile(
    r"^(  [A-Z][A-Z0-9_]*(?:\.\.\.)?) (<[^>\n]+>)", re.MULTILINE
)  # `  NAME <list[str]>`


def plain_help(text: str) -> str:
    """Help as git and ripgrep write it: `SOURCE`, not `{SOURCE}` or `SOURCE <str>` (Typer's placeholders; the
    options carry their own metavar, such as `--format FORMAT`)."""
    text = _REQUIRED.sub(r"\1", text)
    return _ARGUMENT_TYPE.sub(lambda m: m.group(1) + " " * (len(m.group(2)) + 1), text)


class Command(TyperCommand):
    """Every command: plain help."""

    def get_help(self, ctx: Any) -> str:
        return plain_help(super().get_help(ctx))


class Group(TyperGroup):
    """The `provenance` command and its sub-groups: plain help, and a usage error in one line, as the docs
    promise (`provenance: error: No such option: --bogus (provenance compare --help)`, exit 2), not Click's
    three lines of usage, hint and error. Typer's own exceptions are its public `TyperException`."""

    def get_help(self, ctx: Any) -> str:
        return plain_help(super().get_help(ctx))

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        windows_expand_args: bool = True,
        **extra: Any,
    ) -> Any:
        run = functools.partial(
            super().main, args, prog_name, complete_var, False, windows_expand_args, **extra
        )  # not standalone: the errors come here
        if not standalone_mode:
            return run()
        try:
            code = run()
        except typer.TyperException as exc:
            ctx = getattr(exc, "ctx", None)
            if type(exc).__name__ == "NoArgsIsHelpError" or (ctx is None and not str(exc)):
                # no arguments: the help, as before
                exc.show()  # type: ignore[attr-defined]
                sys.exit(exc.exit_code)
            where = f" ({ctx.command_path} --help)" if ctx is not None else ""
            typer.echo(f"provenance: error: {exc.format_message()}{where}", err=True)
            sys.exit(exc.exit_code)
        except typer.Abort:
            typer.echo("provenance: interrupted", err=True)
            sys.exit(130)
        sys.exit(code if isinstance(code, int) else 0)


app = typer.Typer(
    name="provenance",
    cls=Group,
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
            metavar="BYTES",
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
            metavar="SECONDS",
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
