"""JSON: the documented, versioned serialisation of a Report (docs/report-schema.md). Deterministic: keys in a
fixed order, no timestamps, floats rounded, so the same inputs give byte-identical output."""

from __future__ import annotations

from provenance.hookspecs import hookimpl
from provenance.model import Report


class JsonRenderer:
    name = "json"
    media_type = "application/json"
    suffix = ".json"
    description = "the report as JSON (schema text-provenance/report/1)"

    def render(self, report: Report, *, color: bool = False) -> str:
        return report.to_json(indent=2) + "\n"


@hookimpl
def register_renderers(register) -> None:
    register(JsonRenderer())
