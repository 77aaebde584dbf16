"""Fixtures: a host with the built-ins and this plugin only, and the project's labelled sets (../shared)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

import provenance_semantic

pytest_plugins = ["provenance.testing"]

ROOT = Path(__file__).resolve().parents[3]  # the text-provenance checkout (bench/, examples/)
SHARED = ROOT.parent / "shared"


@pytest.fixture(scope="session")
def semantic_host():
    from provenance.testing import make_host

    return make_host(provenance_semantic)


@pytest.fixture(scope="session")
def lexical_host():
    from provenance.testing import make_host

    return make_host()


@pytest.fixture(scope="session")
def bench():
    """bench/accuracy.py from the checkout: the same metric code the docs' figures come from."""
    if not (SHARED / "benchmarks").is_dir():
        pytest.skip("../shared (labelled data) is not beside the project")
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from bench import accuracy

    return accuracy


@pytest.fixture(scope="session")
def examples() -> Path:
    return ROOT / "examples"
