"""Meta-test: every hook has a docs section headed by its exact signature, and a test that exercises it."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

from provenance import hookspecs

ROOT = Path(__file__).resolve().parents[1]


def _hooks() -> list[tuple[str, str]]:
    out = []
    for name, fn in inspect.getmembers(hookspecs, inspect.isfunction):
        if name.startswith("register_"):
            params = ", ".join(inspect.signature(fn).parameters)
            out.append((name, f"{name}({params})"))
    return out


def test_there_are_hooks():
    assert {n for n, _ in _hooks()} >= {"register_detectors", "register_extractors", "register_renderers"}


def test_every_hook_has_a_docs_section():
    text = (ROOT / "docs" / "plugins" / "hooks.md").read_text(encoding="utf-8")
    headings = set(re.findall(r"^## (.+)$", text, re.MULTILINE))
    missing = [sig for _, sig in _hooks() if sig not in headings]
    assert not missing, f"docs/plugins/hooks.md lacks sections: {missing}"


def test_every_hook_has_a_test():
    tests = "\n".join(
        p.read_text(encoding="utf-8")
        for p in (ROOT / "tests").glob("test_*.py")
        if p.name != Path(__file__).name
    )
    docs = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "docs" / "plugins").glob("*.md"))
    missing = [name for name, _ in _hooks() if f"def {name}(" not in tests + docs and f"{name}=" not in tests]
    assert not missing, f"no test implements: {missing}"
