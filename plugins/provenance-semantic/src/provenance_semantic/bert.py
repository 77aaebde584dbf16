"""all-MiniLM-L6-v2's forward pass in numpy: a 6-layer BERT, read from the packaged `model.safetensors`.

sentence-transformers runs this model through torch and transformers, which cost seconds to import and hundreds of
megabytes to install, for what is, at inference, a few dozen matrix products per layer. Here the weights are
mapped read-only from the packaged `model.safetensors` (`read_safetensors`) and the word pieces come from the
`tokenizers` package reading the packaged `tokenizer.json` (the very tokenizer sentence-transformers uses). The products go to numpy's BLAS; the results
equal sentence-transformers' to float32 rounding (tests/test_semantic_equality.py, against reference numbers
computed with sentence-transformers by bench/semantic_reference.py).

Texts are encoded in batches of like lengths (sorted by word-piece count, cut into batches of at most
`MAX_BATCH_TOKENS` padded word pieces), so little is computed for padding. The paraphrase judge (pairs.py) is the
same network with the adapter's low-rank updates folded into four of each layer's matrices (W + A B, computed once
at load: about 40 MB more than the encoder alone, and a third less time per judged pair than applying the updates
at every product); it shares the embeddings and the other matrices with the sentence encoder.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

LAYERS = 6
HIDDEN = 384
HEADS = 12
LAYER_NORM_EPS = 1e-12  # the model's config.json
MAX_BATCH_TOKENS = 1024  # padded word pieces per forward pass: measured fastest on two cores (bench/semantic_speed.py)
MAX_BATCH = 64  # texts per forward pass, whatever their length
# ... when batches run in parallel threads (`Bert.pooled`): smaller, so that the threads' shares even out
PARALLEL_BATCH_TOKENS = 256

_SQRT_HALF = 1.0 / math.sqrt(2.0)


def gelu(x: np.ndarray) -> np.ndarray:
    """BERT's activation in its exact form, x * Phi(x) = x/2 * (1 + erf(x / sqrt 2)), as transformers computes it
    for `hidden_act: gelu`, overwriting `x` (the feed-forward layer's widest array: no temporaries of its size
    but one). numpy has no erf and scipy's costs more to import than a comparison takes; this is Abramowitz &
    Stegun 7.1.26 (|error| <= 1.5e-7, float32's own rounding near 1), tested against math.erf."""
    a = np.abs(x) * np.float32(_SQRT_HALF)  # |x| / sqrt 2
    t = a * np.float32(0.3275911)
    t += 1.0
    np.reciprocal(t, out=t)
    poly = t * np.float32(1.061405429)
    for c in (-1.453152027, 1.421413741, -0.284496736, 0.254829592):
        poly += np.float32(c)
        poly *= t
    np.square(a, out=a)
    np.negative(a, out=a)
    np.exp(a, out=a)
    poly *= a  # 1 - erf(|x| / sqrt 2)
    # x * Phi(x) = max(x, 0) - |x|/2 * (1 - erf(|x| / sqrt 2)) for either sign of x
    np.abs(x, out=a)
    a *= 0.5
    poly *= a
    np.maximum(x, 0.0, out=x)
    x -= poly
    return x


_BLAS: Any = None  # threadpoolctl's view of the loaded BLAS libraries: inspected once, on the first parallel run


def _one_blas_thread() -> Any:
    """A context in which numpy's BLAS uses one thread (the threads running batches are the parallelism)."""
    global _BLAS
    from threadpoolctl import ThreadpoolController

    if _BLAS is None:
        _BLAS = ThreadpoolController()
    return _BLAS.limit(limits=1, user_api="blas")


def _layer_norm(x: np.ndarray, weight: np.ndarray, bias: np.ndarray) -> np.ndarray:
    mean = x.mean(-1, keepdims=True)
    centred = x - mean
    var = np.square(centred).mean(-1, keepdims=True)
    return centred / np.sqrt(var + LAYER_NORM_EPS) * weight + bias


@dataclass(frozen=True)
class _Layer:
    qkv: np.ndarray  # (HIDDEN, 3 x HIDDEN): query, key and value projections in one product
    qkv_bias: np.ndarray
    attn_out: np.ndarray
    attn_out_bias: np.ndarray
    attn_norm: tuple[np.ndarray, np.ndarray]
    ffn_in: np.ndarray
    ffn_in_bias: np.ndarray
    ffn_out: np.ndarray
    ffn_out_bias: np.ndarray
    ffn_norm: tuple[np.ndarray, np.ndarray]


def _folded(w: np.ndarray, update: tuple[np.ndarray, np.ndarray] | None) -> np.ndarray:
    """W + A B: a low-rank update (LoRA) folded into its matrix once, so that x @ W' = x @ W + (x @ A) @ B at the
    cost of one product. Without an update, W itself (no copy)."""
    return w if update is None else w + update[0] @ update[1]


class Bert:
    """The encoder: word pieces in, the last layer's hidden states out (float32)."""

    def __init__(
        self,
        weights: Mapping[str, np.ndarray],
        updates: Mapping[str, tuple[np.ndarray, np.ndarray]] | None = None,
        share: Bert | None = None,
    ) -> None:
        """`weights` by torch's names and layouts (a Linear's weight is out x in); `updates`, by a Linear's name,
        the low-rank update added to its product, (A, B) as (in, rank) and (rank, out), scale included. `share`:
        a network whose fused query-key-value matrices are taken where the weights are the same arrays."""
        self.weights = dict(weights)
        self.updates = dict(updates or {})
        self.share = share
        w = self.weights
        self.words = w["embeddings.word_embeddings.weight"]
        self.positions = w["embeddings.position_embeddings.weight"]
        self.types = w["embeddings.token_type_embeddings.weight"]
        self.embed_norm = (w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"])
        self.layers = [self._layer(f"encoder.layer.{n}.") for n in range(LAYERS)]

    def _layer(self, p: str) -> _Layer:
        w = self.weights

        def t(name: str) -> np.ndarray:  # a Linear's weight as (in, out) for x @ W: a view, BLAS reads it transposed
            return w[p + name + ".weight"].T

        names = [p + f"attention.self.{k}.weight" for k in ("query", "key", "value")]
        shared = self.share.layers[int(p.split(".")[2])] if self.share is not None else None
        updates = {k[len(p) :]: v for k, v in self.updates.items() if k.startswith(p)}
        query, value = updates.get("attention.self.query"), updates.get("attention.self.value")
        if shared is not None and query is None and value is None and all(w[n] is self.share.weights[n] for n in names):
            qkv = shared.qkv  # the same base projections and no update: one copy of the fused matrix
        else:
            qkv = np.concatenate(
                [
                    _folded(t("attention.self.query"), query),
                    t("attention.self.key"),
                    _folded(t("attention.self.value"), value),
                ],
                1,
            )
        return _Layer(
            qkv=qkv,
            qkv_bias=np.concatenate([w[p + f"attention.self.{k}.bias"] for k in ("query", "key", "value")]),
            attn_out=t("attention.output.dense"),
            attn_out_bias=w[p + "attention.output.dense.bias"],
            attn_norm=(w[p + "attention.output.LayerNorm.weight"], w[p + "attention.output.LayerNorm.bias"]),
            ffn_in=_folded(t("intermediate.dense"), updates.get("intermediate.dense")),
            ffn_in_bias=w[p + "intermediate.dense.bias"],
            ffn_out=_folded(t("output.dense"), updates.get("output.dense")),
            ffn_out_bias=w[p + "output.dense.bias"],
            ffn_norm=(w[p + "output.LayerNorm.weight"], w[p + "output.LayerNorm.bias"]),
        )

    @classmethod
    def from_safetensors(cls, path: Path) -> Bert:
        return cls(read_safetensors(path, skip=("pooler.", "embeddings.position_ids")))

    def forward(self, ids: np.ndarray, types: np.ndarray, mask: np.ndarray) -> np.ndarray:
        """Hidden states (batch, length, HIDDEN) for padded word pieces; `mask` is 1 on real pieces, 0 on padding."""
        batch, length = ids.shape
        x = self.words[ids] + self.positions[:length] + self.types[types]
        x = _layer_norm(x, *self.embed_norm).reshape(batch * length, HIDDEN)
        # Padding is masked out of every attention row; its own (unused) outputs are never pooled.
        bias = ((1.0 - mask.astype(np.float32)) * np.finfo(np.float32).min)[:, None, None, :]
        head = HIDDEN // HEADS
        scale = np.float32(1.0 / math.sqrt(head))
        for layer in self.layers:
            fused = x @ layer.qkv
            fused += layer.qkv_bias
            qkv = fused.reshape(batch, length, 3, HEADS, head).transpose(2, 0, 3, 1, 4)
            scores = (qkv[0] * scale) @ qkv[1].transpose(0, 1, 3, 2) + bias
            scores -= scores.max(-1, keepdims=True)
            np.exp(scores, out=scores)
            scores /= scores.sum(-1, keepdims=True)
            context = (scores @ qkv[2]).transpose(0, 2, 1, 3).reshape(batch * length, HIDDEN)
            x = _layer_norm(context @ layer.attn_out + layer.attn_out_bias + x, *layer.attn_norm)
            inner = x @ layer.ffn_in
            inner += layer.ffn_in_bias
            gelu(inner)
            out = inner @ layer.ffn_out
            out += layer.ffn_out_bias
            out += x
            x = _layer_norm(out, *layer.ffn_norm)
        return x.reshape(batch, length, HIDDEN)

    def pooled(self, pieces: Sequence[tuple[list[int], list[int]]], workers: int = 1) -> np.ndarray:
        """`mean_pooled` of every tokenised text (ids, type ids), one row each, in batches of like lengths.

        With `workers` > 1 and more than one batch, the batches run in that many threads, each with one BLAS
        thread: numpy releases the GIL in its products and element-wise passes, and the element-wise ones (GELU,
        layer norms, softmax: a third of the time) run on one core only, so batch-parallel work keeps both cores
        busy where BLAS threads left one idle. The rows are the same either way."""
        out = np.empty((len(pieces), HIDDEN), dtype=np.float32)
        groups = list(batches([len(ids) for ids, _ in pieces], PARALLEL_BATCH_TOKENS if workers > 1 else None))

        def run(rows: list[int]) -> None:
            out[rows] = self.mean_pooled(*padded([pieces[i] for i in rows]))

        if workers <= 1 or len(groups) <= 1:
            for rows in groups:
                run(rows)
            return out
        from concurrent.futures import ThreadPoolExecutor

        with _one_blas_thread(), ThreadPoolExecutor(min(workers, len(groups))) as pool:
            list(pool.map(run, groups[::-1]))  # longest first: the short ones fill in at the end
        return out

    def mean_pooled(self, ids: np.ndarray, types: np.ndarray, mask: np.ndarray) -> np.ndarray:
        """The mean of the real word pieces' hidden states (sentence-transformers' pooling for this model)."""
        hidden = self.forward(ids, types, mask)
        m = mask.astype(np.float32)[:, :, None]
        return (hidden * m).sum(1) / np.maximum(m.sum(1), 1e-9)


_DTYPES = {"F32": np.float32, "F16": np.float16, "I64": np.int64}


def read_safetensors(path: Path, skip: tuple[str, ...] = ()) -> dict[str, np.ndarray]:
    """The tensors of a .safetensors file as read-only views of one memory map, not copies.

    safetensors' own numpy API (`safe_open(..., framework="np")`) copies each tensor out of its map: measured on the
    seeds' cold `compare`, that costs 90 MB of peak memory at load and keeps the whole 47 MB word-embedding table
    resident, where a map pages in only the rows of the word pieces met. The format is the one the safetensors
    documentation specifies: an 8-byte little-endian header length, a JSON header of name -> dtype, shape and
    byte offsets into the data that follows. The file is checked against it (offsets inside the data, sizes that
    match the shapes) before any tensor is used."""
    with open(path, "rb") as fh:
        size = int.from_bytes(fh.read(8), "little")
        header = json.loads(fh.read(size))
    data = np.memmap(path, dtype=np.uint8, mode="r", offset=8 + size)
    out = {}
    for name, info in header.items():
        if name == "__metadata__" or name.startswith(skip):
            continue
        dtype = np.dtype(_DTYPES[info["dtype"]])
        begin, end = info["data_offsets"]
        if not 0 <= begin <= end <= len(data) or end - begin != dtype.itemsize * math.prod(info["shape"]):
            raise ValueError(f"{path}: tensor {name} does not fit the file")
        out[name] = data[begin:end].view(dtype).reshape(info["shape"])
    return out


def batches(lengths: Sequence[int], max_tokens: int | None = None) -> Iterator[list[int]]:
    """Indices of texts in batches of like lengths: sorted by length, each batch at most MAX_BATCH texts and
    `max_tokens` (MAX_BATCH_TOKENS) padded word pieces (one text alone may exceed it)."""
    limit = MAX_BATCH_TOKENS if max_tokens is None else max_tokens
    order = sorted(range(len(lengths)), key=lambda i: lengths[i])
    current: list[int] = []
    for i in order:
        if current and (len(current) >= MAX_BATCH or (len(current) + 1) * lengths[i] > limit):
            yield current
            current = []
        current.append(i)
    if current:
        yield current


def padded(encodings: Sequence[tuple[list[int], list[int]]]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(ids, type ids) of one batch as padded arrays, with the attention mask."""
    length = max(len(ids) for ids, _ in encodings)
    ids = np.zeros((len(encodings), length), dtype=np.int64)
    types = np.zeros_like(ids)
    mask = np.zeros_like(ids)
    for row, (i, t) in enumerate(encodings):
        ids[row, : len(i)] = i
        types[row, : len(t)] = t
        mask[row, : len(i)] = 1
    return ids, types, mask
