"""Typed, declared options: what a component (built-in or plugin) lets users tune, validated in one place.

A component declares `options = {"threshold": Option(0.7, float, "...")}`; users set it as
`--option <component>.threshold=0.8`, in the `options` table of a policy file (provenance/config.py), or with
`compare(..., options={...})`. Unknown names and values of the wrong type are usage errors (exit 2) that say what
is known and expected.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from provenance.errors import UsageError


@dataclass(frozen=True, slots=True)
class Option:
    default: Any
    type: Callable[[Any], Any] = float
    help: str = ""
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple[str, ...] = ()  # for a str option: the only values it accepts

    def parse(self, name: str, value: Any) -> Any:
        if self.choices:
            if not isinstance(value, str) or value not in self.choices:
                raise UsageError(f"option {name} expects one of {', '.join(self.choices)}, got {value!r}")
            return value
        if self.type is bool and isinstance(value, str):
            lowered = value.strip().lower()
            if lowered not in ("1", "0", "true", "false", "yes", "no", "on", "off"):
                raise UsageError(f"option {name} expects true or false, got {value!r}")
            return lowered in ("1", "true", "yes", "on")
        try:
            parsed = self.type(value)
        except (TypeError, ValueError):
            kind = {int: "an integer", float: "a number", str: "a string"}.get(self.type, "another value")
            raise UsageError(f"option {name} expects {kind}, got {value!r}") from None
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
        out[full] = opt if isinstance(opt, Option) else Option(opt, type(opt) if not isinstance(opt, int) or isinstance(opt, bool) else float)
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
