"""The plugin examples in docs/plugins/ run as written: each becomes a module registered through its hook."""

from __future__ import annotations

import re
import types
from pathlib import Path

import provenance
from provenance.testing import make_host, run_cli

DOCS = Path(__file__).resolve().parents[1] / "docs" / "plugins"


def _modules(doc: str) -> list[types.ModuleType]:
    blocks = re.findall(r"```python\n(.*?)```", (DOCS / doc).read_text(encoding="utf-8"), re.DOTALL)
    mods = []
    for i, code in enumerate(b for b in blocks if "@hookimpl" in b):
        mod = types.ModuleType(f"doc_example_{doc.split('.')[0]}_{i}")
        exec(compile(code, f"{doc}[{i}]", "exec"), mod.__dict__)
        mods.append(mod)
    return mods


def test_hooks_md_examples(tmp_path):
    detector, extractor, renderer, _backend, _scorer = _modules("hooks.md")
    host = make_host(detector, extractor, renderer)
    assert {"long-paragraphs"} <= set(host.components["detectors"])

    # register_extractors: the subtitle format is picked by suffix and its cues become paragraphs.
    srt = tmp_path / "talk.srt"
    srt.write_text(
        "1\n00:00:01,000 --> 00:00:04,000\nThe bridge reopened on Monday after long repairs.\n\n"
        "2\n00:00:05,000 --> 00:00:08,000\nEngineers had found cracks in two of the arches.\n",
        encoding="utf-8",
    )
    text = tmp_path / "talk.txt"
    text.write_text(
        "The bridge reopened on Monday after long repairs.\n\n"
        "Engineers had found cracks in two of the arches.\n",
        encoding="utf-8",
    )
    report = provenance.compare(text, srt, host=host)
    assert report.metadata["derived"]["format"] == "srt"
    assert [p.relation for p in report.paragraphs] == ["copy", "copy"]

    # register_renderers: --format csv through the CLI.
    result = run_cli(
        ["compare", str(text), str(srt), "--format", "csv"], plugins=[detector, extractor, renderer]
    )
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[0] == "index,relation,score,sources"
    assert len(result.stdout.splitlines()) == 3


def test_tutorial_plugin(tmp_path):
    (exclaim,) = _modules("tutorial.md")
    src = "The council approved the new bridge on Monday after a long debate about its cost.\n"
    report = provenance.compare(src, src.replace("cost.", "cost!"), host=make_host(exclaim))
    assert [f.kind for f in report.findings] == ["exclaim"]
    assert provenance.compare(src, src, host=make_host(exclaim)).findings == ()
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.write_text(src, encoding="utf-8")
    b.write_text(src.replace("cost.", "cost!"), encoding="utf-8")
    bad = run_cli(["compare", str(a), str(b), "--option", "exclaim.min_added=lots"], plugins=[exclaim])
    assert bad.exit_code == 2 and "exclaim.min_added" in bad.stderr
    low = run_cli(["compare", str(a), str(b), "--option", "exclaim.min_added=0"], plugins=[exclaim])
    assert low.exit_code == 2 and "at least 1" in low.stderr
    ok = run_cli(["compare", str(a), str(b), "--option", "exclaim.min_added=2"], plugins=[exclaim])
    assert ok.exit_code == 0 and "exclaim" not in ok.stdout


def test_index_backend_example(tmp_path):
    *_, backend, _scorer = _modules("hooks.md")
    src = tmp_path / "src.txt"
    src.write_text(
        "The ferry to the island will stop running in January while its engines are replaced.\n\n"
        "Islanders will be able to use a smaller boat that carries twelve passengers.\n",
        encoding="utf-8",
    )
    der = tmp_path / "der.txt"
    der.write_text(
        "Islanders will be able to use a smaller boat that carries twelve passengers.\n", encoding="utf-8"
    )
    first = run_cli(["index", "add", "memory://demo", str(src)], plugins=[backend])
    assert first.exit_code == 0 and "added 1, replaced 0, unchanged 0" in first.stderr, first.stderr
    result = run_cli(["audit", "memory://demo", str(der), "--format", "json"], plugins=[backend])
    assert result.exit_code == 0, result.stderr
    import json

    (audit,) = json.loads(result.stdout)
    assert audit["verdict"] == "copy" and audit["sources"] == [str(src)]
    info = run_cli(["index", "info", "memory://demo", "--json"], plugins=[backend])
    assert json.loads(info.stdout)["documents"] == 1


def test_scorer_example():
    """register_scorers: the toy Jaccard scorer's signal lands in the evidence, named."""
    *_, scorer = _modules("hooks.md")
    host = make_host(scorer)
    report = provenance.compare(
        "The bridge reopened on Monday after long repairs to its arches.",
        # Reworded (no run of four shared words): a verbatim copy is settled by its words and no scorer is asked.
        "On Monday the bridge reopened after long repairs had been made to its arches.",
        host=host,
    )
    (p,) = report.paragraphs
    assert report.parameters["scorers"] == [f"{scorer.__name__}:jaccard"]
    assert p.evidence["signals"]["jaccard"]["score"] > 0.6
    assert p.relation in ("copy", "rewrite") and p.evidence["scorer"] == "lexical"
