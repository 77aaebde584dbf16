"""action.yml (the GitHub Action) and .pre-commit-hooks.yaml: they parse, have the keys their hosts require, and
run commands and options that the CLI really has. The action's check step is also run in bash against a real
index, as the runner would run it."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest
import typer.main
import yaml

from provenance.cli import app
from provenance.plugins import get_host
from provenance.renderers.dispatch import CHECK, formats
from provenance.text.inputs import ARTICLE_SUFFIXES

ROOT = Path(__file__).resolve().parents[1]
OPTION = re.compile(r"(?<![\w-])--[a-z][a-z-]*")


def load(name: str):
    return yaml.safe_load((ROOT / name).read_text(encoding="utf-8"))


def command(name: str):
    group = typer.main.get_command(app)
    assert name in group.commands, f"provenance has no command {name!r}"
    return group.commands[name]


def options_of(name: str) -> set[str]:
    return {opt for param in command(name).params for opt in (*param.opts, *param.secondary_opts)}


def check_step(action: dict) -> dict:
    steps = [s for s in action["runs"]["steps"] if "(provenance check " in s.get("run", "")]
    assert len(steps) == 1
    return steps[0]


def test_action_metadata():
    action = load("action.yml")
    assert action["name"] and action["description"]
    assert action["runs"]["using"] == "composite"
    assert {"paths", "index", "changed-since", "fail-on", "args"} <= set(action["inputs"])
    for name, spec in action["inputs"].items():
        assert spec.get("description"), name
    for step in action["runs"]["steps"]:
        assert ("uses" in step) != ("run" in step), step
        if "run" in step:
            assert step.get("shell") == "bash", step  # composite run steps must name their shell
    upload = [
        s
        for s in action["runs"]["steps"]
        if s.get("uses", "").startswith("github/codeql-action/upload-sarif@")
    ]
    assert len(upload) == 1 and "sarif_file" in upload[0]["with"]
    # every ${{ inputs.X }} the steps use is declared
    used = set(re.findall(r"inputs\.([a-z-]+)", yaml.safe_dump(action["runs"])))
    assert used <= set(action["inputs"]), used - set(action["inputs"])


def test_action_runs_options_the_cli_has():
    script = check_step(load("action.yml"))["run"]
    used = set(OPTION.findall(script))
    assert {"--format", "--output", "--index", "--changed-since", "--fail-on"} <= used
    assert used <= options_of("check"), used - options_of("check")
    fmt = re.search(r"--format (\w+)", script).group(1)
    assert fmt in formats(get_host(), CHECK), f"provenance check cannot write {fmt}"


def test_pre_commit_hook():
    hooks = load(".pre-commit-hooks.yaml")
    assert isinstance(hooks, list)
    (hook,) = [h for h in hooks if h["id"] == "provenance-check"]
    assert {"id", "name", "entry", "language"} <= set(hook)
    assert hook["language"] == "python"
    program, sub = hook["entry"].split()[:2]
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["scripts"]
    assert program in scripts and sub == "check"
    command(sub)
    files = re.compile(hook["files"])
    for suffix in ARTICLE_SUFFIXES:
        assert files.search(f"articles/story{suffix}") and files.search(f"STORY{suffix.upper()}"), suffix
    for other in ("setup.py", "feed.jsonl", "pyproject.toml", "notes.txt.bak", "image.png"):
        assert not files.search(other), other


@pytest.fixture()
def workspace(tmp_path: Path, examples: Path) -> Path:
    from typer.testing import CliRunner

    feed = tmp_path / "feed.jsonl"
    feed.write_text(
        json.dumps(
            {
                "id": "wire/flood",
                "outlet": "Hale Valley Wire",
                "text": (examples / "wire-story.txt").read_text(encoding="utf-8"),
            }
        )
        + "\n",
        encoding="utf-8",
    )
    assert CliRunner().invoke(app, ["index", "add", str(tmp_path / "index.db"), str(feed)]).exit_code == 0
    (tmp_path / "articles").mkdir()
    for name in ("scraped-copy.html", "independent-report.txt"):
        shutil.copy(examples / name, tmp_path / "articles" / name)
    return tmp_path


def run_step(workspace: Path, **inputs: str) -> tuple[subprocess.CompletedProcess[str], dict[str, str]]:
    """The action's check step in bash, as a runner runs it (inputs as env, outputs to $GITHUB_OUTPUT); JSON
    instead of SARIF so the test reads the result (that the CLI writes SARIF is tested above)."""
    if shutil.which("bash") is None or shutil.which("provenance") is None:
        pytest.skip("needs bash and the installed provenance command")
    step = check_step(load("action.yml"))
    script = step["run"].replace("--format sarif", "--format json")
    out = workspace / "github-output"
    out.write_text("", encoding="utf-8")
    env = {
        **os.environ,
        "GITHUB_OUTPUT": str(out),
        "RUNNER_TEMP": str(workspace),
        "PROVENANCE_LOAD_PLUGINS": "",
        **{k: "" for k in step["env"]},
    }
    env.update({k.upper().replace("-", "_"): v for k, v in inputs.items()})
    done = subprocess.run(
        ["bash", "-c", script], cwd=workspace, env=env, capture_output=True, text=True, check=False
    )
    outputs = dict(line.split("=", 1) for line in out.read_text(encoding="utf-8").splitlines() if "=" in line)
    return done, outputs


def test_action_step_fails_on_policy_and_passes_arguments(workspace):
    done, outputs = run_step(
        workspace, paths="articles", index="index.db", fail_on="copy>0.3\nverdict=copy\n"
    )
    assert outputs["exit-code"] == "1", done.stderr
    report = json.loads(Path(outputs["sarif-file"]).read_text(encoding="utf-8"))
    assert [f["expression"] for f in report["policy"]["fail_on"]] == ["copy>0.3", "verdict=copy"]
    assert [a["path"] for a in report["articles"] if not a["passed"]] == ["articles/scraped-copy.html"]
    assert "articles/scraped-copy.html: verdict copy" in done.stderr  # the job log says why


def test_action_step_args_keep_quoted_words_together(workspace):
    done, outputs = run_step(
        workspace,
        paths="articles/scraped-copy.html",
        index="index.db",
        fail_on="copy>0.3",
        args="--allow 'outlet:Hale Valley Wire' --top 2",
    )
    assert outputs["exit-code"] == "0", done.stderr
    report = json.loads(Path(outputs["sarif-file"]).read_text(encoding="utf-8"))
    assert report["policy"]["allow"]["outlets"] == ["Hale Valley Wire"] and report["policy"]["top"] == 2


def test_action_step_reports_usage_errors(workspace):
    done, outputs = run_step(workspace, paths="articles", index="index.db")  # no fail-on anywhere
    assert outputs["exit-code"] == "2" and "no policy" in done.stderr
