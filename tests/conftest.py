from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
SHARED = ROOT.parent / "shared"


@pytest.fixture(scope="session")
def examples() -> Path:
    return EXAMPLES


@pytest.fixture(scope="session")
def shared() -> Path:
    if not SHARED.is_dir():
        pytest.skip("../shared (labelled data) is not beside the project")
    return SHARED


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory):
    """A real redis-server on 127.0.0.1 and a free port, for the session. Skipped on a developer machine without
    one; in CI (CI=1, set by .ci/run) a missing server is a failure, never a skip."""
    import os
    import shutil
    import subprocess
    import time

    exe = shutil.which("redis-server")
    if exe is None:
        if os.environ.get("CI"):
            pytest.fail("redis-server is not installed (CI must install it: apt-get install redis-server)")
        pytest.skip("redis-server is not installed: the Redis index tests need a real server")
    port = _free_port()
    workdir = tmp_path_factory.mktemp("redis")
    proc = subprocess.Popen(
        [
            exe,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(workdir),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    import redis

    client = redis.Redis(port=port)
    for _ in range(100):
        try:
            client.ping()
            break
        except redis.exceptions.ConnectionError:
            time.sleep(0.05)
    else:
        proc.kill()
        pytest.fail("redis-server did not start")
    yield f"redis://127.0.0.1:{port}/0"
    proc.terminate()
    proc.wait(timeout=10)


@pytest.fixture(params=["sqlite", "redis"])
def index_location(request, tmp_path):
    """Every index behaviour is tested on both built-in backends; each test gets an index of its own."""
    if request.param == "sqlite":
        return str(tmp_path / "index.db")
    url = request.getfixturevalue("redis_url")
    return f"{url}?prefix=t{abs(hash(request.node.nodeid)) % 10**9}"


@pytest.fixture(scope="session")
def spark():
    """One real SparkSession in local mode (`local[2]`) for the whole test session: small, no UI, few shuffle
    partitions. Skipped on a developer machine without pyspark or Java; in CI (CI=1) that is a failure. The
    executors load the built-in plugins only (as `make_host()` does), so results compare with in-process runs."""
    import os
    import sys

    try:
        from pyspark.sql import SparkSession
    except ImportError:
        if os.environ.get("CI"):
            pytest.fail(
                "pyspark is not installed (the README's test command installs it: .[test] pulls .[spark])"
            )
        pytest.skip("pyspark is not installed: the Spark tests need text-provenance[spark]")
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    try:
        session = (
            SparkSession.builder.master("local[2]")
            .appName("provenance-tests")
            .config("spark.ui.enabled", "false")
            .config("spark.ui.showConsoleProgress", "false")
            .config("spark.sql.shuffle.partitions", "4")
            .config("spark.default.parallelism", "2")
            .config("spark.executorEnv.PROVENANCE_LOAD_PLUGINS", "")
            .getOrCreate()
        )
    except Exception as exc:
        if os.environ.get("CI"):
            pytest.fail(
                f"Spark did not start (CI must install a Java runtime: openjdk-17-jre-headless): {exc}"
            )
        pytest.skip(f"Spark did not start (a Java runtime is needed): {exc}")
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()
