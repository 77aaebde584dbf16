"""Policy files: discovery (provenance.toml, pyproject.toml [tool.provenance], upwards), what each key becomes,
and one-line errors naming the file and the key for every kind of mistake."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from provenance.cli import app
from provenance.errors import UsageError
from provenance.policy.config import Config, find_config, load_config_file, resolve_config

runner = CliRunner()

SOURCE = """Floodwater reaches the high street

The river burst its banks at dawn on Tuesday, flooding 140 homes on the east side of Marlow Bridge, the county said.

Emergency crews moved 320 residents to the leisure centre, where volunteers served hot meals through the night.
"""


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_discovery_walks_up_and_prefers_provenance_toml(tmp_path):
    deep = tmp_path / "a" / "b" / "c"
    deep.mkdir(parents=True)
    assert find_config(deep) is None or not str(find_config(deep)).startswith(str(tmp_path))
    write(tmp_path / "pyproject.toml", "[tool.provenance]\nmin-paragraph-words = 3\n")
    assert find_config(deep) == (tmp_path / "pyproject.toml").resolve()
    # a pyproject.toml without [tool.provenance] does not stop the search
    write(tmp_path / "a" / "pyproject.toml", "[project]\nname = 'x'\n")
    assert find_config(deep) == (tmp_path / "pyproject.toml").resolve()
    # the nearest directory that configures provenance wins
    write(tmp_path / "a" / "b" / "pyproject.toml", "[tool.provenance]\nmin-paragraph-words = 5\n")
    assert find_config(deep) == (tmp_path / "a" / "b" / "pyproject.toml").resolve()
    # in one directory, provenance.toml beats pyproject.toml
    write(tmp_path / "a" / "b" / "provenance.toml", "min-paragraph-words = 7\n")
    assert find_config(deep) == (tmp_path / "a" / "b" / "provenance.toml").resolve()
    assert resolve_config(None, deep).min_paragraph_words == 7


def test_every_key_parsed(tmp_path):
    cfg = load_config_file(
        write(
            tmp_path / "provenance.toml",
            """
fail-on = ["copy>0.3", "verdict=copy|rewrite"]
index = "corpus/index.db"
min-paragraph-words = 8
quotations-as-copying = false
[allow]
ids = ["wire/*"]
outlets = ["Hale Valley Wire"]
urls = ["https://halevalleywire.example/*"]
[options]
copy.threshold = 0.8
"rewrite.threshold" = 0.4
[options.verdict]
copy_from = 0.6
""",
        )
    )
    assert [t.text for t in cfg.fail_on] == ["copy>0.3", "verdict=copy|rewrite"]
    assert all("provenance.toml" in t.origin and "fail-on" in t.origin for t in cfg.fail_on)
    # relative to the file, not the working directory
    assert Path(cfg.index).resolve() == (tmp_path / "corpus" / "index.db").resolve()
    assert cfg.allow.match("wire/2026/flood", {}) == "id wire/*"
    assert cfg.allow.match("x", {"outlet": "HALE VALLEY WIRE"}) == "outlet Hale Valley Wire"
    assert cfg.allow.match("x", {"url": "https://halevalleywire.example/2026/flood"}) is not None
    assert cfg.allow.match("x", {"url": "https://elsewhere.example/"}) is None
    assert cfg.engine_options() == {
        "copy.threshold": 0.8,
        "rewrite.threshold": 0.4,
        "verdict.copy_from": 0.6,
        "paragraph.min_words": 8,
        "copy.quotes": "ignore",
    }


def test_pyproject_reads_tool_provenance_only(tmp_path):
    cfg = load_config_file(
        write(
            tmp_path / "pyproject.toml",
            """
[project]
name = "newsroom"
[tool.provenance]
quotations-as-copying = true
[tool.provenance.options.copy]
threshold = 0.9
[tool.other]
fail-on = 3
""",
        )
    )
    assert cfg.engine_options() == {"copy.threshold": 0.9, "copy.quotes": "count"}
    assert cfg.fail_on is None and not cfg.allow


def test_empty_policy_changes_nothing():
    assert Config().engine_options() == {}


BAD = [
    # (file name, content, needles that must all be in the one-line message)
    ("provenance.toml", "fail_on = ['copy>0.3']\n", ["fail_on", "unknown key", "did you mean 'fail-on'"]),
    ("pyproject.toml", "[tool.provenance]\nthreshold = 1\n", ["[tool.provenance] threshold", "unknown key"]),
    ("provenance.toml", "fail-on = 'copy>0.3'\n", ["fail-on", "expected a list of strings", "got a string"]),
    (
        "provenance.toml",
        "fail-on = ['copy>0.3', 'copy>>0.3']\n",
        ["fail-on[1]", "copy>>0.3", "is not a number"],
    ),
    ("provenance.toml", "fail-on = ['wordiness>0.3']\n", ["fail-on[0]", "unknown metric 'wordiness'"]),
    ("provenance.toml", "fail-on = ['copy>3']\n", ["fail-on[0]", "between 0 and 1"]),
    ("provenance.toml", "fail-on = ['copy']\n", ["fail-on[0]", "expected METRIC OP VALUE"]),
    (
        "provenance.toml",
        "min-paragraph-words = '8'\n",
        ["min-paragraph-words", "whole number", "got a string"],
    ),
    ("provenance.toml", "min-paragraph-words = -2\n", ["min-paragraph-words", "0 or more"]),
    ("provenance.toml", "min-paragraph-words = true\n", ["min-paragraph-words", "got a boolean"]),
    ("provenance.toml", "quotations-as-copying = 'no'\n", ["quotations-as-copying", "true or false"]),
    ("provenance.toml", "allow = ['wire/*']\n", ["allow", "expected a table"]),
    ("provenance.toml", "[allow]\nid = ['wire/*']\n", ["allow.id", "unknown key", "did you mean 'ids'"]),
    ("provenance.toml", "[allow]\nids = 'wire/*'\n", ["allow.ids", "list of non-empty strings"]),
    ("provenance.toml", "index = 3\n", ["index", "got an integer"]),
    ("provenance.toml", "options = 3\n", ["options", "expected a table"]),
    (
        "provenance.toml",
        "min-paragraph-words = 3\n[options]\n'paragraph.min_words' = 4\n",
        ["min-paragraph-words", "also set as options.paragraph.min_words"],
    ),
    ("provenance.toml", "fail-on = ['copy>0.3']\nmin-paragraph-words = \n", ["not valid TOML", "line 2"]),
    (
        "provenance.toml",
        "[options]\ncopy.treshold = 0.8\n",
        ["[options] unknown option copy.treshold", "did you mean copy.threshold"],
    ),
    (
        "provenance.toml",
        "[options]\ncopy.threshold = 'high'\n",
        ["[options] copy.threshold expects a number"],
    ),
    (
        "pyproject.toml",
        "[tool.provenance.options]\ncopy.quotes = 'often'\n",
        ["[tool.provenance.options] copy.quotes expects one of auto, count, ignore"],
    ),
]


@pytest.mark.parametrize("name,content,needles", BAD, ids=[f"{i}-{b[1][:24]}" for i, b in enumerate(BAD)])
@pytest.mark.parametrize("command", ["compare", "check"])
def test_bad_policy_file_is_one_line_exit_2(tmp_path, monkeypatch, name, content, needles, command):
    work = tmp_path / "newsroom"
    cfg = write(work / name, content)
    src = write(work / "source.txt", SOURCE)
    monkeypatch.chdir(work)
    args = (
        ["compare", str(src), str(src)]
        if command == "compare"
        else ["check", str(src), "--index", str(tmp_path / "none.db"), "--fail-on", "copy>0.5"]
    )
    for extra in ([], ["--config", str(cfg)]):  # discovered, and given explicitly
        r = runner.invoke(app, args + extra)
        assert r.exit_code == 2, (r.stdout, r.stderr)
        lines = r.stderr.strip().splitlines()
        assert len(lines) == 1, r.stderr
        assert lines[0].startswith("provenance: error: ") and name in lines[0]
        for needle in needles:
            assert needle in lines[0], (needle, lines[0])
        assert "Traceback" not in r.output


def test_pyproject_without_table_is_skipped_when_found_but_an_error_when_given(tmp_path, monkeypatch):
    cfg = write(tmp_path / "pyproject.toml", "[project]\nname = 'x'\n")
    src = write(tmp_path / "source.txt", SOURCE)
    monkeypatch.chdir(tmp_path)
    assert runner.invoke(app, ["compare", str(src), str(src)]).exit_code == 0
    r = runner.invoke(app, ["compare", str(src), str(src), "--config", str(cfg)])
    assert r.exit_code == 2 and "pyproject.toml: no [tool.provenance] table" in r.stderr


def test_config_given_but_missing(tmp_path):
    r = runner.invoke(app, ["compare", "a.txt", "b.txt", "--config", str(tmp_path / "nope.toml")])
    assert r.exit_code == 2 and "nope.toml: no such file" in r.stderr


def test_discovered_options_apply_to_compare_and_flags_win(tmp_path, monkeypatch):
    write(
        tmp_path / "pyproject.toml",
        "[tool.provenance]\nmin-paragraph-words = 12\n[tool.provenance.options]\ncopy.threshold = 0.95\n",
    )
    src = write(tmp_path / "articles" / "source.txt", SOURCE)
    monkeypatch.chdir(src.parent)
    r = runner.invoke(app, ["compare", str(src), str(src), "--format", "json"])
    assert r.exit_code == 0, r.stderr
    opts = json.loads(r.stdout)["parameters"]["options"]
    assert opts["copy.threshold"] == 0.95 and opts["paragraph.min_words"] == 12
    r = runner.invoke(
        app,
        [
            "compare",
            str(src),
            str(src),
            "--format",
            "json",
            "--option",
            "copy.threshold=0.5",
            "--option",
            "paragraph.min_words=0",
        ],
    )
    opts = json.loads(r.stdout)["parameters"]["options"]
    assert opts["copy.threshold"] == 0.5 and opts["paragraph.min_words"] == 0


def test_plain_config_file_with_only_options_still_works(tmp_path):
    cfg = write(tmp_path / "settings.toml", "[options]\nverdict.copy_from = 1.0\n")
    src = write(tmp_path / "source.txt", SOURCE)
    r = runner.invoke(app, ["compare", str(src), str(src), "--format", "json", "--config", str(cfg)])
    assert r.exit_code == 0, r.stderr
    doc = json.loads(r.stdout)
    assert doc["parameters"]["options"]["verdict.copy_from"] == 1.0


def test_load_config_api_is_kept(tmp_path):
    from provenance.policy.config import load_config

    cfg = write(tmp_path / "c.toml", "min-paragraph-words = 4\n[options.copy]\nthreshold = 0.9\n")
    assert load_config(cfg) == {"copy.threshold": 0.9, "paragraph.min_words": 4}
    with pytest.raises(UsageError, match=r"c\.toml"):
        load_config(write(tmp_path / "c.toml", "[options\n"))
