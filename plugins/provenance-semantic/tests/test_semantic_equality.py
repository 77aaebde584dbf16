"""The numpy forward pass (provenance_semantic/bert.py) computes what sentence-transformers computes.

tests/data/reference.npz holds sentence-transformers' embeddings of 1,000 MRPC sentences and the paraphrase judge's
probabilities (the torch model of bench/train_paraphrase.py) for 500 MRPC pairs, written by
bench/semantic_reference.py with torch installed; these tests need neither torch nor sentence-transformers."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

from provenance_semantic import bert, model, pairs

REFERENCE = Path(__file__).resolve().parent / "data" / "reference.npz"


@pytest.fixture(scope="module")
def reference(bench):
    root = Path(bench.__file__).resolve().parents[1]
    if str(root) not in sys.path:
        sys.path.insert(0, str(root))
    from bench import semantic_reference

    sentences, judged = semantic_reference.inputs()
    with np.load(REFERENCE, allow_pickle=False) as stored:
        data = {k: stored[k] for k in stored.files}
    # The same texts the reference was computed from (MRPC changed: run bench/semantic_reference.py again).
    assert data["digest"].tobytes().decode() == semantic_reference.digest(sentences, judged)
    return sentences, judged, data


def test_embeddings_equal_sentence_transformers(reference):
    sentences, _, data = reference
    ours = model.embed(sentences)
    theirs = data["embeddings"].astype(np.float32)
    theirs /= np.linalg.norm(theirs, axis=1, keepdims=True)  # stored in half precision
    cosines = np.einsum("ij,ij->i", ours, theirs)
    assert len(cosines) == 1000
    assert cosines.min() >= 0.9999, (cosines.argmin(), cosines.min())


def test_judge_probabilities_equal_the_torch_model(reference):
    _, judged, data = reference
    pairs.clear_cache()
    ours = np.array(pairs.paraphrase(judged))
    assert len(ours) == 500
    assert np.abs(ours - data["probabilities"]).max() <= 1e-4


def test_gelu_is_the_exact_form_within_float32_rounding():
    import math

    x = np.linspace(-8.0, 8.0, 100_001).astype(np.float32)
    exact = np.array([0.5 * v * (1.0 + math.erf(v / math.sqrt(2.0))) for v in x.astype(np.float64)])
    assert np.abs(bert.gelu(x.copy()) - exact).max() <= 1e-6  # tanh's approximation is off by up to 5e-4 here


def _safetensors(path: Path, tensors: dict[str, np.ndarray], cut: int = 0) -> None:
    """A .safetensors file as its specification lays it out (header length, JSON header, data)."""
    import json

    header, data, at = {}, b"", 0
    for name, value in tensors.items():
        raw = value.tobytes()
        header[name] = {"dtype": "F32", "shape": list(value.shape), "data_offsets": [at, at + len(raw)]}
        data, at = data + raw, at + len(raw)
    text = json.dumps(header).encode()
    path.write_bytes(len(text).to_bytes(8, "little") + text + data[: len(data) - cut])


def test_the_weights_are_a_read_only_map_and_a_damaged_file_is_refused(tmp_path):
    tensors = {"a.weight": np.arange(12, dtype=np.float32).reshape(3, 4), "pooler.b": np.ones(2, dtype=np.float32)}
    _safetensors(tmp_path / "ok.safetensors", tensors)
    got = bert.read_safetensors(tmp_path / "ok.safetensors", skip=("pooler.",))
    assert list(got) == ["a.weight"] and np.array_equal(got["a.weight"], tensors["a.weight"])
    assert not got["a.weight"].flags.writeable  # mapped from the file, never copied
    _safetensors(tmp_path / "cut.safetensors", tensors, cut=4)
    with pytest.raises(ValueError, match="does not fit the file"):
        bert.read_safetensors(tmp_path / "cut.safetensors")


def test_batches_group_like_lengths_and_cover_every_text():
    lengths = [5, 120, 7, 6, 118, 40] * 30
    seen: list[int] = []
    previous = 0
    for rows in bert.batches(lengths):
        seen.extend(rows)
        got = [lengths[i] for i in rows]
        assert len(rows) <= bert.MAX_BATCH
        assert len(rows) == 1 or len(rows) * max(got) <= bert.MAX_BATCH_TOKENS
        assert min(got) >= previous  # sorted by length: each batch's texts are no shorter than the last's
        previous = max(got)
    assert sorted(seen) == list(range(len(lengths)))


def test_padding_does_not_change_an_embedding():
    """A sentence encoded alone and in a batch with longer ones (padded) gets the same vector."""
    short = "Rain fell."
    model.clear_cache()
    alone = model.embed([short])[0]
    model.clear_cache()
    batch = model.embed([short, "A much longer sentence about the weather, the river and the town council's plans."])
    assert float(alone @ batch[0]) >= 0.99999


def test_batches_run_in_threads_give_the_rows_one_thread_gives(reference):
    sentences, _, _ = reference
    encoder = model.load()
    pieces = [(e.ids, e.type_ids) for e in encoder.tokenizer.encode_batch(sentences[:200])]
    serial = encoder.net.pooled(pieces, workers=1)
    threaded = encoder.net.pooled(pieces, workers=2)
    assert len(list(bert.batches([len(i) for i, _ in pieces], bert.PARALLEL_BATCH_TOKENS))) > 2  # threads had work
    assert serial.shape == threaded.shape == (200, bert.HIDDEN)
    # The same texts, batched differently (smaller batches in threads): equal up to float32 summation order.
    assert np.abs(serial - threaded).max() <= 1e-5
