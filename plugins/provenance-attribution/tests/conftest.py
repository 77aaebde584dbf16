"""Shared setup: the provenance.testing fixtures, a host with only this plugin beside the built-ins."""

from __future__ import annotations

from pathlib import Path

import pytest

import provenance_attribution

pytest_plugins = ["provenance.testing"]

# The core project's examples, when this plugin sits in its usual place inside the core's checkout.
EXAMPLES = Path(__file__).resolve().parents[3] / "examples"


@pytest.fixture(scope="session")
def host():
    """Built-ins plus this plugin; installed third-party plugins left out, so nothing else affects results."""
    from provenance.testing import make_host  # imported here so pytest can still rewrite the fixtures module

    return make_host(provenance_attribution)


@pytest.fixture(scope="session")
def examples() -> Path:
    if not (EXAMPLES / "wire-story.txt").is_file():
        pytest.skip("the core project's examples/ folder is not at ../../examples")
    return EXAMPLES
