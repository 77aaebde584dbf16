"""The readers of stored and configured state under hostile values, with a CI budget: the index readers over mutated
stored fields on both backends (fuzz/fuzz_index.py; its full run of 10,000 cases a backend is in
docs/reliability.md), and the policy-file loader over arbitrary bytes and nesting (hypothesis)."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from provenance.errors import UsageError
from provenance.policy.config import load_config_file

ROOT = Path(__file__).resolve().parents[1]
CASES = 300  # a backend, in CI; `python fuzz/fuzz_index.py` runs 10,000


def _fuzz(backend: str, *extra: str) -> dict:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PROVENANCE_LOAD_PLUGINS": ""}
    r = subprocess.run(
        [
            sys.executable,
            str(ROOT / "fuzz" / "fuzz_index.py"),
            "--cases",
            str(CASES),
            "--backend",
            backend,
            *extra,
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=900,
    )
    summary = json.loads(r.stdout.splitlines()[0])
    assert r.returncode == 0, r.stdout + r.stderr
    return summary


@pytest.mark.parametrize("backend", ["sqlite", "redis"])
def test_mutated_stored_fields_are_one_line_damage_never_a_crash(backend, request):
    extra = ("--redis", request.getfixturevalue("redis_url")) if backend == "redis" else ()
    out = _fuzz(backend, *extra)
    assert out["cases"] == CASES and out["findings"] == 0
    assert out["peak_over_clean"] <= 2
    assert out["refused_as_damage"] > CASES // 20  # the mutations do reach what the readers check


TOML_VALUES = st.recursive(
    st.none().map(lambda _: "1")
    | st.floats(allow_nan=True, allow_infinity=True).map(lambda f: repr(f).lower())
    | st.integers().map(str)
    | st.text(max_size=20).map(json.dumps),
    lambda inner: (
        st.lists(inner, max_size=4).map(lambda xs: "[" + ", ".join(xs) + "]")
        | st.dictionaries(st.from_regex(r"[a-z][a-z._-]{0,12}", fullmatch=True), inner, max_size=4).map(
            lambda d: "{" + ", ".join(f'"{k}" = {v}' for k, v in d.items()) + "}"
        )
    ),
    max_leaves=30,
)
KEYS = st.sampled_from(
    ["fail-on", "index", "min-paragraph-words", "quotations-as-copying", "options", "allow", "other"]
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=st.one_of(st.binary(max_size=400), st.lists(st.tuples(KEYS, TOML_VALUES), max_size=6)))
def test_any_policy_file_loads_or_is_one_usage_error(tmp_path, body):
    path = tmp_path / "provenance.toml"
    if isinstance(body, bytes):
        path.write_bytes(body)
    else:
        path.write_text("".join(f'"{k}" = {v}\n' for k, v in body), encoding="utf-8")
    try:
        load_config_file(path)
    except UsageError as exc:
        assert "\n" not in str(exc).strip()


@pytest.mark.parametrize("depth", [10, 100, 1000, 5000])
def test_nesting_at_any_depth_is_read_or_refused(tmp_path, depth):
    for opener, closer in (("[", "]"), ("{a = ", "}")):
        path = tmp_path / "provenance.toml"
        path.write_text(
            "x = " + opener * depth + "1" * (opener == "[") + closer * depth + "\n", encoding="utf-8"
        )
        with contextlib.suppress(UsageError):
            load_config_file(path)
