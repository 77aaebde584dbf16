"""What a component is: the typed contracts of extractors, detectors, scorers, renderers and index backends, and
the options a component declares.

Built-in components and third-party plugins register objects through the hooks (provenance/hookspecs.py); the host
(provenance/plugins.py) checks each against its Protocol here when it is registered, so a broken plugin is refused
by name at load time instead of failing halfway through a comparison. Optional capabilities (a scorer that can judge
pairs again, or store vectors in an index) are Protocols of their own, checked where they are used.

Options: a component declares `options = {"threshold": Option(0.7, float, "...")}`; users set it as
`--option <component>.threshold=0.8`, in the `options` table of a policy file (provenance/policy/config.py), or with
`compare(..., options={...})`. Unknown names and values of the wrong type are usage errors (exit 2) that say what
is known and expected.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from provenance.errors import UsageError

if TYPE_CHECKING:
    from provenance.detectors.context import DetectionContext
    from provenance.model import AuditResult, Extracted, Finding, Report
    from provenance.policy.evaluate import CheckRun


@dataclass(frozen=True, slots=True)
class Option:
    default: Any
    type: Callable[[Any], Any] = float
    help: str = ""
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple[str, ...] = ()  # for a str option: the only values it accepts

    def parse(self, name: str, value: Any) -> Any:
        if value is None and self.default is None:
            return None  # "not set": the component decides (an option whose default depends on the evidence)
        if self.choices:
            if not isinstance(value, str) or value not in self.choices:
                raise UsageError(f"option {name} expects one of {', '.join(self.choices)}, got {value!r}")
            return value
        if self.type is bool and isinstance(value, str):
            lowered = value.strip().lower()
            if lowered not in ("1", "0", "true", "false", "yes", "no", "on", "off"):
                raise UsageError(f"option {name} expects true or false, got {value!r}")
            return lowered in ("1", "true", "yes", "on")
        kinds: dict[Any, str] = {int: "an integer", float: "a number", str: "a string"}
        try:
            parsed = self.type(value)
        except (TypeError, ValueError, OverflowError):  # OverflowError: int(inf)
            raise UsageError(
                f"option {name} expects {kinds.get(self.type, 'another value')}, got {value!r}"
            ) from None
        # nan compares false with every bound, so it would pass the range check and defeat any threshold it set.
        if isinstance(parsed, float) and not math.isfinite(parsed):
            raise UsageError(f"option {name} expects a finite number, got {value!r}")
        if self.minimum is not None and parsed < self.minimum:
            raise UsageError(f"option {name} must be at least {self.minimum}, got {parsed}")
        if self.maximum is not None and parsed > self.maximum:
            raise UsageError(f"option {name} must be at most {self.maximum}, got {parsed}")
        return parsed


def declared(owner: str, options: Mapping[str, Any] | None) -> dict[str, Option]:
    """Full names (`owner.key`) of a component's declared options."""
    out: dict[str, Option] = {}
    for key, opt in (options or {}).items():
        full = key if "." in key else f"{owner}.{key}"
        out[full] = (
            opt
            if isinstance(opt, Option)
            else Option(opt, type(opt) if not isinstance(opt, int) or isinstance(opt, bool) else float)
        )
    return out


def resolve(known: Mapping[str, Option], given: Mapping[str, Any]) -> dict[str, Any]:
    """Defaults overlaid with the user's values, every value parsed and checked."""
    unknown = sorted(k for k in given if k not in known)
    if unknown:
        raise UsageError(f"unknown option {', '.join(unknown)}; known options: {', '.join(sorted(known))}")
    values = {k: opt.default for k, opt in known.items()}
    for k, v in given.items():
        values[k] = known[k].parse(k, v)
    return dict(sorted(values.items()))


# Component contracts -------------------------------------------------------------------------------------------


@runtime_checkable
class Extractor(Protocol):
    """Turns the text of one input format into blocks. `suffixes` (such as `(".md",)`) pick it by file name;
    otherwise the extractor whose `sniff` scores the text highest (0 to 1) is used."""

    name: str
    suffixes: tuple[str, ...]

    def sniff(self, text: str) -> float: ...

    def extract(self, text: str, name: str) -> Extracted: ...


@runtime_checkable
class Detector(Protocol):
    """Reads the alignment and yields findings: a label claim (`relation`) or an annotation (relation None)."""

    name: str

    def detect(self, context: DetectionContext) -> Iterable[Finding]: ...


@runtime_checkable
class Scorer(Protocol):
    """Judges (derived sentence, source sentence) pairs: one similarity per pair, or None for no opinion.
    Its `options` must declare at least `threshold`, the calibrated value from which its signal counts (the host
    checks this when the scorer is registered)."""

    name: str

    def score(self, pairs: Sequence[tuple[str, str]]) -> Sequence[float | None]: ...


@runtime_checkable
class ConfigurableScorer(Protocol):
    """A scorer that wants the values in effect of its own options before it is asked."""

    def configure(self, values: Mapping[str, Any]) -> None: ...


@runtime_checkable
class JudgingScorer(Protocol):
    """A scorer with a costlier second reading of a sentence pair (a cross-encoder), asked only where it can
    change a label (provenance/signals.py)."""

    def judge(self, pairs: Sequence[tuple[str, str]]) -> Sequence[float | None]: ...


@runtime_checkable
class EmbeddingScorer(Protocol):
    """A scorer whose sentence vectors an index can store (`index add --embed`: provenance/index/vectors.py)."""

    embedding_version: str

    def embed(self, texts: Sequence[str]) -> Sequence[bytes | None]: ...

    def remember(self, items: Sequence[tuple[str, bytes]]) -> None: ...


@runtime_checkable
class Renderer(Protocol):
    """An output format, as `--format` names it (`name`). What it renders it tells by the contracts below that it
    fulfils, at least one: ReportRenderer (`compare`), AuditRenderer or AuditFolderRenderer (`audit`),
    CheckRenderer (`check`). A command offers only the renderers that render its result
    (provenance/renderers/dispatch.py)."""

    name: str
    media_type: str
    suffix: str


@dataclass(frozen=True, slots=True)
class Folder:
    """A rendering that is a folder of files rather than one text (an audit as HTML pages, `--output DIR`).

    `files` yields (path inside the folder, text) pairs in writing order, once, each rendered when it is asked for,
    so a large audit is never held as pages in memory; `folders` are made first, even if no file lands in them.
    `marker` is the path of one file that marks the folder as written by this tool, so a later run may replace it
    whole; `entry` is the file to open first; `noun` names the other files in the line the command logs, and
    `what` the whole in its errors."""

    files: Iterable[tuple[str, str]]
    entry: str
    marker: str
    noun: str
    what: str
    folders: tuple[str, ...] = ()


Rendered = str | Folder


@runtime_checkable
class ReportRenderer(Protocol):
    """Renders one comparison (`provenance compare`)."""

    def render(self, report: Report, *, color: bool = False) -> str: ...


@runtime_checkable
class AuditRenderer(Protocol):
    """Renders an audit run, one AuditResult per article, as one text (`provenance audit`)."""

    def render_audit(self, results: Sequence[AuditResult]) -> str: ...


@runtime_checkable
class AuditStreamRenderer(Protocol):
    """An audit renderer whose output can be written as each article finishes (`provenance audit` to standard
    output): its `audit_head()`, then `audit_row(result)` per article, make the same text as `render_audit`."""

    def audit_head(self) -> str: ...

    def audit_row(self, result: AuditResult) -> str: ...


@runtime_checkable
class AuditFolderRenderer(Protocol):
    """Renders an audit run as a folder of files; `folder` says what the folder holds, for the usage error when
    no `--output DIR` is given. Used instead of `render_audit` when a renderer has both."""

    folder: str

    def render_audit_folder(self, results: Sequence[AuditResult]) -> Folder: ...


@runtime_checkable
class CheckRenderer(Protocol):
    """Renders a check run: the policy's outcome for every article (`provenance check`)."""

    def render_check(self, run: CheckRun) -> str: ...


RENDERS: tuple[type, ...] = (ReportRenderer, AuditRenderer, AuditFolderRenderer, CheckRenderer)


@runtime_checkable
class IndexBackend(Protocol):
    """Opens corpus indexes at locations of its `schemes` (such as `("redis",)`)."""

    name: str
    schemes: tuple[str, ...]

    def open(self, location: str, *, create: bool, params: Any) -> Any: ...


CONTRACTS: dict[str, type] = {
    "detectors": Detector,
    "extractors": Extractor,
    "renderers": Renderer,
    "index_backends": IndexBackend,
    "scorers": Scorer,
}


def missing_members(kind: str, component: object) -> list[str]:
    """The members of its kind's contract that a component lacks (empty: it fulfils the contract)."""
    contract = CONTRACTS[kind]
    members = set(contract.__annotations__) | {
        k for k, v in vars(contract).items() if callable(v) and not k.startswith("_")
    }
    missing = [m for m in members if not hasattr(component, m)]
    if kind == "renderers" and not any(isinstance(component, renders) for renders in RENDERS):
        missing.append("render (or render_audit, render_audit_folder, render_check)")
    return sorted(missing)
