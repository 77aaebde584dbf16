"""The paraphrase judge: all-MiniLM-L6-v2 read as a cross-encoder, both sentences in one input, with a small adapter
trained on MRPC (bench/train_paraphrase.py).

A sentence embedding places two same-story sentences close together even when one changes a figure or adds a
clause, which is most of what separates a paraphrase from a near miss in news (MRPC's negatives). Reading both
sentences at once lets attention compare them word by word. The cost is one forward pass per pair, so the scorer
asks this judge only about each derived sentence's closest source sentence (by embedding), never about all pairs.

The adapter is LoRA (rank 8) on the query, value and feed-forward projections of every layer, plus the biases,
LayerNorms and a one-output head over mean pooling: about 290,000 numbers in `data/paraphrase-adapter.npz`
(plain arrays, no pickle), applied to a copy of the packaged model's weights when first needed. Imported only on
first use: it imports torch.
"""

from __future__ import annotations

import copy
import json
import threading
from collections import OrderedDict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch

ADAPTER = Path(__file__).resolve().parent / "data" / "paraphrase-adapter.npz"
RANK = 8
ALPHA = 16.0
MAX_TOKENS = 128  # a pair of news sentences is about 60 word pieces
BATCH_SIZE = 32
CACHE_SIZE = 50_000
_TARGETS = ("attention.self.query", "attention.self.value", "intermediate.dense", "output.dense")


class LoRA(torch.nn.Module):
    """A frozen linear layer plus a trainable low-rank update (Hu et al., 2021)."""

    def __init__(self, base: torch.nn.Linear, generator: torch.Generator | None = None) -> None:
        super().__init__()
        self.base = base
        for p in base.parameters():
            p.requires_grad = False
        self.A = torch.nn.Parameter(torch.randn(RANK, base.in_features, generator=generator) * 0.01)
        self.B = torch.nn.Parameter(torch.zeros(base.out_features, RANK))
        self.scale = ALPHA / RANK

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.base(x) + (x @ self.A.T @ self.B.T) * self.scale


class PairModel(torch.nn.Module):
    def __init__(self, encoder: Any, generator: torch.Generator | None = None) -> None:
        super().__init__()
        self.tokenizer = encoder.tokenizer
        self.bert = copy.deepcopy(encoder[0].auto_model)  # the bi-encoder keeps its own weights untouched
        for name, p in self.bert.named_parameters():
            p.requires_grad = "bias" in name or "LayerNorm" in name
        for layer in self.bert.encoder.layer:
            for path in _TARGETS:
                parent_path, _, attr = path.rpartition(".")
                parent = layer.get_submodule(parent_path)
                setattr(parent, attr, LoRA(getattr(parent, attr), generator))
        self.head = torch.nn.Linear(self.bert.config.hidden_size, 1)

    @classmethod
    def fresh(cls, encoder: Any, seed: int = 0) -> PairModel:
        generator = torch.Generator().manual_seed(seed)
        net = cls(encoder, generator)
        torch.nn.init.normal_(net.head.weight, std=0.02, generator=generator)
        torch.nn.init.zeros_(net.head.bias)
        return net

    @classmethod
    def load(cls, encoder: Any, path: Path = ADAPTER) -> PairModel:
        net = cls(encoder)
        with np.load(path, allow_pickle=False) as arrays:
            wanted = {n: p for n, p in net.named_parameters() if p.requires_grad}
            stored = {n for n in arrays.files if n != "meta"}
            if stored != set(wanted):
                raise ValueError(
                    f"{path.name}: the adapter does not fit this model ({len(stored ^ set(wanted))} parameters differ)"
                )
            with torch.no_grad():
                for name, p in wanted.items():
                    p.copy_(torch.from_numpy(arrays[name].astype(np.float32)))
        net.merge()
        net.eval()
        return net

    def merge(self) -> None:
        """Fold each LoRA update into its layer's weights (W + scale x B A): the same function, without the extra
        products at every call. For inference only: the merged model trains no more."""
        with torch.no_grad():
            for layer in self.bert.encoder.layer:
                for path in _TARGETS:
                    parent_path, _, attr = path.rpartition(".")
                    parent = layer.get_submodule(parent_path)
                    lora = getattr(parent, attr)
                    if isinstance(lora, LoRA):
                        lora.base.weight += (lora.B @ lora.A) * lora.scale
                        setattr(parent, attr, lora.base)

    def save(self, path: Path, meta: dict[str, Any]) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        arrays = {n: p.detach().numpy().astype(np.float32) for n, p in self.named_parameters() if p.requires_grad}
        arrays["meta"] = np.frombuffer(json.dumps(meta, sort_keys=True).encode(), dtype=np.uint8)
        tmp = path.with_suffix(".tmp.npz")
        np.savez_compressed(tmp, **arrays)
        tmp.replace(path)

    def logits(self, pairs: Sequence[tuple[str, str]]) -> torch.Tensor:
        enc = self.tokenizer(
            [a for a, _ in pairs],
            [b for _, b in pairs],
            padding=True,
            truncation=True,
            max_length=MAX_TOKENS,
            return_tensors="pt",
        )
        out = self.bert(**enc).last_hidden_state
        mask = enc["attention_mask"].unsqueeze(-1).to(out.dtype)
        pooled = (out * mask).sum(1) / mask.sum(1)
        return self.head(pooled).squeeze(-1)

    def probabilities(self, pairs: Sequence[tuple[str, str]]) -> np.ndarray:
        return torch.sigmoid(self.logits(pairs)).detach().numpy().astype(np.float64)


class Stats:
    judged = 0  # pairs read by the model (cache misses), for the speed benchmark


STATS = Stats()
_lock = threading.Lock()
_net: PairModel | None = None
_cache: OrderedDict[tuple[str, str], float] = OrderedDict()


def judge() -> PairModel:
    global _net
    with _lock:
        if _net is None:
            from . import model

            _net = PairModel.load(model.load())
        return _net


def adapter_meta(path: Path = ADAPTER) -> dict[str, Any]:
    with np.load(path, allow_pickle=False) as arrays:
        return json.loads(arrays["meta"].tobytes())


def paraphrase(pairs: Sequence[tuple[str, str]]) -> list[float]:
    """The probability that each (derived, source) sentence pair is a paraphrase; pairs met before are cached."""
    todo = list(dict.fromkeys(p for p in pairs if p not in _cache))
    todo.sort(key=lambda p: len(p[0]) + len(p[1]))  # batches of like lengths: little padding to compute
    if todo:
        net = judge()
        with torch.inference_mode():
            for k in range(0, len(todo), BATCH_SIZE):
                chunk = todo[k : k + BATCH_SIZE]
                for pair, v in zip(chunk, net.probabilities(chunk).tolist()):
                    _cache[pair] = v
                STATS.judged += len(chunk)
        while len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)
    return [_cache[p] for p in pairs]


def clear_cache() -> None:
    _cache.clear()
