"""The paraphrase judge: all-MiniLM-L6-v2 read as a cross-encoder, both sentences in one input, with a small adapter
trained on MRPC (bench/train_paraphrase.py).

A sentence embedding places two same-story sentences close together even when one changes a figure or adds a
clause, which is most of what separates a paraphrase from a near miss in news (MRPC's negatives). Reading both
sentences at once lets attention compare them word by word. The cost is one forward pass per pair, so the scorer
asks this judge only about each derived sentence's closest source sentence (by embedding), never about all pairs.

The adapter is LoRA (rank 8) on the query, value and feed-forward projections of every layer, plus the biases,
LayerNorms and a one-output head over mean pooling: about 290,000 numbers in `data/paraphrase-adapter.npz`
(plain arrays, no pickle), applied over the packaged model's weights when first needed, by the same numpy forward
pass as the sentence encoder (bert.py). bench/train_paraphrase.py trains it (with torch,
which only training needs).
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from . import bert, model

ADAPTER = Path(__file__).resolve().parent / "data" / "paraphrase-adapter.npz"
RANK = 8
ALPHA = 16.0
MAX_TOKENS = 128  # a pair of news sentences is about 60 word pieces
CACHE_SIZE = 50_000
TARGETS = ("attention.self.query", "attention.self.value", "intermediate.dense", "output.dense")
PREFIX = "bert."  # the adapter's names for the encoder's parameters (bench/train_paraphrase.py's PairModel)


@dataclass(frozen=True)
class Judge:
    """The encoder with the adapter folded in, and its head over mean pooling."""

    net: bert.Bert
    head: np.ndarray  # (HIDDEN,)
    head_bias: float

    @classmethod
    def load(cls, encoder: bert.Bert, path: Path = ADAPTER) -> Judge:
        """The adapter over the encoder: its low-rank updates folded into the four matrices they change (W + scale
        x A B, once, in bert.py), the biases and LayerNorms it trained in place of the encoder's; the embeddings and
        the other matrices are the encoder's own arrays."""
        weights = dict(encoder.weights)
        updates: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        scale = ALPHA / RANK
        with np.load(path, allow_pickle=False) as arrays:
            stored = {n: arrays[n].astype(np.float32) for n in arrays.files if n != "meta"}
        expected = {f"{PREFIX}encoder.layer.{n}.{t}.{ab}" for n in range(bert.LAYERS) for t in TARGETS for ab in "AB"}
        if not expected <= set(stored) or not {"head.weight", "head.bias"} <= set(stored):
            raise ValueError(
                f"{path.name}: the adapter does not fit this model ({len(expected - set(stored))} missing)"
            )
        for name, value in stored.items():
            if not name.startswith(PREFIX) or name.startswith(PREFIX + "pooler."):  # the pooler is not used
                continue
            key = name[len(PREFIX) :]
            if key.endswith(".A"):
                updates[key[:-2]] = (
                    np.ascontiguousarray(value.T),
                    np.ascontiguousarray(stored[name[:-2] + ".B"].T) * scale,
                )
                continue
            if key.endswith(".B"):
                continue
            if key not in weights or weights[key].shape != value.shape:
                raise ValueError(f"{path.name}: the adapter does not fit this model ({key})")
            weights[key] = value
        net = bert.Bert(weights, updates, share=encoder)
        return cls(net, stored["head.weight"].reshape(-1), float(stored["head.bias"][0]))

    def probabilities(self, pieces: Sequence[tuple[list[int], list[int]]]) -> np.ndarray:
        """The probability of a paraphrase for each tokenised pair ([CLS] a [SEP] b [SEP]), in batches of like
        lengths."""
        pooled = self.net.pooled(pieces, model.workers())
        logits = pooled.astype(np.float64) @ self.head.astype(np.float64) + self.head_bias
        return np.asarray(1.0 / (1.0 + np.exp(-logits)), dtype=np.float64)


class Stats:
    judged = 0  # pairs read by the model (cache misses), for the speed benchmark


STATS = Stats()
_lock = threading.Lock()
_net: Judge | None = None
_cache: OrderedDict[tuple[str, str], float] = OrderedDict()


def judge() -> Judge:
    global _net
    with _lock:
        if _net is None:
            from . import model

            _net = Judge.load(model.load().net)
        return _net


def adapter_meta(path: Path = ADAPTER) -> dict[str, Any]:
    with np.load(path, allow_pickle=False) as arrays:
        return json.loads(arrays["meta"].tobytes())


def paraphrase(pairs: Sequence[tuple[str, str]]) -> list[float]:
    """The probability that each (derived, source) sentence pair is a paraphrase; pairs met before are cached."""
    todo = list(dict.fromkeys(p for p in pairs if p not in _cache))
    if todo:
        from . import model

        net = judge()
        pieces = [(e.ids, e.type_ids) for e in model.load().pair_tokenizer.encode_batch(todo)]
        for pair, v in zip(todo, net.probabilities(pieces).tolist()):
            _cache[pair] = v
        STATS.judged += len(todo)
        while len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)
    return [_cache[p] for p in pairs]


def clear_cache() -> None:
    _cache.clear()
