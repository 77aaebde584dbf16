"""Fixtures from provenance.testing (provenance_host, provenance_cli, article_pair) plus this plugin's helpers."""

from __future__ import annotations

from collections.abc import Callable

import provenance
import pytest
from provenance import Finding

import provenance_facts

pytest_plugins = ["provenance.testing"]


@pytest.fixture
def facts_host(provenance_host):
    """A host with the built-ins and this plugin only (other installed plugins stay out)."""
    return provenance_host(provenance_facts)


@pytest.fixture
def facts(facts_host) -> Callable[..., list[Finding]]:
    """Compare two texts and return this plugin's findings: `facts(source_text, derived_text, **options)`."""

    def run(source: str, derived: str, **options: object) -> list[Finding]:
        report = provenance.compare(source, derived, host=facts_host, options=options or None)
        assert not report.errors, report.errors
        return [f for f in report.findings if f.detector == "facts"]

    return run
