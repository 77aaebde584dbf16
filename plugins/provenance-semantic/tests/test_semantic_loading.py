"""The model loads on first use, once, offline; importing the plugin (or listing plugins) never loads it."""

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


def test_importing_the_plugin_loads_neither_torch_nor_the_model():
    done = _run(
        "import sys, provenance_semantic\n"
        "from provenance.plugins import PluginHost\n"
        "host = PluginHost()\n"
        "assert [s.name for _, s in host.scorers()] == ['semantic'], host.scorers()\n"
        "heavy = [m for m in ('torch', 'sentence_transformers', 'transformers') if m in sys.modules]\n"
        "print(heavy)"
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


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


def test_the_model_loads_once_on_first_score_and_never_reaches_the_network():
    scorer = SemanticScorer()
    scorer.score([("The river burst its banks.", "Flood water rose in the town.")])
    loads = model.STATS.loads
    assert loads == 1 and model.loaded()
    assert os.environ["HF_HUB_OFFLINE"] == "1" and os.environ["TRANSFORMERS_OFFLINE"] == "1"
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
