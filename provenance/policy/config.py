"""Policy files: what a repository expects of its articles, kept beside them instead of in every command line.

The policy lives in `[tool.provenance]` of pyproject.toml or at the top level of provenance.toml. Without
`--config FILE`, it is looked for from the working directory upwards; the first directory with a provenance.toml,
or with a pyproject.toml that has a `[tool.provenance]` table, wins (provenance.toml first, in one directory).
Command-line options override it. Keys (docs/configuration.md):

    fail-on = ["copy>0.3", "uncredited>0"]     # thresholds, as --fail-on (provenance check)
    index = "corpus.db"                         # the index provenance check uses without --index
    min-paragraph-words = 8                     # shorter paragraphs are not counted in shares or the verdict
    quotations-as-copying = false               # whether verbatim quotations make a paragraph a copy
    [allow]                                     # licensed sources (provenance check): glob patterns
    ids = ["wire/*"]
    outlets = ["Hale Valley Wire"]
    urls = ["https://halevalleywire.example/*"]
    [options]                                   # detector and verdict options, as --option
    "copy.threshold" = 0.8                      # or [options.copy] threshold = 0.8

Every mistake in the file is one line naming the file, the key and the problem (a usage error, exit 2), so a
pipeline that misreads its own policy stops instead of passing everything.
"""

from __future__ import annotations

import difflib
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from provenance.components import Option
from provenance.errors import UsageError
from provenance.policy.allowlist import KINDS, Allowlist
from provenance.policy.failon import Threshold, parse

FILE_NAMES = ("provenance.toml", "pyproject.toml")  # looked for in this order in each directory
KEYS = ("allow", "fail-on", "index", "min-paragraph-words", "options", "quotations-as-copying")
MIN_WORDS_OPTION = "paragraph.min_words"
QUOTES_OPTION = "copy.quotes"


@dataclass(frozen=True, slots=True)
class Config:
    """A policy file, read and checked; every field None/empty when the file does not set it."""

    path: Path | None = None
    table: str = ""  # "tool.provenance" in pyproject.toml, "" at the top level of provenance.toml
    fail_on: tuple[Threshold, ...] | None = None
    allow: Allowlist = field(default_factory=Allowlist)
    index: str | None = None
    min_paragraph_words: int | None = None
    quotations_as_copying: bool | None = None
    options: dict[str, Any] = field(default_factory=dict)

    @property
    def where(self) -> str:
        """The file as errors name it: relative to the working directory when that is shorter."""
        if self.path is None:
            return "(no policy file)"
        return _shown(self.path)

    def key(self, name: str) -> str:
        return f"[{self.table}] {name}" if self.table else name

    def engine_options(self) -> dict[str, Any]:
        """Options for the engine: the `options` table plus the knobs that are options underneath."""
        out = dict(self.options)
        if self.min_paragraph_words is not None:
            out[MIN_WORDS_OPTION] = self.min_paragraph_words
        if self.quotations_as_copying is not None:
            out[QUOTES_OPTION] = "count" if self.quotations_as_copying else "ignore"
        return out

    def check_options(self, known: Mapping[str, Option]) -> None:
        """Check the `options` table against the options the enabled components declare (needs the plugins)."""
        table = f"[{self.table + '.' if self.table else ''}options]"
        for name, value in self.options.items():
            if name not in known:
                close = difflib.get_close_matches(name, list(known), n=1)
                hint = f" (did you mean {close[0]}?)" if close else ""
                raise UsageError(
                    f"{self.where}: {table} unknown option {name}{hint}; known options: "
                    f"{', '.join(sorted(known))}"
                )
            try:
                known[name].parse(name, value)
            except UsageError as exc:
                raise UsageError(f"{self.where}: {table} {str(exc).removeprefix('option ')}") from None


def find_config(start: Path) -> Path | None:
    """The policy file that governs `start`: the nearest directory upwards that has one."""
    here = start.resolve()
    for directory in (here, *here.parents):
        candidate = directory / "provenance.toml"
        if candidate.is_file():
            return candidate
        pyproject = directory / "pyproject.toml"
        if pyproject.is_file() and _has_table(pyproject):
            return pyproject
    return None


def resolve_config(explicit: Path | None, start: Path | None = None) -> Config:
    """`--config FILE` if given, else the discovered file, else an empty policy."""
    if explicit is not None:
        return load_config_file(explicit, given="--config")
    found = find_config(start or Path.cwd())
    return load_config_file(found) if found else Config()


def load_config_file(path: Path, *, given: str | None = None) -> Config:
    """Read and check one policy file. pyproject.toml is read at `[tool.provenance]`, any other name at its top."""
    shown = f"{given} {_shown(path)}" if given else _shown(path)
    data = _read_toml(path, shown)
    if path.name == "pyproject.toml":
        table = data.get("tool", {}).get("provenance") if isinstance(data.get("tool"), dict) else None
        if table is None:
            raise UsageError(f"{shown}: no [tool.provenance] table")
        if not isinstance(table, dict):
            raise UsageError(f"{shown}: tool.provenance must be a table")
        return _parse(table, path, "tool.provenance")
    return _parse(data, path, "")


def _shown(path: Path) -> str:
    try:
        rel = os.path.relpath(path)
    except ValueError:  # another drive (Windows)
        return str(path)
    return rel if len(rel) < len(str(path)) else str(path)


# A policy file is a few hundred bytes; a megabyte is far past any real one, and reading stops there, so that
# `--config /dev/zero` or a runaway generated file is refused at once instead of read forever.
MAX_CONFIG_BYTES = 1024 * 1024


def _read_toml(path: Path, shown: str) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            raw = fh.read(MAX_CONFIG_BYTES + 1)
        if len(raw) > MAX_CONFIG_BYTES:
            raise UsageError(f"{shown}: larger than {MAX_CONFIG_BYTES // 1024} KiB; not a policy file")
        return tomllib.loads(raw.decode("utf-8"))
    except RecursionError:  # tomllib recurses once per nested array or inline table
        raise UsageError(f"{shown}: nested too deeply to be a policy file") from None
    except FileNotFoundError:
        raise UsageError(f"{shown}: no such file") from None
    except IsADirectoryError:
        raise UsageError(f"{shown}: is a directory, not a policy file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"{shown}: cannot be read ({exc})") from None
    except tomllib.TOMLDecodeError as exc:  # the message ends "(at line N, column M)"
        raise UsageError(f"{shown}: not valid TOML ({exc})") from None


def _has_table(pyproject: Path) -> bool:
    """Whether a pyproject.toml configures provenance; a broken one that mentions it is reported, not skipped."""
    try:
        text = pyproject.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return False
    if "tool.provenance" not in text and "[tool]" not in text:
        return False
    data = _read_toml(pyproject, _shown(pyproject))
    tool = data.get("tool")
    return isinstance(tool, dict) and "provenance" in tool


def _kind(value: Any) -> str:
    return {
        bool: "a boolean",
        int: "an integer",
        float: "a number",
        str: "a string",
        list: "a list",
        dict: "a table",
    }.get(type(value), type(value).__name__)


def _parse(data: Mapping[str, Any], path: Path, table: str) -> Config:
    cfg = Config(path=path, table=table)
    where, key = cfg.where, cfg.key

    def bad(name: str, problem: str) -> UsageError:
        return UsageError(f"{where}: {key(name)}: {problem}")

    unknown = [k for k in data if k not in KEYS]
    if unknown:
        name = unknown[0]
        close = difflib.get_close_matches(name, KEYS, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise UsageError(f"{where}: {key(name)}: unknown key{hint}; known keys: {', '.join(KEYS)}")

    fail_on = None
    if "fail-on" in data:
        raw = data["fail-on"]
        if not isinstance(raw, list) or not all(isinstance(x, str) for x in raw):
            raise bad("fail-on", f'expected a list of strings such as ["copy>0.3"], got {_kind(raw)}')
        fail_on = tuple(parse(x, f"{where}: {key('fail-on')}[{i}]") for i, x in enumerate(raw))

    allow = Allowlist()
    if "allow" in data:
        raw = data["allow"]
        if not isinstance(raw, dict):
            raise bad(
                "allow",
                f"expected a table with {', '.join(KINDS)} (lists of glob patterns), got {_kind(raw)}",
            )
        for k, v in raw.items():
            if k not in KINDS:
                close = difflib.get_close_matches(k, KINDS, n=1)
                hint = f" (did you mean {close[0]!r}?)" if close else ""
                raise bad(f"allow.{k}", f"unknown key{hint}; known keys: {', '.join(KINDS)}")
            if not isinstance(v, list) or not all(isinstance(x, str) and x.strip() for x in v):
                raise bad(
                    f"allow.{k}", f"expected a list of non-empty strings (glob patterns), got {_kind(v)}"
                )
        allow = Allowlist(**{k: tuple(x.strip() for x in raw.get(k, [])) for k in KINDS})

    index = None
    if "index" in data:
        raw = data["index"]
        if not isinstance(raw, str) or not raw.strip():
            raise bad("index", f"expected an index location (a path or URL), got {_kind(raw)}")
        # A path is relative to the policy file, so the same file works from any directory below it.
        index = raw if "://" in raw or Path(raw).is_absolute() else _shown(path.parent / raw)

    min_words = None
    if "min-paragraph-words" in data:
        raw = data["min-paragraph-words"]
        if isinstance(raw, bool) or not isinstance(raw, int):
            raise bad("min-paragraph-words", f"expected a whole number of words, got {_kind(raw)}")
        if raw < 0:
            raise bad("min-paragraph-words", f"must be 0 or more, got {raw}")
        min_words = raw

    quotations = None
    if "quotations-as-copying" in data:
        raw = data["quotations-as-copying"]
        if not isinstance(raw, bool):
            raise bad("quotations-as-copying", f"expected true or false, got {_kind(raw)}")
        quotations = raw

    options: dict[str, Any] = {}
    if "options" in data:
        raw = data["options"]
        if not isinstance(raw, dict):
            raise bad("options", f"expected a table of NAME = VALUE, got {_kind(raw)}")
        options = _flatten(raw, lambda name, problem: bad(f"options.{name}", problem))
    for knob, option in (("min-paragraph-words", MIN_WORDS_OPTION), ("quotations-as-copying", QUOTES_OPTION)):
        if knob in data and option in options:
            raise bad(knob, f"also set as options.{option}; keep one of them")

    return Config(
        path=path,
        table=table,
        fail_on=fail_on,
        allow=allow,
        index=index,
        min_paragraph_words=min_words,
        quotations_as_copying=quotations,
        options=options,
    )


def _flatten(table: Mapping[str, Any], bad) -> dict[str, Any]:
    """`copy.threshold = 0.8`, `"copy.threshold" = 0.8` and `[options.copy] threshold = 0.8` alike, to flat names."""
    flat: dict[str, Any] = {}
    for k, v in table.items():
        if isinstance(v, dict):
            for kk, vv in v.items():
                if isinstance(vv, dict):
                    raise bad(
                        f"{k}.{kk}", "options are COMPONENT.NAME = VALUE; this nests one table too deep"
                    )
                flat[f"{k}.{kk}"] = vv
        else:
            flat[k] = v
    return flat


def load_config(path: Any) -> dict[str, Any]:
    """The detector options of a policy file, flat (`copy.threshold`): kept for callers of the old `--config`.

    The file is read and checked like any policy file (provenance/config.py); its knobs that map onto options
    (`min-paragraph-words`, `quotations-as-copying`) are included.
    """
    return load_config_file(Path(path), given="--config").engine_options()
