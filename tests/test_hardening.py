"""What an adversarial probe broke (issue 21, and items 5 and 10 of issue 20), one regression test per finding: the
output writer, stored counters and sizes, foreign and damaged index files, file names that are not UTF-8, option
values, policy files, redis:// URLs, the argument parser's errors and plugin names. Each drives the real code path
(the CLI where a user meets it) and holds the class, not only the reported instance."""

from __future__ import annotations

import gc
import json
import os
import sqlite3
import stat
import sys
import threading
import time
from pathlib import Path

import pytest

from provenance.cli.io import write_output, write_text
from provenance.components import Folder, Option
from provenance.errors import UsageError
from provenance.testing import run_cli

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
SOURCE, DERIVED = EXAMPLES / "wire-story.txt", EXAMPLES / "rewrite-with-commentary.md"
REPORT = "a report\n"


def one_line(r, code: int) -> str:
    assert r.exit_code == code, (r.exit_code, r.stdout, r.stderr)
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("provenance: error: "), r.stderr
    assert "Traceback" not in r.stderr and "internal error" not in r.stderr
    return lines[0]


@pytest.fixture()
def umask_022():
    old = os.umask(0o022)
    yield
    os.umask(old)


# 1. `-o` writes into what it is given: modes kept, umask honoured, special files never replaced ---------------


def test_a_new_report_honours_the_umask_and_an_old_one_keeps_its_mode(tmp_path, umask_022):
    new = tmp_path / "r.json"
    write_text(REPORT, new)
    assert stat.S_IMODE(new.stat().st_mode) == 0o644
    os.umask(0o027)
    fresh = tmp_path / "s.json"
    write_text(REPORT, fresh)
    assert stat.S_IMODE(fresh.stat().st_mode) == 0o640
    new.chmod(0o604)
    write_text("again\n", new)
    assert stat.S_IMODE(new.stat().st_mode) == 0o604 and new.read_text() == "again\n"


def test_every_report_format_written_with_o_gets_the_umask(tmp_path, umask_022):
    for fmt in ("json", "markdown", "sarif", "html"):
        out = tmp_path / f"r.{fmt}"
        r = run_cli(["compare", str(SOURCE), str(DERIVED), "--format", fmt, "-o", str(out)])
        assert r.exit_code == 0, r.stderr
        assert stat.S_IMODE(out.stat().st_mode) == 0o644, fmt


def _root_or_ci() -> None:
    if os.geteuid() != 0:
        if os.environ.get("CI"):
            pytest.fail("the device-node test runs as root in CI")
        pytest.skip("making a device node needs root")


def test_a_device_node_is_written_into_never_replaced(tmp_path):
    _root_or_ci()
    dev = tmp_path / "mynull"
    os.mknod(dev, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
    dev.chmod(0o666)
    r = run_cli(["compare", str(SOURCE), str(DERIVED), "--format", "json", "-o", str(dev)])
    assert r.exit_code == 0, r.stderr
    st = dev.stat()
    assert stat.S_ISCHR(st.st_mode) and st.st_rdev == os.makedev(1, 3)
    assert stat.S_IMODE(st.st_mode) == 0o666
    assert not [p for p in tmp_path.iterdir() if p.name != "mynull"]  # no temporary file left beside it


def test_a_fifo_is_written_into_never_replaced(tmp_path):
    fifo = tmp_path / "myfifo"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()), daemon=True)
    reader.start()
    write_text(REPORT, fifo)
    reader.join(10)
    assert got == [REPORT.encode()]
    assert stat.S_ISFIFO(fifo.stat().st_mode)


def test_a_symlink_is_followed_and_kept(tmp_path):
    target = tmp_path / "real.json"
    target.write_text("old\n")
    target.chmod(0o640)
    link = tmp_path / "link.json"
    link.symlink_to(target.name)
    write_text(REPORT, link)
    assert link.is_symlink() and target.read_text() == REPORT
    assert stat.S_IMODE(target.stat().st_mode) == 0o640


@pytest.mark.parametrize("name", ["/dev/stdout", "/dev/fd/1", "/proc/self/fd/1"])
def test_dev_stdout_is_written_into_never_replaced(name, capfd, monkeypatch):
    """Written into whatever the descriptor is (here pytest's capture file, a regular file, as `> out` makes it).
    A rename is made to fail, so that a writer that would replace the name (the machine's /dev/stdout, once) fails
    this test without doing it."""

    def no_rename(*args: object) -> None:
        raise AssertionError(f"{name} was about to be replaced")

    monkeypatch.setattr(os, "replace", no_rename)
    write_text("x\n", Path(name))
    assert capfd.readouterr().out == "x\n"
    assert os.path.islink("/dev/stdout")


def _folder(*files: tuple[str, str]) -> Folder:
    return Folder(
        [*files, ("index.html", "<p>i</p>"), (".ours", "ours\n")],
        entry="index.html",
        marker=".ours",
        noun="page",
        what="an HTML audit",
        folders=("reports",),
    )


def test_a_folder_output_on_a_dangling_symlink_is_a_usage_error(tmp_path):
    link = tmp_path / "site"
    link.symlink_to(tmp_path / "nowhere")
    with pytest.raises(UsageError, match="symbolic link"):
        write_output(_folder(), link)


def test_reauditing_into_a_folder_never_deletes_a_file_a_user_added(tmp_path, umask_022):
    site = tmp_path / "site"
    write_output(_folder(("reports/a.html", "a")), site)
    assert stat.S_IMODE(site.stat().st_mode) == 0o755
    write_output(_folder(("reports/b.html", "b")), site)  # our own files: replaced whole
    assert sorted(p.name for p in (site / "reports").iterdir()) == ["b.html"]
    (site / "notes.txt").write_text("mine")
    with pytest.raises(UsageError, match=r"notes\.txt"):
        write_output(_folder(("reports/c.html", "c")), site)
    assert (site / "notes.txt").read_text() == "mine" and (site / "reports" / "b.html").exists()


# 2, 5, 10. Stored counters and sizes: range-checked by every reader and by check, never sizing an allocation ----


def _add(location: str, *paths: Path) -> None:
    r = run_cli(["index", "add", location, *map(str, paths)])
    assert r.exit_code == 0, r.stderr


def _set_next_pid(location: str, value: str) -> None:
    if location.startswith("redis"):
        from provenance.index import open_index

        idx = open_index(location)
        idx.r.set(f"{idx.prefix}:next", value)
        idx.close()
    else:
        with sqlite3.connect(location) as db:
            db.execute("UPDATE meta SET value=? WHERE key='next_pid'", (value,))
        db.close()


def test_a_huge_next_paragraph_id_never_sizes_the_reader(index_location):
    _add(index_location, SOURCE)
    _set_next_pid(index_location, "2147483647")
    _add(index_location, EXAMPLES / "scraped-copy.html")
    r = run_cli(["index", "check", index_location])
    assert r.exit_code == 0, r.stdout + r.stderr
    r = run_cli(["audit", index_location, str(DERIVED), "--format", "json"])
    assert r.exit_code == 0, r.stderr
    from provenance.index import open_index
    from provenance.index.base import prints_of_texts

    idx = open_index(index_location)
    try:
        idx.candidates(prints_of_texts(["The council met on Tuesday."], idx.params))
        reader = idx._reader if index_location.startswith("redis") else idx._snapshot().reader  # type: ignore[attr-defined]
        assert len(reader.store) < 1000  # rows for the paragraphs held, not one per id up to 2^31
    finally:
        idx.close()


def test_paragraph_ids_that_would_wrap_are_refused_and_the_index_stays_sound(index_location):
    _add(index_location, SOURCE)
    _set_next_pid(index_location, "4294967290")
    one_line(run_cli(["index", "add", index_location, str(DERIVED)]), 3)
    r = run_cli(["index", "check", index_location])
    assert r.exit_code == 0, r.stdout + r.stderr


@pytest.mark.parametrize("value", ["99999999999", "-5", "abc", "1e9"])
def test_a_counter_out_of_range_is_damage_for_check_and_every_reader(index_location, value):
    _add(index_location, SOURCE)
    _set_next_pid(index_location, value)
    r = run_cli(["index", "check", index_location])
    assert r.exit_code == 3 and "Traceback" not in r.stderr, r.stdout + r.stderr
    one_line(run_cli(["audit", index_location, str(DERIVED)]), 3)


def test_a_non_numeric_live_paragraph_count_in_redis_is_damage(redis_url):
    location = f"{redis_url}?prefix=paracount"
    _add(location, SOURCE)
    from provenance.index import open_index

    idx = open_index(location)
    idx.r.hset(f"{idx.prefix}:meta", "paragraphs", "lots")  # type: ignore[attr-defined]
    idx.close()
    for args in (["index", "info", location], ["audit", location, str(DERIVED)]):
        assert "paragraph count" in one_line(run_cli(args), 3)


def test_an_empty_redis_index_checks_ok(redis_url, tmp_path):
    """Killed before its first batch (counters reserved, nothing stored), or after an add that refused its only
    input: info, list, audit and check all agree the index is empty and sound."""
    location = f"{redis_url}?prefix=emptyone"
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    assert run_cli(["index", "add", location, str(empty)]).exit_code == 3
    from provenance.index import open_index

    for key in ("next", "docnum", "segnum"):
        r = run_cli(["index", "check", location])
        assert r.exit_code == 0 and ": ok (0 documents" in r.stdout, r.stdout + r.stderr
        idx = open_index(location)
        idx.r.set(f"{idx.prefix}:{key}", "1")  # type: ignore[attr-defined]
        idx.close()
    assert run_cli(["index", "check", location]).exit_code == 0


# 3, 6. Foreign SQLite files are never adopted; damaged parameters are damage -----------------------------------


def test_another_applications_sqlite_file_is_never_written(tmp_path):
    other = tmp_path / "app.db"
    with sqlite3.connect(other) as db:
        db.execute("CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT)")
        db.execute("INSERT INTO meta VALUES('owner', 'another app')")
        db.execute("CREATE TABLE users(name TEXT)")
    db.close()
    before = other.read_bytes()
    assert "not a text-provenance index" in one_line(run_cli(["index", "add", str(other), str(SOURCE)]), 3)
    assert other.read_bytes() == before
    with sqlite3.connect(other) as db:
        assert sorted(r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")) == [
            "meta",
            "users",
        ]
    db.close()


@pytest.mark.parametrize(
    "flip",
    [
        ('"bands"', '"bandc"'),
        ('"xxh32"', '"xxh33"'),
        ('"sentence_keys": true', '"sentence_keys": 1'),
        ("64", '"64"'),
    ],
)
def test_damaged_parameters_are_damage_not_a_usage_error(index_location, flip):
    _add(index_location, SOURCE)
    if index_location.startswith("redis"):
        from provenance.index import open_index

        idx = open_index(index_location)
        key = f"{idx.prefix}:meta"  # type: ignore[attr-defined]
        idx.r.hset(key, "params", idx.r.hget(key, "params").decode().replace(*flip, 1))  # type: ignore[attr-defined]
        idx.close()
    else:
        with sqlite3.connect(index_location) as db:
            (params,) = db.execute("SELECT value FROM meta WHERE key='params'").fetchone()
            db.execute("UPDATE meta SET value=? WHERE key='params'", (params.replace(*flip, 1),))
        db.close()
    for args in (["index", "info", index_location], ["audit", index_location, str(DERIVED)]):
        assert "damaged" in one_line(run_cli(args), 3)


def test_other_parameters_are_still_a_usage_error(tmp_path):
    from provenance.fingerprint import FingerprintParams
    from provenance.index import open_index
    from provenance.index.base import IndexParams

    location = str(tmp_path / "seed2.db")
    open_index(location, create=True, params=IndexParams(FingerprintParams(seed=2))).close()
    assert "other parameters" in one_line(run_cli(["index", "info", location]), 2)


# 4. File names that are not UTF-8: refused one by one, the others added ------------------------------------------


@pytest.fixture()
def odd_names(tmp_path) -> Path:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "good.txt").write_bytes(SOURCE.read_bytes())
    bad = os.fsdecode(bytes(folder) + b"/x\xff\xfe.md")
    Path(bad).write_bytes(DERIVED.read_bytes())
    return folder


def test_a_name_that_is_not_utf8_is_refused_alone(index_location, odd_names):
    r = run_cli(["index", "add", index_location, str(odd_names)])
    assert r.exit_code == 3 and "Traceback" not in r.stderr, r.stderr
    assert "x\\xff\\xfe.md" in r.stderr and "not valid UTF-8" in r.stderr
    assert "added 1" in r.stdout + r.stderr
    listed = run_cli(["index", "list", index_location])
    assert listed.stdout.splitlines() == [str(odd_names / "good.txt")]
    assert run_cli(["index", "check", index_location]).exit_code == 0


@pytest.mark.parametrize("fmt", ["json", "sarif", "html", "text"])
def test_reports_never_carry_a_name_that_is_not_utf8(odd_names, fmt):
    bad = next(p for p in odd_names.iterdir() if p.name != "good.txt")
    r = run_cli(["compare", str(odd_names / "good.txt"), str(bad), "--format", fmt])
    assert "not valid UTF-8" in one_line(r, 3)


def test_a_jsonl_id_that_no_utf8_holds_is_refused_alone(index_location, tmp_path):
    corpus = tmp_path / "c.jsonl"
    text = SOURCE.read_text(encoding="utf-8")
    corpus.write_text(
        json.dumps({"id": "ok", "text": text}) + "\n" + '{"id": "bad\\ud800", "text": "x y z"}\n',
        encoding="utf-8",
    )
    r = run_cli(["index", "add", index_location, str(corpus)])
    assert r.exit_code == 3 and "c.jsonl:2" in r.stderr and "Traceback" not in r.stderr, r.stderr
    assert run_cli(["index", "list", index_location]).stdout.splitlines() == ["ok"]


def test_index_list_keeps_one_id_a_line(tmp_path):
    from provenance.index import add_documents
    from provenance.text.inputs import RawDocument

    location = str(tmp_path / "ids.db")
    add_documents(location, [RawDocument("two\nlines", SOURCE.read_text(encoding="utf-8"), "text")])
    assert run_cli(["index", "list", location]).stdout == "two\\nlines\n"


# 7, 20.10. The time limit: bounded, and never raised inside a collection or a finaliser ----------------------------


@pytest.mark.parametrize("how", ["option", "env"])
def test_a_huge_timeout_is_a_usage_error(how, monkeypatch):
    if how == "env":
        monkeypatch.setenv("PROVENANCE_TIMEOUT", "9999999999")
        args = ["compare", str(SOURCE), str(DERIVED)]
    else:
        args = ["--timeout", "9999999999", "compare", str(SOURCE), str(DERIVED)]
    assert "--timeout" in one_line(run_cli(args), 2)


def test_the_time_limit_waits_for_a_collection_to_finish():
    """A signal landing in a garbage-collector callback used to raise there, where Python drops the exception
    ("unraisable") and cuts the callback short. The limit must let every callback run to its end, then stop the
    code that runs outside it, and nothing may be reported as unraisable."""
    from provenance.limits import TimeLimitExceeded, cancel_time_limit, set_time_limit

    finished, started, unraisable = [0], [0], []

    def slow_callback(phase: str, info: dict) -> None:
        if phase != "start":
            return
        started[0] += 1
        end = time.monotonic() + 0.3
        while time.monotonic() < end:
            sum(range(1000))
        finished[0] += 1

    old_hook = sys.unraisablehook
    sys.unraisablehook = unraisable.append
    gc.callbacks.append(slow_callback)
    stopped = False
    try:
        set_time_limit(1)
        deadline = time.monotonic() + 6
        while time.monotonic() < deadline:
            gc.collect()  # most of the time is spent in the callback, where the alarm lands
            end = time.monotonic() + 0.05
            while time.monotonic() < end:
                sum(range(1000))
    except TimeLimitExceeded:
        stopped = True
    finally:
        cancel_time_limit()
        gc.callbacks.remove(slow_callback)
        sys.unraisablehook = old_hook
    assert stopped
    assert started[0] >= 1 and finished[0] == started[0]  # every callback ran to its end
    assert unraisable == []


# 8, 9. Option values and policy files --------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["nan", "NaN", "inf", "-inf", "1e999"])
def test_non_finite_option_values_are_refused(value):
    assert "finite" in one_line(
        run_cli(["compare", "--option", f"verdict.copy_from={value}", str(SOURCE), str(SOURCE)]), 2
    )
    for kind in (float, int):
        with pytest.raises(UsageError):
            Option(1.0, kind).parse("x.y", value)


def test_nan_in_a_policy_file_is_refused(tmp_path, monkeypatch):
    (tmp_path / "provenance.toml").write_text('[options]\n"verdict.copy_from" = nan\n')
    monkeypatch.chdir(tmp_path)
    assert "finite" in one_line(run_cli(["compare", str(SOURCE), str(SOURCE)]), 2)


def test_a_deeply_nested_policy_file_is_one_line(tmp_path):
    deep = tmp_path / "deep.toml"
    deep.write_text("a = " + "[" * 1000 + "]" * 1000 + "\n")
    assert "nested" in one_line(run_cli(["compare", "--config", str(deep), str(SOURCE), str(SOURCE)]), 2)


def test_an_endless_policy_file_is_refused_at_once():
    started = time.monotonic()
    r = run_cli(["compare", "--config", "/dev/zero", str(SOURCE), str(SOURCE)])
    assert "larger than" in one_line(r, 2)
    assert time.monotonic() - started < 60


# 10, 11. redis:// URLs: every mistake a usage error ---------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "redis://127.0.0.1:99999/0",
        "redis://[::1/0",
        "redis://127.0.0.1:0/0",
        "redis://127.0.0.1:6379/x",
        "redis://127.0.0.1:6379/0?timeout=",
        "redis://127.0.0.1:6379/0?prefix=",
        "redis://127.0.0.1:6379/0?timeout=nan",
        "redis://127.0.0.1:6379/0?prefix=a&prefix=b",
        "redis://127.0.0.1:6379/0?colour=blue",
        "redis://:secret@/0",
    ],
)
def test_every_bad_redis_url_is_a_usage_error(url):
    from provenance.index.redis.connection import parse_url

    with pytest.raises(UsageError):
        parse_url(url)
    one_line(run_cli(["index", "info", url]), 2)


# 11. Argument-parser errors and plugin names ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ["compare", "--bogus", "a", "b"],
        ["compare"],
        ["index", "add"],
        ["--max-bytes", "-1", "compare", "a", "b"],
    ],
)
def test_the_argument_parser_errors_are_one_line(args):
    one_line(run_cli(args), 2)


def test_an_unknown_plugin_name_to_load_is_named(monkeypatch):
    monkeypatch.setenv("PROVENANCE_LOAD_PLUGINS", "ATTRIBUTION")
    r = run_cli(["plugins"], entry_points=True)
    assert "'ATTRIBUTION'" in one_line(r, 2)


# 12. Text that no UTF-8 holds (a JSONL "\ud800", a lone surrogate from Python): one line each, the rest kept -------


LONE = '"\\ud800abc and then some words"'  # JSON's own spelling of a lone surrogate


@pytest.fixture()
def surrogates(tmp_path) -> Path:
    """A JSONL file: a good article, then a lone surrogate in the text, in the html, in a title, then another good
    article."""
    wire = SOURCE.read_text(encoding="utf-8")
    lines = [
        json.dumps({"id": "first", "text": wire}),
        '{"id": "text", "text": ' + LONE + "}",
        '{"id": "html", "html": "<p>' + LONE[1:-1] + '</p>"}',
        '{"id": "title", "text": "Plain words of a body.", "title": ' + LONE + "}",
        json.dumps({"id": "last", "text": DERIVED.read_text(encoding="utf-8")}),
    ]
    path = tmp_path / "lone.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _bad_lines(r, code: int = 3) -> list[str]:
    """The error lines of a run that skipped the three bad documents: one line each, no traceback."""
    assert r.exit_code == code, (r.exit_code, r.stdout, r.stderr)
    assert "Traceback" not in r.stderr and "internal error" not in r.stderr, r.stderr
    errors = [line for line in r.stderr.splitlines() if line.startswith("provenance: error: ")]
    assert len(errors) == 3, r.stderr
    for n, line in zip((2, 3, 4), errors):
        assert f"lone.jsonl:{n}: " in line and "not valid Unicode" in line and "\\ud800" in line, line
    return errors


def test_index_add_refuses_a_lone_surrogate_alone_and_keeps_the_rest(index_location, surrogates, tmp_path):
    before = tmp_path / "before.txt"
    before.write_text(SOURCE.read_text(encoding="utf-8").replace("140 homes", "141 homes"), encoding="utf-8")
    assert run_cli(["index", "add", index_location, str(before)]).exit_code == 0
    r = run_cli(["index", "add", index_location, str(surrogates)])
    _bad_lines(r)
    assert "added 2, replaced 0, unchanged 0, failed 3" in r.stderr
    assert run_cli(["index", "list", index_location]).stdout.splitlines() == sorted(
        [str(before), "first", "last"]
    )
    assert run_cli(["index", "check", index_location]).exit_code == 0


@pytest.mark.parametrize("fmt", ["table", "jsonl", "json", "markdown"])
def test_audit_reports_the_good_articles_and_one_line_per_lone_surrogate(tmp_path, surrogates, fmt):
    location = str(tmp_path / "a.db")
    assert run_cli(["index", "add", location, str(SOURCE)]).exit_code == 0
    r = run_cli(["audit", location, str(surrogates), "--format", fmt])
    _bad_lines(r)
    assert "first" in r.stdout and "last" in r.stdout and "title" not in r.stdout
    report = tmp_path / f"audit.{fmt}"
    r = run_cli(["audit", location, str(surrogates), "--format", fmt, "-o", str(report)])
    _bad_lines(r)
    assert "last" in report.read_text(encoding="utf-8")


def test_compare_refuses_text_no_utf8_holds_in_one_line_and_keeps_the_report(tmp_path):
    report = tmp_path / "r.json"
    report.write_text(REPORT, encoding="utf-8")
    utf16 = tmp_path / "lone.txt"  # a byte-order mark, then a lone high surrogate: no UTF-16 either
    utf16.write_bytes(b"\xff\xfe" + "Words ".encode("utf-16-le") + b"\x00\xd8" + "more".encode("utf-16-le"))
    for args in (
        [str(SOURCE), str(utf16)],
        [str(utf16), str(SOURCE)],
        ["-", str(SOURCE)],
    ):
        r = run_cli(["compare", *args, "-o", str(report)], input=utf16.read_bytes())
        assert "not valid utf-16" in one_line(r, 3)
        assert report.read_text(encoding="utf-8") == REPORT
    # A JSONL file given to compare is an article like any other: its "\ud800" is six characters, not a surrogate.
    line = tmp_path / "line.jsonl"
    line.write_text('{"id": "text", "text": ' + LONE + "}\n", encoding="utf-8")
    r = run_cli(["compare", str(SOURCE), str(line), "--format", "json"])
    assert r.exit_code == 0 and "\\\\ud800abc" in r.stdout, r.stderr


def test_the_python_api_refuses_a_lone_surrogate_as_an_input_error(tmp_path):
    """The same text from Python: `compare` raises InputError, `add_documents` and `audit` list it in `errors`
    and go on with the others (a lone surrogate once reached the digest and the scorers)."""
    import provenance
    from provenance.errors import InputError
    from provenance.index.api import add_documents, audit
    from provenance.text.inputs import RawDocument

    lone = json.loads(LONE)
    wire = SOURCE.read_text(encoding="utf-8")
    with pytest.raises(InputError, match="not valid Unicode"):
        provenance.compare(wire, lone)
    bad, good = RawDocument("bad", lone, "text"), RawDocument("good", wire, "text")
    titled = RawDocument("titled", wire, "text", {"title": lone})
    location = str(tmp_path / "api.db")
    summary = add_documents(location, [bad, titled, good])
    assert summary.added == 1 and len(summary.errors) == 2
    assert all("not valid Unicode" in e for e in summary.errors), summary.errors
    run = audit(location, [bad, good])
    assert [r.derived for r in run.results] == ["good"] and len(run.errors) == 1


def test_a_redis_host_no_name_can_spell_is_a_usage_error():
    one_line(run_cli(["index", "info", os.fsdecode(b"redis://\xff:6379/0")]), 2)
