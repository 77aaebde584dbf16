"""Every hostile input gets its documented outcome through the real CLI (docs/inputs.md): a one-line error with
exit code 3, or a correct report. Never a traceback, never a hang."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest

import provenance
from provenance.errors import InputError
from provenance.testing import run_cli
from provenance.text.decode import decode

ARTICLE = (
    "The council met on Tuesday and agreed the budget for the coming year after a long debate about the "
    "libraries.\n\nA second paragraph explains that the swimming pool will close for repairs in March, and "
    "that the work will cost two million pounds.\n"
)


def _zip() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("story.txt", ARTICLE * 20)
    return buf.getvalue()


PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4

REFUSED = {
    "empty": (b"", "empty"),
    "whitespace only": (b"  \n\n\t \r\n ", "empty"),
    "NUL bytes": (b"abc\x00def\x00" * 3, "binary"),
    "random binary": (bytes((i * 97 + 13) % 256 for i in range(4096)), "binary"),
    "PNG renamed .txt": (PNG, "PNG image"),
    "ZIP renamed .txt": (_zip(), "ZIP archive"),
}


def _one_line_error(r, code: int = 3, needle: str = "") -> None:
    assert r.exit_code == code, (r.exit_code, r.stderr)
    assert r.stdout == ""
    assert r.stderr.startswith("provenance: error: ") and r.stderr.count("\n") == 1, r.stderr
    assert "Traceback" not in r.stderr and needle in r.stderr


@pytest.fixture
def source(tmp_path: Path) -> Path:
    p = tmp_path / "source.txt"
    p.write_text(ARTICLE, encoding="utf-8")
    return p


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_refused_files_give_one_line_and_exit_3(tmp_path, source, name):
    data, needle = REFUSED[name]
    bad = tmp_path / "article.txt"
    bad.write_bytes(data)
    _one_line_error(run_cli(["compare", str(source), str(bad)]), 3, needle)
    _one_line_error(run_cli(["compare", str(bad), str(source)]), 3, needle)


def test_a_directory_or_a_missing_file_where_a_file_is_expected(tmp_path, source):
    _one_line_error(run_cli(["compare", str(source), str(tmp_path)]), 3, "directory")
    _one_line_error(run_cli(["compare", str(source), str(tmp_path / "nope.txt")]), 3, "no such file")


def test_an_unreadable_file(tmp_path, source, monkeypatch):
    bad = tmp_path / "locked.txt"
    bad.write_text(ARTICLE, encoding="utf-8")
    real = Path.read_bytes

    def denied(self):
        if self == bad:
            raise PermissionError(13, "Permission denied")
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", denied)  # chmod 000 does not stop root, who runs CI
    _one_line_error(run_cli(["compare", str(source), str(bad)]), 3, "permission denied")


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be", "utf-8-sig"])
def test_utf16_with_and_without_bom_gives_the_same_report(tmp_path, source, encoding):
    other = tmp_path / f"derived-{encoding}.txt"
    other.write_bytes(ARTICLE.encode(encoding))
    r = run_cli(["compare", str(source), str(other), "-f", "json"])
    assert r.exit_code == 0, r.stderr
    doc = json.loads(r.stdout)
    assert doc["verdict"] == "copy" and doc["source_coverage"] == 1.0


def test_invalid_utf8_is_read_with_the_best_fitting_encoding(tmp_path, source):
    broken = tmp_path / "broken.txt"
    broken.write_bytes(ARTICLE.encode("utf-8").replace(b"council", b"c\xf6uncil", 1))  # a stray Latin-1 byte
    r = run_cli(["compare", str(source), str(broken), "-f", "json"])
    assert r.exit_code == 0, r.stderr
    assert json.loads(r.stdout)["verdict"] == "copy"


def test_stray_nul_bytes_are_not_taken_for_utf16():
    with pytest.raises(InputError, match="binary"):
        decode(b"abc\x00def\x00", "x")
    chinese = "河谷市昨日遭遇百年一遇的暴雨，约四百名居民被迫撤离家园。消防部门出动六艘橡皮艇。" * 3
    assert decode(chinese.encode("utf-16-le"), "x") == (chinese, "utf-16-le")


def test_a_million_characters_without_a_space(tmp_path, source):
    blob = tmp_path / "blob.txt"
    blob.write_text("x" * 1_000_000, encoding="utf-8")
    r = run_cli(["compare", str(source), str(blob), "-f", "json"])
    assert r.exit_code == 0, r.stderr
    doc = json.loads(r.stdout)
    assert doc["verdict"] == "independent" and sum(p["words"] for p in doc["paragraphs"]) == 1
    r = run_cli(["compare", str(blob), str(blob), "-f", "json"])
    assert r.exit_code == 0 and json.loads(r.stdout)["verdict"] == "copy"


def test_html_nested_ten_thousand_levels(tmp_path, source):
    deep = tmp_path / "deep.html"
    deep.write_text(
        "<html><body>" + "<div>" * 10_000 + f"<p>{ARTICLE}</p>" + "</div>" * 10_000 + "</body></html>",
        encoding="utf-8",
    )
    r = run_cli(["compare", str(source), str(deep)])
    if r.exit_code != 0:
        _one_line_error(r, 3, "")
    else:
        assert "verdict" in r.stdout


def test_scripts_styles_and_iframes_never_reach_the_report(tmp_path, source):
    noisy = tmp_path / "noisy.html"
    junk = (
        "<script>var secretScriptWord = 'zzscript';</script><style>.zzstyle{color:red}</style>"
        "<iframe src='https://ads.example/zziframe'>zziframe fallback</iframe><noscript>zznoscript</noscript>"
    )
    paras = "".join(f"<p>{p}</p>{junk}" for p in ARTICLE.split("\n\n"))
    noisy.write_text(
        f"<html><head>{junk}<title>Budget</title></head><body>{junk}<article>{paras}</article>"
        f"{junk}</body></html>",
        encoding="utf-8",
    )
    r = run_cli(["compare", str(source), str(noisy), "-f", "json"])
    assert r.exit_code == 0, r.stderr
    doc = json.loads(r.stdout)
    text = " ".join(p["text"] for p in doc["paragraphs"])
    for marker in ("zzscript", "zzstyle", "zziframe", "zznoscript", "secretScriptWord"):
        assert marker not in text
    assert doc["verdict"] == "copy"


ZH_SOURCE = """河谷市昨日遭遇百年一遇的暴雨，市区多处街道被淹，约四百名居民被迫撤离家园。消防部门出动六艘橡皮艇，在清晨救出三十七名被困群众。

市政府在体育中心设立临时安置点，为两百一十二名居民提供床铺和热餐。市长表示，受损道路和桥梁的修复工作将在洪水退去后立即展开。

气象部门预计周四还将有大雨，提醒低洼地区居民做好再次撤离的准备。"""
ZH_DERIVED = """河谷市昨日遭遇百年一遇的暴雨，市区多处街道被淹，约四百名居民被迫撤离家园。消防部门出动六艘橡皮艇，在清晨救出三十七名被困群众。

本报记者在现场看到，许多商铺的货物被水浸泡，店主们正在清点损失。

气象部门预计周四还将有大雨，提醒低洼地区居民做好再次撤离的准备。"""
ZH_OTHER = """新的地铁线路今天正式开通运营，全长二十八公里，共设十九座车站。首班列车早上六点发车，票价从两元起。

交通部门表示，新线路将缓解城市东部的交通压力，预计每日客流量可达三十万人次。"""
JA_SOURCE = """東京都は今日、新しい防災計画を発表した。計画では、大雨の際に住民が避難できる施設を二百か所に増やす。

都の担当者は、昨年の台風で多くの住民が避難所に入れなかったことを受けた対応だと説明した。"""
JA_DERIVED = """東京都は今日、新しい防災計画を発表した。計画では、大雨の際に住民が避難できる施設を二百か所に増やす。

専門家からは、計画の実効性を疑問視する声も上がっている。"""
JA_OTHER = (
    "大阪の老舗和菓子店が創業百周年を迎え、記念の新商品を発売した。店主は伝統の味を守り続けたいと話している。"
)


@pytest.mark.parametrize(
    "source, derived, other",
    [(ZH_SOURCE, ZH_DERIVED, ZH_OTHER), (JA_SOURCE, JA_DERIVED, JA_OTHER)],
    ids=["chinese", "japanese"],
)
def test_chinese_and_japanese_without_spaces(source, derived, other):
    r = provenance.compare(source, derived)
    rel = [p.relation for p in r.paragraphs]
    assert (
        rel[0] == "copy" and rel[1] == "added"
    )  # the shared passage is found; the new reporting is not taken
    assert r.verdict in ("copy", "partial") and 0 < r.shares["added"] < 0.5
    assert all(p.words > 10 for p in r.paragraphs)  # characters count as words: no one-word "lines"
    assert provenance.compare(source, other).verdict == "independent"


ARABIC = (
    "أعلنت بلدية المدينة اليوم عن خطة جديدة لتحسين شبكة النقل العام في الأحياء الشرقية.\n\n"
    "وقال رئيس البلدية إن المشروع سيكتمل خلال عامين بتكلفة تبلغ ثلاثين مليون دينار."
)
HEBREW = (
    "עיריית העיר הודיעה היום על תוכנית חדשה לשיפור התחבורה הציבורית בשכונות המזרחיות.\n\n"
    "ראש העירייה אמר כי הפרויקט יושלם בתוך שנתיים בעלות של שלושים מיליון שקלים."
)


@pytest.mark.parametrize("text", [ARABIC, HEBREW], ids=["arabic", "hebrew"])
def test_right_to_left_scripts(text):
    r = provenance.compare(text, text)
    assert r.verdict == "copy" and r.source_coverage == 1.0
    first, _second = text.split("\n\n")
    partial = provenance.compare(text, first + "\n\n" + ARTICLE.split("\n\n")[0])
    assert [p.relation for p in partial.paragraphs] == ["copy", "added"]


def test_zero_width_characters_emoji_and_mixed_scripts():
    plain = ARTICLE.split("\n\n")[0]
    hidden = "\u200b".join(plain[i : i + 3] for i in range(0, len(plain), 3)).replace(" ", " \u200d\ufeff")
    assert [p.relation for p in provenance.compare(plain, hidden).paragraphs] == ["copy"]
    emoji = (
        "🌊 The river rose 🌧️ two metres overnight 🚒 and volunteers 👩‍🚒 worked until dawn to move families."
    )
    assert provenance.compare(emoji, emoji).verdict == "copy"
    mixed = (
        "Die Stadt 東京 announced a plan — план — خطة — for 2026 with 200 shelters and 40 new buses in total."
    )
    r = provenance.compare(mixed, mixed)
    assert r.verdict == "copy" and r.source_coverage == 1.0


@pytest.fixture
def default_limit():
    from provenance.limits import DEFAULT_MAX_BYTES, set_max_bytes

    yield DEFAULT_MAX_BYTES
    set_max_bytes(DEFAULT_MAX_BYTES)


def test_a_50_mb_article_is_refused_by_default_in_one_line(tmp_path, source, default_limit):
    big = tmp_path / "big.txt"
    with big.open("wb") as fh:
        fh.truncate(50 * 1024 * 1024)  # sparse: the size is checked before anything is read
    _one_line_error(run_cli(["compare", str(source), str(big)]), 3, "50.0 MiB, above the 5.0 MiB limit")


def test_the_size_limit_can_be_set_lifted_and_applies_to_stdin(tmp_path, source, default_limit, monkeypatch):
    body = ARTICLE * 40  # about 9 KB
    art = tmp_path / "a.txt"
    art.write_text(body, encoding="utf-8")
    _one_line_error(run_cli(["--max-bytes", "4096", "compare", str(source), str(art)]), 3, "--max-bytes")
    _one_line_error(
        run_cli(["--max-bytes", "4096", "compare", str(source), "-"], input=body.encode()), 3, "<stdin>"
    )
    monkeypatch.setenv("PROVENANCE_MAX_BYTES", "4096")
    _one_line_error(run_cli(["compare", str(source), str(art)]), 3, "limit")
    assert run_cli(["--max-bytes", "0", "compare", str(source), str(art)]).exit_code == 0
    r = run_cli(["--max-bytes", "-1", "compare", str(source), str(art)])
    assert r.exit_code == 2 and "Traceback" not in r.stderr
    db = tmp_path / "idx.db"
    r = run_cli(["--max-bytes", "4096", "index", "add", str(db), str(art), str(source)])
    assert r.exit_code == 3 and "a.txt" in r.stderr and "limit" in r.stderr


# An exception lost in a garbage-collector callback is only a warning to pytest: make it a failure here.
@pytest.mark.filterwarnings("error::pytest.PytestUnraisableExceptionWarning")
def test_a_time_limit_stops_the_command_in_one_line(tmp_path, source, default_limit):
    import signal

    big = tmp_path / "big.txt"
    sentence = "The volunteers moved {} families to the leisure centre before the river rose again at dawn. "
    big.write_text("\n\n".join(sentence.format(i) * 3 for i in range(40_000)), encoding="utf-8")  # ~11 MB
    try:
        r = run_cli(["--max-bytes", "0", "--timeout", "1", "compare", str(source), str(big)])
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, signal.SIG_DFL)
    _one_line_error(r, 3, "--timeout of 1 s")


def test_a_time_limit_lost_once_fires_again():
    """A signal landing in a garbage-collector callback is reported as "unraisable" and lost: the limit must
    still stop the command, and no `except Exception` on the way may catch it."""
    import time

    from provenance.limits import TimeLimitExceeded, cancel_time_limit, set_time_limit

    caught = 0
    try:
        set_time_limit(1)
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            try:
                try:
                    sum(range(10_000))
                except Exception:
                    raise AssertionError("the time limit was caught as an ordinary exception") from None
            except TimeLimitExceeded:
                caught += 1  # swallowed, as an unraisable exception would be
                if caught == 2:
                    break
    finally:
        cancel_time_limit()
    assert caught == 2
