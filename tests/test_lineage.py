"""The derivation graph (`provenance lineage`): direction on constructed chains and a diamond, independent versions
left alone, undecidable directions said to be so, every output format, and the command's exit codes.

The fixtures in tests/fixtures/lineage are written for these tests: a wire story, a partner's copy of its page (the
wire's byline carried over, the partner's own furniture and a paragraph of its own, a later date), a rewrite of the
partner's copy (its own paragraph reworded too), a second partner's copy, and another agency's own report."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from provenance import Option, hookimpl
from provenance.lineage import infer, lineage, published
from provenance.model import LINEAGE_SCHEMA, Report
from provenance.plugins import get_host
from provenance.renderers.lineage import render_dot, render_mermaid, render_text
from provenance.testing import run_cli
from provenance.text.load import load_document

HERE = Path(__file__).parent / "fixtures" / "lineage"


def docs(*names: str, rename: dict[str, str] | None = None):
    host = get_host()
    return [
        load_document((HERE / f"{n}.txt").read_text(encoding="utf-8"), (rename or {}).get(n, n), host=host)
        for n in names
    ]


@pytest.fixture(scope="module")
def chain():
    # Given in an order that is not the answer's.
    return lineage(docs("rewrite", "other-agency", "partner", "wire"), host=get_host())


def test_chain_copy_of_the_wire_then_rewrite_of_the_copy(chain):
    parent = {e.child: e.parent for e in chain.edges}
    assert parent == {"partner": "wire", "rewrite": "partner"}
    assert chain.roots == ("wire",)
    by_child = {e.child: e for e in chain.edges}
    assert by_child["partner"].relation == "copy"
    assert by_child["rewrite"].relation == "rewrite"
    assert all(e.direction == "decided" and e.direction_confidence > 0 for e in chain.edges)
    # The evidence names the facts used: the furniture carried over and the dates.
    partner = " ".join(by_child["partner"].evidence)
    assert "page furniture" in partner and "2025-03-03" in partner and "2025-03-04" in partner


def test_independent_report_gets_no_parent_and_no_child(chain):
    assert chain.independent == ("other-agency",)
    assert all("other-agency" not in (e.parent, e.child) for e in chain.edges)


def test_diamond_two_partners_copy_one_wire():
    graph = lineage(docs("second-partner", "partner", "wire"), host=get_host())
    assert {e.child: e.parent for e in graph.edges} == {"partner": "wire", "second-partner": "wire"}
    assert graph.roots == ("wire",)


def test_identical_texts_without_evidence_are_undecidable():
    text = (HERE / "wire.txt").read_text(encoding="utf-8")
    # No byline, no date: nothing tells which came first.
    body = "\n\n".join(text.split("\n\n")[2:])
    host = get_host()
    a, b = load_document(body, "a", host=host), load_document(body, "b", host=host)
    graph = lineage([a, b], host=host)
    assert len(graph.edges) == 1
    assert graph.edges[0].direction == "undecided"
    assert graph.edges[0].direction_confidence == 0
    assert "undecidable" in graph.edges[0].evidence[-1]


def test_publication_date_from_metadata_and_dateline():
    host = get_host()
    html = (
        '<html><head><meta property="article:published_time" content="2025-03-03T08:00:00Z">'
        "<title>Ferry</title></head><body><article><h1>Ferry route approved</h1>"
        + "".join(f"<p>{p}</p>" for p in (HERE / "wire.txt").read_text(encoding="utf-8").split("\n\n")[2:])
        + "</article></body></html>"
    )
    doc = load_document(html, "page.html", fmt="html", host=host)
    assert published(doc) == ("2025-03-03", "metadata")
    assert published(docs("partner")[0]) == ("2025-03-04", "dateline")
    # Metadata and a dateline that disagree: the date is unknown, and said to be in conflict.
    stamped = html.replace("<h1>", "<p>Updated March 9, 2025</p><h1>")
    assert published(load_document(stamped, "stamped.html", fmt="html", host=host)) == (None, "conflict")
    # A date inside a long sentence is what the story is about, not when it was published.
    about = (
        "The harbour council, which has argued about a ferry for most of the past decade, first discussed "
        "this route on March 1, 2019, and again at every budget meeting since then."
    )
    assert published(load_document(about, "about.txt", host=host)) == (None, "")
    assert published(docs("wire", "partner")[0]) == ("2025-03-03", "dateline")


def test_formats_escape_hostile_names():
    hostile = {"wire": 'wire"];<script>x</script>', "partner": "partner\n-> evil"}
    graph = lineage(docs("wire", "partner", rename=hostile), host=get_host())
    assert len(graph.edges) == 1
    mermaid = render_mermaid(graph)
    assert "<script>" not in mermaid and '"]' not in mermaid.replace('"]\n', "").replace('"| ', "")
    dot = render_dot(graph)
    assert '\\"];<script>' in dot and "partner\\n-> evil" in dot
    data = json.loads(graph.to_json())
    assert data["schema"] == LINEAGE_SCHEMA
    assert {e["child"] for e in data["edges"]} == {hostile["partner"]}
    assert hostile["wire"] in render_text(graph)


def test_cli_json_and_exit_codes(tmp_path):
    files = [str(HERE / f"{n}.txt") for n in ("wire", "partner", "other-agency")]
    r = run_cli(["lineage", *files, "-f", "json"])
    assert r.exit_code == 0, r.stderr
    data = json.loads(r.stdout)
    assert [(e["parent"], e["child"]) for e in data["edges"]] == [(files[0], files[1])]
    assert data["independent"] == [files[2]]
    assert run_cli(["lineage"]).exit_code == 2
    assert run_cli(["lineage", *files, "-f", "svg"]).exit_code == 2
    assert run_cli(["lineage", *files, "-f", "html"]).exit_code == 2  # a folder needs --output
    assert run_cli(["lineage", *files, "--option", "lineage.link=2"]).exit_code == 2
    missing = run_cli(["lineage", files[0], str(tmp_path / "nope.txt")])
    assert missing.exit_code == 3 and "nope.txt" in missing.stderr and "Traceback" not in missing.stderr


def test_cli_with_an_index(tmp_path):
    db = tmp_path / "corpus.db"
    files = [str(HERE / f"{n}.txt") for n in ("wire", "partner", "rewrite", "other-agency")]
    assert run_cli(["index", "add", str(db), *files]).exit_code == 0
    r = run_cli(["lineage", "--index", str(db), "--story", files[2], "-f", "json"])
    assert r.exit_code == 0, r.stderr
    data = json.loads(r.stdout)
    parent = {e["child"]: e["parent"] for e in data["edges"]}
    assert parent.get(files[1]) == files[0] and parent.get(files[2]) == files[1]
    assert run_cli(["lineage", "--index", str(db), "--story", "absent"]).exit_code == 3
    assert run_cli(["lineage", "--index", str(db)]).exit_code == 2


class _CountingScorer:
    """A scorer plugin's scorer that records whether the pair engine asked it anything."""

    name = "counting"

    def __init__(self) -> None:
        self.options = {"threshold": Option(0.7, float, "close meaning", -1.0, 1.0)}
        self.pairs = 0

    def score(self, pairs):
        self.pairs += len(pairs)
        return [0.0 for _ in pairs]


class _ScorerPlugin:
    __name__ = "counting-plugin"

    def __init__(self, scorer: _CountingScorer) -> None:
        self.scorer = scorer

    @hookimpl
    def register_scorers(self, register):
        register(self.scorer)


def test_cli_compares_pairs_without_scorer_plugins_unless_asked():
    # The graph's options were chosen on the lexical pair engine (docs/lineage.md): an installed scorer is not run,
    # and the JSON says which scorers the pairs were compared with.
    files = [str(HERE / f"{n}.txt") for n in ("wire", "partner", "other-agency")]
    quiet = _CountingScorer()
    r = run_cli(["lineage", *files, "-f", "json"], plugins=[_ScorerPlugin(quiet)])
    assert r.exit_code == 0, r.stderr
    assert json.loads(r.stdout)["parameters"]["scorers"] == [] and quiet.pairs == 0
    asked = _CountingScorer()
    r = run_cli(["lineage", *files, "-f", "json", "--scorers"], plugins=[_ScorerPlugin(asked)])
    assert r.exit_code == 0, r.stderr
    assert json.loads(r.stdout)["parameters"]["scorers"] == ["counting-plugin:counting"] and asked.pairs > 0


# The link rule on constructed pair reports ---------------------------------------------------------------------------


def _report(source: str, derived: str, verdict: str, rewrite: float) -> Report:
    return Report(
        source=source,
        derived=derived,
        verdict=verdict,
        shares={"copy": 0.0, "rewrite": rewrite, "added": 1.0 - rewrite},
        source_coverage=rewrite,
        paragraphs=(),
        source_paragraphs=(),
        parameters={},
    )


def _pair_graph(forward: tuple[str, float], backward: tuple[str, float], **options: float):
    """Two versions (the wire story and another newsroom's retelling) whose pair reports say `forward` (the retelling
    read as derived from the wire: verdict, rewritten share) and `backward` (the wire read as derived from it)."""
    a, b = docs("wire", "rewrite")
    reports = {
        (0, 1): _report(a.name, b.name, *forward),
        (1, 0): _report(b.name, a.name, *backward),
    }
    return infer([a, b], reports, options=options)


def test_a_pair_called_wholly_derived_both_ways_links_under_the_plain_link():
    # Mean derived share 0.6: under lineage.link, over lineage.agreed_link; both verdicts say rewrite.
    graph = _pair_graph(
        ("rewrite", 0.7), ("rewrite", 0.5), **{"lineage.link": 0.7, "lineage.agreed_link": 0.5}
    )
    assert len(graph.edges) == 1 and graph.independent == ()
    assert graph.edges[0].confidence == pytest.approx(0.6)
    # The same shares with the rule off, or with a stricter agreed link: no link.
    off = _pair_graph(("rewrite", 0.7), ("rewrite", 0.5), **{"lineage.link": 0.7, "lineage.agreed_link": 1.0})
    assert off.edges == () and set(off.independent) == {"wire", "rewrite"}
    strict = _pair_graph(
        ("rewrite", 0.7), ("rewrite", 0.5), **{"lineage.link": 0.7, "lineage.agreed_link": 0.65}
    )
    assert strict.edges == ()


@pytest.mark.parametrize(
    "verdicts", [("partial", "rewrite"), ("rewrite", "partial"), ("independent", "rewrite")]
)
def test_the_lower_link_needs_both_verdicts_to_say_derived(verdicts):
    # Two reports of one event: one of the two verdicts says the text holds much of its own.
    graph = _pair_graph(
        (verdicts[0], 0.7), (verdicts[1], 0.5), **{"lineage.link": 0.7, "lineage.agreed_link": 0.5}
    )
    assert graph.edges == ()
    # Over the plain link, the verdicts do not matter.
    over = _pair_graph(
        (verdicts[0], 0.9), (verdicts[1], 0.8), **{"lineage.link": 0.7, "lineage.agreed_link": 0.5}
    )
    assert len(over.edges) == 1


def test_the_lower_link_is_a_floor_too():
    # Copy and rewrite both ways, but a mean derived share of 0.45: under the agreed link as well.
    graph = _pair_graph(("copy", 0.5), ("rewrite", 0.4), **{"lineage.link": 0.7, "lineage.agreed_link": 0.5})
    assert graph.edges == ()
