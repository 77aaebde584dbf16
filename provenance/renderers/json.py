"""JSON: the documented, versioned serialisation of a Report (docs/report-schema.md), of an audit (a list of
`text-provenance/audit/1` results) and of a check run (`text-provenance/check/1`). Deterministic: keys in a
fixed order, no timestamps, floats rounded, so the same inputs give byte-identical output."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from provenance.hookspecs import hookimpl
from provenance.model import AuditResult, Report, dumps

if TYPE_CHECKING:
    from provenance.policy.evaluate import CheckRun


class JsonRenderer:
    name = "json"
    media_type = "application/json"
    suffix = ".json"
    description = "the report as JSON (schema text-provenance/report/1)"

    def render(self, report: Report, *, color: bool = False) -> str:
        return report.to_json(indent=2) + "\n"

    def render_audit(self, results: Sequence[AuditResult]) -> str:
        return dumps([r.to_dict() for r in results]) + "\n"

    def render_check(self, run: CheckRun) -> str:
        return dumps(run.to_dict()) + "\n"


@hookimpl
def register_renderers(register) -> None:
    register(JsonRenderer())
