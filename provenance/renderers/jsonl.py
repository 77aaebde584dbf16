"""JSON lines: an audit as one `text-provenance/audit/1` result per line, for streaming into other tools."""

from __future__ import annotations

import json
from collections.abc import Sequence

from provenance.hookspecs import hookimpl
from provenance.model import AuditResult


class JsonlRenderer:
    name = "jsonl"
    media_type = "application/jsonl"
    suffix = ".jsonl"
    description = "an audit as JSON lines: one article's result (schema text-provenance/audit/1) per line"

    def render_audit(self, results: Sequence[AuditResult]) -> str:
        return "".join(self.audit_row(r) for r in results)

    def audit_head(self) -> str:
        return ""

    def audit_row(self, result: AuditResult) -> str:
        return json.dumps(result.to_dict(), ensure_ascii=False) + "\n"


@hookimpl
def register_renderers(register) -> None:
    register(JsonlRenderer())
