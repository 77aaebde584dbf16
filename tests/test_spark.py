"""provenance.spark on a real SparkSession (`local[2]`, the `spark` fixture of conftest.py): the same signatures,
candidates and results as the single-machine index and audit on the same data, a failing plugin recorded in the
article's report, and `provenance audit --engine spark`."""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path

import pytest

from provenance.fingerprint import FingerprintParams
from provenance.index import add_documents, audit, open_index
from provenance.index.base import IndexParams, prints_of_document
from provenance.index.retrieve import pack
from provenance.testing import make_host, run_cli
from provenance.text.inputs import RawDocument
from provenance.text.load import load_document
from tests import doubles
from tests.doubles import BoomPlugin

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
SYLLABLES = [a + b for a in "bdfgklmnprstvz" for b in ("a", "e", "i", "o", "u", "ar", "en", "ol")]
# A wire byline at the foot of every corpus story: its keys are posted more often than the index's cap on common
# keys (max_postings: 40 postings below 40,000 paragraphs), so both paths must skip them alike.
BYLINE = "Reporting by the regional desk of the agency, editing by the night staff; all rights reserved."
STORIES = 60


def builtins_host():
    return make_host()


def boom_host():
    return make_host(BoomPlugin())


@pytest.fixture(autouse=True, scope="module")
def _pickled_by_value():
    """The executors import provenance, not this test module: its host factories travel by value."""
    from pyspark import cloudpickle

    for module in (sys.modules[__name__], doubles):
        cloudpickle.register_pickle_by_value(module)
    yield
    for module in (sys.modules[__name__], doubles):
        cloudpickle.unregister_pickle_by_value(module)


def story(rng: random.Random, paragraphs: int = 4) -> list[str]:
    words = [rng.choice(SYLLABLES) + rng.choice(SYLLABLES) + rng.choice(SYLLABLES) for _ in range(40)]
    out = []
    for _ in range(paragraphs):
        sentences = [
            " ".join(rng.choice(words) for _ in range(rng.randint(9, 14))).capitalize() + "."
            for _ in range(3)
        ]
        out.append(" ".join(sentences))
    return out


@pytest.fixture(scope="module")
def data() -> tuple[list[RawDocument], list[RawDocument]]:
    """A corpus (the examples' wire story and independent report, and 60 stories with the same byline) and
    articles: copies, a rewrite, one built from two stories, one of its own, and the byline alone."""
    rng = random.Random(18)
    stories = [story(rng) for _ in range(STORIES)]
    corpus = [RawDocument(f"story-{i:02d}", "\n\n".join([*s, BYLINE]), "text") for i, s in enumerate(stories)]
    for name in ("wire-story.txt", "independent-report.txt"):
        corpus.append(RawDocument(name, (EXAMPLES / name).read_text(encoding="utf-8"), "text"))
    articles = [
        RawDocument("scraped", (EXAMPLES / "scraped-copy.html").read_text(encoding="utf-8"), "html"),
        RawDocument("rewrite", (EXAMPLES / "rewrite-with-commentary.md").read_text(encoding="utf-8"), "text"),
        RawDocument("two-sources", "\n\n".join([*stories[3][:2], *stories[7][2:]]), "text"),
        RawDocument("excerpt", "\n\n".join([stories[11][1], *story(rng, 2), BYLINE]), "text"),
        RawDocument("own", "\n\n".join(story(rng)), "text"),
        RawDocument("byline", BYLINE, "text"),
    ]
    return corpus, articles


def frame(spark, docs: list[RawDocument]):
    return spark.createDataFrame(
        [(d.id, d.text, d.format) for d in docs], "id string, text string, format string"
    )


@pytest.fixture(scope="module")
def index(tmp_path_factory, data) -> str:
    location = str(tmp_path_factory.mktemp("spark") / "corpus.db")
    assert add_documents(location, data[0], host=builtins_host()).added == len(data[0])
    return location


def test_fingerprint_gives_the_index_signatures_and_keys(spark, data):
    from provenance.spark import fingerprint

    corpus, _ = data
    params = IndexParams(FingerprintParams())
    rows = fingerprint(
        frame(spark, corpus[-8:]), "id", "text", format_col="format", host=builtins_host
    ).collect()
    got = {(r.doc_id, r.para): r for r in rows}
    expected = 0
    for raw in corpus[-8:]:
        prints = prints_of_document(load_document(raw.text, raw.id, fmt=raw.format, host=make_host()), params)
        keys, owners = prints.keys(params)
        for i, para in enumerate(prints.rows.tolist()):
            r = got[(raw.id, para)]
            assert r.size == int(prints.sizes[i])
            assert r.sig == pack(prints.signatures[i : i + 1]).tobytes()
            assert sorted(r.band_keys + r.sentence_keys) == sorted(keys[owners == i].tolist())
            assert len(r.band_keys) == params.bands
            expected += 1
    assert len(rows) == expected > 30


from provenance.index.retrieve import audit_evidence  # noqa: E402


def single_machine_candidates(location: str, articles: list[RawDocument]) -> set[tuple]:
    idx = open_index(location)
    out = set()
    try:
        for raw in articles:
            doc = load_document(raw.text, raw.id, fmt=raw.format, host=make_host())
            prints = prints_of_document(doc, idx.params)
            for row, cands in enumerate(idx.candidates(prints, 0.0)):  # as an audit looks them up
                for c in audit_evidence(cands, 0.2):
                    out.add((raw.id, int(prints.rows[row]), c.doc, c.paragraph, c.similarity, c.containment))
    finally:
        idx.close()
    return out


@pytest.mark.parametrize("salt_at", [20000, 1], ids=["unsalted", "every-key-salted"])
def test_candidates_are_the_single_machine_index_candidates(spark, data, index, salt_at):
    from provenance.spark import candidates, fingerprint

    corpus, articles = data
    params = IndexParams(FingerprintParams())
    c = fingerprint(frame(spark, corpus), format_col="format", host=builtins_host)
    a = fingerprint(frame(spark, articles), format_col="format", host=builtins_host)
    got = {tuple(r) for r in candidates(a, c, params, salt_at=salt_at).collect()}
    expected = single_machine_candidates(index, articles)
    assert got == expected
    # The byline's keys are over the cap on common keys: only its three rarest are kept, on both paths.
    assert {s for a_id, _, s, *_ in expected if a_id == "byline"} <= {d.id for d in corpus[:STORIES]}
    assert any(a_id == "two-sources" for a_id, *_ in got)


def test_find_sources_gives_what_audit_gives(spark, data, index, tmp_path):
    from provenance.spark import find_sources, write_results

    corpus, articles = data
    run = find_sources(frame(spark, articles), frame(spark, corpus), host=builtins_host)
    local = {r.derived: r for r in audit(index, articles, host=make_host()).results}
    pairs = run.pairs.collect()
    assert {(p.article_id, p.source_id, p.verdict) for p in pairs} == {
        (r.derived, doc, rep.verdict) for r in local.values() for doc, rep in r.reports.items()
    }
    for p in pairs:
        report = json.loads(p.report)
        assert report["schema"] == "text-provenance/report/1"
        assert report == json.loads(local[p.article_id].reports[p.source_id].to_json())
    rows = {r.article_id: r for r in run.articles.collect()}
    assert set(rows) == set(local) and all(r.error is None for r in rows.values())
    for article_id, r in rows.items():
        assert json.loads(r.result) == json.loads(json.dumps(local[article_id].to_dict()))
    assert rows["scraped"].verdict == "copy" and rows["scraped"].sources == ["wire-story.txt"]
    assert sorted(rows["two-sources"].sources) == ["story-03", "story-07"]
    assert rows["own"].sources == []
    # The AuditResults reach the driver for the renderers; written out, the `result` column is the audit JSON.
    from provenance.spark import results_of

    assert [r.to_dict() for r in results_of(run)] == [local[k].to_dict() for k in sorted(local)]
    for fmt in ("parquet", "jsonl"):
        write_results(run.articles, str(tmp_path / fmt), format=fmt)
        back = (
            spark.read.parquet(str(tmp_path / fmt))
            if fmt == "parquet"
            else spark.read.json(str(tmp_path / fmt))
        )
        assert {r.article_id: json.loads(r.result) for r in back.collect()} == {
            k: json.loads(json.dumps(v.to_dict())) for k, v in local.items()
        }
        # ... and `provenance render` turns the written folder into the usual reports, without Spark.
        rendered = run_cli(["render", str(tmp_path / fmt), "--format", "jsonl"])
        assert rendered.exit_code == 0, rendered.stderr
        assert rendered.stdout == "".join(
            json.dumps(local[k].to_dict(), ensure_ascii=False) + "\n" for k in sorted(local)
        )


def test_a_failing_plugin_is_recorded_in_the_report_not_fatal(spark, data):
    from provenance.engine import compare_documents
    from provenance.spark import find_sources

    corpus, articles = data
    run = find_sources(frame(spark, articles[:1]), frame(spark, corpus[-2:]), host=boom_host)
    (row,) = run.articles.collect()
    assert row.error is None and row.verdict == "copy"
    pairs = {p.source_id: json.loads(p.report)["errors"] for p in run.pairs.collect()}
    assert "wire-story.txt" in pairs and all(e == pairs["wire-story.txt"] for e in pairs.values())
    errors = pairs["wire-story.txt"]
    host = boom_host()
    src = load_document(corpus[-2].text, corpus[-2].id, host=host)
    der = load_document(articles[0].text, articles[0].id, fmt="html", host=host)
    assert errors == json.loads(compare_documents(src, der, host=host).to_json())["errors"]
    assert [e["detector"] for e in errors] == ["boom"] and "boom on purpose" in errors[0]["error"]


def broken_on_executors():
    """The plugins load on the driver but not on the executors (a plugin missing from the cluster's image)."""
    from pyspark import TaskContext

    from provenance.errors import PluginError

    if TaskContext.get() is not None:
        raise PluginError("error importing plugin 'broken' (broken:plugin): ImportError: no module", "broken")
    return make_host()


def test_plugins_that_fail_to_load_on_an_executor_are_the_articles_errors(spark, data):
    from provenance.spark import find_sources

    corpus, articles = data
    run = find_sources(frame(spark, articles[:2]), frame(spark, corpus[-2:]), host=broken_on_executors)
    rows = run.articles.collect()
    assert sorted(r.article_id for r in rows) == ["rewrite", "scraped"] and all(
        r.result is None for r in rows
    )
    for r in rows:
        assert r.error == f"{r.article_id}: plugins on the executor: error importing plugin 'broken' " + (
            "(broken:plugin): ImportError: no module"
        )
    assert {r.id for r in run.errors.collect()} == {d.id for d in corpus[-2:]}


def test_the_drivers_plugin_switches_reach_the_executors(spark, data, monkeypatch):
    """`--disable` and the driver's PROVENANCE_LOAD_PLUGINS travel with the job (`audit --engine spark` passes
    them): the executors' own setting (the fixture's spark.executorEnv: no plugins) gives way."""
    from provenance.spark import find_sources
    from provenance.spark.fingerprint import PluginChoice

    corpus, articles = data
    monkeypatch.setenv("PROVENANCE_LOAD_PLUGINS", "provenance-facts")
    choice = PluginChoice.of_driver(["commentary"])
    assert choice == PluginChoice(("commentary",), "provenance-facts")
    run = find_sources(frame(spark, articles[1:2]), frame(spark, corpus[-2:]), host=choice)
    pairs = run.pairs.collect()
    assert "wire-story.txt" in {p.source_id for p in pairs}
    for pair in pairs:
        detectors = json.loads(pair.report)["parameters"]["detectors"]
        assert "facts:facts" in detectors and "copy:copy" in detectors
        assert "commentary:commentary" not in detectors and "attribution:attribution" not in detectors


def test_cli_audit_on_spark_prints_what_the_index_audit_prints(spark, data, tmp_path):
    corpus, articles = data
    paths = {}
    for name, docs in (("corpus", corpus), ("articles", articles)):
        paths[name] = tmp_path / f"{name}.jsonl"
        paths[name].write_text(
            "".join(
                json.dumps({"id": d.id, ("html" if d.format == "html" else "text"): d.text}) + "\n"
                for d in docs
            ),
            encoding="utf-8",
        )
    db = str(tmp_path / "corpus.db")
    assert run_cli(["index", "add", db, str(paths["corpus"])]).exit_code == 0
    # `--disable` reaches the executors: each report lists the detectors that ran, so the lines differ otherwise.
    local = run_cli(["audit", db, str(paths["articles"]), "--format", "jsonl", "--disable", "commentary"])
    on_spark = run_cli(
        [
            "audit",
            "--engine",
            "spark",
            "--master",
            "local[2]",
            str(paths["corpus"]),
            str(paths["articles"]),
            "--format",
            "jsonl",
            "-o",
            str(tmp_path / "out.jsonl"),
            "--disable",
            "commentary",
        ]
    )
    assert local.exit_code == on_spark.exit_code == 0, on_spark.stderr
    assert sorted((tmp_path / "out.jsonl").read_text(encoding="utf-8").splitlines()) == sorted(
        local.stdout.splitlines()
    )
    assert "commentary:commentary" not in local.stdout and "copy:copy" in local.stdout


def test_engine_options_are_checked_before_spark_starts():
    result = run_cli(["audit", "--master", "local[2]", "corpus.db", "a.txt"])
    assert result.exit_code == 2 and "--master needs --engine spark" in result.stderr
    result = run_cli(["audit", "--engine", "flink", "corpus.db", "a.txt"])
    assert result.exit_code == 2 and "--engine is local or spark" in result.stderr


def test_progress_lines_come_from_sparks_status_tracker(spark):
    import re
    import time

    from provenance.spark.run import POLL_SECONDS, stage_progress

    lines: list[str] = []
    with stage_progress(spark.sparkContext, lines.append):
        spark.sparkContext.parallelize(range(2), 2).map(lambda x: time.sleep(4 * POLL_SECONDS) or x).count()
    assert lines and all(re.fullmatch(r"spark: stage \d+: \d+/2 tasks", line) for line in lines)
    with stage_progress(spark.sparkContext, None):  # quiet: no thread, nothing printed
        spark.sparkContext.parallelize(range(2), 2).count()


def test_files_jsonl_and_parquet_are_read_as_documents(spark, tmp_path):
    from provenance.spark import read_documents

    d = tmp_path / "in"
    d.mkdir()
    (d / "a.txt").write_text("A plain story.\n", encoding="utf-8")
    (d / "b.html").write_text("<p>An HTML story.</p>", encoding="utf-8")
    (d / "c.md").write_text("# Title\n\nA Markdown story.", encoding="utf-8")
    (d / "empty.txt").write_bytes(b" \n")  # whitespace only: Spark lists no zero-byte file at all
    (d / "image.png").write_bytes(b"\x89PNG")
    (tmp_path / "docs.jsonl").write_text(
        '{"id": 1, "text": "One."}\n{"id": "h", "html": "<p>Two.</p>"}\n{"id": "x"}\nnot json\n',
        encoding="utf-8",
    )
    spark.createDataFrame([("p", "Three.")], "id string, text string").write.parquet(
        str(tmp_path / "t.parquet")
    )
    rows = read_documents(
        spark, [str(d), str(tmp_path / "docs.jsonl"), str(tmp_path / "t.parquet")]
    ).collect()
    got = {r.id: (r.format, r.error is None) for r in rows}
    assert got == {
        str(d / "a.txt"): ("text", True),
        str(d / "b.html"): ("html", True),
        str(d / "c.md"): ("markdown", True),
        str(d / "empty.txt"): ("text", False),
        "1": ("text", True),
        "h": ("html", True),
        "x": ("text", False),
        f"{tmp_path / 'docs.jsonl'}: (no id)": ("text", False),
        "p": ("text", True),
    }
    assert any("the input is empty" in (r.error or "") for r in rows)


def test_the_executors_plugins_give_the_option_defaults(spark, data):
    """Regression: options were resolved with the driver's plugins (every installed one) and handed to executors
    that load fewer (here the built-ins), which refused the others' defaults as unknown options."""
    from provenance.spark import find_sources

    corpus, articles = data
    run = find_sources(frame(spark, articles[:1]), frame(spark, corpus[-2:]))  # the driver: installed plugins
    (row,) = run.articles.collect()
    assert row.error is None and row.verdict == "copy" and row.sources == ["wire-story.txt"]
